/**
 * Speculative page faults and the VMA sequence count (seed 003: SPF v3, September 2017).
 *
 * Follows: mm/memory.c: handle_speculative_fault(), pte_map_lock(), vma_has_changed() @ SPF v3
 * (4.13-based patch mails); mm/mmap.c: __vma_adjust() @ SPF v1–v3; mm/mremap.c: move_vma() @
 * SPF v2; mm/memory.c: unmap_page_range() and mm/madvise.c: madvise_dontneed() @ v4.14;
 * include/linux/seqlock.h, mm/page_alloc.c (fs_reclaim), kernel/locking/rwsem-xadd.c @ v4.14.
 *
 * The SPF series (Peter Zijlstra, Laurent Dufour) lets a page fault run without mmap_sem: the
 * handler samples the VMA's `vm_sequence`, gives up if it is odd (a writer is inside), reads the
 * VMA fields and walks the page table, and commits only if the count has not changed. Writers
 * bump the count around their updates: `__vma_adjust` (under mmap_sem write and, for a file VMA,
 * i_mmap_rwsem write; the vma and, nested, its neighbour), `move_vma` (mmap_sem write; the vma
 * and, nested, the new vma; move_page_tables allocates page tables and may enter direct
 * reclaim), and truncate's `unmap_mapping_range` (i_mmap_rwsem write, no mmap_sem) through
 * `unmap_page_range`. Because write_seqcount_begin is a lockdep acquire, lockdep reported a
 * circular dependency i_mmap_rwsem → vm_seq → fs_reclaim → i_mmap_rwsem (the third edge from any
 * direct reclaim: fs_reclaim, then i_mmap_lock_read in rmap_walk_file). Laurent answered that the
 * reader never waits, so there is no deadlock, and that two writers on one VMA cannot overlap
 * because they hold mmap_sem for write. Sergey's CPU0/CPU1 example shows the deadlock a spinning
 * reader (read_seqcount_begin) would have. The series later switched writers to raw_ sections.
 *
 * Threads: vma_adjust, move_vma, reclaim (a direct reclaim from some other allocation), truncate
 * (`truncate` param), and `readers` speculative faults on the vma's first page. The count's
 * increments are plain `sequence++` (a load and a store), so unserialised writers can lose one.
 *
 * Variants (verdicts derived by running the checker; docs/models/spf-seqcount.md):
 *  - v3 (default): the reader as v3 wrote it, on an anonymous VMA (the only kind it handles; the
 *    writers are posted-anon's): after read_seqcount_retry, handle_pte_fault's pte_map_lock
 *    rechecks vma_has_changed with IRQs off, takes the PTL (trylock), rechecks it, and commits
 *    only if pte_same. A zap overlapping the fault is then harmless (as for a classic fault under
 *    mmap_sem read), so `validation-sound` counts only sections that change the VMA (ghost
 *    `vmaChange`). It still breaks, and only through a lost increment: two MADV_DONTNEED lose one,
 *    the count rests odd, __vma_adjust's section makes it even, and a fault sampled inside it
 *    commits (`seqcount-parity` is the flip itself). With one zapper everything holds.
 *  - posted: the series as posted: lockdep-visible write sections (vm_seq, vm_seq/1 nested),
 *    the SPF reader samples once and bails when the count is odd.
 *  - spinning-reader: readers spin in read_seqcount_begin, and — as Sergey's CPU1 — the reclaim
 *    path reads the VMA's count that way inside fs_reclaim, under rmap_walk_file's i_mmap_rwsem;
 *    move_vma's page-table allocation enters direct reclaim itself (fs_reclaim, i_mmap_lock_read).
 *  - spinning-spf: only the speculative readers spin (they hold no lock while they do); the
 *    reclaim path does not read the count; move_vma's allocation enters direct reclaim.
 *  - posted-anon: as posted on an anonymous VMA, the only kind v2/v3 readers handle: __vma_adjust
 *    takes no i_mmap_rwsem, truncate does not visit it, and two MADV_DONTNEED calls zap it under
 *    mmap_sem *read* (madvise_need_mmap_write is 0 for MADV_DONTNEED), each through
 *    unmap_page_range's write section (`dontneed` param).
 *  - raw-sections: vm_raw_write_begin/end (raw_write_seqcount_*), invisible to lockdep, as the
 *    series did from v6 (__vma_adjust) and later (move_vma); otherwise as posted.
 *
 * Where the sources decide (include/linux/seqlock.h and mm/page_alloc.c of 4.14; the v1–v3 patch
 * mails): write_seqcount_begin_nested is raw_write_seqcount_begin then seqcount_acquire, end is
 * seqcount_release then the increment; read_seqcount_begin spins while odd after a lockdep reader
 * access; fs_reclaim is a lockdep map that nothing waits on (prepare_alloc_pages acquires and
 * releases it, __perform_reclaim holds it); rwsems are writer-fair (a down_read that finds a
 * queued writer sleeps behind it — rwsem_down_read_failed in 4.14), which the spinning deadlock
 * needs. kernel-races.md places __vma_adjust's seqcount begin after i_mmap_lock_write (v1), as
 * Laurent's chain 1 says; the ends are modelled before i_mmap_unlock_write (an assumption: ending
 * them after the unlock would only widen the overlaps found). v2/v3 readers handled anonymous VMAs
 * only: on the file VMA of the file variants the reader stands for any reader of that VMA's count;
 * posted-anon is the v3-faithful setting. See the doc's "writer exclusivity" section.
 */
import { defineModel, type Verdict } from '../../src/core/model.js';
import { endState, invariant, type Property } from '../../src/core/property.js';
import { step, type Step, type StepSpec } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { fsReclaimAcquire, fsReclaimMight, fsReclaimRelease } from '../../src/kernel/reclaim.js';
import { rwsem, downRead, downWrite, upRead, upWrite, type RwSem } from '../../src/kernel/rwsem.js';
import { downReadFair, downWriteOwn, downWriteQueue, fairRwsem, type FairRwSem } from '../../src/kernel/rwsem-fair.js';
import {
  rawReadSeqcount,
  readSeqcountBegin,
  readSeqcountRetry,
  parityFlipped,
  seqcount,
  writeSeqcountBegin,
  writeSeqcountEnd,
  type Seqcount,
  type SeqSlot,
  type WriteSection,
} from '../../src/kernel/seqcount.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import type { ShowRule } from '../../src/core/show.js';
import { annotated, type Callers } from '../../src/core/annotations.js';
import { rwsemShow } from '../../src/kernel/rwsem.js';
import { fairRwsemShow } from '../../src/kernel/rwsem-fair.js';
import { seqcountShow } from '../../src/kernel/seqcount.js';
import { reads, writes } from '../../src/core/access.js';

export type Outcome = 'running' | 'bailed' | 'retry' | 'committed';

export interface S {
  readonly mmap_sem: RwSem;
  readonly i_mmap_rwsem: FairRwSem;
  /** vm_sequence of vma (0) and of its neighbour / the mremap target (1). */
  readonly seq: readonly Seqcount[];
  /** vma->vm_end (0) and next->vm_start (1): __vma_adjust moves the boundary. */
  readonly bound: readonly number[];
  /** The PTE of the faulting address in vma (0) and its moved copy in the new vma (1). */
  readonly pte: readonly string[];
  /** Per speculative reader: how its fault ended, and (ghost) whether a write section overlapped it. */
  readonly spf: readonly { readonly outcome: Outcome; readonly overlapped: boolean }[];
  /**
   * Ghost: the write sections on vma that change the VMA itself (__vma_adjust, move_vma, under
   * mmap_sem write) — open now, and begun so far. The v3 reader's PTL recheck and pte_same cover
   * zaps; only these can hand it stale VMA fields.
   */
  readonly vmaChange: { readonly open: number; readonly began: number };
}

interface Options {
  /** Write sections are lockdep-visible (write_seqcount_begin) rather than raw. */
  readonly lockdepSections: boolean;
  /** Speculative readers spin in read_seqcount_begin instead of bailing. */
  readonly spin: boolean;
  /** The reclaim path reads the VMA's count with read_seqcount_begin under i_mmap_rwsem, inside fs_reclaim (Sergey's CPU1). */
  readonly reclaimReads: boolean;
  /** move_vma's page-table allocation enters direct reclaim (fs_reclaim held, i_mmap_lock_read). */
  readonly allocReclaims: boolean;
  /** An anonymous VMA (what v2/v3 readers handle): no i_mmap_rwsem in __vma_adjust, no truncate; MADV_DONTNEED zaps instead. */
  readonly anon: boolean;
  /** The reader as v3 wrote it: pte_map_lock rechecks vma_has_changed under the PTL and commits only on pte_same. */
  readonly ptlRecheck: boolean;
}

const VMA = 0;
const NEXT = 1;
const VM_SEQ = 'vm_seq';
const I_MMAP = 'i_mmap_rwsem';
const MMAP_SEM = 'mmap_sem';

// ---------------------------------------------------------------- writers

interface WL {
  /** The count loaded by the first half of `sequence++`. */
  readonly seq: number;
}
const slot: SeqSlot<WL> = { get: (l) => l.seq, set: (l, v) => ({ ...l, seq: v }) };

const section = (o: Options, subclass = 0): WriteSection => (o.lockdepSections ? { cls: VM_SEQ, subclass } : {});
/** write_seqcount_begin_nested(…, SINGLE_DEPTH_NESTING) for a nested begin; ends are never nested; raw_ when invisible. */
const name = (o: Options, what: string, subclass: number) =>
  o.lockdepSections
    ? `${what}${subclass && what.endsWith('begin') ? '_nested(…, SINGLE_DEPTH_NESTING)' : ''}`
    : `raw_${what}`;

/** The two steps of a section begin or end on VMA `v`, labelled `fn: write_seqcount_begin(vma): load/store`. */
function seqSteps(o: Options, fn: string, v: number, end: boolean, subclass = 0): Step<S, WL>[] {
  const what = end ? 'write_seqcount_end' : 'write_seqcount_begin';
  const specs = (end ? writeSeqcountEnd : writeSeqcountBegin)<WL>(['seq', v], slot, section(o, subclass));
  const target = v === VMA ? 'vma' : fn === 'move_vma' ? 'new_vma' : 'next';
  const store = v === VMA && (fn === '__vma_adjust' || fn === 'move_vma') ? vmaChanging(specs[1], end) : specs[1];
  return [
    step(`${fn}: ${name(o, what, subclass)}(${target}): load count`, specs[0]),
    step(`${fn}: ${name(o, what, subclass)}(${target}): store count+1`, store),
  ];
}

/** The count's store on vma by a writer that changes the VMA: the ghost `vmaChange` moves with it. */
function vmaChanging(spec: StepSpec<S, WL>, end: boolean): StepSpec<S, WL> {
  return {
    ...spec,
    footprint: (s, l, t) => [...spec.footprint(s, l, t), ...writes('vmaChange')],
    run: (s, l, t) => {
      const out = spec.run(s, l, t);
      const base = out.s ?? s;
      const g = base.vmaChange;
      const vmaChange = end ? { ...g, open: g.open - 1 } : { open: g.open + 1, began: g.began + 1 };
      return { ...out, s: { ...base, vmaChange } };
    },
  };
}

const storeAt = <T>(label: string, key: 'bound' | 'pte', i: number, v: T): Step<S, WL> => ({
  label,
  footprint: () => writes(`${key}[${i}]`),
  run: (s) => {
    const arr = (s[key] as readonly T[]).slice();
    arr[i] = v;
    return { s: { ...s, [key]: arr } };
  },
});

function iMmapWrite(fn: string, what: string): Step<S, WL>[] {
  return [
    step(`${fn}: ${what}: down_write(i_mmap_rwsem) queues`, downWriteQueue<WL>([I_MMAP])),
    step(`${fn}: ${what}: owns i_mmap_rwsem`, downWriteOwn<WL>([I_MMAP])),
  ];
}

function vmaAdjust(o: Options): Step<S, WL>[] {
  const fn = '__vma_adjust';
  return [
    step('vm_munmap: down_write_killable(mmap_sem)', downWrite<WL>([MMAP_SEM])),
    ...(o.anon ? [] : iMmapWrite(fn, 'i_mmap_lock_write')),
    ...seqSteps(o, fn, VMA, false),
    ...seqSteps(o, fn, NEXT, false, 1),
    storeAt(`${fn}: vma->vm_end = addr`, 'bound', VMA, 2),
    storeAt(`${fn}: next->vm_start = addr`, 'bound', NEXT, 2),
    ...seqSteps(o, fn, NEXT, true, 1),
    ...seqSteps(o, fn, VMA, true),
    ...(o.anon ? [] : [step(`${fn}: i_mmap_unlock_write`, upWrite<WL>([I_MMAP]))]),
    step('vm_munmap: up_write(mmap_sem)', upWrite<WL>([MMAP_SEM])),
  ];
}

/** Direct reclaim: __perform_reclaim holds fs_reclaim; shrink_active_list → rmap_walk_file takes i_mmap_rwsem for read. */
function directReclaim<L>(who: string, o: Options, readsVma: boolean): Step<S, L>[] {
  const steps: Step<S, L>[] = [
    step(`${who}: __perform_reclaim: fs_reclaim_acquire`, fsReclaimAcquire<L>()),
    step(`${who}: rmap_walk_file: i_mmap_lock_read`, downReadFair<L>([I_MMAP])),
  ];
  if (readsVma)
    steps.push(
      step(
        `${who}: read_seqcount_begin(vma->vm_sequence) spins while odd`,
        readSeqcountBegin<L>(['seq', VMA], () => ({}), o.lockdepSections ? VM_SEQ : undefined),
      ),
    );
  steps.push(
    step(`${who}: rmap_walk_file: i_mmap_unlock_read`, upRead<L>([I_MMAP])),
    step(`${who}: __perform_reclaim: fs_reclaim_release`, fsReclaimRelease<L>()),
  );
  return steps;
}

function moveVma(o: Options): Step<S, WL>[] {
  const fn = 'move_vma';
  return [
    step('SyS_mremap: down_write_killable(mmap_sem)', downWrite<WL>([MMAP_SEM])),
    ...seqSteps(o, fn, VMA, false),
    ...seqSteps(o, fn, NEXT, false, 1),
    step('move_page_tables: __pte_alloc → prepare_alloc_pages: fs_reclaim_acquire/release', fsReclaimMight<WL>()),
    ...(o.allocReclaims ? directReclaim<WL>('__pte_alloc → __alloc_pages_slowpath', o, false) : []),
    storeAt('move_ptes: set_pte_at(new_vma, pte)', 'pte', NEXT, 'page'),
    storeAt('move_ptes: ptep_get_and_clear(vma)', 'pte', VMA, 'none'),
    ...seqSteps(o, fn, NEXT, true, 1),
    ...seqSteps(o, fn, VMA, true),
    step('SyS_mremap: up_write(mmap_sem)', upWrite<WL>([MMAP_SEM])),
  ];
}

function truncate(o: Options): Step<S, WL>[] {
  return [
    ...iMmapWrite('unmap_mapping_range', 'i_mmap_lock_write'),
    ...seqSteps(o, 'unmap_page_range', VMA, false),
    storeAt('zap_pte_range: ptep_get_and_clear_full(vma)', 'pte', VMA, 'none'),
    ...seqSteps(o, 'unmap_page_range', VMA, true),
    step('unmap_mapping_range: i_mmap_unlock_write', upWrite<WL>([I_MMAP])),
  ];
}

/** MADV_DONTNEED: madvise takes mmap_sem for read; zap_page_range → unmap_page_range opens a write section. */
function dontneed(o: Options): Step<S, WL>[] {
  return [
    step('madvise(MADV_DONTNEED): down_read(mmap_sem)', downRead<WL>([MMAP_SEM])),
    ...seqSteps(o, 'unmap_page_range', VMA, false),
    storeAt('zap_pte_range: ptep_get_and_clear_full(vma)', 'pte', VMA, 'none'),
    ...seqSteps(o, 'unmap_page_range', VMA, true),
    step('madvise: up_read(mmap_sem)', upRead<WL>([MMAP_SEM])),
  ];
}

// ---------------------------------------------------------------- speculative fault

interface RL {
  readonly start: number;
  /** Ghost: write sections begun at the sample, and whether one was open then. */
  readonly began: number;
  readonly busy: boolean;
  readonly end: number;
  readonly pte: string;
  readonly overlapped: boolean;
  /** Ghost (v3 reader): VMA-changing sections begun at the sample, and whether one was open then. */
  readonly vbegan: number;
  readonly vbusy: boolean;
}

function spfReader(o: Options, r: number): Step<S, RL>[] {
  const sample = (l: RL, c: Seqcount) => ({ l: { ...l, start: c.sequence, began: c.began, busy: c.writers > 0 } });
  // Ghost, at the validation: a section was open at the sample or began since.
  const validated = (l: RL, c: Seqcount) => ({ l: { ...l, overlapped: l.busy || c.began !== l.began } });
  const finish = (outcome: Outcome): StepSpec<S, RL> => ({
    footprint: () => writes(`spf[${r}]`),
    run: (s, l) => {
      const spf = s.spf.slice();
      spf[r] = { outcome, overlapped: outcome === 'committed' && l.overlapped };
      return { s: { ...s, spf }, goto: 'exit' };
    },
  });
  const first = o.spin
    ? step(
        'handle_speculative_fault: read_seqcount_begin(vma->vm_sequence) spins while odd',
        readSeqcountBegin<RL>(['seq', VMA], sample, o.lockdepSections ? VM_SEQ : undefined),
      )
    : step(
        'handle_speculative_fault: seq = raw_read_seqcount(vma->vm_sequence); odd → abort',
        rawReadSeqcount<RL>(['seq', VMA], 'bail', sample),
      );
  return [
    o.ptlRecheck ? sampleVmaChange(first) : first,
    {
      label: 'handle_speculative_fault: READ_ONCE(vma->vm_end)',
      footprint: () => reads('bound[0]'),
      run: (s, l) => ({ l: { ...l, end: s.bound[VMA] } }),
    },
    {
      label: 'handle_speculative_fault: lockless walk: pte = *ptep',
      footprint: () => reads('pte[0]'),
      run: (s, l) => ({ l: { ...l, pte: s.pte[VMA] } }),
    },
    step(
      'handle_speculative_fault: read_seqcount_retry(vma->vm_sequence, seq)',
      readSeqcountRetry<RL>(['seq', VMA], (l) => l.start, 'retry', validated),
    ),
    ...(o.ptlRecheck
      ? pteMapLock(r)
      : [step('handle_pte_fault(FAULT_FLAG_SPECULATIVE): commit the fault', finish('committed'))]),
    step('handle_speculative_fault: count odd → VM_FAULT_RETRY (classic path)', finish('bailed'), 'bail'),
    step('handle_speculative_fault: count changed → VM_FAULT_RETRY (classic path)', finish('retry'), 'retry'),
  ];
}

/** The v3 reader's sample also notes (ghost) the VMA-changing sections so far. */
function sampleVmaChange(st: Step<S, RL>): Step<S, RL> {
  return {
    ...st,
    footprint: (s, l, t) => [...st.footprint(s, l, t), ...reads('vmaChange')],
    run: (s, l, t) => {
      const out = st.run(s, l, t);
      if (out.goto !== undefined || !out.l) return out;
      return { ...out, l: { ...out.l, vbegan: s.vmaChange.began, vbusy: s.vmaChange.open > 0 } };
    },
  };
}

/**
 * v3's handle_pte_fault(FAULT_FLAG_SPECULATIVE) → do_anonymous_page / do_wp_page → pte_map_lock
 * (mm/memory.c, SPF v3): with IRQs off, vma_has_changed() (a lockless load of vm_sequence against
 * the sample), then spin_trylock(ptl), vma_has_changed() again, and under the PTL the fault
 * commits only if pte_same(*pte, orig_pte). The PTL section is one step: every PTE store of the
 * writers here is a single step under that PTL in the kernel. A failed trylock would only add
 * VM_FAULT_RETRY outcomes, so the trylock is taken as succeeding.
 */
function pteMapLock(r: number): Step<S, RL>[] {
  const end = (s: S, outcome: Outcome, overlapped: boolean): S => {
    const spf = s.spf.slice();
    spf[r] = { outcome, overlapped };
    return { ...s, spf };
  };
  return [
    {
      label: 'pte_map_lock: local_irq_disable; vma_has_changed(vma, seq)? → VM_FAULT_RETRY',
      footprint: () => reads('seq[0]'),
      run: (s, l) => (s.seq[VMA].sequence !== l.start ? { goto: 'retry' } : {}),
    },
    {
      label:
        'pte_map_lock: spin_trylock(ptl); vma_has_changed? → VM_FAULT_RETRY; pte_same(*pte, orig_pte)? set_pte_at : nothing; pte_unmap_unlock',
      footprint: () => [...reads('seq[0]', 'vmaChange'), ...writes('pte[0]', `spf[${r}]`)],
      run: (s, l) => {
        if (s.seq[VMA].sequence !== l.start) return { goto: 'retry' };
        if (s.pte[VMA] !== l.pte) return { s: end(s, 'retry', false), goto: 'exit' };
        const overlapped = l.vbusy || s.vmaChange.began !== l.vbegan;
        const pte = s.pte.slice();
        pte[VMA] = 'spf';
        return { s: { ...end(s, 'committed', overlapped), pte }, goto: 'exit' };
      },
    },
  ];
}

// ---------------------------------------------------------------- properties

export const properties: Property<S>[] = [
  lockMisuse,
  invariant<S>(
    'validation-sound',
    'A speculative fault commits only if no write section on its VMA overlapped it (from its sample to its validation; for the v3 reader, which rechecks under the PTL, only a section that changes the VMA counts: zaps are covered by the PTL and pte_same).',
    ['spf'],
    (v) => {
      const i = v.s.spf.findIndex((x) => x.outcome === 'committed' && x.overlapped);
      return i < 0
        ? null
        : `spf${i} committed its snapshot of vma although a write section was open during it (vm_sequence now ${v.s.seq[VMA].sequence})`;
    },
  ),
  invariant<S>(
    'writer-exclusive',
    'At most one write section is open on a VMA at a time (the seqcount protocol assumes writers exclude each other).',
    ['seq'],
    (v) => {
      const i = v.s.seq.findIndex((c) => c.writers > 1);
      return i < 0
        ? null
        : `${v.s.seq[i].writers} write sections open on ${i === VMA ? 'vma' : 'next'} at once (vm_sequence ${v.s.seq[i].sequence})`;
    },
  ),
  invariant<S>(
    'seqcount-parity',
    'While at most one write section is open on a VMA, its vm_sequence is odd exactly when one is (a lost increment flips the parity for good: later write sections look even to readers).',
    ['seq'],
    (v) => {
      const i = v.s.seq.findIndex(parityFlipped);
      if (i < 0) return null;
      const c = v.s.seq[i];
      const which = i === VMA ? 'vma' : 'next';
      return c.writers
        ? `${which}->vm_sequence is ${c.sequence} (even) while a write section is open: readers take it for stable`
        : `${which}->vm_sequence is ${c.sequence} (odd) with no write section open: an increment was lost, and every later write section will look even`;
    },
  ),
  endState<S>(
    'seqcount-balanced',
    'At the end every vm_sequence is even and counts two per write section (no increment lost).',
    (v) => {
      const i = v.s.seq.findIndex((c) => c.sequence !== 2 * c.began);
      return i < 0
        ? null
        : `${i === VMA ? 'vma' : 'next'}->vm_sequence is ${v.s.seq[i].sequence} after ${v.s.seq[i].began} write sections: an increment was lost${v.s.seq[i].sequence & 1 ? ', and the count is stuck odd' : ''}`;
    },
  ),
];

// ---------------------------------------------------------------- model

const raced: Record<string, Verdict> = {
  'validation-sound': 'violated',
  'writer-exclusive': 'violated',
  'seqcount-parity': 'violated',
  'seqcount-balanced': 'violated',
};

export default defineModel<Options>({
  name: 'spf-seqcount',
  title: 'Speculative page faults and the VMA sequence count (seed 003, 2017)',
  story:
    "SPF readers validate a VMA against its vm_sequence; writers (__vma_adjust, move_vma, truncate) bump it. Lockdep saw write_seqcount_begin as a lock and reported i_mmap_rwsem → vm_seq → fs_reclaim → i_mmap_rwsem; a bailing reader never waits, a spinning one can deadlock; truncate holds only i_mmap_rwsem, so its write section can overlap move_vma's on the same VMA.",
  params: {
    readers: { default: 1, min: 0, max: 3, doc: 'Speculative faults on the vma (each faults once).' },
    truncate: {
      default: 1,
      min: 0,
      max: 1,
      doc: 'File VMA: 1 = a truncate runs unmap_mapping_range on the file the vma maps.',
    },
    dontneed: {
      default: 2,
      min: 0,
      max: 2,
      doc: 'Anonymous VMA (posted-anon): threads zapping the vma with MADV_DONTNEED under mmap_sem read.',
    },
  },
  // The seed's symptom is a lockdep splat: compare shows each variant's cycles. The speculative
  // readers take no lock (they add states, not dependencies), so the pass runs without them.
  lockOrder: { params: { readers: 0 } },
  options: {
    lockdepSections: true,
    spin: false,
    reclaimReads: false,
    allocReclaims: false,
    anon: false,
    ptlRecheck: false,
  },
  variants: {
    v3: {
      doc: 'SPF v3 as written: an anonymous VMA, two MADV_DONTNEED zaps under mmap_sem read, and the reader rechecking vma_has_changed and pte_same under the PTL.',
      options: { anon: true, ptlRecheck: true },
      expect: raced,
    },
    posted: {
      doc: 'As posted (v3): lockdep-visible write sections; the SPF reader samples once and bails on an odd count.',
      options: {},
      expect: raced,
    },
    'spinning-reader': {
      doc: "Readers spin in read_seqcount_begin (Sergey's CPU1: inside fs_reclaim, under rmap_walk_file's i_mmap_rwsem); move_vma's allocation enters direct reclaim.",
      options: { spin: true, reclaimReads: true, allocReclaims: true },
      expect: { ...raced, 'deadlock-free': 'violated' },
    },
    'spinning-spf': {
      doc: "Only the speculative fault spins (it holds no lock); reclaim does not read the count; move_vma's allocation enters direct reclaim.",
      options: { spin: true, allocReclaims: true },
      expect: { ...raced, 'deadlock-free': 'violated' },
    },
    'posted-anon': {
      doc: 'As posted, on an anonymous VMA (the only kind v2/v3 readers handle): no truncate, two MADV_DONTNEED zaps under mmap_sem read.',
      options: { anon: true },
      expect: raced,
    },
    'raw-sections': {
      doc: 'vm_raw_write_begin/end: write sections invisible to lockdep (the series from v6); reader bails.',
      options: { lockdepSections: false },
      expect: raced,
    },
  },
  build: (o, p) => ({
    init: {
      mmap_sem: rwsem(),
      i_mmap_rwsem: fairRwsem(),
      seq: [seqcount(), seqcount()],
      bound: [1, 1],
      pte: ['page', 'none'],
      spf: Array.from({ length: p.readers }, () => ({ outcome: 'running', overlapped: false })),
      vmaChange: { open: 0, began: 0 },
    } satisfies S,
    threads: [
      thread<S, WL>('vma_adjust', { seq: 0 }, annotated(vmaAdjust(o), VMA_ADJUST_CALLS)),
      thread<S, WL>('move_vma', { seq: 0 }, annotated(moveVma(o), MOVE_VMA_CALLS)),
      thread<S, WL>('reclaim', { seq: 0 }, directReclaim<WL>('shrink_active_list', o, o.reclaimReads)),
      ...(p.truncate && !o.anon ? [thread<S, WL>('truncate', { seq: 0 }, annotated(truncate(o), TRUNCATE_CALLS))] : []),
      ...(o.anon
        ? Array.from({ length: p.dontneed }, (_, i) =>
            thread<S, WL>(`dontneed${i}`, { seq: 0 }, annotated(dontneed(o), DONTNEED_CALLS)),
          )
        : []),
      ...Array.from({ length: p.readers }, (_, r) =>
        thread<S, RL>(
          `spf${r}`,
          { start: 0, began: 0, busy: false, end: 0, pte: '', overlapped: false, vbegan: 0, vbusy: false },
          annotated(spfReader(o, r), SPF_CALLS),
        ),
      ),
    ],
    properties,
    show: SHOW,
  }),
});

// ---------------------------------------------------------------- report annotations (issue 14)
// State names for the reports only: no step's behaviour depends on them.

const SHOW: ShowRule[] = [
  ...rwsemShow('mmap_sem'),
  ...fairRwsemShow('i_mmap_rwsem'),
  ...seqcountShow('seq[*]', 'vm_sequence[$1]'),
  { path: 'spf[*].outcome', name: 'spf$1 fault outcome', as: 'bookkeeping' },
  { path: 'spf[*].overlapped', name: 'spf$1 overlapped a write section', as: 'bookkeeping' },
];

/** 4.14 call chains (seed 003's own): vm_munmap → do_munmap → __split_vma → __vma_adjust. */
const VMA_ADJUST_CALLS: Callers = {
  vm_munmap: '',
  do_munmap: 'vm_munmap',
  __split_vma: 'do_munmap',
  __vma_adjust: '__split_vma',
};

const MOVE_VMA_CALLS: Callers = { SyS_mremap: '', move_vma: 'SyS_mremap', move_page_tables: 'move_vma' };

/** unmap_page_range → zap_p4d_range → zap_pud_range → zap_pmd_range → zap_pte_range. */
const ZAP: Callers = {
  zap_p4d_range: 'unmap_page_range',
  zap_pud_range: 'zap_p4d_range',
  zap_pmd_range: 'zap_pud_range',
  zap_pte_range: 'zap_pmd_range',
};

const TRUNCATE_CALLS: Callers = {
  ...ZAP,
  unmap_mapping_range: '',
  unmap_page_range: [
    'unmap_mapping_range',
    'unmap_mapping_range_tree',
    'unmap_mapping_range_vma',
    'zap_page_range_single',
    'unmap_single_vma',
  ],
};

const DONTNEED_CALLS: Callers = {
  ...ZAP,
  madvise: '',
  unmap_page_range: ['madvise', 'madvise_vma', 'madvise_dontneed_free', 'zap_page_range', 'unmap_single_vma'],
};

const SPF_CALLS: Callers = { handle_speculative_fault: '', handle_pte_fault: 'handle_speculative_fault' };
