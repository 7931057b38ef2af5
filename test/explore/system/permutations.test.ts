import { describe, expect, test } from '@jest/globals';
import { PermutationIds } from '../../../src/explore/system/permutations.js';

describe('PermutationIds', () => {
  test('the identity is 0; each permutation is interned once, with its inverse', () => {
    const p = new PermutationIds(3);
    expect([...p.to(0)]).toEqual([0, 1, 2]);
    const swap = p.intern(Int32Array.of(1, 0, 2));
    const rot = p.intern(Int32Array.of(1, 2, 0));
    expect([swap, rot, p.intern(Int32Array.of(1, 0, 2)), p.count]).toEqual([1, 2, 1, 3]);
    expect([...p.from(rot)]).toEqual([2, 0, 1]);
  });
  test('string keys where n^n passes 2^53 give the same ids', () => {
    const p = new PermutationIds(17);
    expect(p.radix).toBe(0);
    const to = Int32Array.from({ length: 17 }, (_, i) => (i + 1) % 17);
    expect([p.intern(to), p.intern(Int32Array.from(to))]).toEqual([1, 1]);
    expect(p.from(1)[0]).toBe(16);
  });
});
