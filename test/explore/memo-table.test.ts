/**
 * DPOR's visited set (MemoTable: fingerprints with a word and a tag in their slot) and its
 * sleep-set ids, checked against plain Maps across growth, the (0, 0) fingerprint and the tag
 * column's widening.
 */
import { describe, expect, it } from '@jest/globals';
import { MemoTable, SleepSets } from '../../src/explore/memo-table.js';

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
  it('finds every inserted fingerprint with its word and tag, across growth', () => {
    const t = new MemoTable();
    const fps = fingerprints(20000);
    for (let i = 0; i < fps.length; i++) {
      const [a, b] = fps[i];
      expect(t.find(a, b)).toBe(-1);
      t.set(t.insert(a, b), i * 7, i % 200);
    }
    expect(t.size).toBe(fps.length);
    for (let i = 0; i < fps.length; i++) {
      const slot = t.find(fps[i][0], fps[i][1]);
      expect(t.word(slot)).toBe(i * 7);
      expect(t.tag(slot)).toBe(i % 200);
    }
    // (0, 0) is stored as (0, 1): the two are one key, never an empty slot.
    expect(t.find(0, 1)).toBe(t.find(0, 0));
    expect(t.find(12345, 678)).toBe(-1);
  });

  it('widens the tag column when a tag outgrows it, keeping the others', () => {
    const t = new MemoTable();
    const fps = fingerprints(300);
    fps.forEach(([a, b], i) => t.set(t.insert(a, b), i, i));
    t.set(t.find(fps[5][0], fps[5][1]), 5, 70000);
    fps.forEach(([a, b], i) => expect(t.tag(t.find(a, b))).toBe(i === 5 ? 70000 : i));
  });

  it('stays at most 16 bytes a state (13-byte slots, 82–92 % full) once past its first size', () => {
    const t = new MemoTable();
    for (const [a, b] of fingerprints(50000)) {
      t.insert(a, b);
      if (t.size > 1000) expect(t.bytes() / t.size).toBeLessThanOrEqual(16);
    }
  });
});

describe('SleepSets', () => {
  it('gives each mask one dense id', () => {
    const s = new SleepSets();
    expect([5, 0, 5, -1, 0].map((m) => s.intern(m))).toEqual([0, 1, 0, 2, 1]);
    expect(s.masks).toEqual([5, 0, -1]);
  });
});
