/**
 * DPOR's visited set (MemoTable: fingerprints with a word in their slot), checked against the
 * inserted values across growth and the (0, 0) fingerprint.
 */
import { describe, expect, it } from '@jest/globals';
import { MemoTable } from '../../../src/explore/store/memo-table.js';

function fingerprints(n: number): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  let x = 987654321;
  for (let i = 1; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    const a = x;
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    out.push([a, x]);
  }
  return out;
}

describe('MemoTable', () => {
  it('finds every inserted fingerprint with its word, across growth', () => {
    const t = new MemoTable();
    const fps = fingerprints(20000);
    for (let i = 0; i < fps.length; i++) {
      const [a, b] = fps[i];
      expect(t.find(a, b)).toBe(-1);
      t.setWord(t.insert(a, b), i * 7 - 5000);
    }
    expect(t.size).toBe(fps.length);
    for (let i = 0; i < fps.length; i++) expect(t.word(t.find(fps[i][0], fps[i][1]))).toBe(i * 7 - 5000);
    // (0, 0) is stored as (0, 1): the two are one key, never an empty slot.
    expect(t.find(0, 1)).toBe(t.find(0, 0));
    expect(t.find(12345, 678)).toBe(-1);
  });

  it('inserts at the hole a probe missed; a slot holds while the table does not grow', () => {
    const t = new MemoTable();
    const fps = fingerprints(20000);
    const slots: number[] = [];
    let grows = 0;
    for (let i = 0; i < fps.length; i++) {
      const [a, b] = fps[i];
      const hole = t.probe(a, b);
      expect(hole).toBeLessThan(0);
      slots.push(t.insertAt(a, b, ~hole));
      if (t.grows !== grows) {
        grows = t.grows;
        for (let j = 0; j <= i; j++) slots[j] = t.find(fps[j][0], fps[j][1]);
      }
      t.setWord(slots[i], i);
      // Every slot taken since the last growth is still its fingerprint's.
      if (i % 997 === 0) for (let j = 0; j <= i; j++) expect(t.probe(fps[j][0], fps[j][1])).toBe(slots[j]);
    }
    expect(grows).toBeGreaterThan(5);
    for (let i = 0; i < fps.length; i++) expect(t.word(t.probe(fps[i][0], fps[i][1]))).toBe(i);
  });

  it('stays at most 16 bytes a state (12-byte slots, 78–90 % full)', () => {
    const t = new MemoTable();
    for (const [a, b] of fingerprints(50000)) {
      t.insert(a, b);
      if (t.size > 1000) expect(t.bytes() / t.size).toBeLessThanOrEqual(12 / 0.78);
    }
  });
});
