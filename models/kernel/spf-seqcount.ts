/**
 * Speculative page faults and the VMA sequence count (seed 003: SPF v3, September 2017).
 *
 * Follows: mm/memory.c: handle_speculative_fault(), handle_pte_fault(), pte_map_lock(),
 * vma_has_changed() @ SPF v3 (4.13-based patch mails, src/lang/kernel/spf.ts); mm/mmap.c:
 * __vma_adjust() @ SPF v1–v3; mm/mremap.c: move_vma() @ SPF v2; mm/memory.c: unmap_page_range(),
 * mm/madvise.c: madvise_dontneed_free() @ v4.14; include/linux/seqlock.h, mm/page_alloc.c
 * (fs_reclaim), kernel/locking/rwsem-xadd.c @ v4.14. Where the source corrected the 0.1 model: the
 * fault reads orig_pte in handle_pte_fault, after read_seqcount_retry (the walk stops at the PMD);
 * MADV_DONTNEED reaches zap_page_range through madvise_dontneed_single_vma.
 *
 * An SPF fault samples the VMA's vm_sequence (odd: a writer is inside), reads the VMA and the PTE
 * without mmap_sem, and commits only if the count is unchanged. Writers bump it: __vma_adjust,
 * move_vma (mmap_sem write), truncate (i_mmap_rwsem only), MADV_DONTNEED (mmap_sem read); the
 * increment is a load and a store. Lockdep saw i_mmap_rwsem → vm_seq → fs_reclaim → i_mmap_rwsem.
 * The story and the evidence for each verdict: docs/models/spf-seqcount.md.
 *
 * Variants:
 *  - v3 (default): anonymous VMA, two MADV_DONTNEED; the fault rechecks under the PTL.
 *  - posted: file VMA with truncate, lockdep-visible sections; the fault bails on an odd count.
 *  - spinning-reader: faults spin in read_seqcount_begin, and so does reclaim (Sergey's CPU1).
 *  - spinning-spf: only the faults spin; move_vma's page-table allocation reclaims.
 *  - posted-anon: as posted, on an anonymous VMA with two MADV_DONTNEED.
 *  - raw-sections: raw_write_seqcount_*, invisible to lockdep (the series from v6).
 */
import { callPaths, type Callers } from '../../src/core/annotations.js';
import type { Verdict } from '../../src/core/model.js';
import type { ShowRule } from '../../src/core/show.js';
import { invariant } from '../../src/core/property.js';
import { fairRwsemShow } from '../../src/kernel/rwsem-fair.js';
import { rwsemShow } from '../../src/kernel/rwsem.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import * as $ from '../../src/lang/index.js';
import { downRead, downWrite, rwsemSpec, upRead, upWrite } from '../../src/lang/kernel/rwsem.js';
import { fairRwsemSpec, iMmapLockWrite } from '../../src/lang/kernel/rwsem-fair.js';
import { fsReclaimMight, reclaimFilePage } from '../../src/lang/kernel/reclaim.js';
import * as sq from '../../src/lang/kernel/seqcount.js';
import { HSF, pteMapLock, speculativeSample, vmaSequenceBegin } from '../../src/lang/kernel/spf.js';
import { sourcesByFile } from '../../src/lang/sources.js';

export type Outcome = 'running' | 'bailed' | 'retry' | 'committed';
/** lockdep: sections visible to lockdep; spin: faults spin in read_seqcount_begin; reclaimReads: so does reclaim;
 * allocReclaims: move_vma's allocation reclaims; anon: anonymous VMA; ptl: v3's pte_map_lock recheck. */
const FLAGS = ['lockdep', 'spin', 'reclaimReads', 'allocReclaims', 'anon', 'ptl'] as const;
type Options = Record<(typeof FLAGS)[number], boolean>;
const flags = (on: string) => Object.fromEntries(FLAGS.map((f) => [f, on.split(' ').includes(f)])) as Options;
// Index 0 is vma, 1 its neighbour (next) or the mremap target: vm_sequence, vm_end / vm_start, the
// PTE. Ghosts: each fault's outcome and whether a section overlapped it; sections changing vma.
const shared = (readers: number) =>
  $.layout({
    mmap_sem: rwsemSpec(),
    i_mmap_rwsem: fairRwsemSpec(),
    seq: $.array(2, sq.seqcountSpec(4)),
    bound: $.array(2, $.int(1, 2)),
    pte: $.array(2, $.oneOf(['page', 'none', 'spf'])),
    spf: $.array(readers, $.unit({ outcome: $.oneOf<Outcome>(OUTCOMES), overlapped: $.oneOf([false, true]) })),
    vmaChange: $.unit({ open: $.int(0, 2), began: $.int(0, 2) }),
  });
const OUTCOMES: Outcome[] = ['running', 'bailed', 'retry', 'committed'];
export type S = $.StateOf<ReturnType<typeof shared>['spec']>;
type R = ReturnType<typeof shared>['refs'];
type W = $.Node<{ seq: number }>; // a writer's local: the count the first half of `sequence++` loaded
const [VMA, NEXT] = [0, 1];
const lk = <L>(label: string, body: $.Body<L>) => $.step(label, body, { cost: 'lock' });
const set = <L>(label: string, ref: $.Ref<unknown>, v: unknown) => $.step<L>(label, (c) => c.set(ref, v));
const cls = (o: Options) => (o.lockdep ? 'vm_seq' : undefined);

/** The writers' paths. `sections`: `fn`'s write sections on vma (and, nested, next) around `body`. */
function writers(o: Options, r: R) {
  const { open, began } = r.vmaChange;
  const ghost = (c: $.Ctx<unknown>, end: boolean) => {
    c.set(open, c.get(open) + (end ? -1 : 1));
    if (!end) c.set(began, c.get(began) + 1);
  };
  const sections = (fn: string, names: string[], body: W[]): W[] =>
    sq.writeSeqcountSections(
      fn,
      names.map((name, v) => {
        const changes = v === VMA && fn !== 'unmap_page_range'; // every section but a zap changes vma
        return { sc: r.seq.at(v), name, w: { cls: cls(o), subclass: v }, also: changes ? ghost : undefined };
      }),
      body,
    );
  const reclaim = (who: string, readsVma: boolean): W[] =>
    reclaimFilePage(who, r.i_mmap_rwsem, readsVma ? [vmaSequenceBegin(who, r.seq.at(VMA), cls(o))] : []);
  const mmapWrite = (fn: string, body: W[]): W[] => [
    lk(`${fn}: down_write_killable(mmap_sem)`, (c) => downWrite(c, r.mmap_sem)),
    ...body,
    $.step(`${fn}: up_write(mmap_sem)`, (c) => upWrite(c, r.mmap_sem)),
  ];
  const file = (fn: string, body: W[]) => (o.anon ? body : iMmapLockWrite(fn, r.i_mmap_rwsem, body));
  const zap = sections(
    'unmap_page_range',
    ['vma'],
    [set('zap_pte_range: ptep_get_and_clear_full(vma)', r.pte.at(VMA), 'none')],
  );
  const adjust = [
    set<{ seq: number }>('__vma_adjust: vma->vm_end = addr', r.bound.at(VMA), 2),
    set<{ seq: number }>('__vma_adjust: next->vm_start = addr', r.bound.at(NEXT), 2),
  ];
  const move = [
    $.step('move_page_tables: __pte_alloc → prepare_alloc_pages: fs_reclaim_acquire/release', fsReclaimMight),
    ...(o.allocReclaims ? reclaim('__pte_alloc → __alloc_pages_slowpath', false) : []),
    set<{ seq: number }>('move_ptes: set_pte_at(new_vma, pte)', r.pte.at(NEXT), 'page'),
    set<{ seq: number }>('move_ptes: ptep_get_and_clear(vma)', r.pte.at(VMA), 'none'),
  ];
  return {
    vma_adjust: mmapWrite('vm_munmap', file('__vma_adjust', sections('__vma_adjust', ['vma', 'next'], adjust))),
    move_vma: mmapWrite('SyS_mremap', sections('move_vma', ['vma', 'new_vma'], move)),
    reclaim: reclaim('shrink_active_list', o.reclaimReads),
    truncate: file('unmap_mapping_range', zap),
    // MADV_DONTNEED: madvise takes mmap_sem for read; zap_page_range → unmap_page_range's section.
    dontneed: [
      lk('madvise(MADV_DONTNEED): down_read(mmap_sem)', (c) => downRead(c, r.mmap_sem)),
      ...zap,
      $.step('madvise: up_read(mmap_sem)', (c) => upRead(c, r.mmap_sem)),
    ],
  };
}

/** The sample; ghosts: sections begun then and whether one was open (all sections; VMA-changing ones). */
const RL0 = { start: 0, began: 0, busy: false, end: 0, pte: '', overlapped: false, vbegan: 0, vbusy: false };
type RL = typeof RL0;
type F = $.Ctx<RL>;

function spfReader(o: Options, r: R, i: number): $.Node<RL>[] {
  const [sc, pte, retry, me] = [r.seq.at(VMA), r.pte.at(VMA), [$.goto_<RL>('retry')], r.spf.at(i)];
  const finish = (c: F, outcome: Outcome, overlapped = false) => {
    c.set(me.overlapped, overlapped);
    c.set(me.outcome, outcome);
  };
  const sample = (c: F, seq: number) => {
    c.let({ start: seq, began: c.get(sc.began), busy: c.get(sc.writers) > 0 });
    if (o.ptl) c.let({ vbegan: c.get(r.vmaChange.began), vbusy: c.get(r.vmaChange.open) > 0 });
  };
  // v3: handle_pte_fault → do_anonymous_page / do_wp_page → pte_map_lock, which rechecks under the PTL.
  const commit = o.ptl
    ? pteMapLock<string, RL>(sc, pte, 'spf', 'retry', (c, set) =>
        finish(c, set ? 'committed' : 'retry', set && (c.l.vbusy || c.get(r.vmaChange.began) !== c.l.vbegan)),
      )
    : [
        $.step('handle_pte_fault(FAULT_FLAG_SPECULATIVE): commit the fault', (c: F) =>
          finish(c, 'committed', c.l.overlapped),
        ),
      ];
  return [
    $.scope<RL>(RL0, [
      o.spin ? vmaSequenceBegin(HSF, sc, cls(o), sample) : speculativeSample(sc, 'bail', sample),
      $.scope({ end: 0 }, [$.step(`${HSF}: READ_ONCE(vma->vm_end)`, (c: F) => c.let({ end: c.get(r.bound.at(VMA)) }))]),
      $.when(
        `${HSF}: read_seqcount_retry(vma->vm_sequence, seq)`,
        (c: F) =>
          sq.readSeqcountRetry(c, sc, c.l.start) || c.let({ overlapped: c.l.busy || c.get(sc.began) !== c.l.began }),
        retry,
      ),
      $.step('handle_pte_fault: vmf->orig_pte = *vmf->pte', (c: F) => c.let({ pte: c.get(pte) })),
      ...commit,
      $.exit(),
      ...(o.spin
        ? []
        : [
            $.label<RL>('bail'),
            $.step(`${HSF}: count odd → VM_FAULT_RETRY (classic path)`, (c: F) => finish(c, 'bailed')),
            $.exit<RL>(),
          ]),
      $.label('retry'),
      $.step(`${HSF}: count changed → VM_FAULT_RETRY (classic path)`, (c: F) => finish(c, 'retry')),
    ]),
  ];
}

export const properties = [
  lockMisuse,
  invariant<S>(
    'validation-sound',
    'A speculative fault commits only if no write section on its VMA overlapped it (from its sample to its validation; for the v3 reader, which rechecks under the PTL, only a section that changes the VMA counts: zaps are covered by the PTL and pte_same).',
    ['spf'],
    ({ s }) => {
      const i = s.spf.findIndex((x) => x.outcome === 'committed' && x.overlapped);
      const now = `(vm_sequence now ${s.seq[VMA].sequence})`;
      return i < 0 ? null : `spf${i} committed its snapshot of vma although a write section was open during it ${now}`;
    },
  ),
  ...sq.seqcountProperties<S>('seq', (s) => s.seq, ['vma', 'next'], 'vm_sequence'),
];

const ZAP = 'unmap_single_vma unmap_page_range zap_p4d_range zap_pud_range zap_pmd_range zap_pte_range';
const raced: Record<string, Verdict> = Object.fromEntries(
  ['validation-sound', 'writer-exclusive', 'seqcount-parity', 'seqcount-balanced'].map((p) => [p, 'violated']),
);
/** A variant: its options (the flags set) and verdicts (spinning faults also deadlock). */
const variant = (doc: string, on: string) => ({
  ...{ doc, options: flags(on) },
  expect: on.includes('spin') ? { ...raced, 'deadlock-free': 'violated' as Verdict } : raced,
});

export default $.defineModel<Options>({
  name: 'spf-seqcount',
  title: 'Speculative page faults and the VMA sequence count (seed 003, 2017)',
  story:
    "SPF readers validate a VMA against its vm_sequence; writers (__vma_adjust, move_vma, truncate) bump it. Lockdep saw write_seqcount_begin as a lock and reported i_mmap_rwsem → vm_seq → fs_reclaim → i_mmap_rwsem; a bailing reader never waits, a spinning one can deadlock; truncate holds only i_mmap_rwsem, so its write section can overlap move_vma's on the same VMA.",
  params: {
    readers: { default: 1, min: 0, max: 3, doc: 'Speculative faults on the vma (each faults once).' },
    truncate: { default: 1, min: 0, max: 1, doc: 'File VMA: 1 = a truncate unmaps the file the vma maps.' },
    dontneed: { default: 2, min: 0, max: 2, doc: 'Anonymous VMA: MADV_DONTNEED zaps (mmap_sem read).' },
  },
  // The seed's symptom is a lockdep splat: compare shows each variant's cycles. The speculative
  // readers take no lock (they add states, not dependencies), so the pass runs without them.
  lockOrder: { params: { readers: 0 } },
  options: flags('lockdep'),
  variants: {
    v3: variant('SPF v3 as written: anonymous VMA, pte_map_lock rechecks under the PTL.', 'lockdep anon ptl'),
    posted: variant('As posted: lockdep-visible sections; the fault bails on an odd count.', 'lockdep'),
    'spinning-reader': variant(
      "Faults and reclaim spin in read_seqcount_begin (Sergey's CPU1).",
      'lockdep spin reclaimReads allocReclaims',
    ),
    'spinning-spf': variant('Only the faults spin, holding no lock; move_vma reclaims.', 'lockdep spin allocReclaims'),
    'posted-anon': variant('As posted, on an anonymous VMA with two MADV_DONTNEED.', 'lockdep anon'),
    'raw-sections': variant('raw_write_seqcount_*: sections invisible to lockdep (v6 on).', ''),
  },
  sources: {
    ...sourcesByFile(`
      mm/memory.c @ SPF v3: handle_speculative_fault pte_map_lock handle_pte_fault handle_pte_fault(FAULT_FLAG_SPECULATIVE)
      mm/mmap.c @ SPF v3: vm_munmap do_munmap __split_vma __vma_adjust
      mm/mremap.c @ SPF v2: SyS_mremap move_vma move_page_tables move_ptes
      mm/memory.c @ v4.14: unmap_mapping_range unmap_mapping_range_tree unmap_mapping_range_vma zap_page_range_single zap_page_range ${ZAP}
      mm/madvise.c @ v4.14: madvise madvise(MADV_DONTNEED) madvise_vma madvise_dontneed_free madvise_dontneed_single_vma
      mm/vmscan.c @ v4.14: shrink_active_list`),
    '__pte_alloc → __alloc_pages_slowpath': 'mm/memory.c, mm/page_alloc.c @ v4.14',
  },
  build: (o, p) => {
    const l = shared(p.readers);
    const w = writers(o, l.refs);
    const writer = (name: string) =>
      $.thread<{ seq: number }>(name, { seq: 0 }, w[name.replace(/\d+$/, '') as keyof typeof w]);
    const n = (k: number, f: (i: number) => $.LangThread) => Array.from({ length: k }, (_, i) => f(i));
    return {
      layout: l,
      init: l.state({ bound: [1, 1], pte: ['page', 'none'] }),
      threads: [
        ...['vma_adjust', 'move_vma', 'reclaim', ...(p.truncate && !o.anon ? ['truncate'] : [])].map(writer),
        ...n(o.anon ? p.dontneed : 0, (i) => writer(`dontneed${i}`)),
        ...n(p.readers, (i) => $.thread(`spf${i}`, RL0, spfReader(o, l.refs, i))),
      ],
      properties,
      observes: {},
      show: SHOW,
      annotate: (t) => ({ calls: CALLS[t.replace(/\d+$/, '')] ?? {} }),
    };
  },
});

const SHOW: ShowRule[] = [
  ...rwsemShow('mmap_sem'),
  ...fairRwsemShow('i_mmap_rwsem'),
  ...sq.seqcountShow('seq[*]', 'vm_sequence[$1]'),
  { path: 'spf[*].outcome', name: 'spf$1 fault outcome', as: 'bookkeeping' },
  { path: 'spf[*].overlapped', name: 'spf$1 overlapped a write section', as: 'bookkeeping' },
];
/** 4.14 call chains (seed 003's own), per thread, outermost first. */
const CALLS: Record<string, Callers> = {
  vma_adjust: callPaths('vm_munmap do_munmap __split_vma __vma_adjust'),
  move_vma: callPaths('SyS_mremap move_vma move_page_tables'),
  truncate: callPaths(
    `unmap_mapping_range unmap_mapping_range_tree unmap_mapping_range_vma zap_page_range_single ${ZAP}`,
  ),
  dontneed: callPaths(`madvise madvise_vma madvise_dontneed_free madvise_dontneed_single_vma zap_page_range ${ZAP}`),
  spf: callPaths(`${HSF} handle_pte_fault`),
};
