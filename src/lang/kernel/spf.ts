import { exit, goto_, label, scope, step, when, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import type { Ref } from '../layout.js';
import { rawReadSeqcount, readSeqcountBegin, readSeqcountRetry, type SeqcountRefs } from './seqcount.js';

/**
 * Speculative page faults (Laurent Dufour's SPF series, v3 of September 2017, 4.13-based:
 * mm/memory.c): handle_speculative_fault samples the VMA's vm_sequence, reads the VMA and the page
 * tables without mmap_sem, and the fault commits only if the count is unchanged
 * (vma_has_changed is read_seqcount_retry). The pieces for step bodies and blocks, over a
 * seqcount of ./seqcount.ts; what a model records about a fault goes in the callbacks.
 */
export const HSF = 'handle_speculative_fault';

/**
 * `fn`'s read_seqcount_begin(vma->vm_sequence): lockdep's reader access (class `cls`, when
 * given), then a spin while the count is odd. `sampled` sees the (even) count.
 */
export const vmaSequenceBegin = <L>(
  fn: string,
  sc: SeqcountRefs,
  cls?: string,
  sampled: (c: Ctx<L>, seq: number) => void = () => {},
): Node<L> =>
  step<L>(`${fn}: read_seqcount_begin(vma->vm_sequence) spins while odd`, (c) => {
    const seq = readSeqcountBegin(c, sc, cls);
    if (!(seq & 1)) sampled(c, seq);
  });

/**
 * handle_speculative_fault's sample as posted: `seq = raw_read_seqcount(vma->vm_sequence)`, and
 * to `bail` (VM_FAULT_RETRY, the classic path) when it is odd: the fault never waits. `sampled`
 * sees an even count.
 */
export const speculativeSample = <L>(sc: SeqcountRefs, bail: string, sampled: (c: Ctx<L>, seq: number) => void) =>
  when<L>(
    `${HSF}: seq = raw_read_seqcount(vma->vm_sequence); odd → abort`,
    (c) => {
      const seq = rawReadSeqcount(c, sc);
      if (seq & 1) return true;
      sampled(c, seq);
      return false;
    },
    [goto_(bail)],
  );

/** The speculative fault's locals: the sampled count, vma->vm_end as read, orig_pte. */
export interface SpfLocals<T> {
  readonly start: number;
  readonly end: number;
  readonly pte: T;
}

/**
 * SPF v3's commit (handle_pte_fault → do_anonymous_page / do_wp_page → pte_map_lock): with
 * interrupts off, vma_has_changed → VM_FAULT_RETRY (to `retry`); then one step under the PTL
 * (every writer's PTE store is one step under it too; a failed spin_trylock would only add
 * retries): vma_has_changed again → `retry`, else set_pte_at(`value`) if pte_same(*pte, orig_pte)
 * and nothing if not. `done(c, set)` records which, in that step.
 */
export function pteMapLock<T, L extends SpfLocals<T>>(
  sc: SeqcountRefs,
  pte: Ref<T>,
  value: T,
  retry: string,
  done: (c: Ctx<L>, set: boolean) => void,
): Node<L>[] {
  const changed = (c: Ctx<L>) => readSeqcountRetry(c, sc, c.l.start);
  const ptl = (c: Ctx<L>) => {
    if (changed(c)) return true;
    const same = c.get(pte) === c.l.pte;
    if (same) c.set(pte, value);
    done(c, same);
    return false;
  };
  return [
    when<L>('pte_map_lock: local_irq_disable; vma_has_changed(vma, seq)? → VM_FAULT_RETRY', changed, [goto_(retry)]),
    when<L>(
      'pte_map_lock: spin_trylock(ptl); vma_has_changed? → VM_FAULT_RETRY; pte_same(*pte, orig_pte)? set_pte_at : nothing; pte_unmap_unlock',
      ptl,
      [goto_(retry)],
    ),
  ];
}

/**
 * How a speculative fault ends: `bailed` (odd at the sample: VM_FAULT_RETRY), `retry` (the count
 * changed: VM_FAULT_RETRY; or !pte_same under the PTL: nothing done, the access faults again),
 * `committed`.
 */
export type SpfOutcome = 'bailed' | 'retry' | 'committed';

export interface SpeculativeFault<T, L> {
  readonly sc: SeqcountRefs;
  readonly vmEnd: Ref<number>;
  readonly pte: Ref<T>;
  /** The PTE the fault installs. */
  readonly value: T;
  /**
   * The series' reader: `posted` bails on an odd count and commits once validated; `spin`
   * (Sergey's CPU1) spins in read_seqcount_begin instead; `v3` bails and commits through pte_map_lock.
   */
  readonly reader: 'posted' | 'spin' | 'v3';
  /** Lockdep class of vm_sequence for the spinning reader's read_seqcount_begin. */
  readonly cls?: string;
  /** Called at the sample (an even count, already in `start`), once read_seqcount_retry passed, and at the end. */
  readonly sampled?: (c: Ctx<L>) => void;
  readonly validated?: (c: Ctx<L>) => void;
  readonly done: (c: Ctx<L>, outcome: SpfOutcome) => void;
}

/**
 * One speculative fault: handle_speculative_fault samples vm_sequence, reads vma->vm_end (dead
 * after the read) and validates with read_seqcount_retry (the walk stops at the PMD);
 * handle_pte_fault then reads orig_pte and commits (as posted) or goes through pte_map_lock (v3).
 * A changed count or an odd sample falls back to the classic path (VM_FAULT_RETRY). The block
 * uses the labels `bail` and `retry`; the thread's other code must not.
 */
export function handleSpeculativeFault<T, L extends SpfLocals<T>>(f: SpeculativeFault<T, L>): Node<L>[] {
  const sampled = (c: Ctx<L>, seq: number) => {
    c.let({ start: seq } as Partial<L>);
    f.sampled?.(c);
  };
  const end = (why: string, outcome: SpfOutcome) =>
    step<L>(`${HSF}: count ${why} → VM_FAULT_RETRY (classic path)`, (c) => f.done(c, outcome));
  const validate = (c: Ctx<L>) => {
    if (readSeqcountRetry(c, f.sc, c.l.start)) return true;
    f.validated?.(c);
    return false;
  };
  const commit =
    f.reader === 'v3'
      ? pteMapLock<T, L>(f.sc, f.pte, f.value, 'retry', (c, set) => f.done(c, set ? 'committed' : 'retry'))
      : [step<L>('handle_pte_fault(FAULT_FLAG_SPECULATIVE): commit the fault', (c) => f.done(c, 'committed'))];
  return [
    f.reader === 'spin' ? vmaSequenceBegin<L>(HSF, f.sc, f.cls, sampled) : speculativeSample<L>(f.sc, 'bail', sampled),
    scope<L>({ end: 0 } as Partial<L>, [
      step<L>(`${HSF}: READ_ONCE(vma->vm_end)`, (c) => c.let({ end: c.get(f.vmEnd) } as Partial<L>)),
    ]),
    when<L>(`${HSF}: read_seqcount_retry(vma->vm_sequence, seq)`, validate, [goto_('retry')]),
    step<L>('handle_pte_fault: vmf->orig_pte = *vmf->pte', (c) => c.let({ pte: c.get(f.pte) } as Partial<L>)),
    ...commit,
    exit(),
    ...(f.reader === 'spin' ? [] : [label<L>('bail'), end('odd', 'bailed'), exit<L>()]),
    label('retry'),
    end('changed', 'retry'),
  ];
}
