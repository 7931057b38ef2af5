import { reads, writes } from '../core/access.js';
import { local } from '../core/ops.js';
import type { Path } from '../core/path.js';
import { andThen, step, type Step, type StepSpec } from '../core/step.js';
import { ModelError } from '../core/errors.js';
import {
  anonVmaLock,
  anonVmaUnlock,
  avcAddTail,
  avcInsertOrdered,
  avcMoveToTail,
  listAddTail,
  listInsertOrdered,
  type WithAnonVmas,
} from './anon-vma.js';
import { PTE_NONE, pteLoc, setPte, type Pte, type WithPtes } from './pte.js';
import { spinLock, spinUnlock } from './spinlock.js';
import { vma, vmaLoc, vmaStore, type Vma, type WithVmas } from './vma.js';

/**
 * mremap's move of an anonymous range (mm/mremap.c move_vma, 3.1–4.x): copy_vma (mm/mmap.c)
 * merges the destination into a neighbouring VMA or links a new one, then move_page_tables →
 * move_ptes moves the PTEs one at a time under both page-table locks; on failure the moved PTEs
 * go back the other way. Addresses are in pages; page table `t` covers addresses
 * [t·PTRS_PER_TABLE, (t+1)·PTRS_PER_TABLE) and its PTL is the location `ptl[t]`.
 *
 * The rmap traversal order that the move relies on is the anon_vma's `head` list:
 *  - 'list' (up to 3.6): same_anon_vma in list order; vma_merge keeps the merged VMA where it is,
 *    anon_vma_clone appends a new VMA at the tail, anon_vma_moveto_tail moves one to the tail.
 *  - 'tree' (3.7+): the anon interval tree, traversed in increasing vm_pgoff with ties in tree
 *    insertion order (rbtree inserts an equal key to the right); vma_adjust removes and
 *    reinserts the VMA it changes (anon_vma_interval_tree_pre/post_update_vma). Kept here as
 *    the list sorted that way.
 *
 * API:
 *  - PTRS_PER_TABLE, ptlPath(addr)              the PTL of an address
 *  - PTL_CLASS, PTL_NESTED_CLASS                its lockdep classes (`ptl`, `ptl/1` for spin_lock_nested)
 *  - RmapOrder, avInsert(order, head, vmas, v)  link a VMA into the traversal order
 *  - vmaMergeTarget(vmas, src, addr, len, pgoff, self?) vma_merge's choice: prev, next or none
 *  - copyVmaPgoff(s, plan, reset?)              copy_vma's pgoff (reset for a never-faulted VMA)
 *  - needRmapLocks(policy, merged, dst, src)    copy_vma's *need_rmap_locks (and weakened ones)
 *  - copyVmaSteps(plan, order, moveToTail, policy, reset?)  copy_vma (+ anon_vma_moveto_tail)
 *  - anonVmaMovetoTailSteps(av, vmaOf)          Andrea's anon_vma_moveto_tail
 *  - movePageTablesSteps(prefix, from, to, count, lock) move_page_tables → move_ptes
 */
export const PTRS_PER_TABLE = 16;
export const tableOf = (addr: number) => Math.floor(addr / PTRS_PER_TABLE);
export const ptlPath = (addr: number): Path => ['ptl', tableOf(addr)];
/**
 * Lockdep classes of the split PTLs: one class for every page table's lock (ptlock_init), and
 * move_ptes' spin_lock_nested(new_ptl, SINGLE_DEPTH_NESTING) takes the new one as subclass 1.
 */
export const PTL_CLASS = 'ptl';
export const PTL_NESTED_CLASS = 'ptl/1';

export interface WithMm extends WithVmas, WithAnonVmas, WithPtes {
  /** Page-table locks, one per page table (split PTLs): holder's thread id or -1. */
  readonly ptl: readonly number[];
  /** Ghost: copy_vma merged a faulted VMA with itself (its VM_BUG_ON(faulted_in_anon_vma) fired). */
  readonly selfMergedFaulted?: boolean;
}

export type RmapOrder = 'list' | 'tree';

/** Link `v` into the traversal order: list_add_tail, or the interval tree's ordered insert. */
export function avInsert(
  order: RmapOrder,
  head: readonly string[],
  vmas: Readonly<Record<string, Vma>>,
  v: string,
): string[] {
  return order === 'list' ? listAddTail(head, v) : listInsertOrdered(head, v, (x) => vmas[x].pgoff);
}

export type MergeTarget = { readonly kind: 'prev' | 'next'; readonly vma: string } | null;

/**
 * vma_merge(mm, prev, addr, addr + len, ..., anon_vma, pgoff) for anonymous VMAs of one
 * anon_vma: merge into `prev` when it ends at addr and its pages continue linearly into pgoff
 * (can_vma_merge_after), else into `next` when it starts at addr + len at pgoff + len
 * (can_vma_merge_before). With `self` the source VMA is a candidate neighbour like any other, as
 * in the kernel: for a faulted source the pgoff arithmetic alone rules it out (a range cannot sit
 * at two places of one linear VMA), and copy_vma's pgoff reset of a never-faulted one allows it.
 */
export function vmaMergeTarget(
  vmas: Readonly<Record<string, Vma>>,
  src: string,
  addr: number,
  len: number,
  pgoff: number,
  self = false,
): MergeTarget {
  const anon = vmas[src].anon;
  const other = (n: string) => self || n !== src;
  for (const [n, v] of Object.entries(vmas))
    if (other(n) && v.anon === anon && v.end === addr && v.pgoff + (v.end - v.start) === pgoff)
      return { kind: 'prev', vma: n };
  for (const [n, v] of Object.entries(vmas))
    if (other(n) && v.anon === anon && v.start === addr + len && v.pgoff === pgoff + len)
      return { kind: 'next', vma: n };
  return null;
}

/**
 * copy_vma's pgoff (mm/mmap.c, 3.2+): `if (unlikely(!vma->vm_file && !vma->anon_vma)) { pgoff =
 * addr >> PAGE_SHIFT; faulted_in_anon_vma = false; }` — a never-faulted anonymous VMA takes the
 * destination's address as its offset, to merge more often. `always`: a deliberately wrong
 * copy_vma that resets a faulted VMA's pgoff too.
 */
export type PgoffReset = 'unfaulted' | 'always';

export function copyVmaPgoff(s: WithVmas, plan: MremapPlan, reset: PgoffReset = 'unfaulted'): number {
  return reset === 'always' || s.vmas[plan.src].anon === null ? plan.newAddr : newPgoff(s, plan);
}

/**
 * When move_ptes takes the rmap (anon_vma) lock on the forward move:
 *  - 'never': 3.1 (and Andrea's ordering fix); 'always': 108d6642 (3.7-rc1);
 *  - 'pgoff': 38a76013, copy_vma's `*need_rmap_locks = (new_vma->vm_pgoff <= vma->vm_pgoff)`
 *    when vma_merge merged, false for a new VMA;
 *  - 'pgoff-lt': the same with `<` (skips the tie); 'address': a deliberately wrong condition,
 *    `new_vma->vm_start < vma->vm_start` (merged below the source in the address space).
 */
export type RmapLockPolicy = 'never' | 'always' | 'pgoff' | 'pgoff-lt' | 'address';

export function needRmapLocks(policy: RmapLockPolicy, merged: boolean, dst: Vma, src: Vma): boolean {
  switch (policy) {
    case 'never':
      return false;
    case 'always':
      return true;
    case 'pgoff':
      return merged && dst.pgoff <= src.pgoff;
    case 'pgoff-lt':
      return merged && dst.pgoff < src.pgoff;
    case 'address':
      return merged && dst.start < src.start;
  }
}

/** The mremap being modelled: move [oldAddr, oldAddr + len) of VMA `src` to newAddr. */
export interface MremapPlan {
  readonly src: string;
  readonly av: string;
  readonly oldAddr: number;
  readonly newAddr: number;
  readonly len: number;
  /** The name a VMA allocated by copy_vma gets. */
  readonly fresh: string;
}

/** What the mremap thread keeps in its locals. */
export interface MremapLocals {
  /** new_vma: the merged neighbour or the fresh VMA (null before copy_vma decides). */
  readonly dst: string | null;
  readonly merged: 'prev' | 'next' | null;
  readonly need: boolean;
  /** PTE index inside the extent being moved, and the entry in flight. */
  readonly i: number;
  readonly moving: Pte;
  /** copy_vma merged the source into itself (`*vmap = new_vma`), and whether it had an anon_vma then. */
  readonly selfMerged: boolean;
  readonly faultedSelf: boolean;
}

export const mremapLocals = (): MremapLocals => ({
  dst: null,
  merged: null,
  need: false,
  i: 0,
  moving: PTE_NONE,
  selfMerged: false,
  faultedSelf: false,
});

const dstOf = (l: MremapLocals) => l.dst as string;
/** The interval tree's insert (anon_vma_interval_tree_insert / post_update_vma) under the anon_vma lock: reads every vm_pgoff it compares. */
const treeInsert = <L>(av: string, v: (l: L) => string) =>
  avcInsertOrdered<WithMm, L>(
    av,
    v,
    (s, x) => s.vmas[x].pgoff,
    (x) => vmaLoc(x, 'pgoff'),
  );

const geometry = (v: string) => [vmaLoc(v, 'start'), vmaLoc(v, 'end'), vmaLoc(v, 'pgoff')];
const VMA_FIELDS = ['start', 'end', 'pgoff', 'anon', 'flags'] as const;
/** What new_pgoff reads: the source's vm_pgoff and vm_start. */
const pgoffReads = (plan: MremapPlan) => () => [vmaLoc(plan.src, 'pgoff'), vmaLoc(plan.src, 'start')];

/**
 * copy_vma(&vma, new_addr, len, new_pgoff, &need_rmap_locks):
 *  - `copy_vma: vma_merge?` reads the neighbours' geometry (mmap_sem is held for write: only
 *    this thread changes VMAs) and picks prev, next or a new VMA;
 *  - merged: vma_adjust stores prev->vm_end, or next->vm_start and next->vm_pgoff under the
 *    anon_vma lock, and (tree) reinserts the VMA at its new vm_pgoff. Until 3.7 (list order)
 *    vma_adjust took no anon_vma lock when only vm_end changes (the merge into prev): 252c5f94's
 *    brk optimisation, kept by 012f18004da3 as `if (vma->anon_vma && (importer || start !=
 *    vma->vm_start))`, removed by Michel Lespinasse before the interval tree;
 *  - new (3.1 order): `*new_vma = *vma` (a copy with the source's geometry), anon_vma_clone
 *    links it at the tail under the lock, then vm_start, vm_end, vm_pgoff are stored without
 *    the lock; (tree, 3.7+) the geometry is set first and anon_vma_clone inserts by vm_pgoff;
 *  - moveToTail: Andrea's anon_vma_moveto_tail(new_vma) after a merge;
 *  - the need_rmap_locks step when the policy depends on the outcome.
 */
export function copyVmaSteps(
  plan: MremapPlan,
  order: RmapOrder,
  moveToTail: boolean,
  policy: RmapLockPolicy,
  reset: PgoffReset = 'unfaulted',
): Step<WithMm, MremapLocals>[] {
  type L = MremapLocals;
  const { src, av, newAddr, len, fresh } = plan;
  // Until 3.7 (list order here) vma_adjust skipped the anon_vma lock when only vm_end changes
  // (`if (vma->anon_vma && (importer || start != vma->vm_start))`): the merge into prev.
  const endOnlyUnlocked = order === 'list';
  const afterAdjust = moveToTail ? 'moveto_tail' : 'copied';
  const merged: Step<WithMm, L>[] = [
    {
      label: 'copy_vma: vma_merge(prev, new_addr, new_addr + len, new_pgoff)?',
      footprint: (s) => reads(...Object.keys(s.vmas).flatMap((v) => [...geometry(v), vmaLoc(v, 'anon')])),
      run: (s, l) => {
        const t = vmaMergeTarget(s.vmas, src, newAddr, len, copyVmaPgoff(s, plan, reset), true);
        if (!t) return { l: { ...l, dst: fresh, merged: null }, goto: 'alloc' };
        if (t.vma === src) return { l: { ...l, dst: src, merged: t.kind }, goto: 'merge_self' };
        return { l: { ...l, dst: t.vma, merged: t.kind }, goto: t.kind === 'prev' ? 'merge_prev' : 'merge_next' };
      },
    },
  ];
  const prevEnd = vmaStore<WithMm, L>(dstOf, 'end', (end) => end + len);
  if (endOnlyUnlocked)
    merged.push(
      step(
        'vma_adjust: prev->vm_end = end (only vm_end changes: no anon_vma lock)',
        andThen(prevEnd, () => ({ goto: afterAdjust })),
        'merge_prev',
      ),
    );
  else
    merged.push(
      step('vma_adjust: anon_vma_lock', anonVmaLock<L>(av), 'merge_prev'),
      step(
        'vma_adjust: prev->vm_end = end',
        andThen(prevEnd, () => ({ goto: 'adjusted' })),
      ),
    );
  merged.push(
    step('vma_adjust: anon_vma_lock', anonVmaLock<L>(av), 'merge_next'),
    step(
      'vma_adjust: next->vm_start = start',
      vmaStore<WithMm, L>(dstOf, 'start', () => newAddr),
    ),
    step(
      'vma_adjust: next->vm_pgoff = pgoff',
      vmaStore<WithMm, L>(dstOf, 'pgoff', (_o, _l, s) => newPgoff(s, plan), pgoffReads(plan)),
    ),
  );
  if (order === 'tree')
    merged.push(step('vma_adjust: anon_vma_interval_tree_post_update_vma', treeInsert<L>(av, dstOf), 'adjusted'));
  merged.push(step('vma_adjust: anon_vma_unlock', anonVmaUnlock<L>(av), order === 'tree' ? undefined : 'adjusted'));
  if (moveToTail) {
    const m = anonVmaMovetoTailSteps<L>(av, dstOf, 'copy_vma');
    merged.push({ ...m[0], name: 'moveto_tail' }, ...m.slice(1));
  }
  const last = merged.length - 1;
  merged[last] = { ...merged[last], ...andThen(merged[last], () => ({ goto: 'copied' })) };
  return [...merged, ...selfMergeSteps(plan), ...allocSteps(plan, order, reset), needStep(policy, src)];
}

/**
 * vma_merge returned the source itself (its prev or next is the range being moved, 3.2+ copy_vma):
 * vma_adjust stores the new end (or start and pgoff) — with no anon_vma lock, as a VMA that can get
 * here has no anon_vma — and copy_vma's `if (vma_start >= new_vma->vm_start && vma_start <
 * new_vma->vm_end) { VM_BUG_ON(faulted_in_anon_vma); *vmap = new_vma; }` records (in the locals)
 * that it happened and whether the source was faulted after all (a VM_BUG_ON that DEBUG_VM=n
 * kernels compile out, so the model goes on).
 */
function selfMergeSteps(plan: MremapPlan): Step<WithMm, MremapLocals>[] {
  const { src, len, newAddr } = plan;
  return [
    {
      label: 'vma_adjust(vma == new_vma): vm_end += len, or vm_start/vm_pgoff = new (vma->anon_vma == NULL: no lock)',
      name: 'merge_self',
      footprint: () => [...writes(...geometry(src)), ...reads(vmaLoc(src, 'anon'))],
      run: (s, l) => {
        const v = s.vmas[src];
        const nv =
          l.merged === 'prev' ? { ...v, end: v.end + len } : { ...v, start: newAddr, pgoff: copyVmaPgoffAt(plan, v) };
        return { s: { ...s, vmas: { ...s.vmas, [src]: nv } } };
      },
    },
    {
      label: 'copy_vma: vma_start inside new_vma: VM_BUG_ON(faulted_in_anon_vma); *vmap = new_vma',
      footprint: () => [...reads(vmaLoc(src, 'anon')), ...writes('selfMergedFaulted')],
      run: (s, l) => {
        const faulted = s.vmas[src].anon !== null;
        return {
          s: faulted ? { ...s, selfMergedFaulted: true } : s,
          l: { ...l, selfMerged: true, faultedSelf: faulted },
          goto: 'copied',
        };
      },
    },
  ];
}

/** The pgoff vma_merge gave the merged source (next case: its start moves down to the new address). */
function copyVmaPgoffAt(plan: MremapPlan, v: Vma): number {
  return v.pgoff - (v.start - plan.newAddr);
}

/** A VMA allocated by copy_vma: 3.1 links a copy of the source and stores the geometry after; 3.7+ stores it first. */
function allocSteps(plan: MremapPlan, order: RmapOrder, reset: PgoffReset): Step<WithMm, MremapLocals>[] {
  type L = MremapLocals;
  const { src, av, newAddr, len, fresh } = plan;
  const create = (geom: 'copy' | 'target'): StepSpec<WithMm, L> => ({
    // The whole new vm_area_struct is written; the copy reads the source's fields.
    footprint: () => [
      ...writes(...VMA_FIELDS.map((f) => vmaLoc(fresh, f))),
      ...reads(...(geom === 'copy' ? geometry(src) : pgoffReads(plan)()), vmaLoc(src, 'anon'), vmaLoc(src, 'flags')),
    ],
    run: (s) => {
      const v = s.vmas[src];
      const nv =
        geom === 'copy'
          ? vma(v.start, v.end, v.pgoff, v.anon, v.flags)
          : vma(newAddr, newAddr + len, copyVmaPgoff(s, plan, reset), v.anon, v.flags);
      return { s: { ...s, vmas: { ...s.vmas, [fresh]: nv } } };
    },
  });
  if (order === 'list')
    return [
      step('copy_vma: *new_vma = *vma', create('copy'), 'alloc'),
      step('anon_vma_clone: anon_vma_lock', anonVmaLock<L>(av)),
      step('anon_vma_chain_link: list_add_tail(same_anon_vma)', avcAddTail<WithMm, L>(av, fresh)),
      step('anon_vma_clone: anon_vma_unlock', anonVmaUnlock<L>(av)),
      step(
        'copy_vma: new_vma->vm_start = addr',
        vmaStore<WithMm, L>(fresh, 'start', () => newAddr),
      ),
      step(
        'copy_vma: new_vma->vm_end = addr + len',
        vmaStore<WithMm, L>(fresh, 'end', () => newAddr + len),
      ),
      step(
        'copy_vma: new_vma->vm_pgoff = pgoff',
        vmaStore<WithMm, L>(fresh, 'pgoff', (_o, _l, s) => copyVmaPgoff(s, plan, reset), pgoffReads(plan)),
      ),
    ];
  return [
    step('copy_vma: *new_vma = *vma; vm_start, vm_end, vm_pgoff = target', create('target'), 'alloc'),
    step('anon_vma_clone: anon_vma_lock', anonVmaLock<L>(av)),
    step(
      'anon_vma_chain_link: anon_vma_interval_tree_insert',
      treeInsert<L>(av, () => fresh),
    ),
    step('anon_vma_clone: anon_vma_unlock', anonVmaUnlock<L>(av)),
  ];
}

/** The end of copy_vma: *need_rmap_locks for the policies that depend on the outcome. */
function needStep(policy: RmapLockPolicy, src: string): Step<WithMm, MremapLocals> {
  const label =
    policy === 'pgoff' || policy === 'pgoff-lt'
      ? `copy_vma: *need_rmap_locks = merged && (new_vma->vm_pgoff ${policy === 'pgoff' ? '<=' : '<'} vma->vm_pgoff)`
      : policy === 'address'
        ? 'copy_vma: *need_rmap_locks = merged && (new_vma->vm_start < vma->vm_start)'
        : 'copy_vma: return new_vma';
  const dynamic = policy !== 'never' && policy !== 'always';
  return {
    label,
    name: 'copied',
    footprint: (_s, l) => (dynamic ? reads(...geometry(dstOf(l)), ...geometry(src)) : []),
    run: (s, l) => ({ l: { ...l, need: needRmapLocks(policy, l.merged !== null, s.vmas[dstOf(l)], s.vmas[src]) } }),
  };
}

/** move_vma's new_pgoff = vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT). */
export function newPgoff(s: WithVmas, plan: MremapPlan): number {
  const v = s.vmas[plan.src];
  return v.pgoff + (plan.oldAddr - v.start);
}

/**
 * anon_vma_moveto_tail(dst) (Andrea Arcangeli, Nov 2011, merged for 3.2/3.3; removed in 3.7 by
 * 108d6642): under the root lock, list_del + list_add_tail of each avc of dst, so dst comes
 * after every VMA it could receive PTEs from.
 */
export function anonVmaMovetoTailSteps<L>(av: string, vmaOf: (l: L) => string, caller: string): Step<WithMm, L>[] {
  return [
    step(`${caller}: anon_vma_moveto_tail: anon_vma_lock`, anonVmaLock<L>(av)),
    step(`${caller}: anon_vma_moveto_tail: list_del + list_add_tail`, avcMoveToTail<WithMm, L>(av, vmaOf)),
    step(`${caller}: anon_vma_moveto_tail: anon_vma_unlock`, anonVmaUnlock<L>(av)),
  ];
}

/**
 * move_page_tables(vma, from, new_vma, to, count) as one extent: move_ptes takes the anon_vma
 * lock when `lock(l)` (108d6642 always, 38a76013 when need_rmap_locks), the old PTL, the new PTL
 * (spin_lock_nested, when it is another table), then per PTE: `ptep_clear_flush(old)` (skipping
 * none) and `set_pte_at(new)` as two stores, and unlocks. Step names are prefixed with `prefix`
 * (one copy per direction); the last step falls through to what follows. A zero count moves
 * nothing and takes no lock (move_page_tables' loop does not run).
 */
export function movePageTablesSteps(
  prefix: string,
  av: string,
  from: number,
  to: number,
  count: number,
  lock: 'no' | 'yes' | ((l: MremapLocals) => boolean),
): Step<WithMm, MremapLocals>[] {
  type L = MremapLocals;
  if (count === 0) return [];
  for (const [what, a] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (tableOf(a) !== tableOf(a + count - 1))
      throw new ModelError(
        `movePageTablesSteps: ${what} range [${a}, ${a + count}) crosses a page table (PTRS_PER_TABLE ${PTRS_PER_TABLE}); move_ptes moves one extent per table`,
        'bad-model',
      );
  const steps: Step<WithMm, L>[] = [];
  if (lock !== 'no') {
    if (lock !== 'yes')
      steps.push(local<L>('move_ptes: need_rmap_locks?', (l) => (lock(l) ? {} : { goto: `${prefix}_ptl` })));
    steps.push(step('move_ptes: anon_vma_lock', anonVmaLock<L>(av)));
  }
  steps.push(step('move_ptes: pte_offset_map_lock(old_pmd)', spinLock<L>(ptlPath(from), PTL_CLASS), `${prefix}_ptl`));
  const nested = tableOf(from) !== tableOf(to);
  if (nested) steps.push(step('move_ptes: spin_lock_nested(new_ptl)', spinLock<L>(ptlPath(to), PTL_NESTED_CLASS)));
  steps.push(
    step(
      'move_ptes: pte = ptep_clear_flush(old_pte)',
      {
        cost: 'atomic',
        footprint: (_s, l) => writes(pteLoc(from + l.i)),
        run: (s, l) => {
          const old = s.pte[from + l.i];
          if (old.kind === 'none')
            return l.i + 1 < count
              ? { l: { ...l, i: l.i + 1 }, goto: `${prefix}_pte` }
              : { l: { ...l, i: 0 }, goto: `${prefix}_unlock` };
          return { s: setPte(s, from + l.i, PTE_NONE), l: { ...l, moving: old } };
        },
      },
      `${prefix}_pte`,
    ),
    step('move_ptes: set_pte_at(new_pte, pte)', {
      footprint: (_s, l) => writes(pteLoc(to + l.i)),
      run: (s, l) => {
        const s2 = setPte(s, to + l.i, l.moving);
        const next = { ...l, moving: PTE_NONE };
        return l.i + 1 < count
          ? { s: s2, l: { ...next, i: l.i + 1 }, goto: `${prefix}_pte` }
          : { s: s2, l: { ...next, i: 0 } };
      },
    }),
  );
  if (nested)
    steps.push(
      step('move_ptes: spin_unlock(new_ptl)', spinUnlock<L>(ptlPath(to), PTL_NESTED_CLASS), `${prefix}_unlock`),
    );
  steps.push(
    step(
      'move_ptes: pte_unmap_unlock(old_pte)',
      spinUnlock<L>(ptlPath(from), PTL_CLASS),
      nested ? undefined : `${prefix}_unlock`,
    ),
  );
  if (lock !== 'no') {
    const unlock = step('move_ptes: anon_vma_unlock', anonVmaUnlock<L>(av));
    steps.push(
      lock === 'yes'
        ? unlock
        : {
            ...unlock,
            footprint: (s, l, t) => (lock(l) ? unlock.footprint(s, l, t) : []),
            run: (s, l, t) => (lock(l) ? unlock.run(s, l, t) : {}),
          },
    );
  }
  return steps;
}

/**
 * Page tables one level up, for the PMD-level move (move_normal_pmd, 4.20+ mm/mremap.c): `pmd[k]`
 * is the page table installed in PMD slot k (the one covering [k·PTRS_PER_TABLE, (k+1)·…)), or
 * -1; `tables[t]` are that table's PTEs, and its split PTL (`ptlock_ptr`, in the table's struct
 * page) moves with it. `tlb` is one remote CPU's cached translations (address → folio), the part
 * of a per-CPU TLB this race needs; a flush of an address range drops its entries.
 */
export interface WithPmd {
  readonly pmd: readonly number[];
  readonly tables: readonly (readonly Pte[])[];
  readonly tlb: Readonly<Record<string, string>>;
  /** pmd_lock (the PMD-level page-table lock): holder's thread id or -1. */
  readonly pmdPtl: number;
}

export const PMD_PTL_CLASS = 'pmd_ptl';

/** flush_tlb_range(vma, start, end): the remote CPU's entries for [start, end) are gone. */
export function tlbFlushRange(
  tlb: Readonly<Record<string, string>>,
  start: number,
  end: number,
): Record<string, string> {
  return Object.fromEntries(Object.entries(tlb).filter(([a]) => Number(a) < start || Number(a) >= end));
}

/**
 * move_page_tables → move_pgt_entry(NORMAL_PMD, ...) → move_normal_pmd (5.x) for one PMD-aligned
 * extent: take_rmap_locks when `lock(l)`, pmd_lock, `pmd = *old_pmd; pmd_clear(old_pmd)`,
 * `set_pmd_at(new_pmd, pmd)`, `flush_tlb_range(old_addr, old_addr + PMD_SIZE)`, unlock. The PTEs
 * are not touched and their PTL is not taken: the whole table moves. `lock`: need_rmap_locks
 * (before 2021) or always (Aneesh Kumar, 2021: "hold the rmap lock in write mode when moving
 * page table entries").
 */
export function movePmdSteps<S extends WithPmd & WithAnonVmas>(
  av: string,
  from: number,
  to: number,
  lock: (l: MremapLocals) => boolean,
): Step<S, MremapLocals>[] {
  type L = MremapLocals;
  const [oldSlot, newSlot] = [tableOf(from), tableOf(to)];
  const unlocked = anonVmaUnlock<L>(av);
  return [
    local<L>('move_pgt_entry(NORMAL_PMD): take_rmap_locks?', (l) => (lock(l) ? {} : { goto: 'pmd_lock' })),
    step('take_rmap_locks: anon_vma_lock_write', anonVmaLock<L>(av)),
    step('move_normal_pmd: pmd_lock(old_pmd) (+ new_ptl nested)', spinLock<L>(['pmdPtl'], PMD_PTL_CLASS), 'pmd_lock'),
    {
      label: 'move_normal_pmd: pmd = *old_pmd; pmd_clear(old_pmd)',
      footprint: () => writes(`pmd[${oldSlot}]`),
      run: (s, l) => {
        const pmd = s.pmd.slice();
        const t = pmd[oldSlot];
        pmd[oldSlot] = -1;
        return { s: { ...s, pmd }, l: { ...l, i: t } };
      },
    },
    {
      label: 'move_normal_pmd: set_pmd_at(new_pmd, pmd)',
      footprint: () => writes(`pmd[${newSlot}]`),
      run: (s, l) => {
        const pmd = s.pmd.slice();
        pmd[newSlot] = l.i;
        return { s: { ...s, pmd }, l: { ...l, i: 0 } };
      },
    },
    {
      label: 'move_normal_pmd: flush_tlb_range(vma, old_addr, old_addr + PMD_SIZE)',
      footprint: () => writes('tlb'),
      run: (s) => ({ s: { ...s, tlb: tlbFlushRange(s.tlb, from, from + PTRS_PER_TABLE) } }),
    },
    step('move_normal_pmd: spin_unlock(pmd ptl)', spinUnlock<L>(['pmdPtl'], PMD_PTL_CLASS)),
    {
      ...unlocked,
      label: 'drop_rmap_locks: anon_vma_unlock_write',
      footprint: (s, l, t) => (lock(l) ? unlocked.footprint(s, l, t) : []),
      run: (s, l, t) => (lock(l) ? unlocked.run(s, l, t) : {}),
    },
  ];
}
