import type { StepNote } from '../../core/step.js';
import { pteSame, present, pteText, type Pte } from '../../kernel/pte.js';
import { continue_, goto_, if_, label, local, scope, step, when, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { spinLock, spinUnlock } from '../lock.js';
import {
  folioLockOrQueue,
  folioLockSleep,
  folioPut,
  folioQueueIfLocked,
  folioTryGet,
  folioUnlock,
  folioWaitUnlocked,
} from './folio.js';
import type { FilePageRefs, FilePageState } from './migrate.js';

/**
 * A read fault on a shmem page, Linux v6.10 (mm/memory.c handle_pte_fault → do_pte_missing →
 * do_fault → do_read_fault → __do_fault; mm/shmem.c shmem_fault → shmem_get_folio_gfp;
 * mm/filemap.c filemap_get_entry; do_swap_page → migration_entry_wait), on the PTE of mm `k`
 * of a `filePageLayout`, as structured code for a thread whose locals are `FaultLocals`.
 */
export interface FaultLocals {
  /** The folio found in the page cache (filemap_get_entry) or named by the migration entry. */
  readonly f: string;
  /** vmf->orig_pte, read locklessly. */
  readonly orig: Pte;
  readonly nopage: boolean;
}

export interface FaultOptions {
  /** The address_space the folio must still belong to after folio_lock. */
  readonly mapping: string;
  /** Option 5 of seed 002: do_fault rechecks pte_none under the PTL before ->fault. */
  readonly recheckPteNone: boolean;
  /** The folio shmem_alloc_and_add_folio puts in a hole (zero-filled, locked, cached). */
  readonly fresh: string;
}

const atomic = { cost: 'atomic' } as const;
const lock = { cost: 'lock' } as const;

/**
 * One fault, from handle_pte_fault's lockless read to its end: `done` when the page got mapped
 * (or was found present), `continue_()` to refault (VM_FAULT_NOPAGE, a migration wait, a
 * changed PTE). The locals are dead outside it (`scope`).
 */
export function shmemReadFault(
  r: FilePageRefs,
  k: number,
  o: FaultOptions,
  init: FaultLocals,
  done: Node<FaultLocals>,
): Node<FaultLocals> {
  type L = FaultLocals;
  const [pte, ptl, cache0] = [r.pte.at(k), r.ptl.at(k), r.cache.at(0)];
  const f = (c: Ctx<L>) => r.folio(c.l.f);
  const lookup = o.recheckPteNone ? 'lookup' : 'missing';
  const recheck: Block<L> = [
    label('missing'),
    step('do_fault: option 5 spin_lock(ptl)', (c) => spinLock(c, ptl), lock),
    step('do_fault: option 5 pte_none(ptep_get)?', (c) => void (c.get(pte).kind !== 'none' && c.let({ nopage: true }))),
    when(
      'do_fault: option 5 spin_unlock(ptl)',
      (c) => (spinUnlock(c, ptl), c.l.nopage && (c.let({ nopage: false }), true)),
      [continue_()],
    ),
  ];
  return scope<L>(init, [
    step('handle_pte_fault: ptep_get_lockless', (c) => c.let({ orig: c.get(pte) })),
    if_((l) => l.orig.kind === 'present', [done]),
    if_((l) => l.orig.kind === 'migration', [goto_('mew_lock')]),
    // present-invalid (arm64 pte_mkinvalid): the pte_same path under the PTL
    if_(
      (l) => l.orig.kind === 'invalid',
      [
        label('same_lock'),
        step('handle_pte_fault: spin_lock(ptl)', (c) => spinLock(c, ptl), lock),
        step('handle_pte_fault: !pte_same → return', (c) => void c.get(pte)),
        step('handle_pte_fault: spin_unlock(ptl); refault', (c) => spinUnlock(c, ptl)),
        continue_(),
      ],
    ),
    // pte_none: do_pte_missing → do_fault → do_read_fault → shmem_fault
    ...(o.recheckPteNone ? recheck : []),
    label(lookup),
    when(
      'filemap_get_entry: xas_load',
      (c) => {
        const cached = c.get(cache0);
        return cached !== null && (c.let({ f: cached }), true);
      },
      [],
      [goto_('hole')],
    ),
    when(
      'filemap_get_entry: folio_try_get_rcu (zero → repeat)',
      (c) => folioTryGet(c, f(c)),
      [],
      [goto_(lookup)],
      atomic,
    ),
    when('filemap_get_entry: xas_reload', (c) => c.get(cache0) === c.l.f, [goto_('lock')]),
    label('drop'),
    step('filemap_get_entry: folio_put; repeat', (c) => folioPut(c, f(c), true), atomic),
    local('filemap_get_entry: repeat', () => ({})),
    goto_(lookup),
    label('lock'),
    when('shmem_get_folio_gfp: folio_lock', (c) => folioLockOrQueue(c, f(c)), [goto_('locked')], [], lock),
    step('shmem_get_folio_gfp: folio_lock sleeps', (c) => folioLockSleep(c, f(c))),
    label('locked'),
    when(
      'shmem_get_folio_gfp: folio->mapping == mapping?',
      (c) => c.get(f(c).mapping) === o.mapping,
      [],
      [goto_('truncated')],
    ),
    step('finish_fault: pte_offset_map_lock', (c) => spinLock(c, ptl), lock),
    step(
      'finish_fault: vmf_pte_changed? else set_pte_range',
      (c) => {
        if (!pteSame(c.get(pte), c.l.orig)) return c.let({ nopage: true });
        const fo = f(c);
        c.set(fo.held, c.get(fo.held) & ~(1 << c.tid));
        c.set(fo.mapcount, c.get(fo.mapcount) + 1);
        c.set(pte, present(c.l.f));
      },
      atomic,
    ),
    step('finish_fault: pte_unmap_unlock', (c) => spinUnlock(c, ptl)),
    step('do_read_fault: folio_unlock', (c) => folioUnlock(c, f(c))),
    when(
      'do_read_fault: VM_FAULT_NOPAGE → folio_put; refault',
      (c) => c.l.nopage && (folioPut(c, f(c), true), c.let({ nopage: false }), true),
      [continue_()],
      [done],
    ),
    label('truncated'),
    step('shmem_get_folio_gfp: truncated → folio_unlock', (c) => folioUnlock(c, f(c))),
    local('shmem_get_folio_gfp: folio_put; repeat', () => ({})),
    goto_('drop'),
    // migration entry: do_swap_page → migration_entry_wait (no reference taken, since v5.17)
    label('mew_lock'),
    step('migration_entry_wait: pte_offset_map_lock', (c) => spinLock(c, ptl), lock),
    when(
      'migration_entry_wait: is_migration_entry(ptep_get)?',
      (c) => {
        const q = c.get(pte);
        return q.kind === 'migration' && (c.let({ f: q.folio }), true);
      },
      [],
      [goto_('mew_out')],
    ),
    step('migration_entry_wait_on_locked: folio_set_waiters; enqueue', (c) => folioQueueIfLocked(c, f(c))),
    step('migration_entry_wait_on_locked: spin_unlock(ptl)', (c) => spinUnlock(c, ptl)),
    step('migration_entry_wait_on_locked: sleep until unlocked; refault', (c) => folioWaitUnlocked(c, f(c))),
    continue_(),
    label('mew_out'),
    step('migration_entry_wait: spin_unlock(ptl); refault', (c) => spinUnlock(c, ptl)),
    continue_(),
    // A hole in the page cache: shmem allocates a new zero-filled folio, locked, and caches it.
    label('hole'),
    when(
      'shmem_alloc_and_add_folio: new folio in the hole',
      (c) => {
        const fresh = r.folio(o.fresh);
        if (c.get(cache0) !== null || c.get(fresh.ref) !== 0) return false;
        c.set(fresh.ref, 2);
        c.set(fresh.held, 1 << c.tid);
        c.set(fresh.locked, c.tid);
        c.set(fresh.mapping, o.mapping);
        c.set(cache0, o.fresh);
        c.let({ f: o.fresh });
        return true;
      },
      [goto_('locked')],
      [goto_(lookup)],
    ),
  ]);
}

/**
 * Report notes for a reader's access (`CPU access: TLB hit or hardware walk`, the hardware's
 * TLB lookup, else page-table walk) and finish_fault's recheck; `mm(t)` is the mm thread t runs in.
 */
export function faultNotes(mm: (t: number) => number): Record<string, StepNote<FilePageState, FaultLocals>> {
  return {
    'CPU access: TLB hit or hardware walk': (s, _l, t) => {
      const [k, q] = [mm(t), s.pte[mm(t)]];
      const hit = Object.keys(s.tlb.cached[k]).find((n) => (s.tlb.cached[k][n] >> t) & 1);
      const owed = q.kind === 'present' ? '' : ` (the PTE is ${pteText(q)}: a flush is still owed)`;
      if (hit) return `TLB hit: the access uses the cached translation of ${hit}${owed}`;
      return q.kind === 'present' ? 'PTE present: no fault' : `${pteText(q)}: page fault`;
    },
    'finish_fault: vmf_pte_changed? else set_pte_range': (s, l, t) =>
      pteSame(s.pte[mm(t)], l.orig)
        ? null
        : `PTE changed (${pteText(l.orig)} → ${pteText(s.pte[mm(t)])}): VM_FAULT_NOPAGE`,
  };
}
