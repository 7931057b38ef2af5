import { describe, expect, test } from '@jest/globals';
import { ReadLog, readsAny, ReadTrie } from '../../src/engine/trie.js';
import { expectRecordedLookups } from '../helpers/trie-lookups.js';

describe('ReadTrie', () => {
  test('a lookup follows the recorded reads, branching on each value', () => {
    const t = new ReadTrie<string>();
    // Negative and large values (a thread id of -1, a mask) branch through the map.
    expectRecordedLookups(t);
    expect(t.nodes).toBe(6);
  });

  test('a leaf knows the slots on its path: a change elsewhere keeps a state at that leaf', () => {
    const t = new ReadTrie<string>();
    const big = t.insert([0, 1, 40, 50], 'big');
    expect(t.findLeaf(Int32Array.from({ length: 41 }, (_, i) => (i === 0 ? 1 : i === 40 ? 50 : 0)))).toBe(big);
    expect(readsAny(big.reads, Int32Array.of(1, 2, 39, 41, 99), 5)).toBe(false);
    expect(readsAny(big.reads, Int32Array.of(1, 40), 2)).toBe(true);
    expect(readsAny(big.reads, Int32Array.of(1, 40), 1)).toBe(false);
    expect(readsAny(big.reads, Int32Array.of(0), 1)).toBe(true);
  });

  test('a deep trie answers from its shape cache what a walk answers, across a change of shape', () => {
    const t = new ReadTrie<number>();
    // f(v) reads slots 0..8 when v[0] is 0, else slots 0, 9..17 (a second shape): the sum.
    const slotsOf = (v: Int32Array) =>
      v[0] === 0 ? [0, 1, 2, 3, 4, 5, 6, 7, 8] : [0, 9, 10, 11, 12, 13, 14, 15, 16, 17];
    const run = (v: Int32Array) => {
      const reads = slotsOf(v).flatMap((s) => [s, v[s]]);
      return t.insert(
        reads,
        slotsOf(v).reduce((a, s) => a + v[s], 0),
      );
    };
    const states = Array.from({ length: 1200 }, (_, i) =>
      Int32Array.from({ length: 18 }, (_, s) => (s === 0 ? (i < 300 ? 0 : 1) : (i * 7 + s * s) % 5)),
    );
    for (const v of states) if (t.find(v) === undefined) run(v);
    for (const v of states) expect(t.find(v)).toBe(slotsOf(v).reduce((a, s) => a + v[s], 0));
    const other = Int32Array.from({ length: 18 }, (_, s) => (s === 0 ? 1 : 4));
    expect(t.find(other)).toBe(states.some((v) => v.every((x, i) => x === other[i])) ? 37 : undefined);
  });

  test('a run that reads differently where another read the same values is refused', () => {
    const t = new ReadTrie<number>();
    t.insert([0, 1, 1, 2], 1);
    expect(() => t.insert([0, 1, 2, 2], 2)).toThrow(/not deterministic/);
  });

  test('a read log keeps the first read of each slot', () => {
    const log = new ReadLog(4);
    log.note(3, 5);
    log.note(1, 2);
    log.note(3, 6);
    expect(log.pairs).toEqual([3, 5, 1, 2]);
    log.reset();
    log.note(3, 7);
    expect(log.pairs).toEqual([3, 7]);
  });
});
