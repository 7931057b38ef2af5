import { callPaths, type Callers } from '../../core/annotations.js';
import type { StepNote } from '../../core/step.js';
import { migrationEntry, present, pteText, type Pte } from '../../kernel/pte.js';
import { continue_, exit, goto_, label, loop, step, when, type Block } from '../ast.js';
import type { Ctx } from '../context.js';
import type { Ref } from '../layout.js';
import { spinLock, spinUnlock } from '../lock.js';
import { sourcesByFile } from '../sources.js';
import {
  folioMapcount,
  folioPut,
  folioQueueIfLocked,
  folioTryGet,
  folioWaitUnlocked,
  type FolioRefs,
} from './folio.js';
import { pageEnqueue, pageFinishWait, pageSleepUntilWoken, pageTestLocked } from './pagecache.js';

/**
 * Migration entries in one PTE under its PTL, as mm/rmap.c and mm/migrate.c @ v5.0 install,
 * wait on and remove them (the PTE is a field holding a src/kernel/pte.ts value).
 *
 * A task that accesses a page whose PTE may hold a migration entry: handle_pte_fault →
 * do_swap_page → migration_entry_wait → __migration_entry_wait (mm/migrate.c), which waits for
 * the migrator to unlock the page and returns, so the access faults again; a present PTE ends
 * the access. How it waits (`MigrationWait`):
 *  - `drop`: v5.0, get_page_unless_zero under the PTL, then put_and_wait_on_page_locked
 *    (9a1ea439, mm/filemap.c): queue, bit_is_set = test_bit(PG_locked), put_page, io_schedule()
 *    only if the bit was set, finish_wait; the waiter never looks at the page after its put;
 *  - `hold`: v4.20, get_page_unless_zero, then wait_on_page_locked (include/linux/pagemap.h):
 *    PageLocked?, then wait_on_page_bit_common's SHARED loop (queue, test, sleep, re-test), and
 *    put_page after waking;
 *  - `noref`: v5.17, migration_entry_wait_on_locked (ffa65753c431): queue under the PTL unless
 *    the page is unlocked, drop the PTL, sleep until woken; no page reference at all.
 */
export type MigrationWait = 'drop' | 'hold' | 'noref';

export interface FaultLocals {
  /** The page the migration entry names. */
  readonly f: string;
  /** bit_is_set in wait_on_page_bit_common (`drop`). */
  readonly bit: boolean;
}

/** The PTE, its PTL, and the folios a PTE may name. */
export interface PteRefs {
  readonly pte: Ref<Pte>;
  readonly ptl: Ref<number>;
  readonly folio: (name: string) => FolioRefs;
}

/** The access, refaulting while the PTE holds a migration entry (labels `out` and `enqueue` are the block's). */
export function faultOnMigrationEntry<L extends FaultLocals>(wait: MigrationWait, r: PteRefs): Block<L> {
  const f = (c: Ctx<L>) => r.folio(c.l.f);
  const entry = (c: Ctx<L>) => {
    const p = c.get(r.pte);
    return p.kind === 'migration' && (c.let({ f: p.folio } as Partial<L>), true);
  };
  const atomic = { cost: 'atomic' } as const;
  const get: Block<L> = [
    when('__migration_entry_wait: get_page_unless_zero(page)', (c) => folioTryGet(c, f(c)), [], [goto_('out')], atomic),
    step('__migration_entry_wait: pte_unmap_unlock', (c) => spinUnlock(c, r.ptl)),
  ];
  const sleep = step<L>('wait_on_page_bit_common: io_schedule()', (c) => pageSleepUntilWoken(c, f(c)));
  const waits: Record<MigrationWait, Block<L>> = {
    drop: [
      ...get,
      step('put_and_wait_on_page_locked: q->lock; add to queue; SetPageWaiters', (c) => pageEnqueue(c, f(c))),
      step('wait_on_page_bit_common: bit_is_set = test_bit(PG_locked)', (c) =>
        c.let({ bit: pageTestLocked(c, f(c)) } as Partial<L>),
      ),
      when(
        'wait_on_page_bit_common(DROP): put_page(page)',
        (c) => (folioPut(c, f(c), true), c.l.bit),
        [sleep],
        [],
        atomic,
      ),
      step('wait_on_page_bit_common: finish_wait; refault', (c) => pageFinishWait(c, f(c))),
    ],
    hold: [
      ...get,
      when('wait_on_page_locked: PageLocked(page)?', (c) => pageTestLocked(c, f(c)), [
        label('enqueue'),
        step('wait_on_page_bit_common: q->lock; add to queue; SetPageWaiters', (c) => pageEnqueue(c, f(c))),
        when('wait_on_page_bit_common: test_bit(PG_locked) → io_schedule?', (c) => pageTestLocked(c, f(c)), [sleep]),
        when('wait_on_page_bit_common(SHARED): test_bit(PG_locked), loop if set', (c) => pageTestLocked(c, f(c)), [
          goto_('enqueue'),
        ]),
        step('wait_on_page_bit_common: finish_wait', (c) => pageFinishWait(c, f(c))),
      ]),
      step('__migration_entry_wait: put_page(page); refault', (c) => folioPut(c, f(c), true), atomic),
    ],
    noref: [
      step('migration_entry_wait_on_locked: q->lock; SetPageWaiters; enqueue unless unlocked', (c) =>
        folioQueueIfLocked(c, f(c)),
      ),
      step('migration_entry_wait_on_locked: pte_unmap_unlock', (c) => spinUnlock(c, r.ptl)),
      step('migration_entry_wait_on_locked: io_schedule until woken; finish_wait; refault', (c) =>
        folioWaitUnlocked(c, f(c)),
      ),
    ],
  };
  return [
    loop([
      when('handle_pte_fault: CPU access; pte_present? else do_swap_page', entry, [], [exit()]),
      step('__migration_entry_wait: spin_lock(ptl)', (c) => spinLock(c, r.ptl), { cost: 'lock' }),
      when('__migration_entry_wait: pte = *ptep; is_migration_entry?', entry, [...waits[wait], continue_()]),
      label('out'),
      step('__migration_entry_wait: pte_unmap_unlock; refault', (c) => spinUnlock(c, r.ptl)),
    ]),
  ];
}

/**
 * try_to_unmap_one @ v5.0 on the PTE mapping `name`: under the PTL the migration entry replaces
 * it (ptep_clear_flush and set_pte_at are one step: both under the PTL; the lockless pte_none
 * window between them is seed 002's race, see migration-vs-fault), then the rmap and the PTE's
 * page reference go.
 */
export const tryToUnmapOne = <L>(r: PteRefs, name: string): Block<L> => [
  step('try_to_unmap_one: page_vma_mapped_walk takes PTL', (c) => spinLock(c, r.ptl), { cost: 'lock' }),
  step('try_to_unmap_one: ptep_clear_flush; set_pte_at(migration entry)', (c) => c.set(r.pte, migrationEntry(name))),
  step('try_to_unmap_one: page_remove_rmap', (c) => folioMapcount(c, r.folio(name), -1), { cost: 'atomic' }),
  step('try_to_unmap_one: put_page', (c) => folioPut(c, r.folio(name)), { cost: 'atomic' }),
  step('page_vma_mapped_walk_done: spin_unlock(ptl)', (c) => spinUnlock(c, r.ptl)),
];

/**
 * remove_migration_ptes(page, to) @ v5.0: under the PTL, a migration entry still in the PTE maps
 * the folio `to` names (get_page, page_add_file_rmap and set_pte_at in one step under the PTL:
 * nobody decides on the exact count between them).
 */
export const removeMigrationPtes = <L>(r: PteRefs, to: (c: Ctx<L>) => string): Block<L> => [
  step('remove_migration_ptes: PTL', (c) => spinLock(c, r.ptl), { cost: 'lock' }),
  step('remove_migration_pte: get_page(new); page_add_file_rmap; set_pte_at(new)', (c) => {
    if (c.get(r.pte).kind !== 'migration') return;
    const f = r.folio(to(c));
    c.set(r.pte, present(to(c)));
    c.set(f.ref, c.get(f.ref) + 1);
    c.set(f.mapcount, c.get(f.mapcount) + 1);
  }),
  step('remove_migration_ptes: spin_unlock(ptl)', (c) => spinUnlock(c, r.ptl)),
];

// ---------------------------------------------------------------- report and traceability
// Where the steps above come from, who calls them, and why a branch went as it did: read by
// reports and the sources check only, never by a search.

/** The source of every function the steps above and their callers (`migratePagesCalls`, `faultCalls`) name. */
export const MIGRATION_ENTRY_SOURCES = sourcesByFile(`
  mm/memory.c @ v5.0: handle_pte_fault do_swap_page
  mm/migrate.c @ v5.0: migration_entry_wait __migration_entry_wait remove_migration_ptes remove_migration_pte
  mm/migrate.c @ v5.0: do_pages_move add_page_for_migration do_move_pages_to_node migrate_pages unmap_and_move __unmap_and_move move_to_new_page putback_movable_pages
  mm/vmscan.c @ v5.0: isolate_lru_page
  mm/rmap.c @ v5.0: try_to_unmap rmap_walk_file try_to_unmap_one
  include/linux/rmap.h @ v5.0: page_vma_mapped_walk_done
  mm/filemap.c @ v5.0: put_and_wait_on_page_locked wait_on_page_bit_common wait_on_page_bit_common(DROP)
  mm/filemap.c @ v4.20: wait_on_page_bit_common(SHARED)
  include/linux/pagemap.h @ v4.20: wait_on_page_locked
  mm/filemap.c @ v5.17: migration_entry_wait_on_locked`);

/**
 * The migrator's call chains @ v5.0, move_pages → do_pages_move → … → unmap_and_move →
 * __unmap_and_move, down to the steps above, migrate_page_move_mapping (through the filesystem's
 * a_ops->migratepage, `migratepage`) and unlock_page.
 */
export const migratePagesCalls = (migratepage: string): Callers =>
  callPaths(`
    do_pages_move add_page_for_migration isolate_lru_page
    do_pages_move do_move_pages_to_node migrate_pages unmap_and_move __unmap_and_move try_to_unmap rmap_walk_file try_to_unmap_one page_vma_mapped_walk_done
    __unmap_and_move move_to_new_page ${migratepage} migrate_page_move_mapping
    __unmap_and_move remove_migration_ptes remove_migration_pte
    __unmap_and_move unlock_page`);

/** The fault's call chain: handle_pte_fault → do_swap_page → migration_entry_wait → … */
export const faultCalls = (wait: MigrationWait): Callers =>
  callPaths(
    'handle_pte_fault do_swap_page migration_entry_wait __migration_entry_wait',
    'migration_entry_wait migration_entry_wait_on_locked',
    `__migration_entry_wait ${wait === 'hold' ? 'wait_on_page_locked' : 'put_and_wait_on_page_locked'} wait_on_page_bit_common`,
  );

/** What the fault read and tested. */
export function faultNotes(r: PteRefs): Record<string, StepNote> {
  const read: StepNote = (s) => `reads ${pteText(r.pte.get(s) as Pte)}`;
  const bit: StepNote = (s, l: FaultLocals, _t, names) => {
    const owner = r.folio(l.f).locked.get(s) as number;
    return `PG_locked(${l.f}) is ${owner === -1 ? 'clear' : `set (${names[owner] ?? owner})`}`;
  };
  const busy: StepNote = (s, l: FaultLocals) =>
    r.folio(l.f).ref.get(s) === 0 ? `folio_try_get(${l.f}) fails: count 0 (frozen or freed)` : null;
  const queue: StepNote = (s, l: FaultLocals) =>
    r.folio(l.f).locked.get(s) === -1 ? `${l.f} is not locked: no wait` : null;
  return {
    'handle_pte_fault: CPU access; pte_present? else do_swap_page': read,
    '__migration_entry_wait: pte = *ptep; is_migration_entry?': read,
    '__migration_entry_wait: get_page_unless_zero(page)': busy,
    'wait_on_page_bit_common: bit_is_set = test_bit(PG_locked)': bit,
    'wait_on_page_locked: PageLocked(page)?': bit,
    'wait_on_page_bit_common: test_bit(PG_locked) → io_schedule?': bit,
    'wait_on_page_bit_common(SHARED): test_bit(PG_locked), loop if set': bit,
    'migration_entry_wait_on_locked: q->lock; SetPageWaiters; enqueue unless unlocked': queue,
  };
}
