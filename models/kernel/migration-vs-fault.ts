/**
 * Page migration vs a shmem read fault (seed 002: arm64, 6.10/6.11, August 2024).
 *
 * The migrator (move_pages → migrate_pages) locks the shmem folio A, and try_to_migrate_one,
 * under the PTL, clears the PTE and only then installs the migration entry. A reader faulting
 * on the same page reads the PTE locklessly in handle_pte_fault; if it lands between the clear
 * and the set it sees pte_none and takes do_pte_missing → do_fault → do_read_fault → shmem_fault
 * → filemap_get_entry, whose folio_try_get takes a reference on A, then sleeps in folio_lock,
 * which the migrator holds. folio_migrate_mapping's folio_ref_freeze(expected = 2: page cache +
 * isolation) can never succeed while that reference sleeps, so every retry fails, the batch is
 * undone (PTE restored, folio unlocked), and the reader finishes with VM_FAULT_NOPAGE. The
 * symptom is a failed migration, not a crash. Private anon is immune: do_anonymous_page rechecks
 * under the PTL. A reader that faults after the migration entry is installed takes do_swap_page →
 * migration_entry_wait, which sleeps without a reference, and the freeze succeeds.
 *
 * Kernel source (v6.10; docs/research/seed-002-kernel-source.md) wins over the thread where they
 * differ: migrate_pages_sync runs an ASYNC batch (unmap with TTU_BATCH_FLUSH, 3 freeze attempts,
 * undo) and then a SYNC batch (a fresh unmap with an immediate flush, 7 attempts, undo), so a
 * reader must win both windows for move_pages to fail: the default is two readers. The freeze
 * retries run with the folio still locked and unmapped; they are one step here that succeeds
 * when the count is as expected and fails when every extra reference belongs to a thread asleep
 * on the folio lock (the retries outlast any reference that is not asleep: a fairness
 * assumption, so a preempted reader between folio_unlock and folio_put does not count as a
 * failure). The new folio B is allocated and locked once, not per batch. Fault-around skips a
 * locked folio without touching its count, so it is not modelled. The migrator takes folio_lock
 * in both batches (the ASYNC batch's folio_trylock cannot fail here: at its start the folio is
 * mapped, so no reader is inside a fault holding its lock). folio_migrate_mapping's xas_store of
 * the new folio and the unfreeze of the old one are one step (both under xa_lock; a lookup in
 * between could only retry).
 *
 * Variants (each a named option set; verdicts below were derived by running the checker and
 * reading its traces, see docs/models/migration-vs-fault.md):
 *  - upstream: immediate flush in both batches (arm64 with ARM64_WORKAROUND_REPEAT_TLBI).
 *  - x86-deferred: the ASYNC batch defers the flush (ptep_get_and_clear +
 *    set_tlb_ubc_flush_pending, flushed in try_to_unmap_flush after the migration entry is set):
 *    other CPUs keep the old translation, never see pte_none, and the first batch succeeds.
 *  - opt1-mkinvalid: pte_mkinvalid writes arm64's present-invalid entry instead of none; the
 *    reader's handle_pte_fault sees pte_present, takes the PTL, finds !pte_same, and refaults
 *    into migration_entry_wait.
 *  - opt2-xchg: build the migration entry first and install it with one atomic exchange: the PTE
 *    is never none.
 *  - opt3-freeze-first: folio_ref_freeze(3) before clearing the PTE; the lookup's
 *    folio_try_get fails while frozen and retries instead of sleeping with a reference, and the
 *    PTE's folio_put is folded into the unfreeze (it cannot run on a frozen count).
 *  - opt3-freeze-first-put: the same, but keeping try_to_migrate_one's folio_put: a put on the
 *    frozen count is VM_BUG_ON_PAGE(page_ref_count(page) == 0) — why Dev doubted option 3.
 *  - opt4-uncache: remove the folio from the page cache during migration: the reader finds a
 *    hole, shmem allocates a new folio for the same index, and the page cache and the PTE
 *    disagree.
 *  - opt5-recheck: do_fault rechecks pte_none under the PTL before calling ->fault (a PTL round
 *    trip on every file read fault).
 *  - retry-early: Dev Jain's "Retry migration earlier upon refcount mismatch": after unmap, if
 *    the count is not the expected one, undo (restore the PTE, unlock) so the reader can finish,
 *    then unmap again, up to `retries` times.
 */
import { produce } from 'immer';
import { reads, writes } from '../../src/core/access.js';
import { defineModel, type Program, type Verdict } from '../../src/core/model.js';
import { ModelError } from '../../src/core/errors.js';
import { assertion, endState, invariant, type Property, type StateView } from '../../src/core/property.js';
import { andThen, step, type Step, type StepNote, type StepSpec } from '../../src/core/step.js';
import { annotated, type Callers } from '../../src/core/annotations.js';
import type { ShowRule } from '../../src/core/show.js';
import { permuteTid, type Symmetry } from '../../src/core/symmetry.js';
import { thread } from '../../src/core/thread.js';
import {
  FOLIO_LOCK,
  REFCOUNT,
  folio,
  folioLockOrQueue,
  folioLockSleep,
  folioMapcount,
  folioPut,
  folioQueueIfLocked,
  folioReadMapping,
  folioRenamed,
  folioThreadBits,
  folioRefFreeze,
  folioShow,
  folioTryGet,
  folioUnlock,
  folioWaitUnlocked,
  lockLoc,
  mapLoc,
  refLoc,
  type Folio,
} from '../../src/kernel/folio.js';
import { cacheLoc, xasLoad } from '../../src/kernel/pagecache.js';
import {
  PTE_NONE,
  migrationEntry,
  present,
  presentInvalid,
  pteLoc,
  pteSame,
  pteText,
  ptepGet,
  pteStore,
  type Pte,
} from '../../src/kernel/pte.js';
import { downRead, rwsem, rwsemShow, upRead, type RwSem } from '../../src/kernel/rwsem.js';
import { lockMisuse, lockShow, spinLock, spinUnlock } from '../../src/kernel/spinlock.js';
import { TLB, tlbFlush } from '../../src/kernel/tlb.js';

export type MigState = 'running' | 'migrated' | 'failed';

export interface S {
  readonly folios: Readonly<Record<string, Folio>>;
  readonly pte: readonly Pte[];
  readonly ptl: number;
  readonly cache: readonly (string | null)[];
  readonly tlb: { readonly stale: boolean };
  readonly i_mmap_rwsem: RwSem;
  readonly mig: MigState;
}

export interface Options {
  readonly deferAsyncFlush: boolean;
  readonly clear: 'clear' | 'mkinvalid' | 'xchg';
  readonly freezeFirst: 'no' | 'fold-put' | 'keep-put';
  readonly uncache: boolean;
  readonly recheckInDoFault: boolean;
  readonly retryEarly: boolean;
}

const MIGRATOR = 0;
const SRC = 'A';
const DST = 'B';
const MAPPING = 'shmem';
const MIG = 'mig';

// ---------------------------------------------------------------- migrator

interface ML {
  /** 0 = ASYNC batch, 1 = SYNC batch. */
  readonly batch: number;
  /** Early retries used (retry-early variant). */
  readonly early: number;
  /** The undo in progress is an early retry, not a failed freeze. */
  readonly retrying: boolean;
}

/** Compound step written with immer: several fields under one lock. */
function compound<L>(
  label: string,
  name: string,
  locs: string[],
  recipe: (d: any, l: L) => { goto?: string; l?: L } | void,
): Step<S, L> {
  return {
    label,
    name,
    cost: locs.some((loc) => loc.endsWith('.ref')) ? 'atomic' : undefined,
    footprint: () => writes(...locs),
    run: (s, l) => {
      let out: { goto?: string; l?: L } | void = undefined;
      const next = produce(s, (d) => {
        out = recipe(d, l);
      });
      return { s: next, ...(out ?? {}) };
    },
  };
}

/**
 * remove_migration_pte under the PTL: if the PTE still holds src's migration entry, map `to`
 * (folio_get, set_pte_at, folio_add_file_rmap_pte). Coarser than the kernel (three atomic
 * actions in one step): the PTE store is under the PTL, and the two increments are merged with it
 * because no reader here decides on the exact count between them (only the migrator freezes).
 */
function removeMigrationPte(to: string, which: 'src' | 'dst', name: string): Step<S, ML> {
  return compound<ML>(
    `remove_migration_pte: set_pte_at(${which}); folio_get(${which})`,
    name,
    [pteLoc(0), refLoc(to), mapLoc(to)],
    (d) => {
      if (d.pte[0].kind === 'migration' && d.pte[0].folio === SRC) {
        d.pte[0] = present(to);
        d.folios[to].ref += 1;
        d.folios[to].mapcount += 1;
      }
    },
  );
}

function expectedRefs(o: Options): number {
  if (o.freezeFirst !== 'no') return 3; // page cache + PTE + isolation, frozen before the unmap
  return o.uncache ? 1 : 2; // isolation (+ page cache unless removed)
}

/** The freeze's fair retry loop: succeed at the expected count; fail once every extra holder sleeps on the lock. */
function freezeRetries(o: Options, onFail: string): StepSpec<S, ML> {
  const expected = expectedRefs(o);
  const base = folioRefFreeze<S, ML>(SRC, () => expected, onFail);
  return {
    ...base,
    guard: (s) => {
      const a = s.folios[SRC];
      return a.ref === expected || (a.held & ~a.waiters) === 0;
    },
    footprint: (s, l) => [...base.footprint(s, l, MIGRATOR), ...reads(lockLoc(SRC))],
  };
}

function migratorSteps(o: Options, retries: number): Step<S, ML>[] {
  const deferred = (l: ML) => o.deferAsyncFlush && l.batch === 0;
  const clear: Step<S, ML> =
    o.clear === 'xchg'
      ? {
          ...step(
            'try_to_migrate_one: xchg(pte, migration entry)',
            pteStore<S, ML>(0, () => migrationEntry(SRC)),
            'clear',
          ),
          cost: 'atomic',
        }
      : o.clear === 'mkinvalid'
        ? {
            ...step(
              'try_to_migrate_one: pte_mkinvalid (+flush)',
              pteStore<S, ML>(0, () => presentInvalid(SRC)),
              'clear',
            ),
            cost: 'atomic',
          }
        : {
            label: 'try_to_migrate_one: ptep_clear_flush / ptep_get_and_clear',
            name: 'clear',
            cost: 'atomic',
            footprint: () => writes(pteLoc(0), TLB),
            run: (s, l) => ({ s: { ...s, pte: [PTE_NONE], tlb: { stale: deferred(l) } } }),
          };
  const steps: Step<S, ML>[] = [
    step('migrate_folio_unmap: folio_lock(src)', folioLockOrQueue<S, ML>(SRC, 'locked'), 'lock'),
    step('migrate_folio_unmap: folio_lock sleeps', folioLockSleep<S, ML>(SRC), 'lock_sleep'),
  ];
  if (o.freezeFirst !== 'no')
    steps.push(step('option 3: folio_ref_freeze(src, 3) before unmap', freezeRetries(o, 'give_up'), 'locked'));
  steps.push(
    step(
      'rmap_walk_file: i_mmap_lock_read',
      downRead<ML>(['i_mmap_rwsem']),
      o.freezeFirst === 'no' ? 'locked' : 'immap',
    ),
    step('try_to_migrate_one: page_vma_mapped_walk takes PTL', spinLock<ML>(['ptl'])),
    clear,
  );
  if (o.clear !== 'xchg')
    steps.push(
      step(
        'try_to_migrate_one: set_pte_at(migration entry)',
        pteStore<S, ML>(0, () => migrationEntry(SRC)),
      ),
    );
  steps.push(step('try_to_migrate_one: folio_remove_rmap_pte', folioMapcount<S, ML>(SRC, -1)));
  if (o.freezeFirst !== 'fold-put') steps.push(step('try_to_migrate_one: folio_put', folioPut<S, ML>(SRC)));
  steps.push(
    step('page_vma_mapped_walk: drop PTL', spinUnlock<ML>(['ptl'])),
    step('rmap_walk_file: i_mmap_unlock_read', upRead<ML>(['i_mmap_rwsem'])),
    step('migrate_pages_batch: try_to_unmap_flush', tlbFlush<S, ML>()),
  );
  if (o.retryEarly)
    steps.push({
      label: 'retry-early: folio_ref_count != folio_expected_refs?',
      name: 'early_check',
      footprint: () => reads(refLoc(SRC)),
      run: (s, l) =>
        s.folios[SRC].ref !== expectedRefs(o) && l.early < retries
          ? { l: { ...l, early: l.early + 1, retrying: true }, goto: 'undo' }
          : {},
    });
  if (o.uncache)
    steps.push(
      compound<ML>('option 4: filemap_remove_folio(src)', 'uncache', [cacheLoc(0), refLoc(SRC)], (d) => {
        if (d.cache[0] !== SRC) return;
        d.cache[0] = null;
        d.folios[SRC].ref -= 1;
      }),
    );
  if (o.freezeFirst === 'no')
    steps.push(
      step('folio_migrate_mapping: xas_lock_irq; folio_ref_freeze(src, expected)', freezeRetries(o, 'undo'), 'freeze'),
    );
  steps.push(
    compound<ML>(
      'folio_migrate_mapping: xas_store(dst); folio_ref_unfreeze(src, 1)',
      'store',
      [cacheLoc(0), refLoc(SRC), refLoc(DST), `${SRC}.mapping`, `${DST}.mapping`],
      (d) => {
        d.cache[0] = DST;
        d.folios[DST].ref += 1;
        d.folios[DST].mapping = MAPPING;
        d.folios[SRC].mapping = null;
        d.folios[SRC].ref = 1;
      },
    ),
    step('remove_migration_ptes(src→dst): PTL', spinLock<ML>(['ptl'])),
    removeMigrationPte(DST, 'dst', 'rm_set'),
    step('remove_migration_ptes: drop PTL', spinUnlock<ML>(['ptl'])),
    step('migrate_folio_move: folio_unlock(dst)', folioUnlock<S, ML>(DST)),
    step('migrate_folio_move: folio_unlock(src)', folioUnlock<S, ML>(SRC)),
    step('migrate_folio_move: folio_put(dst)', folioPut<S, ML>(DST)),
    compound<ML>('migrate_folio_done: folio_put(src) — migrated', 'done', [refLoc(SRC), MIG], (d) => {
      d.folios[SRC].ref -= 1;
      d.mig = 'migrated';
      return { goto: 'exit' };
    }),
    // Undo of a batch: restore the PTE, unlock; then the next batch or give up.
    step('migrate_folio_undo_src: remove_migration_ptes: PTL', spinLock<ML>(['ptl']), 'undo'),
    removeMigrationPte(SRC, 'src', 'undo_set'),
    step('remove_migration_ptes: drop PTL', spinUnlock<ML>(['ptl'])),
  );
  if (o.uncache)
    steps.push(
      compound<ML>('option 4 undo: re-add src to the page cache', 'recache', [cacheLoc(0), refLoc(SRC)], (d) => {
        if (d.cache[0] === null) {
          d.cache[0] = SRC;
          d.folios[SRC].ref += 1;
        }
      }),
    );
  if (o.freezeFirst !== 'no')
    steps.push({
      label: 'option 3: folio_ref_unfreeze(src) after undo',
      footprint: () => writes(refLoc(SRC)),
      run: (s) =>
        s.folios[SRC].ref === 0 ? { s: { ...s, folios: { ...s.folios, [SRC]: { ...s.folios[SRC], ref: 3 } } } } : {},
    });
  steps.push(
    step('migrate_folio_undo_src: folio_unlock(src)', folioUnlock<S, ML>(SRC), 'give_up'),
    {
      label: 'migrate_pages_sync: next batch?',
      footprint: () => [],
      run: (_s, l) =>
        l.retrying
          ? { l: { ...l, retrying: false }, goto: 'lock' }
          : l.batch === 0
            ? { l: { ...l, batch: 1 }, goto: 'lock' }
            : {},
    },
    compound<ML>(
      'putback: folio_put(src), free dst — migration failed',
      'fail',
      [refLoc(SRC), refLoc(DST), lockLoc(DST), MIG],
      (d) => {
        d.folios[SRC].ref -= 1;
        d.folios[DST].ref -= 1;
        d.folios[DST].locked = -1;
        d.mig = 'failed';
      },
    ),
  );
  return steps;
}

// ---------------------------------------------------------------- reader

interface RL {
  /** The folio found in the page cache (filemap_get_entry). */
  readonly f: string;
  /** vmf->orig_pte, read locklessly. */
  readonly orig: Pte;
  readonly nopage: boolean;
}

/** The fault returns and the access is retried by the hardware. */
const refault = () => ({ goto: 'access' });

function readerSteps(o: Options): Step<S, RL>[] {
  const f = (l: RL) => l.f;
  const nopagePut = folioPut<S, RL>(f, true);
  const steps: Step<S, RL>[] = [
    {
      label: 'CPU access: TLB hit or hardware walk',
      name: 'access',
      footprint: () => reads(pteLoc(0), TLB),
      run: (s) => (s.tlb.stale || s.pte[0].kind === 'present' ? { goto: 'exit' } : {}),
    },
    step(
      'handle_pte_fault: ptep_get_lockless',
      ptepGet<S, RL>(0, (l, p) => {
        const go =
          p.kind === 'none'
            ? 'missing'
            : p.kind === 'migration'
              ? 'mew_lock'
              : p.kind === 'invalid'
                ? 'same_lock'
                : 'exit';
        return { l: { ...l, orig: p }, goto: go };
      }),
    ),
    // present-invalid (option 1): the pte_same path under the PTL
    step('handle_pte_fault: spin_lock(ptl)', spinLock<RL>(['ptl']), 'same_lock'),
    step(
      'handle_pte_fault: !pte_same → return',
      ptepGet<S, RL>(0, () => ({})),
    ),
    step('handle_pte_fault: spin_unlock(ptl); refault', andThen(spinUnlock<RL>(['ptl']), refault)),
  ];
  if (o.recheckInDoFault)
    steps.push(
      step('option 5 do_fault: spin_lock(ptl)', spinLock<RL>(['ptl']), 'missing'),
      step(
        'option 5 do_fault: pte_none(ptep_get)?',
        ptepGet<S, RL>(0, (l, p) => (p.kind === 'none' ? {} : { l: { ...l, nopage: true } })),
      ),
      step(
        'option 5 do_fault: spin_unlock(ptl)',
        andThen(spinUnlock<RL>(['ptl']), (l) => (l.nopage ? { l: { ...l, nopage: false }, goto: 'access' } : {})),
      ),
    );
  steps.push(
    step(
      'filemap_get_entry: xas_load',
      xasLoad<S, RL>(0, (l, folioName) => (folioName === null ? { goto: 'hole' } : { l: { ...l, f: folioName } })),
      o.recheckInDoFault ? 'lookup' : 'missing',
    ),
    step(
      'filemap_get_entry: folio_try_get_rcu (zero → repeat)',
      folioTryGet<S, RL>(f, o.recheckInDoFault ? 'lookup' : 'missing'),
    ),
    step(
      'filemap_get_entry: xas_reload',
      xasLoad<S, RL>(0, (l, again) => (again === l.f ? { goto: 'lock' } : { goto: 'drop' })),
    ),
    step('filemap_get_entry: folio_put; repeat', folioPut<S, RL>(f, true), 'drop'),
    {
      label: 'filemap_get_entry: repeat',
      footprint: () => [],
      run: () => ({ goto: o.recheckInDoFault ? 'lookup' : 'missing' }),
    },
    step('shmem_get_folio_gfp: folio_lock', folioLockOrQueue<S, RL>(f, 'locked'), 'lock'),
    step('shmem_get_folio_gfp: folio_lock sleeps', folioLockSleep<S, RL>(f)),
    step(
      'shmem_get_folio_gfp: folio->mapping == mapping?',
      folioReadMapping<S, RL>(f, (_l, m) => (m === MAPPING ? {} : { goto: 'truncated' })),
      'locked',
    ),
    step('finish_fault: pte_offset_map_lock', spinLock<RL>(['ptl'])),
    {
      label: 'finish_fault: vmf_pte_changed? else set_pte_range',
      cost: 'atomic',
      footprint: (_s, l) => writes(pteLoc(0), refLoc(l.f), mapLoc(l.f)),
      run: (s, l, tid) => {
        if (!pteSame(s.pte[0], l.orig)) return { l: { ...l, nopage: true } };
        const fo = s.folios[l.f];
        const folios = { ...s.folios, [l.f]: { ...fo, held: fo.held & ~(1 << tid), mapcount: fo.mapcount + 1 } };
        return { s: { ...s, pte: [present(l.f)], folios } };
      },
    },
    step('finish_fault: pte_unmap_unlock', spinUnlock<RL>(['ptl'])),
    step('do_read_fault: folio_unlock', folioUnlock<S, RL>(f)),
    {
      ...step('do_read_fault: VM_FAULT_NOPAGE → folio_put; refault', nopagePut),
      cost: undefined,
      footprint: (s, l, tid) => (l.nopage ? nopagePut.footprint(s, l, tid) : []),
      run: (s, l, tid) =>
        l.nopage ? { ...nopagePut.run(s, l, tid), l: { ...l, nopage: false }, goto: 'access' } : { goto: 'exit' },
    },
    step('shmem_get_folio_gfp: truncated → folio_unlock', folioUnlock<S, RL>(f), 'truncated'),
    { label: 'shmem_get_folio_gfp: folio_put; repeat', footprint: () => [], run: () => ({ goto: 'drop' }) },
    // migration entry: do_swap_page → migration_entry_wait (no reference taken)
    step('migration_entry_wait: pte_offset_map_lock', spinLock<RL>(['ptl']), 'mew_lock'),
    step(
      'migration_entry_wait: is_migration_entry(ptep_get)?',
      ptepGet<S, RL>(0, (l, p) => (p.kind === 'migration' ? { l: { ...l, f: p.folio } } : { goto: 'mew_out' })),
    ),
    step('migration_entry_wait_on_locked: folio_set_waiters; enqueue', folioQueueIfLocked<S, RL>(f)),
    step('migration_entry_wait_on_locked: spin_unlock(ptl)', spinUnlock<RL>(['ptl'])),
    step(
      'migration_entry_wait_on_locked: sleep until unlocked; refault',
      andThen(folioWaitUnlocked<S, RL>(f), refault),
    ),
    step('migration_entry_wait: spin_unlock(ptl); refault', andThen(spinUnlock<RL>(['ptl']), refault), 'mew_out'),
  );
  // A hole in the page cache (option 4): shmem allocates a new folio for the index, locked, cached.
  steps.push({
    label: 'shmem_alloc_and_add_folio: new folio in the hole',
    name: 'hole',
    footprint: () => writes(cacheLoc(0)),
    run: (s, l, tid) => {
      if (s.cache[0] !== null) return { goto: o.recheckInDoFault ? 'lookup' : 'missing' };
      const name = `C${Object.keys(s.folios).length - 1}`;
      const fresh = folio({ ref: 2, held: 1 << tid, locked: tid, mapping: MAPPING });
      return {
        s: { ...s, cache: [name], folios: { ...s.folios, [name]: fresh } },
        l: { ...l, f: name },
        goto: 'locked',
      };
    },
  });
  return steps;
}

// ---------------------------------------------------------------- properties

const cached = (s: S, name: string) => s.cache.includes(name);
const mapped = (s: S, name: string) => s.pte.some((p) => p.kind === 'present' && p.folio === name);

export const properties: Property<S>[] = [
  endState<S>(
    'migration-succeeds',
    'Migration succeeds when the folio has no long-lived users (move_pages returns 0).',
    (v) =>
      v.s.mig === 'migrated'
        ? null
        : `move_pages: folio ${SRC} was not migrated (${v.s.mig}): every freeze of both batches failed`,
  ),
  invariant<S>(
    'migration-entry-locked',
    'A migration entry is present only while its folio is locked (migration_entry_to_page BUG_ON).',
    ['pte', `${SRC}.lock`, `${DST}.lock`],
    (v) => {
      for (const p of v.s.pte)
        if (p.kind === 'migration' && v.s.folios[p.folio].locked === -1)
          return `migration entry for folio ${p.folio} while ${p.folio} is unlocked`;
      return null;
    },
  ),
  endState<S>('no-dangling-migration-entry', 'No migration entry is left behind at the end.', (v) =>
    v.s.pte.some((p) => p.kind === 'migration')
      ? `a migration entry for folio ${(v.s.pte.find((p) => p.kind === 'migration') as { folio: string }).folio} is left in the page table`
      : null,
  ),
  assertion(REFCOUNT, 'No folio_put on a zero count, no unfreeze of an unfrozen count (VM_BUG_ON_PAGE).'),
  assertion(FOLIO_LOCK, 'No folio_unlock of a folio the thread has not locked.'),
  lockMisuse,
  endState<S>(
    'refcount-balanced',
    'At the end every folio is referenced exactly by its holders (page cache, mapping PTEs): no count left frozen, none leaked.',
    (v) => {
      for (const [name, fo] of Object.entries(v.s.folios)) {
        const holders = (cached(v.s, name) ? 1 : 0) + (mapped(v.s, name) ? 1 : 0);
        if (fo.ref !== holders)
          return `folio ${name}: refcount ${fo.ref} but ${holders} holder(s) (page cache ${cached(v.s, name)}, mapped ${mapped(v.s, name)})`;
      }
      return null;
    },
  ),
  endState<S>(
    'page-cache-coherent',
    'The reader maps the folio the page cache holds: no stale or duplicate folio for the file index.',
    (v) => {
      for (const p of v.s.pte)
        if (p.kind === 'present' && !cached(v.s, p.folio))
          return `the PTE maps folio ${p.folio} but the page cache holds ${v.s.cache[0] ?? 'nothing'} for the same index`;
      const live = Object.entries(v.s.folios)
        .filter(([, fo]) => fo.mapping === MAPPING && fo.ref > 0)
        .map(([n]) => n);
      return live.length > 1 ? `folios ${live.join(' and ')} both claim index 0 of the shmem file` : null;
    },
  ),
  invariant<S>(
    'no-ref-held-across-migration-wait',
    "No thread sleeps on the migrating folio's lock, held by the migrator while the folio is unmapped, holding a reference the freeze does not expect.",
    [`${SRC}.ref`, `${SRC}.lock`, 'pte'],
    (v: StateView<S>) => {
      const a = v.s.folios[SRC];
      const stuck = a.held & a.waiters;
      if (v.threads[MIGRATOR]?.name !== 'migrator' || a.locked !== MIGRATOR || stuck === 0 || mapped(v.s, SRC))
        return null;
      const who = v.threads.filter((_t, i) => stuck & (1 << i)).map((t) => t.name);
      return `${who.join(', ')} sleeps in folio_lock(${SRC}) holding a reference while the migrator holds the lock: folio_ref_freeze(${SRC}) cannot succeed`;
    },
  ),
];

// ---------------------------------------------------------------- symmetry

/**
 * The readers are interchangeable: the same steps from the same locals, and a reader's id only
 * reaches the shared state as a folio holder/waiter bit, a PG_locked owner, the PTL owner or an
 * rwsem writer — all renamed here. Locations never depend on the reader's id, and the
 * properties only ask whether some thread holds/waits, never which one (their messages name it).
 */
function readerSymmetry(first: number, readers: number): Symmetry<S> | undefined {
  if (readers < 2) return undefined;
  return {
    groups: [Array.from({ length: readers }, (_, i) => first + i)],
    permute: (s, to) => {
      const folios: Record<string, Folio> = {};
      let renamed = false;
      for (const name in s.folios) {
        folios[name] = folioRenamed(s.folios[name], to);
        if (folios[name] !== s.folios[name]) renamed = true;
      }
      const writer = permuteTid(s.i_mmap_rwsem.writer, to);
      // Unchanged parts stay the same objects, so the renamed state's hash reuses their hashes.
      return {
        ...s,
        folios: renamed ? folios : s.folios,
        ptl: permuteTid(s.ptl, to),
        i_mmap_rwsem: writer === s.i_mmap_rwsem.writer ? s.i_mmap_rwsem : { ...s.i_mmap_rwsem, writer },
      };
    },
    threadKey: (s, tid) => {
      let key = s.ptl === tid ? 1 : 0;
      for (const name in s.folios) key = key * 8 + folioThreadBits(s.folios[name], tid);
      return key;
    },
  };
}

// ---------------------------------------------------------------- model

const expectUpstream: Record<string, Verdict> = {
  'migration-succeeds': 'violated',
  'no-ref-held-across-migration-wait': 'violated',
};

export default defineModel<Options>({
  name: 'migration-vs-fault',
  title: 'Page migration vs a shmem read fault (seed 002, 2024)',
  story:
    'try_to_migrate_one clears the PTE before installing the migration entry; a lockless shmem read fault in between takes a folio reference and sleeps on the folio lock the migrator holds, so folio_ref_freeze fails in every retry and move_pages fails.',
  params: {
    readers: { default: 2, min: 1, max: 6, doc: 'Faulting reader threads (each faults once on the page).' },
    retries: {
      default: 1,
      min: 0,
      max: 4,
      doc: 'retry-early: how many times an unmap is undone and redone on a refcount mismatch.',
    },
    migrating: {
      default: 1,
      min: 0,
      max: 1,
      doc: '0: no migrator; the page is cached but not mapped (an ordinary read fault, for costing).',
    },
  },
  costs: [
    { name: 'read fault', thread: 'reader0', params: { migrating: 0, readers: 1 } },
    { name: 'migration', thread: 'migrator', params: { readers: 1 } },
  ],
  options: {
    deferAsyncFlush: false,
    clear: 'clear',
    freezeFirst: 'no',
    uncache: false,
    recheckInDoFault: false,
    retryEarly: false,
  },
  variants: {
    upstream: {
      doc: 'As upstream: clear, then set the migration entry; immediate flush (arm64 with the repeat-TLBI workaround).',
      options: {},
      expect: expectUpstream,
    },
    'x86-deferred': {
      doc: "x86's deferred flush in the ASYNC batch: remote TLBs keep the old translation until the migration entry is set.",
      options: { deferAsyncFlush: true },
      expect: {},
    },
    'opt1-mkinvalid': {
      doc: 'Option 1: atomic pte_mkinvalid (arm64 present-invalid), so the reader takes the PTL path.',
      options: { clear: 'mkinvalid' },
      expect: {},
    },
    'opt2-xchg': {
      doc: 'Option 2: install the migration entry with one atomic exchange: the PTE is never none.',
      options: { clear: 'xchg' },
      expect: {},
    },
    'opt3-freeze-first': {
      doc: "Option 3: folio_ref_freeze before clearing the PTE, the PTE's put folded into the unfreeze.",
      options: { freezeFirst: 'fold-put' },
      expect: {},
    },
    'opt3-freeze-first-put': {
      doc: "Option 3 keeping try_to_migrate_one's folio_put: a put on a frozen count.",
      options: { freezeFirst: 'keep-put' },
      expect: { refcount: 'violated' },
    },
    'opt4-uncache': {
      doc: 'Option 4: remove the folio from the page cache during migration: the reader sees a hole.',
      options: { uncache: true },
      expect: { ...expectUpstream, 'page-cache-coherent': 'violated', 'refcount-balanced': 'violated' },
    },
    'opt5-recheck': {
      doc: 'Option 5: do_fault rechecks pte_none under the PTL before ->fault.',
      options: { recheckInDoFault: true },
      expect: {},
    },
    'retry-early': {
      doc: 'Follow-up: on a refcount mismatch after unmap, undo so the reader can finish, then retry the unmap.',
      options: { retryEarly: true },
      expect: expectUpstream,
    },
  },
  build: (o, p) => {
    // The early-retry undo re-adds the PTE's reference with `ref += 1`, which on a count option 3
    // froze at 0 would leave it at 1 (not 3) after the unfreeze: the combination is not modelled.
    if (o.retryEarly && o.freezeFirst !== 'no')
      throw new ModelError(
        'migration-vs-fault: retryEarly cannot be combined with freezeFirst (the early undo is not modelled on a frozen count)',
        'bad-options',
      );
    return buildProgram(o, p);
  },
});

function buildProgram(o: Options, p: Readonly<Record<string, number>>): Program {
  return {
    init: {
      folios: {
        [SRC]: p.migrating ? folio({ ref: 3, mapcount: 1, mapping: MAPPING }) : folio({ ref: 1, mapping: MAPPING }),
        [DST]: p.migrating ? folio({ ref: 1, locked: MIGRATOR }) : folio({ ref: 0 }),
      },
      pte: [p.migrating ? present(SRC) : PTE_NONE],
      ptl: -1,
      cache: [SRC],
      tlb: { stale: false },
      i_mmap_rwsem: rwsem(),
      mig: 'running',
    } satisfies S,
    threads: [
      ...(p.migrating
        ? [
            thread<S, ML>(
              'migrator',
              { batch: 0, early: 0, retrying: false },
              annotated(migratorSteps(o, p.retries), MIGRATOR_CALLS, MIGRATOR_NOTES),
            ),
          ]
        : []),
      ...Array.from({ length: p.readers }, (_, i) =>
        thread<S, RL>(
          `reader${i}`,
          { f: SRC, orig: PTE_NONE, nopage: false },
          annotated(readerSteps(o), READER_CALLS, READER_NOTES),
        ),
      ),
    ],
    properties,
    symmetry: readerSymmetry(p.migrating ? 1 : 0, p.readers),
    show: SHOW,
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)
// Call chains, notes and state names for the reports only: no step's behaviour depends on them.

/** v6.10: move_pages → … → migrate_pages → migrate_pages_sync → migrate_pages_batch → … */
const MIGRATOR_CALLS: Callers = {
  migrate_pages_sync: '',
  migrate_pages_batch: 'migrate_pages_sync',
  migrate_folio_unmap: 'migrate_pages_batch',
  try_to_migrate: 'migrate_folio_unmap',
  rmap_walk_file: 'try_to_migrate',
  try_to_migrate_one: 'rmap_walk_file',
  page_vma_mapped_walk: 'try_to_migrate_one',
  migrate_folio_move: 'migrate_pages_batch',
  move_to_new_folio: 'migrate_folio_move',
  migrate_folio: 'move_to_new_folio',
  __migrate_folio: 'migrate_folio',
  folio_migrate_mapping: '__migrate_folio',
  remove_migration_ptes: 'migrate_folio_move',
  'remove_migration_ptes: drop PTL#2': ['migrate_pages_sync', 'migrate_pages_batch', 'migrate_folio_undo_src'],
  remove_migration_pte: ['migrate_pages_sync', 'migrate_pages_batch', 'migrate_folio_move', 'remove_migration_ptes'],
  'remove_migration_pte: set_pte_at(src); folio_get(src)': [
    'migrate_pages_sync',
    'migrate_pages_batch',
    'migrate_folio_undo_src',
    'remove_migration_ptes',
  ],
  migrate_folio_undo_src: 'migrate_pages_batch',
  migrate_folio_done: 'migrate_pages_batch',
};

const MIGRATOR_NOTES: Record<string, StepNote<S, ML>> = {
  'migrate_pages_sync: next batch?': (_s, l) =>
    l.retrying
      ? 'early retry: unmap again'
      : l.batch === 0
        ? 'the ASYNC batch failed: run the SYNC batch'
        : 'the SYNC batch failed too: give up',
};

/** handle_pte_fault → do_pte_missing → do_fault → do_read_fault → __do_fault → shmem_fault → … */
const READER_CALLS: Callers = {
  handle_pte_fault: '',
  do_pte_missing: 'handle_pte_fault',
  do_fault: 'do_pte_missing',
  do_read_fault: 'do_fault',
  __do_fault: 'do_read_fault',
  shmem_fault: '__do_fault',
  shmem_get_folio_gfp: 'shmem_fault',
  filemap_get_entry: 'shmem_get_folio_gfp',
  shmem_alloc_and_add_folio: 'shmem_get_folio_gfp',
  finish_fault: 'do_read_fault',
  do_swap_page: 'handle_pte_fault',
  migration_entry_wait: 'do_swap_page',
  migration_entry_wait_on_locked: 'migration_entry_wait',
};

const READER_NOTES: Record<string, StepNote<S, RL>> = {
  'CPU access: TLB hit or hardware walk': (s) =>
    s.tlb.stale
      ? 'stale TLB entry: the access hits the old page'
      : s.pte[0].kind === 'present'
        ? 'PTE present: no fault'
        : `${pteText(s.pte[0])}: page fault`,
  'finish_fault: vmf_pte_changed? else set_pte_range': (s, l) =>
    pteSame(s.pte[0], l.orig) ? null : `PTE changed (${pteText(l.orig)} → ${pteText(s.pte[0])}): VM_FAULT_NOPAGE`,
};

const SHOW: ShowRule[] = [
  ...folioShow(),
  lockShow('ptl', 'PTL'),
  ...rwsemShow('i_mmap_rwsem'),
  { path: 'tlb.stale', name: 'remote TLB stale' },
  { path: 'mig', name: 'move_pages result', as: 'bookkeeping' },
];
