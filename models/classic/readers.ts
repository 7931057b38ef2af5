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
import { endState } from '../../src/core/property.js';
import { defineModel, int, layout, step, thread } from '../../src/lang/index.js';

interface L {
  /** The value read, or -1 before the read. */
  readonly r: number;
}

const shared = layout({ x: int(0, 42) });
const { x } = shared.refs;

const consistent = endState<typeof shared.defaults>(
  'reads-consistent',
  'At the end x = 42 and every reader read 0 or 42.',
  (v) => {
    if (v.s.x !== 42) return `x = ${v.s.x} at the end, expected 42`;
    for (const t of v.threads.slice(1)) {
      const { r } = t.l as L;
      if (r !== 0 && r !== 42) return `${t.name} read ${r}, neither 0 nor 42`;
    }
    return null;
  },
);

const writer = [step<L>('writer: x = 42', (c) => c.set(x, 42))];
const reader = [step<L>('reader: r = x', (c) => c.let({ r: c.get(x) }))];

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
    layout: shared,
    threads: [
      thread<L>('writer', { r: -1 }, writer),
      ...Array.from({ length: p.n }, (_, k) => thread<L>(`reader${k + 1}`, { r: -1 }, reader)),
    ],
    properties: [consistent],
    // The readers are interchangeable; no thread id reaches the shared state.
    symmetry: p.n > 1 ? { groups: [Array.from({ length: p.n }, (_, k) => k + 1)] } : undefined,
    observes: { locals: ['r'] },
  }),
});
