/**
 * mremap's move_ptes vs the rmap walk of remove_migration_ptes (seed 001: 3.1/3.2, Oct–Nov 2011).
 *
 * Follows: mm/mremap.c: move_vma(), move_page_tables(), move_ptes() @ v3.1 (and @ v3.7 for
 * 108d6642 / 38a76013); mm/mmap.c: copy_vma(), vma_merge(), vma_adjust() @ v3.1 and @ v3.2
 * (the pgoff reset and the `*vmap = new_vma` self-merge branch with Andrea's
 * VM_BUG_ON(faulted_in_anon_vma)); mm/rmap.c: rmap_walk_anon(), vma_address() and
 * mm/migrate.c: remove_migration_pte() @ v3.1 (before and after 486cf46f).
 *
 * The migrator has unmapped `ptes` anonymous pages (try_to_unmap installed a migration entry in
 * each PTE, the pages are locked) and now runs remove_migration_ptes for each page: rmap_walk_anon
 * takes the anon_vma (root) lock and visits the same_anon_vma list one avc per step; for each VMA
 * vma_address (three plain loads) gives the page's address, and remove_migration_pte replaces the
 * migration entry found there; then it unlocks the page and putback frees it. Meanwhile mremap
 * (mmap_sem held for write) moves the range: copy_vma merges the destination into a neighbour
 * (vma_merge → vma_adjust, under the anon_vma lock) or links a new VMA, then move_page_tables →
 * move_ptes moves each PTE under the old and new PTLs only (ptep_clear_flush, then set_pte_at);
 * when a page-table allocation fails part-way (param `fail`) the moved PTEs go back.
 *
 * move_ptes is safe without the anon_vma lock only if the walk visits src before dst and reads
 * PTEs under the PTL: then it finds the entry in src before the move, or in dst after it. Before
 * 486cf46f remove_migration_pte peeked at the PTE without the PTL (torn between the clear and the
 * set). After it, vma_merge into an *older* VMA still puts dst before src: the walk scans dst,
 * move_ptes moves the entry from src to dst, the walk scans src (Nai Xia's ordering in the seed).
 *
 * Kernel source (3.1 mm/mremap.c, mm/mmap.c copy_vma, mm/rmap.c; 38a76013 for need_rmap_locks)
 * where it refines kernel-races.md: in 3.1, copy_vma links a new VMA with anon_vma_clone while it
 * still carries the source's geometry and stores vm_start, vm_end, vm_pgoff after it, without the
 * lock (modelled; harmless, the PTEs have not moved yet); the 4.x source stores them first, and the
 * tree variants do so (the release that changed the order is not verified). With the
 * interval tree (3.7+) the traversal order is vm_pgoff order with ties in insertion order, and
 * vma_adjust reinserts the VMA it changes; `order` selects list or tree. need_rmap_locks is
 * `(new_vma->vm_pgoff <= vma->vm_pgoff)` only when vma_merge merged, false for a new VMA, and the
 * move back always passes true. Andrea's final patch calls anon_vma_moveto_tail(new_vma) in
 * copy_vma after a merge and anon_vma_moveto_tail(vma) before the move back (Hugh's catch). The
 * anon_vma lock is a mutex in 3.1 and an rwsem (walk read, move_ptes write) later; with one walker
 * both behave as the exclusive lock modelled here. The source also wins over kernel-races.md on
 * vma_adjust's locking: until 3.7 it takes no anon_vma lock when only vm_end changes (`if
 * (vma->anon_vma && (importer || start != vma->vm_start))`, 252c5f94 / 012f18004da3; Michel
 * Lespinasse removed the skip before the interval tree), so in the list-order variants the merge
 * into prev stores prev->vm_end without the lock; the tree variants (3.7+) take it.
 *
 * Layouts (param `layout`, -1 = the variant's own scenario), n = `ptes`, addresses in pages, page
 * tables of 16 PTEs (table 0 at 0, table 1 at 16, table 2 at 32), VMAs in creation order (the 3.1
 * list order):
 *  0 merge-prev       Andrea's test: M [0,n) pgoff 0, W [16,16+n) pgoff n; move W to n: merges into
 *                     M (prev). dst before src in list and in pgoff order.
 *  1 new-vma          same VMAs, move W to 32: a new VMA at the tail (dst after src either way).
 *  2 merge-next       M [0,2n) pgoff 0, X [32+n,32+2n) pgoff 2n; move M's upper half to 32: merges
 *                     into X (next), new pgoff n > 0: after src either way, need_rmap_locks false.
 *  3 merge-next-tie   M [0,n) pgoff 0, X [32+n,32+2n) pgoff n; move all of M to 32: X's pgoff
 *                     becomes 0 = M's (the tie; vma_adjust reinserts X after M).
 *  4 merge-prev-high  M [n,2n) pgoff n, W [32,32+n) pgoff 0 (created later); move M to 32+n:
 *                     merges into W (prev, above M). List order: after src; pgoff order: before.
 *  5 self-unfaulted   the case the thread argued about: S [32-2n,32) pgoff 32-2n never faulted (no
 *                     anon_vma), its upper half moved to 32: copy_vma resets pgoff to 32 and
 *                     vma_merge returns S itself (`*vmap = new_vma`). The migrating pages are in M
 *                     [0,n), which nobody moves. Every variant holds: no PTEs to miss (Nai, Hugh).
 *  6 self-faulted     the same move of a faulted S (entries in its upper half): no reset, the pgoff
 *                     is not linear past S's end, so copy_vma allocates a new VMA; the
 *                     copy-vma-self-merge invariant (the VM_BUG_ON) holds in every kernel variant.
 * vma_merge considers the source like any other neighbour (src/kernel/mremap.ts), so whether it
 * can merge with itself is decided by the pgoff arithmetic, not assumed.
 * The moved range is one extent; with `fail` it continues into a next PMD whose page table cannot
 * be allocated (nothing there is modelled), so move_page_tables returns short and all n PTEs go
 * back. do_munmap of the range left behind finds no PTEs and is not modelled.
 *
 * Variants (the first is the default):
 *  - after-486cf46f: 3.1, the seed. PTL peek; the walk order is still wrong when vma_merge succeeds.
 *  - before-486cf46f: 3.0/3.1-rc. Lockless peek in remove_migration_pte (scenario new-vma).
 *  - moveto-tail-v1: Andrea's first posting (anon_vma_order_tail in copy_vma only): the move back
 *    on failure runs in the wrong order (Hugh's catch).
 *  - moveto-tail: Andrea's final patch, with anon_vma_moveto_tail(vma) before the move back.
 *  - anon-vma-lock: 108d6642 (3.7-rc1): move_ptes takes the anon_vma lock, in both directions.
 *  - need-rmap-locks: 38a76013 (3.7+, interval tree): the lock only when the merged dst may come
 *    first (vm_pgoff <=); the move back always locks.
 *  - need-rmap-locks-lt: the same with `<` (scenario merge-next-tie): still safe in this model.
 *  - need-rmap-locks-by-address: deliberately wrong condition `new_vma->vm_start < vma->vm_start`
 *    (scenario merge-prev-high): the dst above src comes first in pgoff order.
 *  - pgoff-reset-faulted: deliberately wrong copy_vma resetting a faulted VMA's pgoff too (scenario
 *    self-faulted): S merges with itself, copy-vma-self-merge is violated, and with DEBUG_VM off the
 *    moved entries sit where vma_address no longer looks (why the reset needs `!vma->anon_vma`).
 *  - tree-no-lock: the interval tree with 3.1's lockless move_ptes (scenario merge-prev-high): why
 *    108d6642 had to go before the tree.
 *
 *  - pmd-rmap-locks: need-rmap-locks plus Aneesh Kumar's 2021 "mm/mremap: hold the rmap lock in
 *    write mode when moving page table entries": move_pgt_entry(NORMAL_PMD, ..., true).
 *
 * `--param pmd=1` (mm/mremap.c: move_normal_pmd() @ v5.10, 2c91bd4a4e2e; mm/rmap.c:
 * try_to_unmap_one() via page_vma_mapped_walk() @ v5.10): another scenario — mremap moves a whole
 * page table (W [16,32) to a new VMA at 32, so need_rmap_locks is false), reclaim unmaps and frees
 * the page, another CPU fills its TLB at new_addr; the TLB is the minimum this race needs (one
 * remote CPU's entries, flushed by address range), to be ported to the per-CPU TLB primitive of
 * issue 15 item 1. need-rmap-locks: `no-stale-tlb` VIOLATED (25 steps, Aneesh's diagram);
 * pmd-rmap-locks and anon-vma-lock hold. The 3.x variants (list order) had no move_normal_pmd:
 * their rows under pmd=1 only say what their need_rmap_locks would give. move_ptes with lock
 * 'always' takes the anon_vma lock even for a VMA with none (harmless: no PTEs to race on).
 */
import { reads, writes } from '../../src/core/access.js';
import { defineModel, type Verdict } from '../../src/core/model.js';
import { invariant, type Property } from '../../src/core/property.js';
import { andThen, step, type Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import {
  anonVma,
  anonVmaLock,
  anonVmaUnlock,
  anonVmaUnlockWalkDone,
  avcListCorruption,
  avcWalkNext,
} from '../../src/kernel/anon-vma.js';
import {
  folio,
  folioPut,
  folioUnlock,
  lockLoc,
  mapLoc as mapLocOf,
  refLoc,
  type Folio,
} from '../../src/kernel/folio.js';
import {
  anonVmaMovetoTailSteps,
  avInsert,
  copyVmaSteps,
  movePageTablesSteps,
  mremapLocals,
  PTL_CLASS,
  PTRS_PER_TABLE,
  ptlPath,
  type MremapLocals,
  type MremapPlan,
  type PgoffReset,
  type RmapLockPolicy,
  type RmapOrder,
  type WithMm,
  type WithPmd,
  movePmdSteps,
  tlbFlushRange,
  tableOf,
} from '../../src/kernel/mremap.js';
import { PTE_NONE, migrationEntry, present, pteLoc, type Pte } from '../../src/kernel/pte.js';
import { lockMisuse, spinLock, spinUnlock } from '../../src/kernel/spinlock.js';
import type { ShowRule } from '../../src/core/show.js';
import { annotated, type Callers } from '../../src/core/annotations.js';
import type { StepNote } from '../../src/core/step.js';
import { pteText } from '../../src/kernel/pte.js';
import { folioShow } from '../../src/kernel/folio.js';
import { anonVmaShow } from '../../src/kernel/anon-vma.js';
import { EFAULT, vma, vmaAddress, vmaLoad, type Vma, type VmaSnap } from '../../src/kernel/vma.js';
import {
  NO_DANGLING,
  NO_PTE_MAPS_FREED,
  REMOVE_WALK_COMPLETE,
  noDanglingMigrationEntry,
  noPteMapsFreedPage,
  removeWalkComplete,
  type MigrationEntryView,
  type MigrationWalk,
} from '../../properties/migration-entries.js';

export interface S extends WithMm, WithPmd {
  readonly folios: Readonly<Record<string, Folio>>;
  /** Per old page: what the unmap walk installed and the remove walk has replaced so far. */
  readonly walks: Readonly<Record<string, MigrationWalk>>;
}

export type MoveToTail = 'none' | 'copy_vma' | 'copy_vma+move-back';

export interface Options {
  /** remove_migration_pte: peek at the PTE without the PTL first (before 486cf46f). */
  readonly locklessPeek: boolean;
  readonly order: RmapOrder;
  readonly moveToTail: MoveToTail;
  readonly rmapLocks: RmapLockPolicy;
  /** The variant's own scenario (param layout = -1). */
  readonly layout: number;
  /** copy_vma's pgoff reset: for a never-faulted VMA (the kernel), or always (a strawman). */
  readonly pgoffReset: PgoffReset;
  /** A PMD-level move (param pmd) takes the rmap locks whatever need_rmap_locks says (2021). */
  readonly pmdRmapLocks: boolean;
}

const AV = 'av';
const SELF_MERGE = 'copy-vma-self-merge';
const MIGRATOR = 0;
const TABLES = 3;
const oldPage = (i: number) => `P${i}`;
const newPage = (i: number) => `N${i}`;

// ---------------------------------------------------------------- layouts

interface Layout {
  readonly name: string;
  /** VMAs in creation order. */
  readonly vmas: readonly (readonly [string, Vma])[];
  readonly src: string;
  readonly oldAddr: number;
  readonly newAddr: number;
  /** Where the pages under migration are mapped, when not in the moved range: first address and index. */
  readonly pages?: { readonly addr: number; readonly index: number };
}

export const LAYOUTS = [
  'merge-prev',
  'new-vma',
  'merge-next',
  'merge-next-tie',
  'merge-prev-high',
  'self-unfaulted',
  'self-faulted',
] as const;

export function layout(k: number, n: number): Layout {
  const name = LAYOUTS[k];
  const B = PTRS_PER_TABLE;
  const C = 2 * PTRS_PER_TABLE;
  switch (name) {
    case 'merge-prev':
      return {
        name,
        vmas: [
          ['M', vma(0, n, 0, AV)],
          ['W', vma(B, B + n, n, AV)],
        ],
        src: 'W',
        oldAddr: B,
        newAddr: n,
      };
    case 'new-vma':
      return {
        name,
        vmas: [
          ['M', vma(0, n, 0, AV)],
          ['W', vma(B, B + n, n, AV)],
        ],
        src: 'W',
        oldAddr: B,
        newAddr: C,
      };
    case 'merge-next':
      return {
        name,
        vmas: [
          ['M', vma(0, 2 * n, 0, AV)],
          ['X', vma(C + n, C + 2 * n, 2 * n, AV)],
        ],
        src: 'M',
        oldAddr: n,
        newAddr: C,
      };
    case 'merge-next-tie':
      return {
        name,
        vmas: [
          ['M', vma(0, n, 0, AV)],
          ['X', vma(C + n, C + 2 * n, n, AV)],
        ],
        src: 'M',
        oldAddr: 0,
        newAddr: C,
      };
    case 'merge-prev-high':
      return {
        name,
        vmas: [
          ['M', vma(n, 2 * n, n, AV)],
          ['W', vma(C, C + n, 0, AV)],
        ],
        src: 'M',
        oldAddr: n,
        newAddr: C + n,
      };
    case 'self-unfaulted':
      // Nai's case: S was mmapped (pgoff = addr) and never faulted; moving its upper half to just
      // above it resets pgoff to the new address and vma_merge returns S itself. The pages under
      // migration are in M, which nobody moves.
      return {
        name,
        vmas: [
          ['M', vma(0, n, 0, AV)],
          ['S', vma(C - 2 * n, C, C - 2 * n, null)],
        ],
        src: 'S',
        oldAddr: C - n,
        newAddr: C,
        pages: { addr: 0, index: 0 },
      };
    case 'self-faulted':
      // The same move of a faulted S (its upper half holds the entries): no pgoff reset, so the
      // new range does not continue S linearly and copy_vma allocates a new VMA.
      return {
        name,
        vmas: [['S', vma(C - 2 * n, C, C - 2 * n, AV)]],
        src: 'S',
        oldAddr: C - n,
        newAddr: C,
      };
  }
}

// ---------------------------------------------------------------- migrator: remove_migration_ptes per page

interface GL {
  readonly page: number;
  /** The avc the walk is on (null = at the list head). */
  readonly cursor: string | null;
  readonly snap: VmaSnap;
  readonly addr: number;
}

const cursorOf = (l: GL) => l.cursor as string;

function load(field: 'start' | 'end' | 'pgoff', index: (l: GL) => number): Step<S, GL> {
  return step(
    `vma_address: load vm_${field}`,
    vmaLoad<S, GL>(cursorOf, field, (l, v) => {
      const snap = { ...l.snap, [field]: v };
      if (field !== 'end') return { l: { ...l, snap } };
      const addr = vmaAddress(index(l), snap as Required<VmaSnap>);
      return addr === EFAULT ? { l: { ...l, snap: {} }, goto: 'next' } : { l: { ...l, snap: {}, addr } };
    }),
  );
}

/** rmap_walk_anon's unlock, and the walk marked finished (for remove-walk-complete). */
const walkEnd = () =>
  anonVmaUnlockWalkDone<S, GL>(
    AV,
    (l) => [`walks.${oldPage(l.page)}`],
    (s, l) => {
      const f = oldPage(l.page);
      return { ...s, walks: { ...s.walks, [f]: { ...s.walks[f], finished: true } } };
    },
  );

const writesWalk = (page: number) => writes(`walks.${oldPage(page)}`);

function migratorSteps(o: Options, n: number, index: (l: GL) => number): Step<S, GL>[] {
  const steps: Step<S, GL>[] = [
    step('rmap_walk_anon: anon_vma_lock (root mutex)', anonVmaLock<GL>(AV), 'walk'),
    step(
      'rmap_walk_anon: list_for_each_entry → next avc',
      avcWalkNext<S, GL>(
        AV,
        (l) => l.cursor,
        (l, v) => ({ ...l, cursor: v }),
        'end',
      ),
      'next',
    ),
    load('pgoff', index),
    load('start', index),
    load('end', index),
  ];
  if (o.locklessPeek)
    steps.push({
      label: 'remove_migration_pte: is_swap_pte(*ptep)? (lockless peek)',
      footprint: (_s, l) => reads(pteLoc(l.addr)),
      run: (s, l) => (s.pte[l.addr].kind === 'migration' ? {} : { goto: 'next' }),
    });
  steps.push(
    step(
      'remove_migration_pte: pte_offset_map_lock',
      spinLock<GL>((l) => ptlPath(l.addr), PTL_CLASS),
    ),
    {
      label: 'remove_migration_pte: migration entry for old? set_pte_at(new)',
      footprint: (_s, l) => [...writes(pteLoc(l.addr)), ...writesWalk(l.page)],
      run: (s, l) => {
        const p = s.pte[l.addr];
        if (p.kind !== 'migration' || p.folio !== oldPage(l.page)) return {};
        const pte = s.pte.slice();
        pte[l.addr] = present(newPage(l.page));
        const f = oldPage(l.page);
        return { s: { ...s, pte, walks: { ...s.walks, [f]: { ...s.walks[f], removed: s.walks[f].removed + 1 } } } };
      },
    },
    step(
      'remove_migration_pte: pte_unmap_unlock',
      andThen(
        spinUnlock<GL>((l) => ptlPath(l.addr), PTL_CLASS),
        () => ({ goto: 'next' }),
      ),
    ),
    step('rmap_walk_anon: anon_vma_unlock', walkEnd(), 'end'),
    step(
      'unmap_and_move: unlock_page(old)',
      folioUnlock<S, GL>((l) => oldPage(l.page)),
    ),
    step(
      'putback_lru_page(old): freed',
      andThen(
        folioPut<S, GL>((l) => oldPage(l.page)),
        (l) => (l.page + 1 < n ? { l: { ...l, page: l.page + 1 }, goto: 'walk' } : { goto: 'exit' }),
      ),
    ),
  );
  return steps;
}

// ---------------------------------------------------------------- mremap: move_vma

/** The mremap thread runs src/kernel/mremap.ts steps over the WithMm part of S (they keep the rest). */
function mremapSteps(o: Options, plan: MremapPlan, n: number, fail: boolean): Step<WithMm, MremapLocals>[] {
  const fwdLock = o.rmapLocks === 'never' ? 'no' : o.rmapLocks === 'always' ? 'yes' : (l: MremapLocals) => l.need;
  const backLock = o.rmapLocks === 'never' ? 'no' : 'yes';
  const steps = [
    ...copyVmaSteps(plan, o.order, o.moveToTail !== 'none', o.rmapLocks, o.pgoffReset),
    ...movePageTablesSteps('fwd', AV, plan.oldAddr, plan.newAddr, n, fwdLock),
  ];
  if (!fail) return steps;
  steps.push({
    label: 'move_page_tables: alloc_new_pmd fails → moved_len < old_len',
    footprint: () => [],
    run: () => ({}),
  });
  if (o.moveToTail === 'copy_vma+move-back')
    steps.push(...anonVmaMovetoTailSteps<MremapLocals>(AV, () => plan.src, 'move_vma'));
  steps.push(...movePageTablesSteps('back', AV, plan.newAddr, plan.oldAddr, n, backLock));
  return steps;
}

// ---------------------------------------------------------------- properties

function vmaAt(s: S, addr: number): string {
  const v = Object.entries(s.vmas).find(([, x]) => addr >= x.start && addr < x.end);
  return v ? v[0] : 'no vma';
}

function view(n: number): MigrationEntryView<S> {
  const pages = Array.from({ length: n }, (_, i) => oldPage(i));
  return {
    reads: ['pte', 'walks', ...pages.flatMap((p) => [lockLoc(p), refLoc(p)])],
    ptes: (s) => s.pte.flatMap((p, a) => (p.kind === 'none' ? [] : [[`pte[${a}] (in ${vmaAt(s, a)})`, p] as const])),
    locked: (s, f) => s.folios[f].locked !== -1,
    freed: (s, f) => s.folios[f].ref === 0,
    walks: (s) => Object.values(s.walks),
  };
}

function properties(n: number): Property<S>[] {
  const v = view(n);
  return [
    noDanglingMigrationEntry(v),
    removeWalkComplete(v),
    noPteMapsFreedPage(v),
    avcListCorruption,
    lockMisuse,
    staleTlb,
    invariant<S>(
      SELF_MERGE,
      "copy_vma merges a VMA with itself only when it was never faulted: VM_BUG_ON(faulted_in_anon_vma), Andrea's final patch after Nai and Hugh's argument.",
      ['selfMergedFaulted'],
      (x) =>
        x.s.selfMergedFaulted
          ? 'copy_vma: vma_merge returned the faulted source VMA itself: VM_BUG_ON(faulted_in_anon_vma) (a no-op without DEBUG_VM)'
          : null,
    ),
  ];
}

// ---------------------------------------------------------------- the PMD-level move (param pmd)

/**
 * `--param pmd=1`: the race of Aneesh Kumar's 2021 fix. W [16,32) (one whole page table, T1 in PMD
 * slot 1) maps P0 at 16; mremap moves all of W to [32,48), a new VMA, so move_page_tables moves the
 * PMD entry (move_normal_pmd) and need_rmap_locks is false. Reclaim unmaps P0 (try_to_unmap →
 * rmap_walk_anon → try_to_unmap_one through page_vma_mapped_walk's lockless pmd read, then the
 * table's PTL, ptep_clear_flush at *its* address) and frees it; another CPU of the mm touches
 * new_addr and fills its TLB from the moved table. The walk can read the old pmd before the move
 * and clear the PTE after it, flushing only old_addr: the other CPU keeps P0 at new_addr.
 */
const PMD_SRC = 'W';
const PMD_OLD = PTRS_PER_TABLE;
const PMD_NEW = 2 * PTRS_PER_TABLE;

function pmdInitial(o: Options): S {
  const vmas = { M: vma(0, 1, 0, AV), [PMD_SRC]: vma(PMD_OLD, PMD_NEW, PMD_OLD, AV) };
  let head: string[] = [];
  for (const name of Object.keys(vmas)) head = avInsert(o.order, head, vmas, name);
  const table = Array.from({ length: PTRS_PER_TABLE }, (_, i) => (i === 0 ? present('P0') : PTE_NONE));
  return {
    vmas,
    anon_vmas: { [AV]: anonVma(AV, head) },
    pte: [],
    ptl: [-1, -1, -1],
    folios: { P0: folio({ ref: 1, mapcount: 1 }) },
    walks: {},
    selfMergedFaulted: false,
    pmd: [-1, 1, -1],
    tables: [[], table],
    tlb: {},
    pmdPtl: -1,
  };
}

interface UL {
  readonly cursor: string | null;
  readonly addr: number;
  /** The page table page_vma_mapped_walk found through the pmd (-1: none). */
  readonly table: number;
}

/** shrink_page_list → try_to_unmap(P0) → rmap_walk_anon → try_to_unmap_one; then the page is freed. */
function reclaimSteps(): Step<S, UL>[] {
  return [
    step('rmap_walk_anon: anon_vma_lock_read', anonVmaLock<UL>(AV)),
    step(
      'rmap_walk_anon: anon_vma_interval_tree_foreach → next vma',
      avcWalkNext<S, UL>(
        AV,
        (l) => l.cursor,
        (l, v) => ({ ...l, cursor: v }),
        'end',
      ),
      'next',
    ),
    {
      label: 'vma_address(page, vma)',
      footprint: (_s, l) => reads(...(['start', 'end', 'pgoff'] as const).map((f) => `vmas.${l.cursor}.${f}`)),
      run: (s, l) => {
        const addr = vmaAddress(PMD_OLD, s.vmas[l.cursor as string]);
        return addr === EFAULT ? { goto: 'next' } : { l: { ...l, addr } };
      },
    },
    {
      label: 'page_vma_mapped_walk: pmd = READ_ONCE(*pmd_offset(address)); pmd_none → next vma',
      footprint: (_s, l) => reads(`pmd[${tableOf(l.addr)}]`),
      run: (s, l) => {
        const t = s.pmd[tableOf(l.addr)];
        return t < 0 ? { goto: 'next' } : { l: { ...l, table: t } };
      },
    },
    {
      label:
        'try_to_unmap_one: pte_offset_map_lock; pte maps page? ptep_clear_flush(vma, address); page_remove_rmap; unlock',
      footprint: (_s, l) => writes(`tables[${l.table}]`, 'tlb', mapLocOf('P0')),
      run: (s, l) => {
        const i = l.addr % PTRS_PER_TABLE;
        const pte = s.tables[l.table][i];
        if (pte.kind !== 'present' || pte.folio !== 'P0') return { goto: 'next' };
        const tables = s.tables.map((t, k) => (k === l.table ? t.map((p, j) => (j === i ? PTE_NONE : p)) : t));
        const f = s.folios.P0;
        return {
          s: {
            ...s,
            tables,
            tlb: tlbFlushRange(s.tlb, l.addr, l.addr + 1),
            folios: { ...s.folios, P0: { ...f, mapcount: f.mapcount - 1 } },
          },
          goto: 'next',
        };
      },
    },
    step('rmap_walk_anon: anon_vma_unlock_read', anonVmaUnlock<UL>(AV), 'end'),
    {
      label: 'shrink_page_list: page_mapped? keep it : free it (__remove_mapping, free_unref_page)',
      footprint: () => writes(mapLocOf('P0'), refLoc('P0')),
      run: (s) =>
        s.folios.P0.mapcount > 0 ? {} : { s: { ...s, folios: { ...s.folios, P0: { ...s.folios.P0, ref: 0 } } } },
    },
  ];
}

/** Another CPU of the mm touches new_addr: a TLB miss walks the page tables and fills the TLB. */
function cpuSteps(): Step<S, Record<string, never>>[] {
  return [
    {
      label: 'CPU: *new_addr: TLB miss → hardware walk (new pmd, PTE) → TLB fill',
      footprint: () => [...reads(`pmd[${tableOf(PMD_NEW)}]`, 'tables'), ...writes('tlb')],
      run: (s) => {
        const t = s.pmd[tableOf(PMD_NEW)];
        const pte = t < 0 ? PTE_NONE : s.tables[t][0];
        return pte.kind === 'present' ? { s: { ...s, tlb: { ...s.tlb, [PMD_NEW]: pte.folio } } } : {};
      },
    },
  ];
}

const STALE_TLB = 'no-stale-tlb';
const staleTlb = invariant<S>(
  STALE_TLB,
  "No CPU's TLB maps a freed page (the PMD scenario: a flush must reach every address the page is reachable at).",
  ['tlb', 'folios'],
  (v) => {
    const hit = Object.entries(v.s.tlb).find(([, f]) => v.s.folios[f]?.ref === 0);
    return hit ? `a CPU's TLB still maps address ${hit[0]} to ${hit[1]}, which reclaim freed: use-after-free` : null;
  },
);

function pmdProgram(o: Options) {
  const plan: MremapPlan = {
    src: PMD_SRC,
    av: AV,
    oldAddr: PMD_OLD,
    newAddr: PMD_NEW,
    len: PTRS_PER_TABLE,
    fresh: 'new',
  };
  const need = (l: MremapLocals) => o.pmdRmapLocks || o.rmapLocks === 'always' || (o.rmapLocks !== 'never' && l.need);
  return {
    init: pmdInitial(o),
    threads: [
      thread<S, UL>('reclaim', { cursor: null, addr: 0, table: -1 }, reclaimSteps()),
      thread<WithMm, MremapLocals>('mremap', mremapLocals(), [
        ...copyVmaSteps(plan, o.order, o.moveToTail !== 'none', o.rmapLocks, o.pgoffReset),
        ...(movePmdSteps<S>(AV, PMD_OLD, PMD_NEW, need) as unknown as Step<WithMm, MremapLocals>[]),
      ]),
      thread<S, Record<string, never>>('cpu', {}, cpuSteps()),
    ],
    properties: properties(0),
  };
}

// ---------------------------------------------------------------- model

function initial(o: Options, lay: Layout, n: number): S {
  const vmas = Object.fromEntries(lay.vmas);
  let head: string[] = [];
  for (const [name, v] of lay.vmas) if (v.anon !== null) head = avInsert(o.order, head, vmas, name);
  const at = lay.pages?.addr ?? lay.oldAddr;
  const pte: Pte[] = Array.from({ length: TABLES * PTRS_PER_TABLE }, () => PTE_NONE);
  const folios: Record<string, Folio> = {};
  const walks: Record<string, MigrationWalk> = {};
  for (let i = 0; i < n; i++) {
    pte[at + i] = migrationEntry(oldPage(i));
    folios[oldPage(i)] = folio({ ref: 1, locked: MIGRATOR });
    folios[newPage(i)] = folio({ ref: 1 });
    walks[oldPage(i)] = { folio: oldPage(i), installed: 1, removed: 0, finished: false };
  }
  return {
    vmas,
    anon_vmas: { [AV]: anonVma(AV, head) },
    pte,
    ptl: Array.from({ length: TABLES }, () => -1),
    folios,
    walks,
    selfMergedFaulted: false,
    pmd: [-1, -1, -1],
    tables: [],
    tlb: {},
    pmdPtl: -1,
  };
}

const broken: Record<string, Verdict> = {
  [NO_DANGLING]: 'violated',
  [REMOVE_WALK_COMPLETE]: 'violated',
  [NO_PTE_MAPS_FREED]: 'violated',
};
const v31: Options = {
  locklessPeek: false,
  order: 'list',
  moveToTail: 'none',
  rmapLocks: 'never',
  layout: 0,
  pgoffReset: 'unfaulted',
  pmdRmapLocks: false,
};

export default defineModel<Options>({
  name: 'mremap-vs-rmap-walk',
  title: "mremap's move_ptes vs the rmap walk of remove_migration_ptes (seed 001, 2011)",
  story:
    'move_ptes moves PTEs under the two PTLs only, relying on the rmap walk visiting src before dst; vma_merge in copy_vma can put dst before src, so remove_migration_ptes scans dst, move_ptes moves the migration entry from src to dst, the walk scans src and misses it: a dangling migration entry (BUG at swapops.h:105).',
  params: {
    ptes: {
      default: 1,
      min: 1,
      max: PTRS_PER_TABLE / 2,
      doc: 'PTEs moved by mremap, each a migration entry of a page under migration.',
    },
    fail: {
      default: 1,
      min: 0,
      max: 1,
      doc: '1: move_page_tables fails after the first extent (alloc_new_pmd), so the PTEs are moved back.',
    },
    pmd: {
      default: 0,
      min: 0,
      max: 1,
      doc: '1: the PMD-level move instead (move_normal_pmd, 4.20+): a whole page table moves while reclaim unmaps and another CPU fills its TLB.',
    },
    layout: {
      default: -1,
      min: -1,
      max: LAYOUTS.length - 1,
      doc: `-1: the variant's scenario; else ${LAYOUTS.map((x, i) => `${i} ${x}`).join(', ')}.`,
    },
  },
  costs: [{ name: 'mremap', thread: 'mremap', params: { fail: 0 } }],
  options: v31,
  variants: {
    'after-486cf46f': {
      doc: '3.1 (the seed): the peek is under the PTL; vma_merge into the older prev puts dst before src.',
      options: {},
      expect: broken,
    },
    'before-486cf46f': {
      doc: '3.0/3.1-rc: remove_migration_pte peeks at the PTE without the PTL (scenario: new VMA at the tail).',
      options: { locklessPeek: true, layout: 1 },
      expect: broken,
    },
    'moveto-tail-v1': {
      doc: "Andrea's first patch: anon_vma_moveto_tail(new_vma) after vma_merge, nothing before the move back.",
      options: { moveToTail: 'copy_vma' },
      expect: broken,
    },
    'moveto-tail': {
      doc: "Andrea's final patch: also anon_vma_moveto_tail(vma) before the move back (Hugh's catch).",
      options: { moveToTail: 'copy_vma+move-back' },
      expect: {},
    },
    'anon-vma-lock': {
      doc: '108d6642 (3.7): move_ptes takes the anon_vma lock around the PTE loop, both directions.',
      options: { rmapLocks: 'always' },
      expect: {},
    },
    'need-rmap-locks': {
      doc: '38a76013 (3.7+, interval tree): lock only if merged and new_vma->vm_pgoff <= vma->vm_pgoff; the move back always locks.',
      options: { order: 'tree', rmapLocks: 'pgoff' },
      expect: {},
    },
    'need-rmap-locks-lt': {
      doc: 'need_rmap_locks with `<`: skips the lock on the tie (scenario merge-next-tie).',
      options: { order: 'tree', rmapLocks: 'pgoff-lt', layout: 3 },
      expect: {},
    },
    'need-rmap-locks-by-address': {
      doc: 'Deliberately wrong: lock only if merged below src (new_vma->vm_start < vma->vm_start) (scenario merge-prev-high).',
      options: { order: 'tree', rmapLocks: 'address', layout: 4 },
      expect: broken,
    },
    'pgoff-reset-faulted': {
      doc: "Deliberately wrong: copy_vma resets a faulted VMA's pgoff too (scenario self-faulted): it merges with itself, and the moved entries fall outside the walk's address.",
      options: { pgoffReset: 'always', layout: 6 },
      expect: { ...broken, [SELF_MERGE]: 'violated' },
    },
    'pmd-rmap-locks': {
      doc: 'need-rmap-locks plus 2021: a PMD-level move takes the rmap locks whatever need_rmap_locks says (--param pmd=1).',
      options: { order: 'tree', rmapLocks: 'pgoff', pmdRmapLocks: true },
      expect: {},
    },
    'tree-no-lock': {
      doc: "The interval tree with 3.1's lockless move_ptes (scenario merge-prev-high): safe in list order, not in pgoff order.",
      options: { order: 'tree', layout: 4 },
      expect: broken,
    },
  },
  build: (o, p) => {
    if (p.pmd) return pmdProgram(o);
    const n = p.ptes;
    const lay = layout(p.layout < 0 ? o.layout : p.layout, n);
    const plan: MremapPlan = { src: lay.src, av: AV, oldAddr: lay.oldAddr, newAddr: lay.newAddr, len: n, fresh: 'new' };
    const src = Object.fromEntries(lay.vmas)[lay.src];
    const srcPgoff = lay.pages ? lay.pages.index : src.pgoff + (lay.oldAddr - src.start);
    return {
      init: initial(o, lay, n),
      threads: [
        thread<S, GL>(
          'migrator',
          { page: 0, cursor: null, snap: {}, addr: 0 },
          annotated(
            migratorSteps(o, n, (l) => srcPgoff + l.page),
            MIGRATOR_CALLS,
            MIGRATOR_NOTES,
          ),
        ),
        thread<WithMm, MremapLocals>(
          'mremap',
          mremapLocals(),
          annotated(mremapSteps(o, plan, n, p.fail === 1), MREMAP_CALLS),
        ),
      ],
      properties: properties(n),
      show: SHOW,
    };
  },
});

// ---------------------------------------------------------------- report annotations (issue 14)
// State names for the reports only: no step's behaviour depends on them.

const SHOW: ShowRule[] = [
  ...folioShow(),
  ...anonVmaShow(),
  { path: 'ptl[*]', name: 'PTL(table $1)', as: 'owner' },
  { path: 'walks.*.*', name: 'migration walk of $1: $2', as: 'bookkeeping' },
];

/** 3.1: migrate_pages → unmap_and_move → remove_migration_ptes → rmap_walk → rmap_walk_anon → … */
const MIGRATOR_CALLS: Callers = {
  migrate_pages: '',
  unmap_and_move: 'migrate_pages',
  putback_lru_page: 'migrate_pages',
  remove_migration_ptes: 'unmap_and_move',
  rmap_walk: 'remove_migration_ptes',
  rmap_walk_anon: 'rmap_walk',
  vma_address: 'rmap_walk_anon',
  remove_migration_pte: 'rmap_walk_anon',
};

/** sys_mremap → move_vma → copy_vma (→ vma_merge → vma_adjust) → move_page_tables → move_ptes. */
const MREMAP_CALLS: Callers = {
  sys_mremap: '',
  move_vma: 'sys_mremap',
  copy_vma: 'move_vma',
  vma_merge: 'copy_vma',
  vma_adjust: 'vma_merge',
  anon_vma_clone: 'copy_vma',
  anon_vma_chain_link: 'anon_vma_clone',
  move_page_tables: 'move_vma',
  move_ptes: 'move_page_tables',
};

const MIGRATOR_NOTES: Record<string, StepNote<S, GL>> = {
  'remove_migration_pte: migration entry for old? set_pte_at(new)': (s, l) => {
    const p = s.pte[l.addr];
    return p.kind === 'migration' && p.folio === oldPage(l.page)
      ? null
      : `pte[${l.addr}] is ${pteText(p)}: no migration entry of ${oldPage(l.page)} here`;
  },
};
