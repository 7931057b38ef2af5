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
import { endState } from '../../src/core/property.js';
import { array, defineModel, exit, int, label, layout, loop, step, thread, when } from '../../src/lang/index.js';

interface L0 {
  readonly i: number;
  readonly found: boolean;
}
interface Lj {
  readonly v: number;
}

const foundZero = endState<{ readonly array: readonly number[] }>(
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
    const shared = layout({ array: array(n + 1, int(0, n)) });
    const cell = shared.refs.array;
    // for (i = N; array[i] != 0; i--); — the load, the test and the decrement are one step.
    const scanner = [
      loop<L0>([
        label('scan'),
        when<L0>(
          'thread0: array[i] != 0 ? i-- : stop',
          (c) => {
            if (c.get(cell.at(c.l.i)) === 0) return (c.let({ found: true }), true);
            return (c.let({ i: c.l.i - 1, found: false }), false);
          },
          [exit()],
        ),
      ]),
    ];
    // array[j] = array[j-1] + 1, as a load and a store (thread j is thread id j).
    const writer = [
      step<Lj>('writer: v = array[j-1]', (c) => c.let({ v: c.get(cell.at(c.tid - 1)) })),
      step<Lj>('writer: array[j] = v + 1', (c) => c.set(cell.at(c.tid), c.l.v + 1)),
    ];
    return {
      layout: shared,
      threads: [
        thread<L0>('thread0', { i: n, found: false }, scanner),
        ...Array.from({ length: n }, (_, k) => thread<Lj>(`thread${k + 1}`, { v: -1 }, writer)),
      ],
      properties: [foundZero],
      observes: { locals: ['i', 'found'] },
    };
  },
});
