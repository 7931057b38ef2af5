/**
 * Speculative page faults and the VMA sequence count (seed 003: SPF v3, September 2017).
 * Follows SPF v3 (4.13-based patch mails) for mm/memory.c's handle_speculative_fault, handle_pte_fault,
 * pte_map_lock (src/lang/kernel/spf.ts) and mm/mmap.c's __vma_adjust, SPF v2 for mm/mremap.c's move_vma,
 * v4.14 for unmap_page_range, madvise_dontneed_free, seqlock.h, fs_reclaim and rwsem-xadd; `sources`
 * names each function's file. The source corrected the 0.1 model: handle_pte_fault reads orig_pte after
 * read_seqcount_retry; MADV_DONTNEED reaches zap_page_range through madvise_dontneed_single_vma.
 *
 * An SPF fault samples the VMA's vm_sequence (odd: a writer is inside), reads the VMA and the PTE without
 * mmap_sem, and commits only if the count is unchanged. Writers bump it (a load and a store): __vma_adjust,
 * move_vma (mmap_sem write), truncate (i_mmap_rwsem only), MADV_DONTNEED (mmap_sem read). Lockdep saw
 * i_mmap_rwsem → vm_seq → fs_reclaim → i_mmap_rwsem. The story and the evidence: docs/models/spf-seqcount.md.
 * Variants:
 *  - v3 (default): anonymous VMA, two MADV_DONTNEED; the fault rechecks under the PTL.
 *  - posted: file VMA with truncate, lockdep-visible sections; the fault bails on an odd count.
 *  - spinning-reader: faults spin in read_seqcount_begin, and so does reclaim (Sergey's CPU1).
 *  - spinning-spf: only the faults spin; move_vma's page-table allocation reclaims.
 *  - posted-anon: as posted, on an anonymous VMA with two MADV_DONTNEED.
 *  - raw-sections: raw_write_seqcount_*, invisible to lockdep (the series from v6).
 */
import { callPaths, type Callers } from '../../src/core/annotations.js';
import { invariant } from '../../src/core/property.js';
import { fairRwsemShow } from '../../src/kernel/rwsem-fair.js';
import { rwsemShow } from '../../src/kernel/rwsem.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import * as $ from '../../src/lang/index.js';
import { downRead, downWrite, rwsemSpec, upRead, upWrite } from '../../src/lang/kernel/rwsem.js';
import { fairRwsemSpec, iMmapLockWrite } from '../../src/lang/kernel/rwsem-fair.js';
import { fsReclaimMight, reclaimFilePage } from '../../src/lang/kernel/reclaim.js';
import * as sq from '../../src/lang/kernel/seqcount.js';
import { handleSpeculativeFault, HSF, vmaSequenceBegin } from '../../src/lang/kernel/spf.js';
import { sourcesByFile } from '../../src/lang/sources.js';

/** lockdep: sections visible to lockdep; spin: faults spin in read_seqcount_begin; reclaimReads: so does reclaim;
 * allocReclaims: move_vma's allocation reclaims; anon: anonymous VMA; ptl: v3's pte_map_lock recheck. */
const FLAGS = ['lockdep', 'spin', 'reclaimReads', 'allocReclaims', 'anon', 'ptl'] as const;
type Options = Record<(typeof FLAGS)[number], boolean>;
const flags = (on: string) => Object.fromEntries(FLAGS.map((f) => [f, on.split(' ').includes(f)])) as Options;
// Index 0 is vma, 1 its neighbour (next) or the mremap target: vm_sequence, vm_end / vm_start, the
// PTE. Ghosts: each fault's outcome and whether a section overlapped it; sections changing vma.
const OUTCOME = $.oneOf(['running', 'bailed', 'retry', 'committed']); // how a fault ended (SpfOutcome)
const shared = (readers: number) =>
  $.layout({
    mmap_sem: rwsemSpec(),
    i_mmap_rwsem: fairRwsemSpec(),
    seq: $.array(2, sq.seqcountSpec(4)),
    bound: $.array(2, $.int(1, 2)),
    pte: $.array(2, $.oneOf(['page', 'none', 'spf'])),
    spf: $.array(readers, $.unit({ outcome: OUTCOME, overlapped: $.oneOf([false, true]) })),
    vmaChange: $.unit({ open: $.int(0, 2), began: $.int(0, 2) }),
  });
export type S = $.StateOf<ReturnType<typeof shared>['spec']>;
type R = ReturnType<typeof shared>['refs'];
type W = $.Node<{ seq: number }>; // a writer's local: the count the first half of `sequence++` loaded
const [VMA, NEXT] = [0, 1];
const set = (label: string, ref: $.Ref<unknown>, v: unknown): W => $.step(label, (c) => c.set(ref, v));
const cls = (o: Options) => (o.lockdep ? 'vm_seq' : undefined);

/** The writers' paths. `sections`: `fn`'s sections on vma (nested: next) around `body`; all but a zap change vma. */
function writers(o: Options, r: R) {
  const { open, began } = r.vmaChange;
  const ghost = (c: $.Ctx<unknown>, end: boolean) => {
    c.set(open, c.get(open) + (end ? -1 : 1));
    if (!end) c.set(began, c.get(began) + 1);
  };
  const on = (fn: string) => (name: string, v: number) => {
    const also = v === VMA && fn !== 'unmap_page_range' ? ghost : undefined;
    return { sc: r.seq.at(v), name, w: { cls: cls(o), subclass: v }, also };
  };
  const sections = (fn: string, names: string, body: W[]): W[] =>
    sq.writeSeqcountSections(fn, names.split(' ').map(on(fn)), body);
  const reclaim = (who: string, readsVma: boolean): W[] =>
    reclaimFilePage(who, r.i_mmap_rwsem, readsVma ? [vmaSequenceBegin(who, r.seq.at(VMA), cls(o))] : []);
  const mmapSem = (take: string, drop: string, write: boolean, body: W[]): W[] => [
    $.step(`${take}(mmap_sem)`, (c) => (write ? downWrite : downRead)(c, r.mmap_sem), { cost: 'lock' }),
    ...body,
    $.step(`${drop}(mmap_sem)`, (c) => (write ? upWrite : upRead)(c, r.mmap_sem)),
  ];
  const file = (fn: string, body: W[]) => (o.anon ? body : iMmapLockWrite(fn, r.i_mmap_rwsem, body));
  const zap = sections('unmap_page_range', 'vma', [
    set('zap_pte_range: ptep_get_and_clear_full(vma)', r.pte.at(VMA), 'none'),
  ]);
  const adjust = sections('__vma_adjust', 'vma next', [
    set('__vma_adjust: vma->vm_end = addr', r.bound.at(VMA), 2),
    set('__vma_adjust: next->vm_start = addr', r.bound.at(NEXT), 2),
  ]);
  const move = sections('move_vma', 'vma new_vma', [
    $.step('move_page_tables: __pte_alloc → prepare_alloc_pages: fs_reclaim_acquire/release', fsReclaimMight),
    ...(o.allocReclaims ? reclaim('__pte_alloc → __alloc_pages_slowpath', false) : []),
    set('move_ptes: set_pte_at(new_vma, pte)', r.pte.at(NEXT), 'page'),
    set('move_ptes: ptep_get_and_clear(vma)', r.pte.at(VMA), 'none'),
  ]);
  return {
    vma_adjust: mmapSem('vm_munmap: down_write_killable', 'vm_munmap: up_write', true, file('__vma_adjust', adjust)),
    move_vma: mmapSem('SyS_mremap: down_write_killable', 'SyS_mremap: up_write', true, move),
    reclaim: reclaim('shrink_active_list', o.reclaimReads),
    truncate: file('unmap_mapping_range', zap),
    // MADV_DONTNEED: madvise takes mmap_sem for read; zap_page_range → unmap_page_range's section.
    dontneed: mmapSem('madvise(MADV_DONTNEED): down_read', 'madvise: up_read', false, zap),
  };
}

// The fault's ghosts: the sections it saw begun and open at its sample, and whether one overlapped it
// (any section up to read_seqcount_retry; for v3, which rechecks under the PTL, one that changes vma).
const RL0 = { start: 0, began: 0, busy: false, end: 0, pte: '', overlapped: false, vbegan: 0, vbusy: false };
type RL = typeof RL0;
function spfFault(o: Options, r: R, i: number) {
  const [sc, me, vma] = [r.seq.at(VMA), r.spf.at(i), r.vmaChange];
  return handleSpeculativeFault<string, RL>({
    ...{ sc, vmEnd: r.bound.at(VMA), pte: r.pte.at(VMA), value: 'spf', cls: cls(o) },
    reader: o.ptl ? 'v3' : o.spin ? 'spin' : 'posted',
    sampled: (c) => {
      c.let({ began: c.get(sc.began), busy: c.get(sc.writers) > 0 });
      if (o.ptl) c.let({ vbegan: c.get(vma.began), vbusy: c.get(vma.open) > 0 });
    },
    validated: (c) => c.let({ overlapped: c.l.busy || c.get(sc.began) !== c.l.began }),
    done: (c, outcome) => {
      const vmaChanged = () => c.l.vbusy || c.get(vma.began) !== c.l.vbegan;
      c.set(me.overlapped, outcome === 'committed' && (o.ptl ? vmaChanged() : c.l.overlapped));
      c.set(me.outcome, outcome);
    },
  });
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
const RACED = ['validation-sound', 'writer-exclusive', 'seqcount-parity', 'seqcount-balanced'];
/** A variant: its options (the flags set) and verdicts (every one races; spinning faults also deadlock). */
const variant = (doc: string, on: string) => {
  const bad = [...RACED, ...(on.includes('spin') ? ['deadlock-free'] : [])];
  return { doc, options: flags(on), expect: Object.fromEntries(bad.map((p) => [p, 'violated' as const])) };
};

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
        ...n(p.readers, (i) => $.thread(`spf${i}`, RL0, [$.scope(RL0, spfFault(o, l.refs, i))])),
      ],
      properties,
      observes: {},
      show: SHOW,
      annotate: (t) => ({ calls: CALLS[t.replace(/\d+$/, '')] ?? {} }),
    };
  },
});

const SHOW = [
  ...rwsemShow('mmap_sem'),
  ...fairRwsemShow('i_mmap_rwsem'),
  ...sq.seqcountShow('seq[*]', 'vm_sequence[$1]'),
  { path: 'spf[*].outcome', name: 'spf$1 fault outcome', as: 'bookkeeping' as const },
  { path: 'spf[*].overlapped', name: 'spf$1 overlapped a write section', as: 'bookkeeping' as const },
];
/** 4.14 call chains (seed 003's own), per thread, outermost first. */
const CALLS: Record<string, Callers> = {
  vma_adjust: callPaths('vm_munmap do_munmap __split_vma __vma_adjust'),
  move_vma: callPaths('SyS_mremap move_vma move_page_tables'),
  truncate: callPaths(`unmap_mapping_range unmap_mapping_range_tree unmap_mapping_range_vma zap_page_range_single
    zap_page_range_single ${ZAP}`),
  dontneed: callPaths(`madvise madvise_vma madvise_dontneed_free madvise_dontneed_single_vma zap_page_range ${ZAP}`),
  spf: callPaths(`${HSF} handle_pte_fault`),
};
