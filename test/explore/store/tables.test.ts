/**
 * The typed-array tables behind DPOR's event and summary interning: HashIndex (via EventTable
 * and SummaryTable), checked against plain Maps across growth, colliding hashes and
 * renaming round trips.
 */
import { describe, expect, it } from '@jest/globals';
import { EventTable, SummaryTable } from '../../../src/explore/strategies/dpor/events.js';

describe('EventTable and SummaryTable', () => {
  it('intern each (thread, footprint) once, also across hash collisions and growth', () => {
    const ev = new EventTable();
    const ids = new Map<string, number>();
    for (let t = 0; t < 4; t++)
      for (let l = 0; l < 200; l++) {
        // [l, 31 - l] style footprints collide often under the polynomial hash
        const f = [l * 2 + (t & 1), (40 - l) * 2];
        ids.set(`${t}:${f.join(',')}`, ev.intern(t, f));
      }
    expect(new Set(ids.values()).size).toBe(800);
    for (const [k, id] of ids) {
      const [t, f] = k.split(':');
      expect(ev.intern(Number(t), f.split(',').map(Number))).toBe(id);
      expect(ev.withThread(id, 3)).toBe(ev.intern(3, f.split(',').map(Number)));
    }
  });

  it('summaries: sets are interned, from events or masks, with threads renamed exactly', () => {
    const ev = new EventTable();
    const sums = new SummaryTable(ev);
    const masks = (id: number) => sums.masks(id);
    const e = (t: number, l: number) => ev.intern(t, [l * 2 + 1]);
    const sorted = (xs: Iterable<number>) => [...new Set(xs)].sort((x, y) => x - y);
    const a = sums.of([e(0, 1), e(1, 2), -1, e(0, 1)]);
    expect(sorted(sums.eventsOf(a))).toEqual(sorted([e(0, 1), e(1, 2)]));
    expect(sums.of([e(1, 2), e(0, 1)])).toBe(a);
    // The head word is part of the set: another head, another id.
    const a5 = sums.of([e(0, 1), e(1, 2)], 5);
    expect(a5).not.toBe(a);
    expect([sums.head(a), sums.head(a5)]).toEqual([0, 5]);
    expect(sums.eventsOf(a5)).toEqual(sums.eventsOf(a));
    const long = Array.from({ length: 40 }, (_, i) => e(i % 3, i % 17));
    const b = sums.of([...long, -1, ...long]);
    expect(sorted(sums.eventsOf(b))).toEqual(sorted(long));
    // Masks with trailing zeros intern to the same set.
    const padded = new Int32Array(masks(b).length + 5);
    padded.set(masks(b));
    expect(sums.intern(0, padded, null)).toBe(b);
    const to = Int32Array.from([2, 0, 1]);
    const from = Int32Array.from([1, 2, 0]);
    const r = sums.intern(0, masks(b), to);
    expect(sorted(sums.eventsOf(r))).toEqual(sorted(sums.eventsOf(b).map((x) => ev.withThread(x, to[ev.thread[x]]))));
    expect(sums.intern(0, masks(r), from)).toBe(b);
    const ev2 = new EventTable();
    const fresh = new SummaryTable(ev2);
    const m2 = (id: number) => fresh.masks(id);
    const b2 = fresh.of(long.map((x) => ev2.intern(ev.thread[x], ev.foot[x])));
    expect(fresh.intern(0, m2(fresh.intern(0, m2(b2), to)), from)).toBe(b2);
  });
});
