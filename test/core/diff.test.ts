/** The structural diff traces print (src/core/diff.ts): leaf paths in key order, shared subtrees skipped. */
import { describe, expect, test } from '@jest/globals';
import { diff } from '../../src/core/diff.js';

const rows = (a: unknown, b: unknown) => diff(a, b).map((d) => `${d.path}: ${String(d.before)}→${String(d.after)}`);

describe('diff', () => {
  test('one shape: the changed leaves, in key order, with array indices', () => {
    const shared = { deep: [1, 2, 3] };
    const a = { x: 1, m: { p: [0, 0], q: 'a' }, shared };
    const b = { x: 2, m: { p: [0, 5], q: 'a' }, shared };
    expect(rows(a, b)).toEqual(['x: 1→2', 'm.p[1]: 0→5']);
  });

  test('other shapes: the first value’s keys, then the keys only the second has', () => {
    expect(rows({ a: 1, b: 2, c: 3 }, { c: 4, d: 5, a: 1 })).toEqual(['b: 2→undefined', 'c: 3→4', 'd: undefined→5']);
    expect(rows([1, 2], [1, 2, 3])).toEqual(['[2]: undefined→3']);
    expect(rows({ k: 1 }, { k: 1, j: undefined })).toEqual([]);
  });

  test('a value that changes kind is one leaf', () => {
    expect(rows({ v: null }, { v: { w: 1 } })).toEqual(['v: null→[object Object]']);
    expect(rows({ v: [1] }, { v: { 0: 1 } })).toEqual(['v: 1→[object Object]']);
    expect(rows(1, 1)).toEqual([]);
  });
});
