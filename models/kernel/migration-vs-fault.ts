/**
 * Page migration vs a shmem read fault (seed 002: arm64, 6.10/6.11, August 2024).
 *
 * Follows Linux v6.10: mm/migrate.c (migrate_pages_sync, migrate_pages_batch,
 * migrate_folio_unmap, folio_migrate_mapping, remove_migration_pte, migration_entry_wait),
 * mm/rmap.c (try_to_migrate_one), mm/memory.c (handle_pte_fault, do_fault, do_read_fault,
 * finish_fault), mm/shmem.c (shmem_get_folio_gfp), mm/filemap.c (filemap_get_entry).
 * Written in the model language (src/lang, docs/writing-a-model.md): footprints are derived.
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
 *    set_tlb_ubc_flush_pending, flushed by IPI in try_to_unmap_flush after the migration entry
 *    is set): a CPU that caches the translation keeps using it and never sees pte_none, so with
 *    every reader warm (cold=0) the first batch succeeds. A reader whose CPU has no cached
 *    translation (`--param cold=1`) walks the page table, sees pte_none and takes the race as
 *    upstream does: the deferral narrows the window, it does not close it (David's data:
 *    forcing should_defer_flush() false made x86 fail all the time).
 *
 * The TLBs are per CPU (src/lang/kernel/tlb.ts): each reader's CPU runs the mm (mm_cpumask);
 * `cold` readers (reader0..) have no cached translation, the others cache the mapped folio.
 * Every flush is complete when its step ends: ptep_clear_flush, the options' clear (+flush) and
 * try_to_unmap_flush invalidate the entries of every CPU they reach.
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
import { ModelError } from '../../src/core/errors.js';
import type { Callers } from '../../src/core/annotations.js';
import type { ShowRule } from '../../src/core/show.js';
import type { StepNote } from '../../src/core/step.js';
import { FOLIO_LOCK, REFCOUNT, folioShow, freezeNote } from '../../src/kernel/folio.js';
import { pteText } from '../../src/kernel/pte.js';
import { rwsemShow } from '../../src/kernel/rwsem.js';
import { lockShow } from '../../src/kernel/spinlock.js';
import type { Verdict } from '../../src/core/model.js';
import { assertion, endState, invariant, type Property, type StateView } from '../../src/core/property.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import {
  array,
  continue_,
  defineModel,
  exit,
  goto_,
  if_,
  int,
  label,
  layout,
  local,
  localWhen,
  loop,
  oneOf,
  scope,
  spinLock,
  spinUnlock,
  step,
  thread,
  tid,
  when,
  type Block,
  type Ctx,
  type LangProgram,
  type StateOf,
} from '../../src/lang/index.js';
import {
  folioLockOrQueue,
  folioLockSleep,
  folioMapcount,
  folioPut,
  folioQueueIfLocked,
  folioRefFreeze,
  folioSpec,
  folioThreadBits,
  folioTryGet,
  folioUnlock,
  folioWaitUnlocked,
  type FolioRefs,
} from '../../src/lang/kernel/folio.js';
import { downRead, rwsemSpec, upRead } from '../../src/lang/kernel/rwsem.js';
import {
  flushTlbPage,
  setTlbUbcFlushPending,
  shouldDeferFlush,
  tlbLookup,
  tlbSpec,
  tlbShow,
  tlbThreadBits,
  tryToUnmapFlush,
  type TlbArch,
} from '../../src/lang/kernel/tlb.js';

export type MigState = 'running' | 'migrated' | 'failed';

/** A page-table entry: none, present, a migration entry, or arm64's present-invalid encoding. */
export type Pte =
  { readonly kind: 'none' } | { readonly kind: 'present' | 'migration' | 'invalid'; readonly folio: string };
const PTE_NONE: Pte = { kind: 'none' };
const present = (folio: string): Pte => ({ kind: 'present', folio });
const migrationEntry = (folio: string): Pte => ({ kind: 'migration', folio });
const presentInvalid = (folio: string): Pte => ({ kind: 'invalid', folio });
const pteSame = (a: Pte, b: Pte) =>
  a.kind === b.kind && (a.kind === 'none' || (a as { folio: string }).folio === (b as { folio: string }).folio);

export interface Options {
  /** How a TLB flush reaches the other CPUs (src/lang/kernel/tlb.ts). */
  readonly tlb: TlbArch;
  /** The ASYNC batch unmaps with TTU_BATCH_FLUSH and the architecture defers the flush. */
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
/** Folios shmem may allocate for a hole in the page cache (option 4: at most one per batch). */
const FRESH = ['C1', 'C2'];

// ---------------------------------------------------------------- shared state

function sharedLayout(o: Options) {
  const names = [SRC, DST, ...(o.uncache ? FRESH : [])];
  const folios: Record<string, ReturnType<typeof folioSpec<typeof MAPPING>>> = {};
  for (const n of names) folios[n] = folioSpec([MAPPING]);
  const ptes: Pte[] = [PTE_NONE, ...names.flatMap((n) => [present(n), migrationEntry(n), presentInvalid(n)])];
  return layout({
    folios,
    pte: array(1, oneOf(ptes)),
    /** The PTL's owner. */
    ptl: tid(),
    /** The page-cache slot of index 0: the folio cached there, or null for a hole. */
    cache: array(1, oneOf<string | null>([SRC, DST, null, ...FRESH])),
    /** Each CPU's cached translation of the PTE, mm_cpumask, the batched flush owed. */
    tlb: tlbSpec(1, names),
    i_mmap_rwsem: rwsemSpec(),
    mig: oneOf<MigState>(['running', 'migrated', 'failed']),
    /** Folios shmem allocated in a hole so far (names FRESH[0..]). */
    allocated: int(0, FRESH.length),
  });
}
type Shared = ReturnType<typeof sharedLayout>;
export type S = StateOf<Shared['spec']>;

/** The refs a step body uses, resolved once per variant. */
function refsOf(shared: Shared) {
  const r = shared.refs;
  const folio = (name: string): FolioRefs => {
    const f = (r.folios as Record<string, FolioRefs>)[name];
    if (!f) throw new Error(`no folio ${name} in the layout`);
    return f;
  };
  return { ...r, pte0: r.pte.at(0), cache0: r.cache.at(0), folio };
}
type Refs = ReturnType<typeof refsOf>;

// ---------------------------------------------------------------- migrator

interface ML {
  /** 0 = ASYNC batch, 1 = SYNC batch. */
  readonly batch: number;
  /** Early retries used (retry-early variant). */
  readonly early: number;
  /** The undo in progress is an early retry, not a failed freeze. */
  readonly retrying: boolean;
}

function expectedRefs(o: Options): number {
  if (o.freezeFirst !== 'no') return 3; // page cache + PTE + isolation, frozen before the unmap
  return o.uncache ? 1 : 2; // isolation (+ page cache unless removed)
}

/**
 * The freeze's fair retry loop: succeeds at the expected count (true); fails (false) once every
 * extra holder sleeps on the lock; waits otherwise.
 */
function freezeRetries(c: Ctx<ML>, a: FolioRefs, expected: number): boolean {
  c.touch(a.ref);
  const ref = c.get(a.ref);
  const held = c.get(a.held);
  const waiters = c.get(a.waiters);
  c.await(ref === expected || (held & ~waiters) === 0);
  return folioRefFreeze(c, a, expected);
}

/**
 * remove_migration_pte under the PTL: if the PTE still holds src's migration entry, map `to`
 * (folio_get, set_pte_at, folio_add_file_rmap_pte). Coarser than the kernel (three atomic
 * actions in one step): the PTE store is under the PTL, and the two increments are merged with
 * it because no reader here decides on the exact count between them (only the migrator freezes).
 */
function removeMigrationPte(r: Refs, to: string): (c: Ctx<ML>) => void {
  const f = r.folio(to);
  return (c) => {
    const p = c.get(r.pte0);
    if (p.kind !== 'migration' || p.folio !== SRC) return;
    c.set(r.pte0, present(to));
    c.set(f.ref, c.get(f.ref) + 1);
    c.set(f.mapcount, c.get(f.mapcount) + 1);
  };
}

/** migrate_folio_undo_src: remove_migration_ptes(src → src) under the PTL. */
const undo = (r: Refs): Block<ML> => [
  label('undo'),
  step('migrate_folio_undo_src: remove_migration_ptes: PTL', (c) => spinLock(c, r.ptl), { cost: 'lock' }),
  label('undo_set'),
  step('remove_migration_pte: set_pte_at(src); folio_get(src)', removeMigrationPte(r, SRC), { cost: 'atomic' }),
  step('remove_migration_ptes: drop PTL', (c) => spinUnlock(c, r.ptl)),
];

function migrator(o: Options, r: Refs, retries: number): Block<ML> {
  const a = r.folio(SRC);
  const b = r.folio(DST);
  const atomic = { cost: 'atomic' } as const;
  const lock = { cost: 'lock' } as const;
  const expected = expectedRefs(o);
  const clear =
    o.clear === 'xchg'
      ? step<ML>(
          'try_to_migrate_one: xchg(pte, migration entry)',
          (c) => {
            c.set(r.pte0, migrationEntry(SRC));
            flushTlbPage(c, r.tlb, o.tlb, 0);
          },
          atomic,
        )
      : o.clear === 'mkinvalid'
        ? step<ML>(
            'try_to_migrate_one: pte_mkinvalid (+flush)',
            (c) => {
              c.set(r.pte0, presentInvalid(SRC));
              flushTlbPage(c, r.tlb, o.tlb, 0);
            },
            atomic,
          )
        : step<ML>(
            'try_to_migrate_one: ptep_clear_flush / ptep_get_and_clear',
            (c) => {
              c.set(r.pte0, PTE_NONE);
              // TTU_BATCH_FLUSH only in the ASYNC batch; should_defer_flush decides.
              if (o.deferAsyncFlush && shouldDeferFlush(c, r.tlb, c.l.batch === 0)) setTlbUbcFlushPending(c, r.tlb);
              else flushTlbPage(c, r.tlb, o.tlb, 0);
            },
            atomic,
          );
  return [
    // migrate_pages_sync: the ASYNC batch, then the SYNC batch (and early retries).
    label('lock'),
    when(
      'migrate_folio_unmap: folio_lock(src)',
      (c) => folioLockOrQueue(c, a),
      [],
      [label('lock_sleep'), step('migrate_folio_unmap: folio_lock sleeps', (c) => folioLockSleep(c, a))],
      lock,
    ),
    ...(o.freezeFirst !== 'no'
      ? [
          label<ML>('locked'),
          when<ML>(
            'migrate_folio_unmap: option 3 folio_ref_freeze(src, 3)',
            (c) => freezeRetries(c, a, expected),
            [],
            [goto_('give_up')],
            atomic,
          ),
        ]
      : []),
    label(o.freezeFirst === 'no' ? 'locked' : 'immap'),
    step('rmap_walk_file: i_mmap_lock_read', (c) => downRead(c, r.i_mmap_rwsem), lock),
    step('try_to_migrate_one: page_vma_mapped_walk takes PTL', (c) => spinLock(c, r.ptl), lock),
    label('clear'),
    clear,
    ...(o.clear !== 'xchg'
      ? [step<ML>('try_to_migrate_one: set_pte_at(migration entry)', (c) => c.set(r.pte0, migrationEntry(SRC)))]
      : []),
    step('try_to_migrate_one: folio_remove_rmap_pte', (c) => folioMapcount(c, a, -1), atomic),
    ...(o.freezeFirst !== 'fold-put' ? [step<ML>('try_to_migrate_one: folio_put', (c) => folioPut(c, a), atomic)] : []),
    step('page_vma_mapped_walk: drop PTL', (c) => spinUnlock(c, r.ptl)),
    step('rmap_walk_file: i_mmap_unlock_read', (c) => upRead(c, r.i_mmap_rwsem)),
    step('migrate_pages_batch: try_to_unmap_flush', (c) => tryToUnmapFlush(c, r.tlb, o.tlb)),
    ...(o.retryEarly
      ? [
          label<ML>('early_check'),
          when<ML>(
            'migrate_pages_batch: retry-early folio_ref_count != folio_expected_refs?',
            (c) =>
              c.get(a.ref) !== expected &&
              c.l.early < retries &&
              (c.let({ early: c.l.early + 1, retrying: true }), true),
            [goto_('undo')],
          ),
        ]
      : []),
    ...(o.uncache
      ? [
          label<ML>('uncache'),
          step<ML>(
            'filemap_remove_folio: option 4 uncaches src',
            (c) => {
              if (c.get(r.cache0) !== SRC) return;
              c.set(r.cache0, null);
              c.set(a.ref, c.get(a.ref) - 1);
            },
            atomic,
          ),
        ]
      : []),
    ...(o.freezeFirst === 'no'
      ? [
          label<ML>('freeze'),
          when<ML>(
            'folio_migrate_mapping: xas_lock_irq; folio_ref_freeze(src, expected)',
            (c) => freezeRetries(c, a, expected),
            [],
            [goto_('undo')],
            atomic,
          ),
        ]
      : []),
    label('store'),
    step(
      'folio_migrate_mapping: xas_store(dst); folio_ref_unfreeze(src, 1)',
      (c) => {
        c.set(r.cache0, DST);
        c.set(b.ref, c.get(b.ref) + 1);
        c.set(b.mapping, MAPPING);
        c.set(a.mapping, null);
        c.set(a.ref, 1);
      },
      atomic,
    ),
    step('remove_migration_ptes: PTL (src→dst)', (c) => spinLock(c, r.ptl), lock),
    label('rm_set'),
    step('remove_migration_pte: set_pte_at(dst); folio_get(dst)', removeMigrationPte(r, DST), atomic),
    step('remove_migration_ptes: drop PTL', (c) => spinUnlock(c, r.ptl)),
    step('migrate_folio_move: folio_unlock(dst)', (c) => folioUnlock(c, b)),
    step('migrate_folio_move: folio_unlock(src)', (c) => folioUnlock(c, a)),
    step('migrate_folio_move: folio_put(dst)', (c) => folioPut(c, b), atomic),
    label('done'),
    step(
      'migrate_folio_done: folio_put(src) — migrated',
      (c) => {
        c.set(a.ref, c.get(a.ref) - 1);
        c.set(r.mig, 'migrated');
      },
      atomic,
    ),
    exit(),
    // Undo of a batch: restore the PTE, unlock; then the next batch or give up. (With option 3
    // a failed freeze gives up before the unmap: there is nothing to undo.)
    ...(o.freezeFirst === 'no' ? undo(r) : []),
    ...(o.uncache
      ? [
          label<ML>('recache'),
          step<ML>(
            'shmem_add_to_page_cache: option 4 undo re-adds src',
            (c) => {
              if (c.get(r.cache0) !== null) return;
              c.set(r.cache0, SRC);
              c.set(a.ref, c.get(a.ref) + 1);
            },
            atomic,
          ),
        ]
      : []),
    label('give_up'),
    step('migrate_folio_undo_src: folio_unlock(src)', (c) => folioUnlock(c, a)),
    localWhen<ML>(
      'migrate_pages_sync: next batch?',
      (l) => (l.retrying ? [{ retrying: false }, true] : l.batch === 0 ? [{ batch: 1 }, true] : [{}, false]),
      [goto_('lock')],
    ),
    label('fail'),
    step(
      'putback_movable_pages: folio_put(src), free dst — migration failed',
      (c) => {
        c.set(a.ref, c.get(a.ref) - 1);
        c.set(b.ref, c.get(b.ref) - 1);
        c.set(b.locked, -1);
        c.set(r.mig, 'failed');
      },
      atomic,
    ),
  ];
}

// ---------------------------------------------------------------- reader

interface RL {
  /** The folio found in the page cache (filemap_get_entry) or named by the migration entry. */
  readonly f: string;
  /** vmf->orig_pte, read locklessly. */
  readonly orig: Pte;
  readonly nopage: boolean;
}

function reader(o: Options, r: Refs): Block<RL> {
  const lock = { cost: 'lock' } as const;
  const atomic = { cost: 'atomic' } as const;
  const f = (c: Ctx<RL>) => r.folio(c.l.f);
  /** filemap_get_entry's `repeat` label. */
  const lookup = o.recheckInDoFault ? 'lookup' : 'missing';
  const doFaultRecheck: Block<RL> = o.recheckInDoFault
    ? [
        label('missing'),
        step('do_fault: option 5 spin_lock(ptl)', (c) => spinLock(c, r.ptl), lock),
        step('do_fault: option 5 pte_none(ptep_get)?', (c) => {
          if (c.get(r.pte0).kind !== 'none') c.let({ nopage: true });
        }),
        when(
          'do_fault: option 5 spin_unlock(ptl)',
          (c) => {
            spinUnlock(c, r.ptl);
            return c.l.nopage && (c.let({ nopage: false }), true);
          },
          [continue_()],
        ),
      ]
    : [];
  return [
    // The hardware retries the access after every fault that returns.
    loop([
      label('access'),
      // A hit, or a walk that finds the page present, ends the reader: it accesses the page once,
      // so the walk's TLB fill (tlbFill) would be dead state and is left out.
      when(
        'CPU access: TLB hit or hardware walk',
        (c) => tlbLookup(c, r.tlb, 0) !== null || c.get(r.pte0).kind === 'present',
        [exit()],
      ),
      // f, orig and nopage belong to one fault: dead when the access is retried or done.
      scope<RL>({ f: SRC, orig: PTE_NONE, nopage: false }, [
        step('handle_pte_fault: ptep_get_lockless', (c) => c.let({ orig: c.get(r.pte0) })),
        if_((l) => l.orig.kind === 'present', [exit()]),
        if_((l) => l.orig.kind === 'migration', [goto_('mew_lock')]),
        // present-invalid (option 1): the pte_same path under the PTL
        if_(
          (l) => l.orig.kind === 'invalid',
          [
            label('same_lock'),
            step('handle_pte_fault: spin_lock(ptl)', (c) => spinLock(c, r.ptl), lock),
            step('handle_pte_fault: !pte_same → return', (c) => void c.get(r.pte0)),
            step('handle_pte_fault: spin_unlock(ptl); refault', (c) => spinUnlock(c, r.ptl)),
            continue_(),
          ],
        ),
        // pte_none: do_pte_missing → do_fault → do_read_fault → shmem_fault
        ...doFaultRecheck,
        label(lookup),
        when(
          'filemap_get_entry: xas_load',
          (c) => {
            const cached = c.get(r.cache0);
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
        when('filemap_get_entry: xas_reload', (c) => c.get(r.cache0) === c.l.f, [goto_('lock')]),
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
          (c) => c.get(f(c).mapping) === MAPPING,
          [],
          [goto_('truncated')],
        ),
        step('finish_fault: pte_offset_map_lock', (c) => spinLock(c, r.ptl), lock),
        step(
          'finish_fault: vmf_pte_changed? else set_pte_range',
          (c) => {
            if (!pteSame(c.get(r.pte0), c.l.orig)) return c.let({ nopage: true });
            const fo = f(c);
            c.set(fo.held, c.get(fo.held) & ~(1 << c.tid));
            c.set(fo.mapcount, c.get(fo.mapcount) + 1);
            c.set(r.pte0, present(c.l.f));
          },
          atomic,
        ),
        step('finish_fault: pte_unmap_unlock', (c) => spinUnlock(c, r.ptl)),
        step('do_read_fault: folio_unlock', (c) => folioUnlock(c, f(c))),
        when(
          'do_read_fault: VM_FAULT_NOPAGE → folio_put; refault',
          (c) => {
            if (!c.l.nopage) return false;
            folioPut(c, f(c), true);
            c.let({ nopage: false });
            return true;
          },
          [continue_()],
          [exit()],
        ),
        label('truncated'),
        step('shmem_get_folio_gfp: truncated → folio_unlock', (c) => folioUnlock(c, f(c))),
        local('shmem_get_folio_gfp: folio_put; repeat', () => ({})),
        goto_('drop'),
        // migration entry: do_swap_page → migration_entry_wait (no reference taken)
        label('mew_lock'),
        step('migration_entry_wait: pte_offset_map_lock', (c) => spinLock(c, r.ptl), lock),
        when(
          'migration_entry_wait: is_migration_entry(ptep_get)?',
          (c) => {
            const p = c.get(r.pte0);
            return p.kind === 'migration' && (c.let({ f: p.folio }), true);
          },
          [],
          [goto_('mew_out')],
        ),
        step('migration_entry_wait_on_locked: folio_set_waiters; enqueue', (c) => folioQueueIfLocked(c, f(c))),
        step('migration_entry_wait_on_locked: spin_unlock(ptl)', (c) => spinUnlock(c, r.ptl)),
        step('migration_entry_wait_on_locked: sleep until unlocked; refault', (c) => folioWaitUnlocked(c, f(c))),
        continue_(),
        label('mew_out'),
        step('migration_entry_wait: spin_unlock(ptl); refault', (c) => spinUnlock(c, r.ptl)),
        continue_(),
        // A hole in the page cache (option 4): shmem allocates a new folio for the index, locked, cached.
        label('hole'),
        when(
          'shmem_alloc_and_add_folio: new folio in the hole',
          (c) => {
            if (c.get(r.cache0) !== null) return false;
            const k = c.get(r.allocated);
            const name = FRESH[k];
            const fresh = r.folio(name);
            c.set(r.allocated, k + 1);
            c.set(fresh.ref, 2);
            c.set(fresh.held, 1 << c.tid);
            c.set(fresh.locked, c.tid);
            c.set(fresh.mapping, MAPPING);
            c.set(r.cache0, name);
            c.let({ f: name });
            return true;
          },
          [goto_('locked')],
          [goto_(lookup)],
        ),
      ]),
    ]),
  ];
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
    ['pte', `folios.${SRC}.lock`, `folios.${DST}.lock`],
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
    [`folios.${SRC}.ref`, `folios.${SRC}.lock`, 'pte'],
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
 * rwsem writer, or a CPU bit of the TLB state (cached translation, mm_cpumask, batched flush) —
 * `tid()` and `mask()` fields of the layout, which the compiler renames. Warm and cold readers
 * differ only in that shared state, so they stay one group.
 * Locations never depend on the reader's id, and the properties only ask whether some thread
 * holds/waits, never which one (their messages name it).
 */
function readerSymmetry(first: number, readers: number): LangProgram<S>['symmetry'] {
  if (readers < 2) return undefined;
  return {
    groups: [Array.from({ length: readers }, (_, i) => first + i)],
    threadKey: (s, t) => {
      let key = s.ptl === t ? 1 : 0;
      for (const name in s.folios) key = key * 8 + folioThreadBits(s.folios[name], t);
      return key * 64 + tlbThreadBits(s.tlb, t);
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
  sources: {
    'CPU access': 'hardware: the MMU (TLB lookup, else page-table walk), not a kernel function',
    ...Object.fromEntries(
      [
        'migrate_pages_sync',
        'migrate_pages_batch',
        'migrate_folio_unmap',
        'migrate_folio_move',
        'move_to_new_folio',
        'migrate_folio',
        'migrate_folio_extra',
        'folio_migrate_mapping',
        'migrate_folio_undo_src',
        'migrate_folio_done',
        'putback_movable_pages',
        'remove_migration_ptes',
        'remove_migration_pte',
        'migration_entry_wait',
      ].map((f) => [f, 'mm/migrate.c @ v6.10']),
    ),
    ...Object.fromEntries(
      ['try_to_migrate', 'rmap_walk_file', 'try_to_migrate_one'].map((f) => [f, 'mm/rmap.c @ v6.10']),
    ),
    page_vma_mapped_walk: 'mm/page_vma_mapped.c @ v6.10',
    ...Object.fromEntries(
      [
        'handle_pte_fault',
        'do_pte_missing',
        'do_fault',
        'do_read_fault',
        '__do_fault',
        'finish_fault',
        'do_swap_page',
      ].map((f) => [f, 'mm/memory.c @ v6.10']),
    ),
    ...Object.fromEntries(
      ['filemap_get_entry', 'filemap_remove_folio', 'migration_entry_wait_on_locked'].map((f) => [
        f,
        'mm/filemap.c @ v6.10',
      ]),
    ),
    ...Object.fromEntries(
      ['shmem_fault', 'shmem_get_folio_gfp', 'shmem_alloc_and_add_folio', 'shmem_add_to_page_cache'].map((f) => [
        f,
        'mm/shmem.c @ v6.10',
      ]),
    ),
  },
  params: {
    readers: { default: 2, min: 1, max: 6, doc: 'Faulting reader threads (each faults once on the page).' },
    retries: {
      default: 1,
      min: 0,
      max: 4,
      doc: 'retry-early: how many times an unmap is undone and redone on a refcount mismatch.',
    },
    cold: {
      default: 0,
      min: 0,
      max: 6,
      doc: 'Readers whose CPU has no cached translation of the page (reader0.., e.g. just switched in); the others hit in their TLB until it is flushed.',
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
    tlb: 'tlbi',
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
      doc: "x86's deferred flush in the ASYNC batch: CPUs caching the old translation keep it until the migration entry is set (holds only if every reader is TLB-warm: see --param cold).",
      options: { tlb: 'ipi', deferAsyncFlush: true },
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
    if (p.cold > p.readers)
      throw new ModelError(`migration-vs-fault: cold=${p.cold} but only ${p.readers} reader(s)`, 'bad-param');
    return buildProgram(o, p);
  },
});

function buildProgram(o: Options, p: Readonly<Record<string, number>>): LangProgram<S> {
  const shared = sharedLayout(o);
  const r = refsOf(shared);
  const fresh = o.uncache ? Object.fromEntries(FRESH.map((n) => [n, { ref: 0 }])) : {};
  const first = p.migrating ? 1 : 0;
  const cpus = (from: number, n: number) => ((1 << n) - 1) << from;
  // Every reader's CPU runs the mm; the warm ones cache the translation of the mapped page.
  const warm = p.migrating ? cpus(first + p.cold, p.readers - p.cold) : 0;
  const init = shared.state({
    folios: {
      [SRC]: p.migrating ? { ref: 3, mapcount: 1, mapping: MAPPING } : { ref: 1, mapping: MAPPING },
      [DST]: p.migrating ? { ref: 1, locked: MIGRATOR } : { ref: 0 },
      ...fresh,
    },
    pte: [p.migrating ? present(SRC) : PTE_NONE],
    cache: [SRC],
    tlb: { cpumask: cpus(first, p.readers), cached: [{ [SRC]: warm }] },
  });
  const ml: ML = { batch: 0, early: 0, retrying: false };
  // The migrator's locals are dead once it finishes (reset at its exit).
  const migratorBody = [scope<ML>(ml, migrator(o, r, p.retries))];
  const readerBody = reader(o, r);
  return {
    layout: shared,
    init,
    threads: [
      ...(p.migrating ? [thread<ML>('migrator', ml, migratorBody)] : []),
      ...Array.from({ length: p.readers }, (_, i) =>
        thread<RL>(`reader${i}`, { f: SRC, orig: PTE_NONE, nopage: false }, readerBody),
      ),
    ],
    properties,
    symmetry: readerSymmetry(first, p.readers),
    // The properties read the shared state and thread names only.
    observes: {},
    show: SHOW,
    annotate: (name) =>
      name === 'migrator'
        ? { calls: MIGRATOR_CALLS, notes: { ...MIGRATOR_NOTES, ...freezeNotes(o) } }
        : { calls: READER_CALLS, notes: READER_NOTES },
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
  migrate_folio_extra: 'migrate_folio',
  folio_migrate_mapping: 'migrate_folio_extra',
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
  putback_movable_pages: 'migrate_pages_sync',
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
  'CPU access: TLB hit or hardware walk': (s, _l, t) =>
    cachedBy(s, t)
      ? `TLB hit: the access uses the cached translation of ${cachedBy(s, t)}${s.pte[0].kind === 'present' ? '' : ` (the PTE is ${pteText(s.pte[0])}: a flush is still owed)`}`
      : s.pte[0].kind === 'present'
        ? 'PTE present: no fault'
        : `${pteText(s.pte[0])}: page fault`,
  'finish_fault: vmf_pte_changed? else set_pte_range': (s, l) =>
    pteSame(s.pte[0], l.orig) ? null : `PTE changed (${pteText(l.orig)} → ${pteText(s.pte[0])}): VM_FAULT_NOPAGE`,
};

/** The translation of the page CPU `t` caches, if any. */
const cachedBy = (s: S, t: number) => Object.keys(s.tlb.cached[0]).find((n) => (s.tlb.cached[0][n] >> t) & 1);

const SHOW: ShowRule[] = [
  ...folioShow(),
  lockShow('ptl', 'PTL'),
  ...rwsemShow('i_mmap_rwsem'),
  ...tlbShow(),
  { path: 'mig', name: 'move_pages result', as: 'bookkeeping' },
];

/** Why a freeze succeeds or fails: the count against the one expected (src/kernel/folio.ts). */
function freezeNotes(o: Options): Record<string, StepNote<S, ML>> {
  const note = freezeNote<S, ML>(SRC, () => expectedRefs(o));
  return {
    'folio_migrate_mapping: xas_lock_irq; folio_ref_freeze(src, expected)': note,
    'migrate_folio_unmap: option 3 folio_ref_freeze(src, 3)': note,
  };
}
