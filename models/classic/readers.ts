/**
 * One writer, N readers.
 *
 * Shared `x` starts at 0. The writer stores `x = 42` once; each of N readers loads `x` once into
 * a local. Every read races with the write but the reads do not race with each other: a naive
 * search visits every order of the N + 1 steps that leads to a distinct state (2^N + 3^N states:
 * before the write each reader has read nothing or 0; after it, nothing, 0 or 42), while the
 * partial-order reduction only has to decide, for each reader, whether it read before or after
 * the write.
 *
 * End-state property `reads-consistent`: at the end x = 42 and every reader read 0 or 42 (no
 * torn or invented value). Holds.
 */
import { defineModel } from '../../src/core/model.js';
import { load, store } from '../../src/core/ops.js';
import { endState } from '../../src/core/property.js';
import { thread } from '../../src/core/thread.js';

interface S {
  readonly x: number;
}
interface L {
  /** The value read, or -1 before the read. */
  readonly r: number;
}

const consistent = endState<S>('reads-consistent', 'At the end x = 42 and every reader read 0 or 42.', (v) => {
  if (v.s.x !== 42) return `x = ${v.s.x} at the end, expected 42`;
  for (const t of v.threads.slice(1))
    if (t.l.r !== 0 && t.l.r !== 42) return `${t.name} read ${t.l.r}, neither 0 nor 42`;
  return null;
});

export default defineModel({
  name: 'readers',
  title: 'One writer and N readers of one location',
  story:
    'A writer stores x = 42 while N readers each load x once. Reads commute with each other and ' +
    'only race with the write; every reader must see either the old value 0 or the new value 42.',
  params: { n: { default: 3, min: 1, max: 16, doc: 'number of readers' } },
  options: {},
  variants: {
    readers: { doc: 'writer: x = 42; reader k: r = x.', options: {}, expect: {} },
  },
  build: (_o, p) => ({
    init: { x: 0 } as S,
    threads: [
      thread<S, L>('writer', { r: -1 }, [store<L>('writer: x = 42', ['x'], () => 42)]),
      ...Array.from({ length: p.n }, (_, k) =>
        thread<S, L>(`reader${k + 1}`, { r: -1 }, [load<L>('reader: r = x', ['x'], (_l, v) => ({ l: { r: v } }))]),
      ),
    ],
    properties: [consistent],
    // The readers are interchangeable; no thread id reaches the shared state.
    symmetry: p.n > 1 ? { groups: [Array.from({ length: p.n }, (_, k) => k + 1)] } : undefined,
  }),
});
