/**
 * Template model: copy this file to start a new one (docs/writing-a-model.md walks through it).
 *
 * The race: two CPUs take a reference on the same page. `page_ref_inc` is an atomic
 * read-modify-write; a path that open-codes it as a load and a store (`count = count + 1` in two
 * steps) can lose an update when the other CPU's increment lands in between, and the page is
 * freed while still in use. Variants: `racy` (load + store: the end count is wrong), `atomic`
 * (one atomic step) and `locked` (load + store under a spinlock).
 *
 * Kernel version and source file each path follows: illustrative (include/linux/page_ref.h).
 */
import { endState } from '../src/core/property.js';
import { lockMisuse } from '../src/kernel/spinlock.js';
import {
  call,
  defineModel,
  int,
  layout,
  spinLock,
  spinUnlock,
  step,
  sub,
  thread,
  tid,
  type Block,
} from '../src/lang/index.js';

// 1. The shared state: every field with a small finite domain.
const shared = layout({
  /** page->_refcount: 1 (the page cache) + one per CPU that took a reference. */
  count: int(0, 3, 1),
  /** A spinlock: its owner's thread id, or -1. */
  lock: tid(),
});
const { count, lock } = shared.refs;
type S = typeof shared.defaults;

// 2. The thread's locals: what the kernel keeps in registers between steps.
interface L {
  /** The count the CPU loaded. */
  readonly seen: number;
}

// 3. The paths: one step per atomic action; control flow around them costs no step.
type Options = { readonly inc: 'racy' | 'atomic' | 'locked' };

function getPage(o: Options) {
  const racy: Block<L> = [
    step('get_page: count = page_ref_count(page)', (c) => c.let({ seen: c.get(count) })),
    step('get_page: set_page_count(page, count + 1)', (c) => c.set(count, c.l.seen + 1)),
  ];
  const body: Block<L> =
    o.inc === 'atomic'
      ? [step('get_page: page_ref_inc(page)', (c) => c.set(count, c.get(count) + 1), { cost: 'atomic' })]
      : o.inc === 'locked'
        ? [
            step('get_page: spin_lock(lock)', (c) => spinLock(c, lock), { cost: 'lock' }),
            ...racy,
            step('get_page: spin_unlock(lock)', (c) => spinUnlock(c, lock)),
          ]
        : racy;
  return sub<L>('get_page', body);
}

// 4. What must hold: here at the end of every run.
const balanced = endState<S>(
  'refcount-balanced',
  'At the end the page is referenced by the page cache and by both CPUs: count = 3.',
  (v) => (v.s.count === 3 ? null : `page count ${v.s.count} at the end, expected 3: an increment was lost`),
);

// 5. The model: variants are named option sets, each with the verdicts it expects.
export default defineModel<Options>({
  name: 'template',
  title: 'Template: two CPUs take a page reference',
  story:
    'Two CPUs increment a page refcount. Open-coded as a load and a store, one increment can be lost; ' +
    'an atomic increment or a lock around the load and store keeps the count right.',
  params: {},
  options: { inc: 'racy' },
  variants: {
    racy: {
      doc: 'count = page_ref_count(page); set_page_count(page, count + 1): two steps.',
      options: {},
      expect: { 'refcount-balanced': 'violated' },
    },
    atomic: { doc: 'page_ref_inc: one atomic step.', options: { inc: 'atomic' }, expect: {} },
    locked: { doc: 'The load and the store under a spinlock.', options: { inc: 'locked' }, expect: {} },
  },
  build: (o) => {
    const fault: Block<L> = [call(getPage(o))];
    return {
      layout: shared,
      threads: [thread<L>('cpu0', { seen: 0 }, fault), thread<L>('cpu1', { seen: 0 }, fault)],
      properties: [balanced, lockMisuse],
      // The properties read only the shared state: the compiler may reduce thread-local state.
      observes: {},
    };
  },
});
