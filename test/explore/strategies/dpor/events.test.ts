/**
 * DPOR's summaries (events.ts): events kept by access code, and the typed-array SummaryTable
 * interning them (through HashIndex), checked against plain Maps across growth, colliding
 * hashes and renaming round trips.
 */
import { describe, expect, it } from '@jest/globals';
import {
  addEvent,
  renameMask,
  renaming,
  SummaryPoolFull,
  SummaryTable,
} from '../../../../src/explore/strategies/dpor/events.js';

/** Footprint access codes: location * 2 + 1 if a write. */
const read = (l: number) => l * 2;
const write = (l: number) => l * 2 + 1;

describe('addEvent', () => {
  it('entry 2l: threads writing l; entry 2l + 1: threads accessing l', () => {
    const vec = new Int32Array(8);
    addEvent(vec, 0, [read(1)]);
    addEvent(vec, 2, [write(1), read(3)]);
    addEvent(vec, 1, []);
    // A read of l conflicts with the writers of l, a write with every access.
    expect([...vec]).toEqual([0, 0, 0b100, 0b101, 0, 0, 0, 0b100]);
  });
});

describe('renameMask', () => {
  it('renames every thread of a set, across nibbles and the sign bit', () => {
    const to = Array.from({ length: 32 }, (_, t) => (t * 7 + 3) % 32);
    const r = renaming(to);
    for (const mask of [0, 1, 0b1011, 0x80000000 | 0, 0x12345678, -1, 0x0f0f0f0f]) {
      let want = 0;
      for (let t = 0; t < 32; t++) if (mask & (1 << t)) want |= 1 << to[t];
      expect(renameMask(mask, r)).toBe(want);
    }
    // Fewer threads than a nibble's bits.
    expect(renameMask(0b101, renaming([2, 0, 1]))).toBe(0b110);
  });
});

describe('SummaryTable', () => {
  const vecOf = (events: [number, number[]][]) => {
    const vec = new Int32Array(64);
    for (const [t, f] of events) addEvent(vec, t, f);
    return vec;
  };

  it('interns equal sets once, the head word included, also across collisions and growth', () => {
    const sums = new SummaryTable();
    const ids = new Map<string, number>();
    for (let t = 0; t < 4; t++)
      for (let l = 0; l < 200; l++) {
        // masks shifted along the vector collide often under the polynomial hash
        const vec = new Int32Array(2 * l + 2);
        vec[2 * l] = 1 << t;
        vec[2 * l + 1] = (31 - l) | (1 << t);
        ids.set(`${t}:${l}`, sums.intern(l & 1, vec, null));
      }
    expect(new Set(ids.values()).size).toBe(800);
    expect(sums.size).toBe(800);
    for (const [k, id] of ids) {
      const [t, l] = k.split(':').map(Number);
      const vec = new Int32Array(2 * l + 9);
      vec[2 * l] = 1 << t;
      vec[2 * l + 1] = (31 - l) | (1 << t);
      // Trailing zero masks do not make another set.
      expect(sums.intern(l & 1, vec, null)).toBe(id);
      expect(sums.head(id)).toBe(l & 1);
      expect([...sums.masks(id)]).toEqual([...vec.subarray(0, 2 * l + 2)]);
    }
    // Another head, another set.
    expect(sums.intern(7, sums.masks(ids.get('1:5')!), null)).not.toBe(ids.get('1:5'));
  });

  it('renames threads exactly, and a renaming and its inverse round-trip', () => {
    const sums = new SummaryTable();
    const long: [number, number[]][] = Array.from({ length: 40 }, (_, i) => [i % 3, [write(i % 17), read(i % 5)]]);
    const b = sums.intern(0, vecOf(long), null);
    const to = renaming([2, 0, 1]);
    const from = renaming([1, 2, 0]);
    const r = sums.intern(0, sums.masks(b), to);
    const renamed = sums.intern(0, vecOf(long.map(([t, f]) => [[2, 0, 1][t], f])), null);
    expect(r).toBe(renamed);
    expect(sums.intern(0, sums.masks(r), from)).toBe(b);
    // Another table interns the same sets alike.
    const fresh = new SummaryTable();
    const b2 = fresh.intern(0, vecOf(long), null);
    expect(fresh.intern(0, fresh.masks(fresh.intern(0, fresh.masks(b2), to)), from)).toBe(b2);
    expect([...fresh.masks(b2)]).toEqual([...sums.masks(b)]);
  });

  it('stops at its capacity with SummaryPoolFull, every set interned before still whole', () => {
    // Sets of 2 + 3 entries take 8 (they start at multiples of 4): 5 fit in 40 entries.
    const sums = new SummaryTable(40);
    const ids = [0, 1, 2, 3, 4].map((t) => sums.intern(t, Int32Array.of(1 << t, 0, 3), null));
    expect(() => sums.intern(9, Int32Array.of(7, 7, 7), null)).toThrow(SummaryPoolFull);
    ids.forEach((id, t) => {
      expect(sums.head(id)).toBe(t);
      expect([...sums.masks(id)]).toEqual([1 << t, 0, 3]);
      expect(sums.intern(t, Int32Array.of(1 << t, 0, 3), null)).toBe(id);
    });
  });
});
