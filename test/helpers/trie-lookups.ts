import { expect } from '@jest/globals';

/** What the read tries share: record a run's (slot, value) reads with its outcome, and look a state up. */
export interface ReadMemo {
  insert(reads: readonly number[], leaf: string): unknown;
  find(v: Int32Array): string | undefined;
}

/**
 * f(v) = v[0] === 0 ? 'zero' : v[2] > 40 ? 'big' : 'small', recorded run by run: a lookup follows
 * the recorded reads, branching on each value, and misses where no run read the state's values;
 * a negative value (a thread id of -1) branches like any other.
 */
export function expectRecordedLookups(t: ReadMemo): void {
  t.insert([0, 0], 'zero');
  t.insert([0, 1, 2, 50], 'big');
  t.insert([0, 1, 2, 7], 'small');
  expect(t.find(Int32Array.of(0, 9, 9))).toBe('zero');
  expect(t.find(Int32Array.of(1, 9, 50))).toBe('big');
  expect(t.find(Int32Array.of(1, 0, 7))).toBe('small');
  expect(t.find(Int32Array.of(1, 0, 8))).toBeUndefined();
  expect(t.find(Int32Array.of(2, 0, 7))).toBeUndefined();
  t.insert([0, -1], 'nobody');
  expect(t.find(Int32Array.of(-1, 0, 0))).toBe('nobody');
}
