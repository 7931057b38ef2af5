/**
 * put_and_wait_on_page_locked vs migrate_page_move_mapping on an XFS/iomap page (seed 004:
 * 5.0-rc4, January–February 2019).
 *
 * Follows Linux v5.0-rc4 (and v5.0-rc5 for 8e47a457; v4.20 for the pre-9a1ea439 wait; v5.17 for
 * the two v5.17 variants). Every step's label names its kernel function; their files:
 *  - mm/migrate.c @ v5.0: isolate_lru_page (mm/vmscan.c), unmap_and_move, __unmap_and_move,
 *    migrate_page_move_mapping, remove_migration_ptes / remove_migration_pte, migrate_pages,
 *    putback_movable_pages, __migration_entry_wait;
 *  - mm/rmap.c @ v5.0: try_to_unmap_one, page_remove_rmap; page_vma_mapped_walk_done
 *    (include/linux/rmap.h);
 *  - mm/filemap.c @ v5.0: unlock_page, wake_up_page_bit, wait_on_page_bit_common,
 *    put_and_wait_on_page_locked, find_get_entry, generic_file_buffered_read; wait_on_page_locked
 *    (include/linux/pagemap.h @ v4.20); @ v5.17 filemap_get_read_batch, filemap_read and
 *    migration_entry_wait_on_locked (ffa65753c431);
 *  - mm/memory.c @ v5.0: handle_pte_fault, do_swap_page;
 *  - fs/iomap.c @ v5.0-rc4 / rc5: iomap_migrate_page (and iomap_page_create, the initial state).
 * The v5.17 variants keep v5.0's migrator labels: v5.17's iomap_migrate_page
 * (fs/iomap/buffered-io.c) → migrate_page_move_mapping → folio_migrate_mapping makes the same
 * count check, freeze, xas_store and unfreeze, and moves the private data with
 * attach_page_private / detach_page_private (the reference the -iomap-bug variant leaves out).
 *
 * move_pages isolates a file page A that is mapped by one PTE and carries iomap private data
 * (XFS with a block size below the page size: 64K pages on ppc64 and arm64, which is why nobody
 * saw it on x86). __unmap_and_move locks A, try_to_unmap replaces the PTE by a migration entry
 * and drops the PTE's reference, and iomap_migrate_page calls migrate_page_move_mapping, which
 * freezes A's count at expected_count = 1 (the caller's isolation reference) + 1 (the page
 * cache) + page_has_private. Since 82cb14175e7d iomap set PagePrivate without taking the
 * reference that "+ page_has_private" counts, so with nobody else around the count is one short
 * and the freeze fails on every pass (Piotr's failing move_pages, pgmigrate_fail floods). A task
 * faulting on the migration entry (do_swap_page → __migration_entry_wait) takes a reference with
 * get_page_unless_zero under the PTL: that reference fills the phantom slot, the freeze succeeds,
 * and since 9a1ea439b16b put_and_wait_on_page_locked drops it before sleeping — on a count the
 * migrator has frozen at zero: VM_BUG_ON_PAGE(page_ref_count(page) == 0) in
 * put_and_wait_on_page_locked ← __migration_entry_wait ← do_swap_page (Artem's and Cai's
 * oopses). Before 9a1ea439 the waiter slept holding the reference and put it after waking,
 * always after the unfreeze: the same off-by-one, silent.
 *
 * Threads: `migrator` (move_pages → migrate_pages, up to `passes` passes of unmap_and_move),
 * `fault0..` (each accesses the page once, faulting and refaulting while it finds a migration
 * entry) and `reader0..` (each read(2)s the page once through the page cache: find_get_entry's
 * speculative reference, held across copy_page_to_iter — Artem's second trace, the BUG "through
 * generic_file_buffered_read() when your patch is reverted"). A reader's reference fills the
 * phantom slot just as a fault's does, and its put after the copy lands on the frozen count: the
 * iomap off-by-one BUGs without any migration-entry wait, on every kernel that has it. Kernel source read for this model (see docs/models/put-and-wait.md): fs/iomap.c before
 * 8e47a457 (iomap_page_create / iomap_page_release / iomap_migrate_page), mm/migrate.c
 * (__migration_entry_wait, migrate_page_move_mapping, expected_page_refs), 9a1ea439's patch to
 * mm/filemap.c (wait_on_page_bit_common's EXCLUSIVE/SHARED/DROP), ffa65753c431's
 * migration_entry_wait_on_locked. Where they beat the thread / kernel-races.md:
 *  - migrate_pages retries a -EAGAIN page on up to 10 passes (Hugh: "retried nine times"); each
 *    failed pass restores the PTE (remove_migration_ptes(page, page)), unlocks A (waking its
 *    waiters) and frees that pass's new page; the next pass locks and unmaps A again. The pass
 *    count is the `passes` parameter (default 2, kernel 10).
 *  - migrate_page_move_mapping first compares page_count with expected_count under xa_lock and
 *    only then does page_ref_freeze: two steps here, each failing with -EAGAIN.
 *  - iomap_page_create sets PagePrivate only when the block size is below the page size; the
 *    model's page has private data from the start (iomap_readpage created it).
 *  - 8e47a457 as merged also moves the private data's reference in iomap_migrate_page
 *    (get_page(newpage) … put_page(page)); the v2 mail only touched create/release.
 * Simplifications (none changes who can hold a reference when): try_to_unmap_one's
 * ptep_clear_flush and set_pte_at(migration entry) are one step (both under the PTL; the
 * lockless pte_none window that lets a fault reach ->fault is seed 002's race, modelled in
 * migration-vs-fault); rmap_walk's i_mmap_rwsem and migrate_page_move_mapping's xa_lock are not
 * modelled (nobody else takes them here); trylock_page(newpage) is folded into allocating it;
 * iomap_migrate_page's PagePrivate/page_private moves are one step (nobody else looks at them),
 * its put_page(page) is its own step; migrate_page_copy and page->mapping = NULL are folded into
 * the xas_store step. A fault that finds a present PTE is done (the access retried by hardware).
 *
 * Variants (verdicts were derived by running the checker and reading its traces):
 *  - v5.0-rc4: the iomap bug and 9a1ea439's put before sleeping: VM_BUG.
 *  - pre-9a1ea439: the iomap bug with wait_on_page_locked; put_page after waking. With one pass
 *    the freeze succeeds only with a sleeping waiter's reference standing in for the private one
 *    and the put lands after the unfreeze (silent off-by-one); without a waiter every pass fails.
 *    With a second pass (kernel-races.md (e) misses this) a fault that took its reference in pass
 *    1 and found the page unlocked can be preempted before its put while pass 2 freezes with that
 *    reference: the same BUG (Cai reproduced it without 9a1ea439).
 *  - iomap-fixed (5.0-rc5, 8e47a457): iomap_page_create takes a reference for the private data
 *    and iomap_migrate_page moves it; a waiter's transient reference can still fail a pass.
 *  - pre-9a1ea439-iomap-fixed: the fixed iomap with the old wait: a waiter sleeping with its
 *    reference fails every pass — why 9a1ea439 was written.
 *  - v5.17: ffa65753c431, migration_entry_wait queues under the PTL and takes no reference. With
 *    the default reader, migration-succeeds is violated (changed from "holds" when readers were
 *    added): a read(2) may hold its reference across every pass (copy_page_to_iter can sleep on a
 *    fault of the user buffer), and migrate_page_move_mapping returns -EAGAIN each time — the
 *    kernel's legitimate transient failure, counted (pgmigrate_fail) and never a BUG.
 *  - v5.17-iomap-bug: v5.17 with the iomap off-by-one put back. Faults alone (readers=0) cannot
 *    BUG (they take no reference, so every pass fails 2 ≠ 3); one reader does, in 14 steps: the
 *    iomap bug alone is enough, as Hugh concluded ("something has done an improper put_page()").
 */
import { reads, writes } from '../../src/core/access.js';
import { defineModel, type Verdict } from '../../src/core/model.js';
import { assertion, endState, type Property, type StateView } from '../../src/core/property.js';
import { andThen, step, type Step, type StepNote, type StepSpec } from '../../src/core/step.js';
import { annotated, type Callers } from '../../src/core/annotations.js';
import type { ShowRule } from '../../src/core/show.js';
import { thread } from '../../src/core/thread.js';
import {
  FOLIO_LOCK,
  folio,
  folioEnqueue,
  folioFinishWait,
  folioGet,
  folioMapcount,
  folioPut,
  folioQueueIfLocked,
  folioRefFreeze,
  folioRefUnfreeze,
  folioShow,
  folioSleepUntilWoken,
  folioTestLocked,
  folioTrylock,
  folioTryGet,
  folioUnlock,
  folioUnlockTestWaiters,
  folioWaitUnlocked,
  folioWakeUpBit,
  heldBy,
  lockLoc,
  mapLoc,
  privateLoc,
  refLoc,
  withFolio,
  type Folio,
} from '../../src/kernel/folio.js';
import { cacheLoc, xasLoad, xasReloadSame } from '../../src/kernel/pagecache.js';
import { migrationEntry, present, pteLoc, ptepGet, pteStore, type Pte } from '../../src/kernel/pte.js';
import { lockMisuse, lockShow, spinLock, spinUnlock } from '../../src/kernel/spinlock.js';
import { frozenRefNotInUse, refcountBalanced, refcountBugs, type RefAccount } from '../../properties/refcount.js';

export interface S {
  readonly folios: Readonly<Record<string, Folio>>;
  readonly pte: readonly Pte[];
  readonly ptl: number;
  readonly cache: readonly (string | null)[];
  /** What move_pages observed (bookkeeping of the migrator only). */
  readonly mig: { readonly outcome: 'running' | 'migrated' | 'failed'; readonly spurious: boolean };
}

interface Options {
  /**
   * How a fault on the migration entry waits: `drop` = put_and_wait_on_page_locked (9a1ea439:
   * put before sleeping); `hold` = wait_on_page_locked, then put_page; `noref` = v5.17's
   * migration_entry_wait_on_locked (queue under the PTL, no reference).
   */
  readonly wait: 'drop' | 'hold' | 'noref';
  /** 8e47a457: the iomap private data owns a page reference, moved to the new page on migration. */
  readonly iomapRef: boolean;
}

const MIGRATOR = 0;
const SRC = 'A';
const DST = 'B';
const MAPPING = 'xfs';
const MIG = 'mig';
const CALLER = 'migrator';

// ---------------------------------------------------------------- reference accounting

/** Who owns each counted reference of A and B, from the state (exact at every state with a zero count and at the end). */
export function accounts(v: StateView<S>): RefAccount[] {
  const names = v.threads.map((t) => t.name);
  return [SRC, DST].map((name) => {
    const fo = v.s.folios[name];
    const holders: string[] = [];
    if (v.s.cache[0] === name) holders.push('page cache');
    if (v.s.pte.some((p) => p.kind === 'present' && p.folio === name)) holders.push('pte');
    if (fo.privateRef) holders.push('private');
    holders.push(...heldBy(fo, names));
    return { name, count: fo.ref, holders, frozen: fo.frozen ?? null };
  });
}

/** expected_page_refs: the caller's reference + the page cache's + one if page_has_private. */
const expectedCount = (a: Folio) => 2 + (a.private ? 1 : 0);
const expectedHolders = (a: Folio) => [CALLER, 'page cache', ...(a.private ? ['private'] : [])];

// ---------------------------------------------------------------- migrator

interface ML {
  readonly pass: number;
  /** migrate_page_move_mapping succeeded in this pass. */
  readonly ok: boolean;
}

/** -EAGAIN from migrate_page_move_mapping: record whether a reference outside the expected set explains it. */
function eagain(s: S): S {
  const a = s.folios[SRC];
  const busy = (a.held & ~(1 << MIGRATOR)) !== 0;
  return busy || s.mig.spurious ? s : { ...s, mig: { ...s.mig, spurious: true } };
}

const setMig = (s: S, outcome: S['mig']['outcome']): S => ({ ...s, mig: { ...s.mig, outcome } });
const withA = (s: S, f: Partial<Folio>) => withFolio(s, SRC, f);
const withB = (s: S, f: Partial<Folio>) => withFolio(s, DST, f);

/** A step whose state change is written by hand, over the locations it names. */
function direct<L>(
  label: string,
  locs: string[],
  run: (s: S, l: L) => { s?: S; l?: L; goto?: string },
  name?: string,
  cost?: 'atomic',
): Step<S, L> {
  return { label, name, cost, footprint: () => writes(...locs), run: (s, l) => run(s, l) };
}

function migrateSteps(o: Options, passes: number): Step<S, ML>[] {
  // put_page(page) for the reference the private data owned, which it then no longer owns.
  const privatePut = andThen(folioPut<S, ML>(SRC), (_l, _tid, s: S) => ({ s: withA(s, { privateRef: false }) }));
  const check: StepSpec<S, ML> = {
    footprint: () => [...reads(refLoc(SRC), privateLoc(SRC)), ...writes(MIG)],
    run: (s) => (s.folios[SRC].ref === expectedCount(s.folios[SRC]) ? {} : { s: eagain(s), goto: 'eagain' }),
  };
  const freezeBase = folioRefFreeze<S, ML>(
    SRC,
    (s) => expectedCount(s.folios[SRC]),
    'eagain',
    (s) => expectedHolders(s.folios[SRC]),
  );
  const freeze: StepSpec<S, ML> = {
    ...freezeBase,
    footprint: (s, l, tid) => [...freezeBase.footprint(s, l, tid), ...reads(privateLoc(SRC)), ...writes(MIG)],
    run: (s, l, tid) => {
      const r = freezeBase.run(s, l, tid);
      return r.goto === 'eagain' ? { ...r, s: eagain(s) } : r;
    },
  };
  const steps: Step<S, ML>[] = [
    step('isolate_lru_page: get_page(page)', folioGet<S, ML>(SRC, true)),
    direct<ML>(
      'unmap_and_move: get_new_page(); trylock_page(newpage)',
      [refLoc(DST), lockLoc(DST)],
      (s) => ({ s: withB(s, { ref: 1, held: 1 << MIGRATOR, locked: MIGRATOR }) }),
      'pass',
    ),
    step('__unmap_and_move: trylock_page(page)', folioTrylock<S, ML>(SRC, 'free_new')),
    step('try_to_unmap_one: page_vma_mapped_walk takes PTL', spinLock<ML>(['ptl'])),
    {
      ...step(
        'try_to_unmap_one: ptep_clear_flush; set_pte_at(migration entry)',
        pteStore<S, ML>(0, () => migrationEntry(SRC)),
      ),
      cost: 'atomic',
    },
    step('try_to_unmap_one: page_remove_rmap', folioMapcount<S, ML>(SRC, -1)),
    step('try_to_unmap_one: put_page', folioPut<S, ML>(SRC)),
    step('page_vma_mapped_walk_done: spin_unlock(ptl)', spinUnlock<ML>(['ptl'])),
    step('migrate_page_move_mapping: xas_lock_irq; page_count != expected_count?', check),
    step('migrate_page_move_mapping: page_ref_freeze(page, expected_count)', freeze),
    direct<ML>(
      'migrate_page_move_mapping: page_ref_add(newpage, 1); xas_store(newpage)',
      [cacheLoc(0), refLoc(DST), `${SRC}.mapping`, `${DST}.mapping`],
      (s) => ({
        s: withA(withB({ ...s, cache: [DST] }, { ref: s.folios[DST].ref + 1, mapping: MAPPING }), { mapping: null }),
      }),
      undefined,
      'atomic',
    ),
    step(
      'migrate_page_move_mapping: page_ref_unfreeze(page, expected_count - 1); xas_unlock_irq',
      andThen(
        folioRefUnfreeze<S, ML>(SRC, (s) => expectedCount(s.folios[SRC]) - 1),
        (l) => ({ l: { ...l, ok: true } }),
      ),
    ),
  ];
  if (o.iomapRef)
    steps.push(
      direct<ML>(
        'iomap_migrate_page: ClearPagePrivate(page); get_page(newpage); set_page_private(newpage); SetPagePrivate(newpage)',
        [privateLoc(SRC), privateLoc(DST), refLoc(DST)],
        (s) =>
          s.folios[SRC].private
            ? {
                s: withA(withB(s, { private: true, privateRef: true, ref: s.folios[DST].ref + 1 }), { private: false }),
              }
            : {},
        undefined,
        'atomic',
      ),
      {
        ...step('iomap_migrate_page: put_page(page)', privatePut),
        footprint: () => writes(refLoc(SRC)),
        run: (s, l, tid) => (s.folios[SRC].privateRef ? privatePut.run(s, l, tid) : {}),
      },
    );
  else
    steps.push(
      direct<ML>(
        'iomap_migrate_page: ClearPagePrivate(page); set_page_private(newpage); SetPagePrivate(newpage)',
        [privateLoc(SRC), privateLoc(DST)],
        (s) => (s.folios[SRC].private ? { s: withA(withB(s, { private: true }), { private: false }) } : {}),
      ),
    );
  steps.push(
    // remove_migration_ptes(page, rc == MIGRATEPAGE_SUCCESS ? newpage : page)
    step('remove_migration_ptes: PTL', spinLock<ML>(['ptl']), 'eagain'),
    direct<ML>(
      'remove_migration_pte: get_page(new); page_add_file_rmap; set_pte_at(new)',
      [pteLoc(0), refLoc(SRC), refLoc(DST), mapLoc(SRC), mapLoc(DST)],
      (s, l) => {
        if (s.pte[0].kind !== 'migration' || s.pte[0].folio !== SRC) return {};
        const to = l.ok ? DST : SRC;
        const fo = s.folios[to];
        return { s: withFolio({ ...s, pte: [present(to)] }, to, { ref: fo.ref + 1, mapcount: fo.mapcount + 1 }) };
      },
      undefined,
      'atomic',
    ),
    step('remove_migration_ptes: spin_unlock(ptl)', spinUnlock<ML>(['ptl'])),
    step('__unmap_and_move: unlock_page(newpage)', folioUnlock<S, ML>(DST)),
    step(
      '__unmap_and_move: unlock_page(page): clear PG_locked; PG_waiters?',
      folioUnlockTestWaiters<S, ML>(SRC, (_l, waiters) => (waiters ? {} : { goto: 'unlocked' })),
    ),
    step('unlock_page: wake_up_page_bit(page, PG_locked)', folioWakeUpBit<S, ML>(SRC)),
    {
      label: '__unmap_and_move: rc == MIGRATEPAGE_SUCCESS?',
      name: 'unlocked',
      footprint: () => [],
      run: (_s, l) => (l.ok ? {} : { goto: 'free_new' }),
    },
    step('__unmap_and_move: putback_lru_page(newpage)', folioPut<S, ML>(DST, true)),
    {
      ...step(
        'unmap_and_move: put_page(page) — migrated',
        andThen(folioPut<S, ML>(SRC, true), (_l, _tid, s) => ({ s: setMig(s, 'migrated'), goto: 'exit' })),
      ),
      footprint: () => writes(refLoc(SRC), MIG),
    },
    direct<ML>(
      'unmap_and_move: put_page(newpage) (-EAGAIN)',
      [refLoc(DST), lockLoc(DST)],
      (s) => ({ s: withB(s, { ref: s.folios[DST].ref - 1, held: 0, locked: -1 }) }),
      'free_new',
      'atomic',
    ),
    {
      label: 'migrate_pages: -EAGAIN, next pass?',
      footprint: () => [],
      run: (_s, l) => (l.pass + 1 < passes ? { l: { pass: l.pass + 1, ok: false }, goto: 'pass' } : {}),
    },
    {
      ...step(
        'putback_movable_pages: putback_lru_page(page) — migration failed',
        andThen(folioPut<S, ML>(SRC, true), (_l, _tid, s) => ({ s: setMig(s, 'failed') })),
      ),
      footprint: () => writes(refLoc(SRC), MIG),
    },
  );
  return steps;
}

// ---------------------------------------------------------------- fault on the migration entry

interface FL {
  /** The page named by the migration entry. */
  readonly f: string;
  /** bit_is_set = test_bit(PG_locked) in wait_on_page_bit_common. */
  readonly bit: boolean;
}

const refault = () => ({ goto: 'access' });

function faultSteps(o: Options): Step<S, FL>[] {
  const f = (l: FL) => l.f;
  const steps: Step<S, FL>[] = [
    step(
      'CPU access; handle_pte_fault: pte_present? else do_swap_page',
      ptepGet<S, FL>(0, (l, p) => (p.kind === 'migration' ? { l: { ...l, f: p.folio } } : { goto: 'exit' })),
      'access',
    ),
    step('__migration_entry_wait: spin_lock(ptl)', spinLock<FL>(['ptl'])),
    step(
      '__migration_entry_wait: pte = *ptep; is_migration_entry?',
      ptepGet<S, FL>(0, (l, p) => (p.kind === 'migration' ? { l: { ...l, f: p.folio } } : { goto: 'out' })),
    ),
  ];
  if (o.wait === 'noref')
    steps.push(
      step(
        'migration_entry_wait_on_locked: q->lock; SetPageWaiters; enqueue unless unlocked',
        folioQueueIfLocked<S, FL>(f),
      ),
      step('migration_entry_wait_on_locked: pte_unmap_unlock', spinUnlock<FL>(['ptl'])),
      step(
        'migration_entry_wait_on_locked: io_schedule until woken; finish_wait; refault',
        andThen(folioWaitUnlocked<S, FL>(f), refault),
      ),
    );
  else
    steps.push(
      step('__migration_entry_wait: get_page_unless_zero(page)', folioTryGet<S, FL>(f, 'out')),
      step('__migration_entry_wait: pte_unmap_unlock', spinUnlock<FL>(['ptl'])),
    );
  if (o.wait === 'drop')
    steps.push(
      step('put_and_wait_on_page_locked: q->lock; add to queue; SetPageWaiters', folioEnqueue<S, FL>(f)),
      step(
        'wait_on_page_bit_common: bit_is_set = test_bit(PG_locked)',
        folioTestLocked<S, FL>(f, (l, bit) => ({ l: { ...l, bit } })),
      ),
      step(
        'wait_on_page_bit_common(DROP): put_page(page)',
        andThen(folioPut<S, FL>(f, true), (l) => (l.bit ? {} : { goto: 'finish' })),
      ),
      step('wait_on_page_bit_common: io_schedule()', folioSleepUntilWoken<S, FL>(f)),
      step('wait_on_page_bit_common: finish_wait; refault', andThen(folioFinishWait<S, FL>(f), refault), 'finish'),
    );
  if (o.wait === 'hold')
    steps.push(
      step(
        'wait_on_page_locked: PageLocked(page)?',
        folioTestLocked<S, FL>(f, (_l, bit) => (bit ? {} : { goto: 'put' })),
      ),
      step('wait_on_page_bit_common: q->lock; add to queue; SetPageWaiters', folioEnqueue<S, FL>(f), 'enqueue'),
      step(
        'wait_on_page_bit_common: test_bit(PG_locked) → io_schedule?',
        folioTestLocked<S, FL>(f, (_l, bit) => (bit ? {} : { goto: 'recheck' })),
      ),
      step('wait_on_page_bit_common: io_schedule()', folioSleepUntilWoken<S, FL>(f)),
      step(
        'wait_on_page_bit_common(SHARED): test_bit(PG_locked), loop if set',
        folioTestLocked<S, FL>(f, (_l, bit) => (bit ? { goto: 'enqueue' } : {})),
        'recheck',
      ),
      step('wait_on_page_bit_common: finish_wait', folioFinishWait<S, FL>(f)),
      step('__migration_entry_wait: put_page(page); refault', andThen(folioPut<S, FL>(f, true), refault), 'put'),
    );
  steps.push(
    step('__migration_entry_wait: pte_unmap_unlock; refault', andThen(spinUnlock<FL>(['ptl']), refault), 'out'),
  );
  return steps;
}

// ---------------------------------------------------------------- read(2) of the cached page

interface RL {
  /** The page find_get_entry / filemap_get_read_batch loaded from the slot (and took a reference on). */
  readonly f: string | null;
}

/**
 * One read(2) of the page through the page cache, Artem's second trace (VM_BUG_ON_PAGE(page_ref_count(page)
 * == 0) "through generic_file_buffered_read() when your patch is reverted"). 5.0 (mm/filemap.c):
 * generic_file_buffered_read → find_get_page → pagecache_get_page → find_get_entry: xas_load,
 * page_cache_get_speculative (get_page_unless_zero; a zero count → repeat), xas_reload (moved →
 * put_page, repeat); the page is uptodate, so copy_page_to_iter, put_page. v5.17 (mm/filemap.c):
 * filemap_read → filemap_get_pages → filemap_get_read_batch: the same lookup with folio_try_get_rcu,
 * then filemap_read copies and puts the page. A page-cache hole (readahead) cannot happen here:
 * the slot always holds A or B.
 */
function readerSteps(o: Options): Step<S, RL>[] {
  const v517 = o.wait === 'noref';
  const lookup = v517 ? 'filemap_get_read_batch' : 'find_get_entry';
  const f = (l: RL) => l.f ?? SRC;
  return [
    step(
      `${lookup}: xas_load`,
      xasLoad<S, RL>(0, (_l, folio) => (folio === null ? { goto: 'exit' } : { l: { f: folio } })),
      'repeat',
    ),
    step(
      v517
        ? 'filemap_get_read_batch: folio_try_get_rcu (count 0 → retry)'
        : 'find_get_entry: page_cache_get_speculative (count 0 → repeat)',
      folioTryGet<S, RL>(f, 'repeat'),
    ),
    step(
      v517 ? 'filemap_get_read_batch: folio != xas_reload?' : 'find_get_entry: page != xas_reload?',
      xasReloadSame<S, RL>(0, (l) => l.f, 'moved'),
    ),
    step(
      v517
        ? 'filemap_read: copy_page_to_iter; put_page(page)'
        : 'generic_file_buffered_read: copy_page_to_iter; put_page(page)',
      andThen(folioPut<S, RL>(f, true), () => ({ goto: 'exit' })),
    ),
    step(
      v517 ? 'filemap_get_read_batch: folio_put (moved); retry' : 'find_get_entry: put_page(head) (moved); repeat',
      andThen(folioPut<S, RL>(f, true), () => ({ goto: 'repeat' })),
      'moved',
    ),
  ];
}

// ---------------------------------------------------------------- properties

export const MIGRATION_SUCCEEDS = 'migration-succeeds';
export const NO_SPURIOUS_FAILURE = 'no-spurious-migration-failure';

export const properties: Property<S>[] = [
  frozenRefNotInUse<S>(accounts, [refLoc(SRC), refLoc(DST), 'cache', 'pte']),
  refcountBugs,
  assertion(FOLIO_LOCK, 'No unlock_page of a page the thread has not locked.'),
  lockMisuse,
  refcountBalanced<S>(accounts),
  endState<S>(
    MIGRATION_SUCCEEDS,
    'The outcome of move_pages: page A was migrated (violated = some schedule ends with the page not migrated).',
    (v) =>
      v.s.mig.outcome === 'migrated'
        ? null
        : `move_pages: page ${SRC} was not migrated (${v.s.mig.outcome}): every pass returned -EAGAIN`,
  ),
  endState<S>(
    NO_SPURIOUS_FAILURE,
    'Every -EAGAIN from migrate_page_move_mapping is explained by a reference outside the expected set (a fault holding the page).',
    (v) =>
      v.s.mig.spurious
        ? `migrate_page_move_mapping failed with only the expected holders present: page_has_private counted a reference the private data does not own`
        : null,
  ),
];

// ---------------------------------------------------------------- model

const silentOffByOne: Record<string, Verdict> = {
  'frozen-ref-not-in-use': 'violated',
  [MIGRATION_SUCCEEDS]: 'violated',
  [NO_SPURIOUS_FAILURE]: 'violated',
};

export default defineModel<Options>({
  name: 'put-and-wait-vs-migration',
  title: 'put_and_wait_on_page_locked vs migrate_page_move_mapping on an iomap page (seed 004, 2019)',
  story:
    'iomap set PagePrivate without the page reference migrate_page_move_mapping counts (expected = 1 + 1 + page_has_private); a fault on the migration entry takes a transient reference that stands in for the missing one, the freeze succeeds, and since 9a1ea439 put_and_wait_on_page_locked drops that reference on the frozen count: VM_BUG_ON_PAGE(page_ref_count(page) == 0).',
  params: {
    faults: {
      default: 1,
      min: 0,
      max: 4,
      doc: 'Tasks that access the page (faulting on the migration entry while it is there).',
    },
    passes: { default: 2, min: 1, max: 10, doc: 'migrate_pages passes over a -EAGAIN page (the kernel makes 10).' },
    readers: {
      default: 1,
      min: 0,
      max: 3,
      doc: 'Tasks that read(2) the page through the page cache (find_get_entry / filemap_get_read_batch: a speculative reference, put after the copy).',
    },
  },
  options: { wait: 'drop', iomapRef: false },
  variants: {
    'v5.0-rc4': {
      doc: '9a1ea439 (put before sleeping) with the iomap bug (PagePrivate without a reference): the put lands on the frozen count.',
      options: {},
      expect: { ...silentOffByOne, refcount: 'violated' },
    },
    'pre-9a1ea439': {
      doc: "wait_on_page_locked, then put_page, with the iomap bug: one pass is a silent off-by-one (a sleeping waiter stands in for the private reference); a reference taken in an earlier pass can be put on a later pass's frozen count.",
      options: { wait: 'hold' },
      expect: { ...silentOffByOne, refcount: 'violated' },
    },
    'iomap-fixed': {
      doc: '5.0-rc5: 8e47a457 gives the private data its reference (get/put in iomap_page_create/release, moved on migrate).',
      options: { iomapRef: true },
      expect: { [MIGRATION_SUCCEEDS]: 'violated' },
    },
    'pre-9a1ea439-iomap-fixed': {
      doc: 'The fixed iomap with the old wait: a waiter sleeping with its reference makes every pass fail (why 9a1ea439 was written).',
      options: { wait: 'hold', iomapRef: true },
      expect: { [MIGRATION_SUCCEEDS]: 'violated' },
    },
    'v5.17': {
      doc: "ffa65753c431: migration_entry_wait queues under the PTL and takes no page reference (iomap fixed); a read(2) holding the page's speculative reference across every pass still fails the migration (-EAGAIN, no BUG).",
      options: { wait: 'noref', iomapRef: true },
      expect: { [MIGRATION_SUCCEEDS]: 'violated' },
    },
    'v5.17-iomap-bug': {
      doc: "v5.17's no-reference migration_entry_wait with the iomap off-by-one put back (PagePrivate without a reference): a read(2)'s speculative reference fills the phantom slot and its put lands on the frozen count — the iomap bug alone BUGs; faults alone (--param readers=0) only fail every pass.",
      options: { wait: 'noref', iomapRef: false },
      expect: { ...silentOffByOne, refcount: 'violated' },
    },
  },
  build: (o, p) => ({
    init: {
      folios: {
        // A: page cache + the PTE (+ the private data's reference once 8e47a457 is in); PagePrivate set by iomap_page_create.
        [SRC]: folio({
          ref: o.iomapRef ? 3 : 2,
          mapcount: 1,
          mapping: MAPPING,
          private: true,
          privateRef: o.iomapRef,
          frozen: null,
        }),
        // B: the new page of the current pass, free until get_new_page.
        [DST]: folio({ ref: 0, private: false, privateRef: false, frozen: null }),
      },
      pte: [present(SRC)],
      ptl: -1,
      cache: [SRC],
      mig: { outcome: 'running', spurious: false },
    } satisfies S,
    threads: [
      thread<S, ML>(
        'migrator',
        { pass: 0, ok: false },
        annotated(migrateSteps(o, p.passes), MIGRATOR_CALLS, MIGRATOR_NOTES),
      ),
      ...Array.from({ length: p.faults }, (_, i) =>
        thread<S, FL>(`fault${i}`, { f: SRC, bit: false }, annotated(faultSteps(o), faultCalls(o))),
      ),
      ...Array.from({ length: p.readers }, (_, i) =>
        thread<S, RL>(`reader${i}`, { f: null }, annotated(readerSteps(o), readerCalls(o))),
      ),
    ],
    properties,
    show: SHOW,
  }),
});

// ---------------------------------------------------------------- report annotations (issue 14)
// Call chains, notes and state names for the reports only: no step's behaviour depends on them.

/** v5.0: do_pages_move → do_move_pages_to_node → migrate_pages → unmap_and_move → __unmap_and_move → … */
const MIGRATOR_CALLS: Callers = {
  do_pages_move: '',
  add_page_for_migration: 'do_pages_move',
  isolate_lru_page: 'add_page_for_migration',
  do_move_pages_to_node: 'do_pages_move',
  migrate_pages: 'do_move_pages_to_node',
  unmap_and_move: 'migrate_pages',
  __unmap_and_move: 'unmap_and_move',
  try_to_unmap: '__unmap_and_move',
  rmap_walk_file: 'try_to_unmap',
  try_to_unmap_one: 'rmap_walk_file',
  page_vma_mapped_walk_done: 'try_to_unmap_one',
  move_to_new_page: '__unmap_and_move',
  iomap_migrate_page: 'move_to_new_page',
  migrate_page_move_mapping: 'iomap_migrate_page',
  remove_migration_ptes: '__unmap_and_move',
  remove_migration_pte: 'remove_migration_ptes',
  unlock_page: '__unmap_and_move',
};

const MIGRATOR_NOTES: Record<string, StepNote<S, ML>> = {
  '__unmap_and_move: rc == MIGRATEPAGE_SUCCESS?': (_s, l) =>
    l.ok ? 'rc = MIGRATEPAGE_SUCCESS' : 'rc = -EAGAIN: free the new page, retry on the next pass',
  'migrate_page_move_mapping: xas_lock_irq; page_count != expected_count?': (s) => {
    const a = s.folios[SRC];
    const want = expectedCount(a);
    return `page_count(${SRC}) ${a.ref}, expected_count ${want}${a.private ? ' (page_has_private)' : ''}${a.ref === want ? '' : ': -EAGAIN'}`;
  },
};

/** handle_pte_fault → do_swap_page → migration_entry_wait → __migration_entry_wait → … */
function faultCalls(o: Options): Callers {
  return {
    handle_pte_fault: '',
    do_swap_page: 'handle_pte_fault',
    migration_entry_wait: 'do_swap_page',
    __migration_entry_wait: 'migration_entry_wait',
    migration_entry_wait_on_locked: 'migration_entry_wait',
    put_and_wait_on_page_locked: '__migration_entry_wait',
    wait_on_page_locked: '__migration_entry_wait',
    wait_on_page_bit_common: o.wait === 'hold' ? 'wait_on_page_locked' : 'put_and_wait_on_page_locked',
  };
}

/** 5.0: generic_file_read_iter → generic_file_buffered_read → find_get_page → pagecache_get_page → find_get_entry; v5.17: filemap_read → filemap_get_pages → filemap_get_read_batch. */
function readerCalls(o: Options): Callers {
  return o.wait === 'noref'
    ? {
        xfs_file_buffered_read: '',
        generic_file_read_iter: 'xfs_file_buffered_read',
        filemap_read: 'generic_file_read_iter',
        filemap_get_pages: 'filemap_read',
        filemap_get_read_batch: 'filemap_get_pages',
      }
    : {
        xfs_file_buffered_aio_read: '',
        generic_file_read_iter: 'xfs_file_buffered_aio_read',
        generic_file_buffered_read: 'generic_file_read_iter',
        find_get_page: 'generic_file_buffered_read',
        pagecache_get_page: 'find_get_page',
        find_get_entry: 'pagecache_get_page',
      };
}

const SHOW: ShowRule[] = [
  ...folioShow(),
  lockShow('ptl', 'PTL'),
  { path: 'mig.outcome', name: 'move_pages result', as: 'bookkeeping' },
  { path: 'mig.spurious', name: 'spurious -EAGAIN seen', as: 'bookkeeping' },
];
