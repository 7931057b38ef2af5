import { describe, expect, test } from '@jest/globals';
import { SegmentTrie } from '../../src/engine/segments.js';
import { ReadTrie } from '../../src/engine/trie.js';
import { expectRecordedLookups } from '../helpers/trie-lookups.js';

/** A deterministic function of a vector as a decision tree: read a slot, branch on its value. */
type Tree = { slot: number; next: Tree[] } | { out: number };

/** A random decision tree over `slots` slots of values 0..2, from a seeded generator. */
function tree(seed: number, slots: number): Tree {
  let x = seed;
  const rand = (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  let outs = 0;
  const grow = (depth: number, read: number[]): Tree => {
    const free = Array.from({ length: slots }, (_, s) => s).filter((s) => !read.includes(s));
    if (free.length === 0 || (depth > 2 && rand(4) === 0)) return { out: outs++ };
    // Most nodes read the next free slot (long fixed runs, as a property's loop), some another.
    const slot = rand(3) === 0 ? free[rand(free.length)] : free[0];
    return { slot, next: [0, 1, 2].map(() => grow(depth + 1, [...read, slot])) };
  };
  return grow(0, []);
}

function run(t: Tree, v: Int32Array): { reads: number[]; out: number } {
  const reads: number[] = [];
  while ('slot' in t) {
    reads.push(t.slot, v[t.slot]);
    t = t.next[v[t.slot]];
  }
  return { reads, out: t.out };
}

describe('SegmentTrie', () => {
  test('a lookup follows the recorded reads, a segment split where runs part', () => {
    const t = new SegmentTrie<string>();
    // The first run makes one node reading slot 0; the second splits nothing (another value of
    // slot 0, then slot 2).
    expectRecordedLookups(t);
    // [0] and [2].
    expect(t.nodes).toBe(2);
  });

  test('a run that reads another slot inside a segment splits it; the old paths still answer', () => {
    const t = new SegmentTrie<string>();
    // One segment [3, 1, 4]; then a run reading 3, 1 with other values, then 5 instead of 4.
    const a = t.insert([3, 1, 1, 2, 4, 3], 'a');
    const b = t.insert([3, 1, 1, 7, 5, 0], 'b');
    const c = t.insert([3, 1, 1, 2, 4, 4], 'c');
    const d = t.insert([3, 0], 'd');
    expect(t.findLeaf(Int32Array.of(0, 2, 0, 1, 3, 9))).toBe(a);
    expect(t.findLeaf(Int32Array.of(0, 7, 0, 1, 9, 0))).toBe(b);
    expect(t.findLeaf(Int32Array.of(0, 2, 0, 1, 4, 9))).toBe(c);
    expect(t.findLeaf(Int32Array.of(0, 2, 0, 0, 4, 9))).toBe(d);
    expect(t.find(Int32Array.of(0, 7, 0, 1, 9, 1))).toBeUndefined();
    expect([a, b, c, d].map((l) => l.id)).toEqual([0, 1, 2, 3]);
    expect([...b.pairs]).toEqual([3, 1, 1, 7, 5, 0]);
    // [3], then [1] after 3=1, then [4] after 1=2 and [5] after 1=7.
    expect(t.nodes).toBe(4);
  });

  test('a run that reads differently where another read the same values is refused', () => {
    const t = new SegmentTrie<number>();
    t.insert([0, 1, 1, 2], 1);
    expect(() => t.insert([0, 1, 2, 2], 2)).toThrow(/not deterministic/);
    expect(() => t.insert([0, 1], 3)).toThrow(/not deterministic/);
    expect(() => t.insert([0, 1, 1, 2, 2, 0], 3)).toThrow(/not deterministic/);
    const none = new SegmentTrie<number>();
    none.insert([], 0);
    expect(none.find(Int32Array.of(5))).toBe(0);
    expect(() => none.insert([0, 1], 1)).toThrow(/not deterministic/);
  });

  test('on random decision trees it answers as the plain trie, with the same leaves', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const f = tree(seed, 10);
      const seg = new SegmentTrie<number>();
      const plain = new ReadTrie<number>();
      let x = seed * 7919;
      let misses = 0;
      for (let k = 0; k < 300; k++) {
        const v = Int32Array.from({ length: 10 }, () => {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          return (x >>> 8) % 3;
        });
        const want = run(f, v);
        const leaf = seg.findLeaf(v);
        expect(leaf === undefined).toBe(plain.find(v) === undefined);
        if (leaf === undefined) {
          misses++;
          const made = seg.insert(want.reads, want.out);
          expect(made.id).toBe(plain.insert(want.reads, want.out).id);
          expect(seg.findLeaf(v)).toBe(made);
        } else {
          expect(leaf.leaf).toBe(want.out);
          expect([...leaf.pairs]).toEqual(want.reads);
        }
      }
      expect(misses).toBeGreaterThan(0);
      expect(seg.nodes).toBeLessThan(plain.nodes);
    }
  });
});
