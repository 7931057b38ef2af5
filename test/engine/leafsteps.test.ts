import { describe, expect, test } from '@jest/globals';
import { LeafSteps } from '../../src/engine/leafsteps.js';
import { ReadTrie } from '../../src/engine/trie.js';

describe('LeafSteps', () => {
  test("a successor's leaf from its parent's leaf and the new values it changed on that path", () => {
    const trie = new ReadTrie<string>();
    // f(v) reads v[0]; when 1, v[1] too (then v[2] when v[1] is 5).
    const zero = trie.insert([0, 0], 'zero');
    const one = trie.insert([0, 1, 1, 4], 'one-4');
    const five = trie.insert([0, 1, 1, 5, 2, 9], 'one-5-9');
    const steps = new LeafSteps<string>();
    const changed = Int32Array.of(0, 3);
    // From [0, 4, 9, 0] at `zero`, a step sets v[0] = 1 and v[3] = 7: not known yet.
    const v = Int32Array.of(1, 4, 9, 7);
    expect(steps.get(zero, v, changed, 2)).toBeUndefined();
    steps.put(zero, v, changed, 2, one);
    expect(steps.get(zero, v, changed, 2)).toBe(one);
    // The same change of v[0], v[3] to another value: v[3] is off zero's path, so still `one`.
    expect(steps.get(zero, Int32Array.of(1, 4, 0, 2), changed, 2)).toBe(one);
    // `one` read v[1], off zero's path: a state with another v[1] is not known to reach it.
    const w = Int32Array.of(1, 5, 9, 7);
    expect(steps.get(zero, w, changed, 2)).toBeUndefined();
    steps.put(zero, w, changed, 2, five);
    expect(steps.get(zero, w, changed, 2)).toBe(five);
    expect(steps.get(zero, Int32Array.of(1, 5, 8, 7), changed, 2)).toBeUndefined();
    // Another parent leaf, or other changed slots on the path, are other entries.
    expect(steps.get(one, Int32Array.of(1, 5, 9, 7), Int32Array.of(1), 1)).toBeUndefined();
    expect(steps.get(zero, Int32Array.of(2, 4, 9, 7), changed, 2)).toBeUndefined();
  });

  test('a thousand entries stay found after the table grows', () => {
    const trie = new ReadTrie<number>();
    const leaves = Array.from({ length: 1000 }, (_, i) => trie.insert([0, i], i));
    const steps = new LeafSteps<number>();
    const changed = Int32Array.of(0);
    for (let i = 1; i < 1000; i++) steps.put(leaves[i - 1], Int32Array.of(i), changed, 1, leaves[i]);
    for (let i = 1; i < 1000; i++) expect(steps.get(leaves[i - 1], Int32Array.of(i), changed, 1)).toBe(leaves[i]);
    expect(steps.get(leaves[5], Int32Array.of(7), changed, 1)).toBeUndefined();
  });
});
