/**
 * Last zero (Abdulla et al., "Optimal dynamic partial order reduction", POPL 2014).
 *
 * `array[0..N]` starts all zero. Thread 0 scans down from the top for the last zero:
 * `for (i = N; array[i] != 0; i--);` — each read of array[i], with the loop test and the
 * decrement on the value read, is one step. Thread j (1..N) runs `array[j] = array[j-1] + 1` as
 * two steps: a load of array[j-1] into a local, then the store of array[j]. The reader races with
 * every writer, and writer j's store races with writer j+1's load; the benchmark is known for the
 * many equivalent interleavings a naive search explores.
 *
 * End-state property `found-zero`: thread 0 stopped at some i in 0..N where it read a zero, and
 * the final array has array[0] = 0 and 1 <= array[j] <= j for every j >= 1 (each writer adds one
 * to a value its predecessor had or had not yet written). Holds.
 */
import { defineModel } from '../../src/core/model.js';
import { load, store } from '../../src/core/ops.js';
import { endState } from '../../src/core/property.js';
import type { Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';

interface S {
  readonly array: readonly number[];
}
interface L0 {
  readonly i: number;
  readonly found: boolean;
}
interface Lj {
  readonly v: number;
}

const foundZero = endState<S>(
  'found-zero',
  'Thread 0 stopped at an index 0..N where it read 0; at the end array[0] = 0 and 1 <= array[j] <= j for j >= 1.',
  (v) => {
    const a = v.s.array;
    const n = a.length - 1;
    const l0 = v.threads[0].l as L0;
    if (!l0.found) return `thread 0 finished without finding a zero (i = ${l0.i})`;
    if (l0.i < 0 || l0.i > n) return `thread 0 stopped at i = ${l0.i}, outside 0..${n}`;
    if (a[0] !== 0) return `array[0] = ${a[0]} at the end, expected 0`;
    for (let j = 1; j <= n; j++) if (a[j] < 1 || a[j] > j) return `array[${j}] = ${a[j]} at the end, expected 1..${j}`;
    return null;
  },
);

export default defineModel({
  name: 'lastzero',
  title: 'Last zero: one scanner and N writers on an array',
  story:
    'Thread 0 scans array[N], array[N-1], ... for the last zero while threads 1..N each compute ' +
    'array[j] = array[j-1] + 1 (a load and a store). A classic benchmark for dynamic partial-order reduction.',
  params: { n: { default: 3, min: 1, max: 16, doc: 'number of writer threads (the array has n + 1 cells)' } },
  options: {},
  variants: {
    lastzero: { doc: 'for (i = N; array[i] != 0; i--); and array[j] = array[j-1] + 1.', options: {}, expect: {} },
  },
  build: (_o, p) => {
    const n = p.n;
    const scanner: Step<S, L0>[] = [
      load<L0>(
        'thread0: array[i] != 0 ? i-- : stop',
        (l) => ['array', l.i],
        (l, v) =>
          v === 0 ? { l: { i: l.i, found: true }, goto: 'exit' } : { l: { i: l.i - 1, found: false }, goto: 'scan' },
        'scan',
      ),
    ];
    const writer: Step<S, Lj>[] = [
      load<Lj>(
        'writer: v = array[j-1]',
        (_l, tid) => ['array', tid - 1],
        (_l, v) => ({ l: { v } }),
      ),
      store<Lj>(
        'writer: array[j] = v + 1',
        (_l, tid) => ['array', tid],
        (l) => l.v + 1,
      ),
    ];
    return {
      init: { array: Array.from({ length: n + 1 }, () => 0) } as S,
      threads: [
        thread<S, L0>('thread0', { i: n, found: false }, scanner),
        ...Array.from({ length: n }, (_, k) => thread<S, Lj>(`thread${k + 1}`, { v: -1 }, writer)),
      ],
      properties: [foundZero],
    };
  },
});
