import { ModelError } from '../../core/errors.js';
import { invariant } from '../../core/property.js';
import { ANON_VMA_CLASS, listAddTail, listInsertOrdered, listMoveTail } from '../../kernel/anon-vma.js';
import {
  needRmapLocks,
  vmaMergeTarget,
  type PgoffReset,
  type RmapLockPolicy,
  type RmapOrder,
} from '../../kernel/mremap.js';
import { PTE_NONE, type Pte } from '../../kernel/pte.js';
import type { Vma } from '../../kernel/vma.js';
import { break_, call, if_, local, localWhen, loop, step, sub, when, type Block, type Sub } from '../ast.js';
import type { Ctx } from '../context.js';
import { bit, int, oneOf, tid } from '../domain.js';
import type { Ref } from '../layout.js';
import {
  PMD_PTL_CLASS,
  PTL_CLASS,
  PTL_NESTED_CLASS,
  PTRS_PER_TABLE,
  flushTlbRange,
  lockStep,
  tableOf,
  unlockStep,
  type PmdRefs,
  type PteRefs,
} from './pgtable.js';
import type { TlbRefs } from './tlb.js';

/**
 * mremap's move of an anonymous range in the model language (mm/mremap.c move_vma,
 * move_page_tables, move_ptes @ v3.1, v3.7; move_pgt_entry, move_normal_pmd @ v5.12; mm/mmap.c
 * copy_vma, vma_merge, vma_adjust @ v3.1–v3.7), the language version of src/kernel/mremap.ts with
 * the same steps; footprints are derived. Kept here with the VMA and anon_vma fields they need
 * (the language's vma.ts and anon-vma.ts are another port's):
 *  - `mmSpec(vmas, av)` / `mmInit(vmas, all, av, order)`: each VMA's vm_start, vm_end, vm_pgoff,
 *    anon_vma and whether it is linked in the mm (the VMA copy_vma may allocate starts
 *    unlinked), one anon_vma with its lock and `same_anon_vma` as one list location (`head`, the
 *    traversal order: list order up to 3.6, the interval tree's vm_pgoff order from 3.7), and the
 *    ghost `selfMergedFaulted` with its property `copyVmaSelfMerge` (copy_vma's
 *    VM_BUG_ON(faulted_in_anon_vma));
 *  - `vmaFields`: a VMA as a value (plain loads);
 *  - `moveVma(mm, ptes, plan, options, fail)`: the mremap path (copy_vma, move_page_tables →
 *    move_ptes, the move back on failure) as sub-paths sys_mremap → move_vma → …;
 *  - `movePmdVma(mm, pmd, tlb, plan, options, lock)`: the same with the PMD-level move;
 *  - `MREMAP_LOCALS`, `MREMAP_SOURCES`: the thread's locals, the functions' files and versions.
 * The rmap walks that race with the move are in rmap-walk.ts, the page tables in pgtable.ts.
 */
export type { PgoffReset, RmapLockPolicy, RmapOrder };

const ADDRS = 3 * PTRS_PER_TABLE;

export interface VmaRefs {
  readonly start: Ref<number>;
  readonly end: Ref<number>;
  readonly pgoff: Ref<number>;
  readonly anon: Ref<string | null>;
  readonly linked: Ref<number>;
}

export interface MmRefs {
  readonly vmas: Readonly<Record<string, VmaRefs>>;
  readonly anon_vmas: Readonly<Record<string, { readonly lock: Ref<number>; readonly head: Ref<readonly string[]> }>>;
  readonly selfMergedFaulted: Ref<boolean>;
}

/** Every order of distinct names: the values a `same_anon_vma` list can take. */
const arrangements = (names: readonly string[]): string[][] => [
  [],
  ...names.flatMap((n) => arrangements(names.filter((x) => x !== n)).map((r) => [n, ...r])),
];

export function mmSpec(vmas: readonly string[], av: string) {
  const vma = () => ({
    start: int(0, ADDRS),
    end: int(0, ADDRS),
    pgoff: int(0, ADDRS),
    anon: oneOf<string | null>([null, av]),
    linked: bit(1),
  });
  return {
    vmas: Object.fromEntries(vmas.map((n) => [n, vma()])),
    anon_vmas: { [av]: { lock: tid(), head: oneOf(arrangements(vmas)) } },
    selfMergedFaulted: oneOf([false, true]),
  };
}

/** The initial VMAs (the rest unlinked) and `head` in traversal order (link order, or vm_pgoff order). */
export function mmInit(vmas: Readonly<Record<string, Vma>>, all: readonly string[], av: string, order: RmapOrder) {
  let head: string[] = [];
  for (const [n, v] of Object.entries(vmas))
    if (v.anon !== null)
      head = order === 'list' ? listAddTail(head, n) : listInsertOrdered(head, n, (x) => vmas[x].pgoff);
  const init: Record<string, object> = {};
  for (const n of all) {
    const { start, end, pgoff, anon } = vmas[n] ?? {};
    init[n] = n in vmas ? { start, end, pgoff, anon } : { linked: 0 };
  }
  return { vmas: init, anon_vmas: { [av]: { head } } };
}

/** A VMA's fields as a value (plain loads, each its own location). */
export const vmaFields = <L>(c: Ctx<L>, v: VmaRefs): Vma => ({
  start: c.get(v.start),
  end: c.get(v.end),
  pgoff: c.get(v.pgoff),
  anon: c.get(v.anon),
  flags: 0,
});

export const COPY_VMA_SELF_MERGE = 'copy-vma-self-merge';
/** copy_vma's VM_BUG_ON(faulted_in_anon_vma) (a no-op without DEBUG_VM, so the model goes on): `selfMergedFaulted`. */
export const copyVmaSelfMerge = invariant<{ selfMergedFaulted: boolean }>(
  COPY_VMA_SELF_MERGE,
  "copy_vma merges a VMA with itself only when it was never faulted: VM_BUG_ON(faulted_in_anon_vma), Andrea's final patch after Nai and Hugh's argument.",
  ['selfMergedFaulted'],
  (v) =>
    v.s.selfMergedFaulted
      ? 'copy_vma: vma_merge returned the faulted source VMA itself: VM_BUG_ON(faulted_in_anon_vma) (a no-op without DEBUG_VM)'
      : null,
);

/** The mremap being modelled: move [oldAddr, oldAddr + len) of VMA `src` to newAddr, in anon_vma `av`. */
export interface MremapPlan {
  readonly src: string;
  readonly av: string;
  readonly oldAddr: number;
  readonly newAddr: number;
  readonly len: number;
  /** The VMA copy_vma allocates when vma_merge finds no neighbour. */
  readonly fresh: string;
}

export interface MremapOptions {
  readonly order: RmapOrder;
  /** Andrea's anon_vma_moveto_tail: after vma_merge (copy_vma), and before the move back (move_vma). */
  readonly moveToTail: 'none' | 'copy_vma' | 'copy_vma+move-back';
  readonly rmapLocks: RmapLockPolicy;
  readonly pgoffReset: PgoffReset;
}

export interface MremapLocals {
  /** new_vma: the merged neighbour, the source itself, or the fresh VMA. */
  readonly dst: string | null;
  readonly merged: 'prev' | 'next' | null;
  readonly need: boolean;
  /** The PTE index inside the extent being moved (or the table a PMD move carries), and the entry in flight. */
  readonly i: number;
  readonly moving: Pte;
  /** copy_vma merged the source into itself (`*vmap = new_vma`), and whether it was faulted. */
  readonly selfMerged: boolean;
  readonly faultedSelf: boolean;
}

export const MREMAP_LOCALS: MremapLocals = {
  dst: null,
  merged: null,
  need: false,
  i: 0,
  moving: PTE_NONE,
  selfMerged: false,
  faultedSelf: false,
};

type L = MremapLocals;

function anonVmaOps(m: MmRefs, av: string) {
  const a = m.anon_vmas[av];
  const list = (label: string, op: (h: readonly string[], c: Ctx<L>) => readonly string[]) =>
    step<L>(label, (c) => c.set(a.head, op(c.get(a.head), c)));
  return {
    lock: (label: string) => lockStep<L>(label, a.lock, ANON_VMA_CLASS),
    unlock: (label: string) => unlockStep<L>(label, a.lock, ANON_VMA_CLASS),
    list,
    /** The interval tree's insert (or vma_adjust's reinsert) kept as the list in vm_pgoff order. */
    treeInsert: (label: string, v: (l: L) => string) =>
      list(label, (h, c) => {
        const key = new Map([...h, v(c.l)].map((x) => [x, c.get(m.vmas[x].pgoff)]));
        return listInsertOrdered(h, v(c.l), (x) => key.get(x)!);
      }),
  };
}

/**
 * anon_vma_moveto_tail(vma) (Andrea Arcangeli, Nov 2011; removed in 3.7 by 108d6642): under the
 * root lock, list_del + list_add_tail of the VMA's avc, so it comes after every VMA it could
 * receive PTEs from (a never-faulted VMA has no avc to move).
 */
function movetoTail(m: MmRefs, av: string, caller: string, v: (l: L) => string): Block<L> {
  const a = anonVmaOps(m, av);
  return [
    a.lock(`${caller}: anon_vma_moveto_tail: anon_vma_lock`),
    a.list(`${caller}: anon_vma_moveto_tail: list_del + list_add_tail`, (h, c) =>
      h.includes(v(c.l)) ? listMoveTail(h, v(c.l)) : h.slice(),
    ),
    a.unlock(`${caller}: anon_vma_moveto_tail: anon_vma_unlock`),
  ];
}

/**
 * copy_vma(&vma, new_addr, len, new_pgoff, &need_rmap_locks) (mm/mmap.c): the vma_merge decision
 * (the source is a neighbour like any other: with the 3.2+ pgoff reset of a never-faulted VMA it
 * can merge with itself); vma_adjust's stores under the anon_vma lock — until 3.7 not taken when
 * only vm_end changes, `if (vma->anon_vma && (importer || start != vma->vm_start))` — and (tree)
 * the reinsert at the new vm_pgoff; or a new VMA: 3.1 links a copy with the source's geometry
 * (anon_vma_clone) and stores the geometry after, without the lock, 3.7+ sets it first; then
 * *need_rmap_locks.
 */
function copyVma(m: MmRefs, p: MremapPlan, o: MremapOptions): Sub<L> {
  const a = anonVmaOps(m, p.av);
  const src = m.vmas[p.src];
  const fresh = m.vmas[p.fresh];
  const dst = (l: L) => m.vmas[l.dst!];
  // move_vma's new_pgoff, or copy_vma's reset to the new address (never faulted, or the strawman 'always').
  const pgoff = (c: Ctx<L>) =>
    o.pgoffReset === 'always' || c.get(src.anon) === null
      ? p.newAddr
      : c.get(src.pgoff) + (p.oldAddr - c.get(src.start));
  const prevEnd = (c: Ctx<L>) => c.set(dst(c.l).end, c.get(dst(c.l).end) + p.len);
  const nextStores = [
    step<L>('vma_adjust: next->vm_start = start', (c) => c.set(dst(c.l).start, p.newAddr)),
    step<L>('vma_adjust: next->vm_pgoff = pgoff', (c) => c.set(dst(c.l).pgoff, pgoff(c))),
  ];
  const adjust: Block<L> =
    o.order === 'list'
      ? [
          if_(
            (l) => l.merged === 'prev',
            [step('vma_adjust: prev->vm_end = end (only vm_end changes: no anon_vma lock)', prevEnd)],
            [a.lock('vma_adjust: anon_vma_lock'), ...nextStores, a.unlock('vma_adjust: anon_vma_unlock')],
          ),
        ]
      : [
          a.lock('vma_adjust: anon_vma_lock'),
          if_((l) => l.merged === 'prev', [step('vma_adjust: prev->vm_end = end', prevEnd)], nextStores),
          a.treeInsert('vma_adjust: anon_vma_interval_tree_post_update_vma', (l) => l.dst!),
          a.unlock('vma_adjust: anon_vma_unlock'),
        ];
  // vma_merge returned the source: a never-faulted VMA (no anon_vma, so no lock), unless the strawman reset.
  const self = step<L>(
    'vma_adjust: vma == new_vma: vm_end += len, or vm_start/vm_pgoff = new (vma->anon_vma == NULL: no lock)',
    (c) => {
      if (c.l.merged === 'prev') return prevEnd(c);
      c.set(src.pgoff, c.get(src.pgoff) - (c.get(src.start) - p.newAddr));
      c.set(src.start, p.newAddr);
    },
  );
  const merge = sub<L>('vma_merge', [call(sub('vma_adjust', [if_((l) => l.dst === p.src, [self], adjust)]))]);
  const clone = (link: Block<L>) =>
    sub<L>('anon_vma_clone', [
      a.lock('anon_vma_clone: anon_vma_lock'),
      call(sub('anon_vma_chain_link', link)),
      a.unlock('anon_vma_clone: anon_vma_unlock'),
    ]);
  const create = (label: string, geometry: (c: Ctx<L>) => readonly [number, number, number]) =>
    step<L>(label, (c) => {
      const [start, end, off] = geometry(c);
      for (const [r, v] of [
        [fresh.start, start],
        [fresh.end, end],
        [fresh.pgoff, off],
        [fresh.linked, 1],
      ] as const)
        c.set(r, v);
      c.set(fresh.anon, c.get(src.anon));
    });
  const alloc: Block<L> =
    o.order === 'list'
      ? [
          create('copy_vma: *new_vma = *vma', (c) => [c.get(src.start), c.get(src.end), c.get(src.pgoff)]),
          call(clone([a.list('anon_vma_chain_link: list_add_tail(same_anon_vma)', (h) => [...h, p.fresh])])),
          step('copy_vma: new_vma->vm_start = addr', (c) => c.set(fresh.start, p.newAddr)),
          step('copy_vma: new_vma->vm_end = addr + len', (c) => c.set(fresh.end, p.newAddr + p.len)),
          step('copy_vma: new_vma->vm_pgoff = pgoff', (c) => c.set(fresh.pgoff, pgoff(c))),
        ]
      : [
          create('copy_vma: *new_vma = *vma; vm_start, vm_end, vm_pgoff = target', (c) => [
            p.newAddr,
            p.newAddr + p.len,
            pgoff(c),
          ]),
          call(clone([a.treeInsert('anon_vma_chain_link: anon_vma_interval_tree_insert', () => p.fresh)])),
        ];
  const cmp = { pgoff: 'new_vma->vm_pgoff <= vma->vm_pgoff', 'pgoff-lt': 'new_vma->vm_pgoff < vma->vm_pgoff' };
  const need =
    o.rmapLocks === 'never' || o.rmapLocks === 'always'
      ? step<L>('copy_vma: return new_vma', (c) => c.let({ need: o.rmapLocks === 'always' }))
      : step<L>(
          `copy_vma: *need_rmap_locks = merged && (${o.rmapLocks === 'address' ? 'new_vma->vm_start < vma->vm_start' : cmp[o.rmapLocks]})`,
          (c) =>
            c.let({ need: needRmapLocks(o.rmapLocks, c.l.merged !== null, vmaFields(c, dst(c.l)), vmaFields(c, src)) }),
        );
  return sub('copy_vma', [
    step('copy_vma: vma_merge(prev, new_addr, new_addr + len, new_pgoff)?', (c) => {
      const vmas: Record<string, Vma> = {};
      for (const [n, v] of Object.entries(m.vmas)) if (c.get(v.linked)) vmas[n] = vmaFields(c, v);
      const t = vmaMergeTarget(vmas, p.src, p.newAddr, p.len, pgoff(c), true);
      c.let(t ? { dst: t.vma, merged: t.kind } : { dst: p.fresh, merged: null });
    }),
    if_((l) => l.merged === null, alloc, [
      call(merge),
      if_(
        (l) => l.dst === p.src,
        [
          step('copy_vma: vma_start inside new_vma: VM_BUG_ON(faulted_in_anon_vma); *vmap = new_vma', (c) => {
            const faulted = c.get(src.anon) !== null;
            if (faulted) c.set(m.selfMergedFaulted, true);
            c.let({ selfMerged: true, faultedSelf: faulted });
          }),
        ],
        o.moveToTail === 'none' ? [] : movetoTail(m, p.av, 'copy_vma', (l) => l.dst!),
      ),
    ]),
    need,
  ]);
}

/**
 * move_page_tables(vma, from, new_vma, to, count) as one extent → move_ptes: the anon_vma lock
 * when `lock` says (108d6642: always; 38a76013: need_rmap_locks), the old PTL, the new one
 * (spin_lock_nested, another table), then per PTE `ptep_clear_flush(old)` (none: skipped) and
 * `set_pte_at(new)` as two steps, and the unlocks. `tail`: what follows move_ptes in
 * move_page_tables (a failing alloc_new_pmd).
 */
function movePageTables(
  m: MmRefs,
  pg: PteRefs,
  av: string,
  [from, to, count]: readonly [number, number, number],
  lock: 'no' | 'yes' | 'need',
  tail: Block<L> = [],
): Sub<L> {
  for (const a of [from, to])
    if (tableOf(a) !== tableOf(a + count - 1))
      throw new ModelError(
        `move_page_tables: range [${a}, ${a + count}) crosses a page table (PTRS_PER_TABLE ${PTRS_PER_TABLE}); move_ptes moves one extent per table`,
        'bad-model',
      );
  const a = anonVmaOps(m, av);
  const [oldPtl, newPtl] = [pg.ptl.at(tableOf(from)), pg.ptl.at(tableOf(to))];
  const nested = oldPtl !== newPtl;
  const next = (i: number) => (i + 1 < count ? i + 1 : 0);
  const ptes: Block<L> = [
    lockStep('move_ptes: pte_offset_map_lock(old_pmd)', oldPtl, PTL_CLASS),
    ...(nested ? [lockStep<L>('move_ptes: spin_lock_nested(new_ptl)', newPtl, PTL_NESTED_CLASS)] : []),
    loop([
      when(
        'move_ptes: pte = ptep_clear_flush(old_pte)',
        (c) => {
          const old = c.get(pg.pte.at(from + c.l.i));
          if (old.kind === 'none') {
            c.let({ i: next(c.l.i) });
            return false;
          }
          c.set(pg.pte.at(from + c.l.i), PTE_NONE);
          c.let({ moving: old });
          return true;
        },
        [
          step('move_ptes: set_pte_at(new_pte, pte)', (c) => {
            c.set(pg.pte.at(to + c.l.i), c.l.moving);
            c.let({ moving: PTE_NONE, i: next(c.l.i) });
          }),
        ],
        [],
        { cost: 'atomic' },
      ),
      if_((l) => l.i === 0, [break_()]),
    ]),
    ...(nested ? [unlockStep<L>('move_ptes: spin_unlock(new_ptl)', newPtl, PTL_NESTED_CLASS)] : []),
    unlockStep('move_ptes: pte_unmap_unlock(old_pte)', oldPtl, PTL_CLASS),
  ];
  const body: Block<L> =
    lock === 'no'
      ? ptes
      : lock === 'yes'
        ? [a.lock('move_ptes: anon_vma_lock'), ...ptes, a.unlock('move_ptes: anon_vma_unlock')]
        : [
            localWhen('move_ptes: need_rmap_locks?', (l) => [{}, l.need], [a.lock('move_ptes: anon_vma_lock')]),
            ...ptes,
            if_(
              (l) => l.need,
              [a.unlock('move_ptes: anon_vma_unlock')],
              [local('move_ptes: !need_rmap_locks: no anon_vma_unlock', () => ({}))],
            ),
          ];
  return sub('move_page_tables', [call(sub('move_ptes', count === 0 ? [] : body)), ...tail]);
}

/** The kernel functions the mremap path's steps and sub-paths name, and where they are. */
export const MREMAP_SOURCES: Readonly<Record<string, string>> = {
  ...at('mm/mremap.c @ v3.1, v3.7 (108d6642, 38a76013)', 'sys_mremap', 'move_vma', 'move_page_tables', 'move_ptes'),
  ...at('mm/mmap.c @ v3.1, v3.2 (pgoff reset), v3.7 (tree)', 'copy_vma', 'vma_merge', 'vma_adjust'),
  ...at('mm/rmap.c @ v3.1, v3.7 (tree)', 'anon_vma_clone', 'anon_vma_chain_link'),
  ...at('mm/mremap.c @ v5.12 (before the 2021 fix)', 'move_pgt_entry', 'take_rmap_locks', 'move_normal_pmd'),
  ...at('mm/mremap.c @ v5.12', 'drop_rmap_locks'),
};
function at(file: string, ...fns: string[]): Record<string, string> {
  return Object.fromEntries(fns.map((f) => [f, file]));
}

/**
 * sys_mremap → move_vma: copy_vma, move_page_tables forward; with `fail` the range continues into
 * a PMD whose page table cannot be allocated, so move_page_tables returns short and move_vma moves
 * the PTEs back ([Hugh's anon_vma_moveto_tail(vma)], move_page_tables with need_rmap_locks true).
 */
export function moveVma(m: MmRefs, pg: PteRefs, p: MremapPlan, o: MremapOptions, fail: boolean): Block<L> {
  const fwd = o.rmapLocks === 'never' ? 'no' : o.rmapLocks === 'always' ? 'yes' : 'need';
  const back = o.rmapLocks === 'never' ? 'no' : 'yes';
  const failed = step<L>('move_page_tables: alloc_new_pmd fails → moved_len < old_len', () => undefined);
  return [
    call(
      sub('sys_mremap', [
        call(
          sub('move_vma', [
            call(copyVma(m, p, o)),
            call(movePageTables(m, pg, p.av, [p.oldAddr, p.newAddr, p.len], fwd, fail ? [failed] : [])),
            ...(fail && o.moveToTail === 'copy_vma+move-back' ? movetoTail(m, p.av, 'move_vma', () => p.src) : []),
            ...(fail ? [call(movePageTables(m, pg, p.av, [p.newAddr, p.oldAddr, p.len], back))] : []),
          ]),
        ),
      ]),
    ),
  ];
}

/**
 * The PMD-level move of one whole page table (4.20+; move_pgt_entry(NORMAL_PMD, …) @ v5.12):
 * take_rmap_locks when `lock(l)` (need_rmap_locks before 2021, always after Aneesh Kumar's "hold
 * the rmap lock in write mode when moving page table entries"), pmd_lock, `pmd = *old_pmd;
 * pmd_clear(old_pmd)`, `set_pmd_at(new_pmd, pmd)`, `flush_tlb_range(old_addr, old_addr +
 * PMD_SIZE)`, unlock. The PTEs and their PTL are not touched: the table moves with them.
 */
export function movePmdVma(
  m: MmRefs,
  pd: PmdRefs,
  tlb: TlbRefs,
  p: MremapPlan,
  o: MremapOptions,
  lock: (l: L) => boolean,
): Block<L> {
  const a = anonVmaOps(m, p.av);
  const [oldPmd, newPmd] = [pd.pmd.at(tableOf(p.oldAddr)), pd.pmd.at(tableOf(p.newAddr))];
  const entry = sub<L>('move_pgt_entry', [
    localWhen('move_pgt_entry: NORMAL_PMD: take_rmap_locks?', (l) => [{}, lock(l)], [
      call(sub('take_rmap_locks', [a.lock('take_rmap_locks: anon_vma_lock_write')])),
    ]),
    call(
      sub('move_normal_pmd', [
        lockStep('move_normal_pmd: pmd_lock(old_pmd) (+ new_ptl nested)', pd.pmdPtl, PMD_PTL_CLASS),
        step('move_normal_pmd: pmd = *old_pmd; pmd_clear(old_pmd)', (c) => {
          c.let({ i: c.get(oldPmd) });
          c.set(oldPmd, -1);
        }),
        step('move_normal_pmd: set_pmd_at(new_pmd, pmd)', (c) => {
          c.set(newPmd, c.l.i);
          c.let({ i: 0 });
        }),
        step('move_normal_pmd: flush_tlb_range(vma, old_addr, old_addr + PMD_SIZE)', (c) =>
          flushTlbRange(c, tlb, p.oldAddr, p.oldAddr + PTRS_PER_TABLE),
        ),
        unlockStep('move_normal_pmd: spin_unlock(pmd ptl)', pd.pmdPtl, PMD_PTL_CLASS),
      ]),
    ),
    if_(
      lock,
      [call(sub('drop_rmap_locks', [a.unlock('drop_rmap_locks: anon_vma_unlock_write')]))],
      [local('move_pgt_entry: rmap locks not taken: none to drop', () => ({}))],
    ),
  ]);
  return [
    call(
      sub('sys_mremap', [
        call(sub('move_vma', [call(copyVma(m, p, o)), call(sub('move_page_tables', [call(entry)]))])),
      ]),
    ),
  ];
}
