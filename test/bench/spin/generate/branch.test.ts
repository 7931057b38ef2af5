/** Decision-tree enumeration (bench/spin/generate/branch.ts) and its conditions (expr.ts). */
import { describe, expect, it } from '@jest/globals';
import { branch, TooManyLeaves } from '../../../../bench/spin/generate/branch.js';
import { conditions, treeOf } from '../../../../bench/spin/generate/expr.js';

const values: Record<number, number[]> = { 0: [0, 1], 1: [0, 1, 2], 2: [5, 7] };
const slots = { name: (s: number) => `x${s}`, values: (s: number) => values[s] };

describe('branch', () => {
  it('runs the function once per path of its decision tree, reading each slot once per run', () => {
    // if (x0) return x1 + x1; else return x2
    const leaves = branch(
      (s) => values[s],
      (read) => (read(0) ? read(1) + read(1) : read(2)),
      100,
    );
    expect(leaves.map((l) => [l.reads, l.result])).toEqual([
      [
        [
          [0, 0],
          [2, 5],
        ],
        5,
      ],
      [
        [
          [0, 0],
          [2, 7],
        ],
        7,
      ],
      [
        [
          [0, 1],
          [1, 0],
        ],
        0,
      ],
      [
        [
          [0, 1],
          [1, 1],
        ],
        2,
      ],
      [
        [
          [0, 1],
          [1, 2],
        ],
        4,
      ],
    ]);
  });

  it('a function that reads nothing has one leaf; more leaves than the bound is an error', () => {
    expect(
      branch(
        (s) => values[s],
        () => 'k',
        1,
      ),
    ).toEqual([{ reads: [], result: 'k' }]);
    expect(() =>
      branch(
        (s) => values[s],
        (read) => read(1) + read(2),
        5,
      ),
    ).toThrow(TooManyLeaves);
  });
});

describe('conditions', () => {
  it('groups values, drops slots that do not matter, uses the complement when shorter', () => {
    // x0 == 1 && x1 != 2 ? 'a' : x1 == 2 ? 'b' : 'c': x0 does not matter for 'b'.
    const leaves = branch(
      (s) => values[s],
      (read) => (read(0) === 1 && read(1) !== 2 ? 'a' : read(1) === 2 ? 'b' : 'c'),
      100,
    );
    const c = conditions(treeOf(leaves, 'test'), (r) => r, slots);
    expect(Object.fromEntries(c)).toEqual({
      a: 'x0 == 1 && x1 != 2',
      b: 'x1 == 2',
      c: 'x0 == 0 && x1 != 2',
    });
  });

  it('a non-deterministic function is refused', () => {
    let n = 0;
    const leaves = branch(
      (s) => values[s],
      (read) => (n++ === 0 ? read(1) : read(0)),
      100,
    );
    expect(() => treeOf(leaves, 'step x')).toThrow('step x: not deterministic');
  });
});
