/**
 * Page migration vs a shmem read fault (seed 002: arm64, 6.10/6.11, August 2024).
 *
 * Follows Linux v6.10 (the `sources` table names each function's file): mm/migrate.c
 * (migrate_pages_sync … folio_migrate_mapping, remove_migration_pte), mm/rmap.c
 * (try_to_migrate_one), mm/memory.c (handle_pte_fault … finish_fault), mm/shmem.c, mm/filemap.c,
 * mm/gup.c (follow_page_pte). The story, the granularity and every verdict with its trace:
 * docs/models/migration-vs-fault.md.
 *
 * try_to_migrate_one clears the PTE before it installs the migration entry; a read fault that
 * sees pte_none in between takes a reference in filemap_get_entry and sleeps on the folio lock
 * the migrator holds, so every folio_ref_freeze of the batch fails (3 passes ASYNC, 7 SYNC).
 *
 * Variants:
 *  - upstream: clear, then set the migration entry; immediate flush (arm64, repeat-TLBI erratum).
 *  - x86-deferred: the ASYNC batch defers the flush (TTU_BATCH_FLUSH); warm CPUs keep the page.
 *  - opt1-mkinvalid: atomic pte_mkinvalid (arm64 present-invalid): the reader takes the PTL path.
 *  - opt2-xchg: the migration entry is installed by one exchange: the PTE is never none.
 *  - opt3-freeze-first: folio_ref_freeze before the clear; the PTEs' puts folded into the unfreeze.
 *  - opt3-freeze-first-put: the same keeping try_to_migrate_one's folio_put: a single-thread BUG.
 *  - opt4-uncache: filemap_remove_folio before the unmap, re-add the new folio after the move.
 *  - opt5-recheck: do_fault rechecks pte_none under the PTL before ->fault.
 *  - retry-early: Dev's follow-up: undo and unmap again on a refcount mismatch.
 */
import { ModelError } from '../../src/core/errors.js';
import type { StepNote } from '../../src/core/step.js';
import { FOLIO_LOCK, REFCOUNT, folioShow, freezeNote } from '../../src/kernel/folio.js';
import {
  PTE_NONE,
  migrationEntry,
  present,
  presentInvalid,
  ptePresent,
  pteSame,
  pteText,
  type Pte,
} from '../../src/kernel/pte.js';
import { rwsemShow } from '../../src/kernel/rwsem.js';
import { lockMisuse, lockShow } from '../../src/kernel/spinlock.js';
import type { Verdict } from '../../src/core/model.js';
import { assertion, endState, invariant, type Property } from '../../src/core/property.js';
import {
  array,
  continue_,
  defineModel,
  exit,
  goto_,
  if_,
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
  type Node,
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
  folioTrylock,
  folioTryGet,
  folioUnlock,
  folioWaitUnlocked,
  type FolioRefs,
} from '../../src/lang/kernel/folio.js';
import { tryGrabFolio } from '../../src/lang/kernel/gup.js';
import {
  FAULT_CALLS,
  MIGRATE_CALLS,
  MIGRATE_SOURCES,
  filemapRemoveFolio,
  pteValues,
  removeMigrationPte,
  shmemAddToPageCache,
} from '../../src/lang/kernel/migrate.js';
import { downRead, rwsemSpec, upRead } from '../../src/lang/kernel/rwsem.js';
import * as tlb from '../../src/lang/kernel/tlb.js';

export type MigState = 'running' | 'migrated' | 'failed';

export interface Options {
  /** How a TLB flush reaches the other CPUs (src/lang/kernel/tlb.ts). */
  readonly tlb: tlb.TlbArch;
  /** The ASYNC batch unmaps with TTU_BATCH_FLUSH and the architecture defers the flush. */
  readonly deferAsyncFlush: boolean;
  readonly clear: 'clear' | 'mkinvalid' | 'xchg';
  readonly freezeFirst: 'no' | 'fold-put' | 'keep-put';
  readonly uncache: boolean;
  readonly recheckInDoFault: boolean;
  readonly retryEarly: boolean;
}
type Params = Readonly<Record<string, number>>;

const MIGRATOR = 0;
const [SRC, DST, FRESH] = ['A', 'B', 'C'];
const MAPPING = 'shmem';
const READD = 'page-cache-readd';
const UNDO = 'migrate_folio_undo_src: remove_migration_ptes';
const [atomic, lock] = [{ cost: 'atomic' }, { cost: 'lock' }] as const;

function sharedLayout(o: Options, mms: number) {
  const names = [SRC, DST, ...(o.uncache ? [FRESH] : [])];
  return layout({
    folios: Object.fromEntries(names.map((n) => [n, folioSpec([MAPPING])])),
    /** One PTE per mm mapping the file page (mm0 is the one move_pages migrates from). */
    pte: array(mms, oneOf(pteValues(names))),
    /** Each PTE's page-table lock. */
    ptl: array(mms, tid()),
    /** The page-cache slot of index 0: the folio cached there, or null for a hole. */
    cache: array(1, oneOf<string | null>([...names, null])),
    tlb: tlb.tlbSpec(mms, names),
    i_mmap_rwsem: rwsemSpec(),
    mig: oneOf<MigState>(['running', 'migrated', 'failed']),
  });
}
export type S = StateOf<ReturnType<typeof sharedLayout>['spec']>;
type Refs = ReturnType<typeof sharedLayout>['refs'] & { folio: (n: string) => FolioRefs };

// ---------------------------------------------------------------- migrator

interface ML {
  /** 0 = ASYNC batch, 1 = SYNC batch; its unmap pass and move pass (bounded by --param async/sync). */
  readonly batch: number;
  readonly pass: number;
  readonly tries: number;
  /** The batch unmapped the folio (a failure now is the move's, not the unmap's). */
  readonly unmapped: boolean;
  /** Early retries used, and the undo in progress is one (retry-early). */
  readonly early: number;
  readonly retrying: boolean;
}

/** folio_expected_refs (+ the mapping PTEs option 3 freezes with): isolation + page cache. */
const expectedRefs = (o: Options, mapcount: number) => (o.freezeFirst !== 'no' ? 2 + mapcount : o.uncache ? 1 : 2);

/** One mm's PTE in try_to_migrate_one: clear (per option), migration entry, rmap, put. */
function unmapPte(o: Options, r: Refs, k: number): Block<ML> {
  const [pte, a] = [r.pte.at(k), r.folio(SRC)];
  const flush = (c: Ctx<ML>) => tlb.flushTlbPage(c, r.tlb, o.tlb, k);
  const clear =
    o.clear === 'xchg'
      ? step<ML>(
          'try_to_migrate_one: xchg(pte, migration entry)',
          (c) => (c.set(pte, migrationEntry(SRC)), flush(c)),
          atomic,
        )
      : o.clear === 'mkinvalid'
        ? step<ML>(
            'try_to_migrate_one: pte_mkinvalid (+flush)',
            (c) => (c.set(pte, presentInvalid(SRC)), flush(c)),
            atomic,
          )
        : step<ML>(
            'try_to_migrate_one: ptep_clear_flush / ptep_get_and_clear',
            (c) => {
              c.set(pte, PTE_NONE);
              // TTU_BATCH_FLUSH only in the ASYNC batch; should_defer_flush decides.
              if (o.deferAsyncFlush && tlb.shouldDeferFlush(c, r.tlb, c.l.batch === 0))
                tlb.setTlbUbcFlushPending(c, r.tlb);
              else flush(c);
            },
            atomic,
          );
  return [
    when(
      'try_to_migrate_one: page_vma_mapped_walk takes PTL',
      (c) => {
        const p = c.get(pte);
        return p.kind === 'present' && p.folio === SRC && (spinLock(c, r.ptl.at(k)), true);
      },
      [
        ...(k === 0 ? [label<ML>('clear')] : []),
        clear,
        ...(o.clear !== 'xchg'
          ? [step<ML>('try_to_migrate_one: set_pte_at(migration entry)', (c) => c.set(pte, migrationEntry(SRC)))]
          : []),
        step('try_to_migrate_one: folio_remove_rmap_pte', (c) => folioMapcount(c, a, -1), atomic),
        ...(o.freezeFirst !== 'fold-put'
          ? [step<ML>('try_to_migrate_one: folio_put', (c) => folioPut(c, a), atomic)]
          : []),
        step('page_vma_mapped_walk: drop PTL', (c) => spinUnlock(c, r.ptl.at(k))),
      ],
      [],
      lock,
    ),
  ];
}

/** remove_migration_ptes(src → to): every mm's PTE under its PTL. */
const removePtes = (r: Refs, to: string, [lockIt, drop]: string[], mms: number, name: string): Block<ML> =>
  Array.from({ length: mms }, (_, k): Block<ML> => [
    step(lockIt, (c) => spinLock(c, r.ptl.at(k)), lock),
    ...(k === 0 ? [label<ML>(name)] : []),
    step(
      `remove_migration_pte: set_pte_at(${to === DST ? 'dst' : 'src'}); folio_get(${to === DST ? 'dst' : 'src'})`,
      (c) => removeMigrationPte(c, r.pte.at(k), SRC, r.folio(to), to),
      atomic,
    ),
    step(drop, (c) => spinUnlock(c, r.ptl.at(k))),
  ]).flat();

function migrator(o: Options, r: Refs, p: Params): Block<ML> {
  const [a, b, cache0] = [r.folio(SRC), r.folio(DST), r.cache.at(0)];
  const passes = [p.async, p.sync];
  const readd = (n: string) => (c: Ctx<ML>) => shmemAddToPageCache(c, cache0, r.folio(n), n, MAPPING, READD);
  return [
    // if (!folio_trylock(src)) { if (mode == MIGRATE_ASYNC) goto out; folio_lock(src); }
    label('lock'),
    when(
      'migrate_folio_unmap: folio_trylock(src), SYNC: else folio_lock',
      (c) => (c.l.batch === 0 ? folioTrylock(c, a) : folioLockOrQueue(c, a)),
      [],
      [
        if_((l) => l.batch === 0, [goto_('next')]),
        label('lock_sleep'),
        step('migrate_folio_unmap: folio_lock sleeps', (c) => folioLockSleep(c, a)),
      ],
      lock,
    ),
    ...(o.uncache
      ? [
          label<ML>('uncache'),
          step<ML>('filemap_remove_folio: option 4 uncaches src', (c) => filemapRemoveFolio(c, cache0, a, SRC), atomic),
        ]
      : []),
    ...(o.freezeFirst !== 'no'
      ? [
          label<ML>('locked'),
          when<ML>(
            'migrate_folio_unmap: option 3 folio_ref_freeze(src, expected + mapcount)',
            (c) => folioRefFreeze(c, a, expectedRefs(o, c.get(a.mapcount))),
            [],
            [goto_('give_up')],
            atomic,
          ),
        ]
      : []),
    label(o.freezeFirst === 'no' ? 'locked' : 'immap'),
    step('rmap_walk_file: i_mmap_lock_read', (c) => downRead(c, r.i_mmap_rwsem), lock),
    ...Array.from({ length: p.mms }, (_, k) => unmapPte(o, r, k)).flat(),
    step('rmap_walk_file: i_mmap_unlock_read', (c) => upRead(c, r.i_mmap_rwsem)),
    step(
      'migrate_pages_batch: try_to_unmap_flush',
      (c) => (tlb.tryToUnmapFlush(c, r.tlb, o.tlb), c.let({ unmapped: true })),
    ),
    ...(o.retryEarly
      ? [
          label<ML>('early_check'),
          when<ML>(
            'migrate_pages_batch: retry-early folio_ref_count != folio_expected_refs?',
            (c) =>
              c.get(a.ref) !== expectedRefs(o, 0) &&
              c.l.early < p.retries &&
              (c.let({ early: c.l.early + 1, retrying: true }), true),
            [goto_('undo')],
          ),
        ]
      : []),
    // folio_migrate_mapping: a frozen folio (option 3) moves at once; else each move pass tries
    // the freeze (option 4's folio has no mapping: the !mapping branch only compares the count).
    ...(o.freezeFirst === 'no'
      ? [
          label<ML>('freeze'),
          o.uncache
            ? when<ML>(
                'folio_migrate_mapping: !mapping: folio_ref_count(src) == expected?',
                (c) => (c.touch(a.ref), c.get(a.ref) === 1),
                [goto_('store')],
                [],
                atomic,
              )
            : when<ML>(
                'folio_migrate_mapping: xas_lock_irq; folio_ref_freeze(src, expected)',
                (c) => folioRefFreeze(c, a, 2),
                [goto_('store')],
                [],
                atomic,
              ),
          localWhen<ML>(
            'migrate_pages_batch: -EAGAIN: another move pass?',
            (l) => (l.tries + 1 < passes[l.batch] ? [{ tries: l.tries + 1 }, true] : [{ tries: 0 }, false]),
            [goto_('freeze')],
          ),
          goto_<ML>('undo'),
        ]
      : []),
    label('store'),
    o.uncache
      ? step('shmem_add_to_page_cache: option 4 re-adds dst (-EEXIST if the slot is taken)', readd(DST), atomic)
      : step(
          'folio_migrate_mapping: xas_store(dst); folio_ref_unfreeze(src, 1)',
          (c) => {
            c.set(cache0, DST);
            c.set(b.ref, c.get(b.ref) + 1);
            c.set(b.mapping, MAPPING);
            c.set(a.mapping, null);
            c.set(a.ref, 1);
          },
          atomic,
        ),
    ...removePtes(r, DST, ['remove_migration_ptes: PTL (src→dst)', 'remove_migration_ptes: drop PTL'], p.mms, 'rm_set'),
    step('migrate_folio_move: folio_unlock(dst)', (c) => folioUnlock(c, b)),
    step('migrate_folio_move: folio_unlock(src)', (c) => folioUnlock(c, a)),
    step('migrate_folio_move: folio_put(dst)', (c) => folioPut(c, b), atomic),
    label('done'),
    step('migrate_folio_done: folio_put(src) — migrated', (c) => (folioPut(c, a), c.set(r.mig, 'migrated')), atomic),
    exit(),
    // The batch's undo: restore the PTEs, (option 4) re-add src, unlock; then the next pass or batch.
    ...(o.freezeFirst === 'no'
      ? [label<ML>('undo'), ...removePtes(r, SRC, [`${UNDO}: PTL`, `${UNDO}: drop PTL`], p.mms, 'undo_set')]
      : []),
    ...(o.uncache ? [step<ML>('shmem_add_to_page_cache: option 4 undo re-adds src', readd(SRC), atomic)] : []),
    label('give_up'),
    step('migrate_folio_undo_src: folio_unlock(src)', (c) => folioUnlock(c, a)),
    label('next'),
    localWhen<ML>(
      'migrate_pages_sync: next batch?',
      (l) =>
        l.retrying
          ? [{ retrying: false, unmapped: false }, true]
          : !l.unmapped && l.pass + 1 < passes[l.batch]
            ? [{ pass: l.pass + 1 }, true]
            : l.batch === 0
              ? [{ batch: 1, pass: 0, tries: 0, unmapped: false }, true]
              : [{}, false],
      [goto_('lock')],
    ),
    label('fail'),
    step(
      'putback_movable_pages: folio_put(src), free dst — migration failed',
      (c) => {
        folioPut(c, a);
        folioPut(c, b);
        c.set(b.locked, -1);
        c.set(r.mig, 'failed');
      },
      atomic,
    ),
  ];
}

// ---------------------------------------------------------------- readers and GUP

interface RL {
  /** The folio found in the page cache (filemap_get_entry) or named by the migration entry. */
  readonly f: string;
  /** vmf->orig_pte, read locklessly. */
  readonly orig: Pte;
  readonly nopage: boolean;
}
const RL0: RL = { f: SRC, orig: PTE_NONE, nopage: false };

/**
 * One read fault on mm k's PTE (handle_pte_fault on): `done` ends it when the page is mapped
 * (a reader's access retried, or GUP's follow_page_pte again).
 */
function fault(o: Options, r: Refs, k: number, done: Node<RL>): Node<RL> {
  const [pte, ptl, cache0] = [r.pte.at(k), r.ptl.at(k), r.cache.at(0)];
  const f = (c: Ctx<RL>) => r.folio(c.l.f);
  const lookup = o.recheckInDoFault ? 'lookup' : 'missing';
  return scope<RL>(RL0, [
    step('handle_pte_fault: ptep_get_lockless', (c) => c.let({ orig: c.get(pte) })),
    if_((l) => l.orig.kind === 'present', [done]),
    if_((l) => l.orig.kind === 'migration', [goto_('mew_lock')]),
    // present-invalid (option 1): the pte_same path under the PTL
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
    ...(o.recheckInDoFault
      ? [
          label<RL>('missing'),
          step<RL>('do_fault: option 5 spin_lock(ptl)', (c) => spinLock(c, ptl), lock),
          step<RL>(
            'do_fault: option 5 pte_none(ptep_get)?',
            (c) => void (c.get(pte).kind !== 'none' && c.let({ nopage: true })),
          ),
          when<RL>(
            'do_fault: option 5 spin_unlock(ptl)',
            (c) => (spinUnlock(c, ptl), c.l.nopage && (c.let({ nopage: false }), true)),
            [continue_()],
          ),
        ]
      : []),
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
      (c) => c.get(f(c).mapping) === MAPPING,
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
    // migration entry: do_swap_page → migration_entry_wait (no reference taken)
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
    // A hole in the page cache (option 4): shmem allocates a new zero-filled folio, locked, cached.
    label('hole'),
    when(
      'shmem_alloc_and_add_folio: new folio in the hole',
      (c) => {
        const fresh = r.folio(FRESH);
        if (c.get(cache0) !== null || c.get(fresh.ref) !== 0) return false;
        c.set(fresh.ref, 2);
        c.set(fresh.held, 1 << c.tid);
        c.set(fresh.locked, c.tid);
        c.set(fresh.mapping, MAPPING);
        c.set(cache0, FRESH);
        c.let({ f: FRESH });
        return true;
      },
      [goto_('locked')],
      [goto_(lookup)],
    ),
  ]);
}

/** A reader on mm k: one access (a TLB hit, or a walk that finds the page present, ends it). */
const reader = (o: Options, r: Refs, k: number): Block<RL> => [
  loop([
    label('access'),
    when(
      'CPU access: TLB hit or hardware walk',
      (c) => tlb.tlbLookup(c, r.tlb, k) !== null || c.get(r.pte.at(k)).kind === 'present',
      [exit()],
    ),
    fault(o, r, k, exit()),
  ]),
];

/** Slow GUP on mm0 (FOLL_GET): follow_page_pte under the PTL, else faultin_page and again. */
const gup = (o: Options, r: Refs): Block<RL> => [
  loop([
    scope<RL>(RL0, [
      step('follow_page_pte: pte_offset_map_lock', (c) => spinLock(c, r.ptl.at(0)), lock),
      when(
        'follow_page_pte: pte_present? try_grab_folio',
        (c) => {
          const p = c.get(r.pte.at(0));
          return ptePresent(p) && (tryGrabFolio(c, r.folio(p.folio), p.folio), c.let({ f: p.folio }), true);
        },
        [
          step('follow_page_pte: pte_unmap_unlock', (c) => spinUnlock(c, r.ptl.at(0))),
          step('put_page: the GUP caller is done with the page', (c) => folioPut(c, r.folio(c.l.f), true), atomic),
          exit(),
        ],
        [],
        atomic,
      ),
      step('follow_page_pte: pte_unmap_unlock; faultin_page', (c) => spinUnlock(c, r.ptl.at(0))),
    ]),
    fault(o, r, 0, continue_()),
  ]),
];

// ---------------------------------------------------------------- properties

const cached = (s: S, name: string) => s.cache.includes(name);
const mappings = (s: S, name: string) => s.pte.filter((p) => p.kind === 'present' && p.folio === name).length;

export const properties: Property<S>[] = [
  endState<S>(
    'migration-succeeds',
    'Migration succeeds when the folio has no long-lived users (move_pages returns 0).',
    (v) =>
      v.s.mig === 'migrated'
        ? null
        : `move_pages: folio ${SRC} was not migrated (${v.s.mig}): both batches gave up with -EAGAIN`,
  ),
  invariant<S>(
    'migration-entry-locked',
    'A migration entry is present only while its folio is locked (migration_entry_to_page BUG_ON).',
    ['pte', `folios.${SRC}.lock`, `folios.${DST}.lock`],
    (v) => {
      const p = v.s.pte.find((q) => q.kind === 'migration' && v.s.folios[q.folio].locked === -1);
      return p ? `${pteText(p)} while its folio is unlocked` : null;
    },
  ),
  endState<S>('no-dangling-migration-entry', 'No migration entry is left behind at the end.', (v) => {
    const p = v.s.pte.find((q) => q.kind === 'migration');
    return p ? `a ${pteText(p)} is left in the page table` : null;
  }),
  assertion(
    REFCOUNT,
    'No folio_put on a zero count, no unfreeze of an unfrozen count, no GUP on a frozen count (VM_BUG_ON_PAGE, WARN).',
  ),
  assertion(FOLIO_LOCK, 'No folio_unlock of a folio the thread has not locked.'),
  assertion(READD, "Option 4: re-adding the folio finds the index free (shmem_add_to_page_cache's -EEXIST)."),
  lockMisuse,
  endState<S>(
    'refcount-balanced',
    'At the end every folio is referenced exactly by its holders (page cache, mapping PTEs): none frozen, none leaked.',
    (v) => {
      for (const [name, fo] of Object.entries(v.s.folios)) {
        const holders = (cached(v.s, name) ? 1 : 0) + mappings(v.s, name);
        if (fo.ref !== holders)
          return `folio ${name}: refcount ${fo.ref} but ${holders} holder(s) (page cache ${cached(v.s, name)}, ${mappings(v.s, name)} PTE(s))`;
      }
      return null;
    },
  ),
  endState<S>('page-cache-coherent', 'Every PTE maps the folio the page cache holds for the index.', (v) => {
    const p = v.s.pte.find((q) => q.kind === 'present' && !cached(v.s, q.folio));
    return p
      ? `a PTE maps ${pteText(p)} but the page cache holds ${v.s.cache[0] ?? 'nothing'} for the same index`
      : null;
  }),
  invariant<S>(
    'no-zero-fill',
    "No PTE maps a folio shmem allocated in a hole while the file's data is in another folio (data loss).",
    ['pte'],
    (v) =>
      v.s.pte.some((p) => p.kind === 'present' && p.folio === FRESH)
        ? `a PTE maps ${FRESH}, the zero-filled folio shmem allocated in the hole option 4 left: the file's data is in ${SRC}/${DST}`
        : null,
  ),
  invariant<S>(
    'no-ref-held-across-migration-wait',
    "No thread sleeps on the migrating folio's lock, held by the migrator while the folio is unmapped, holding a reference the freeze does not expect.",
    [`folios.${SRC}.ref`, `folios.${SRC}.lock`, 'pte'],
    (v) => {
      const a = v.s.folios[SRC];
      const stuck = a.held & a.waiters;
      if (v.threads[MIGRATOR]?.name !== 'migrator' || a.locked !== MIGRATOR || stuck === 0 || mappings(v.s, SRC))
        return null;
      const who = v.threads.filter((_t, i) => stuck & (1 << i)).map((t) => t.name);
      return `${who.join(', ')} sleeps in folio_lock(${SRC}) holding a reference while the migrator holds the lock: folio_ref_freeze(${SRC}) cannot succeed`;
    },
  ),
];

// ---------------------------------------------------------------- model

const expectUpstream: Record<string, Verdict> = {
  'migration-succeeds': 'violated',
  'no-ref-held-across-migration-wait': 'violated',
};
const variant = (doc: string, options: Partial<Options>, expect: Record<string, Verdict> = {}) => ({
  doc,
  options,
  expect,
});
const param = (def: number, min: number, max: number, doc: string) => ({ default: def, min, max, doc });

export default defineModel<Options>({
  name: 'migration-vs-fault',
  title: 'Page migration vs a shmem read fault (seed 002, 2024)',
  story:
    'try_to_migrate_one clears the PTE before installing the migration entry; a lockless shmem read fault in between takes a folio reference and sleeps on the folio lock the migrator holds, so folio_ref_freeze fails in every pass and move_pages fails.',
  sources: {
    ...MIGRATE_SOURCES,
    'CPU access': 'hardware: the MMU (TLB lookup, else page-table walk), not a kernel function',
  },
  params: {
    readers: param(
      2,
      1,
      6,
      'Faulting reader threads (each accesses the page once; the last mms-1 are in the other mms).',
    ),
    retries: param(1, 0, 4, 'retry-early: how many times an unmap is undone and redone on a refcount mismatch.'),
    cold: param(
      0,
      0,
      6,
      'mm0 readers whose CPU has no cached translation (reader0..); the others hit in their TLB until it is flushed.',
    ),
    migrating: param(
      1,
      0,
      1,
      '0: no migrator; the page is cached but not mapped (an ordinary read fault, for costing).',
    ),
    async: param(
      3,
      1,
      3,
      'Passes of the ASYNC batch (NR_MAX_MIGRATE_ASYNC_RETRY): unmap attempts, and freeze attempts once unmapped.',
    ),
    sync: param(7, 1, 7, 'Passes of the SYNC batch (NR_MAX_MIGRATE_SYNC_RETRY).'),
    gup: param(
      0,
      0,
      1,
      'A slow-GUP thread on mm0 (get_user_pages, FOLL_GET): follow_page_pte → try_grab_folio through the PTE.',
    ),
    mms: param(
      1,
      1,
      2,
      "mms mapping the page: mm1 is a child after fork whose PTE is none until its reader's first touch.",
    ),
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
    upstream: variant(
      'As upstream: clear, then set the migration entry; immediate flush (arm64 with the repeat-TLBI workaround).',
      {},
      expectUpstream,
    ),
    'x86-deferred': variant(
      "x86's deferred flush in the ASYNC batch: warm CPUs keep the old translation until the migration entry is set (see --param cold).",
      { tlb: 'ipi', deferAsyncFlush: true },
    ),
    'opt1-mkinvalid': variant(
      'Option 1: atomic pte_mkinvalid (arm64 present-invalid), so the reader takes the PTL path.',
      { clear: 'mkinvalid' },
    ),
    'opt2-xchg': variant('Option 2: install the migration entry with one atomic exchange: the PTE is never none.', {
      clear: 'xchg',
    }),
    'opt3-freeze-first': variant(
      "Option 3: folio_ref_freeze before clearing the PTE, the PTEs' puts folded into the unfreeze.",
      { freezeFirst: 'fold-put' },
    ),
    'opt3-freeze-first-put': variant(
      "Option 3 keeping try_to_migrate_one's folio_put: a put on the frozen count. A single-thread BUG: the migrator alone hits it, no race needed.",
      { freezeFirst: 'keep-put' },
      { refcount: 'violated' },
    ),
    'opt4-uncache': variant(
      'Option 4: filemap_remove_folio before the unmap, the new folio re-added after the move: a fault in the window finds a hole and shmem fills it.',
      { uncache: true },
      { [READD]: 'violated' },
    ),
    'opt5-recheck': variant('Option 5: do_fault rechecks pte_none under the PTL before ->fault.', {
      recheckInDoFault: true,
    }),
    'retry-early': variant(
      'Follow-up: on a refcount mismatch after unmap, undo so the reader can finish, then retry the unmap.',
      { retryEarly: true },
      expectUpstream,
    ),
  },
  build: (o, p) => {
    const bad = (msg: string, code: 'bad-options' | 'bad-param') => {
      throw new ModelError(`migration-vs-fault: ${msg}`, code);
    };
    // The early undo re-adds the PTE's reference on a count option 3 froze: not modelled.
    if (o.retryEarly && o.freezeFirst !== 'no')
      bad(
        'retryEarly cannot be combined with freezeFirst (the early undo is not modelled on a frozen count)',
        'bad-options',
      );
    if (p.readers < p.mms) bad(`mms=${p.mms} needs a reader per mm, but only ${p.readers} reader(s)`, 'bad-param');
    if (p.cold > p.readers - p.mms + 1)
      bad(`cold=${p.cold} but only ${p.readers - p.mms + 1} reader(s) in mm0`, 'bad-param');
    return buildProgram(o, p);
  },
});

function buildProgram(o: Options, p: Params): LangProgram<S> {
  const shared = sharedLayout(o, p.mms);
  const r: Refs = { ...shared.refs, folio: (n) => (shared.refs.folios as Record<string, FolioRefs>)[n] };
  const first = p.migrating ? 1 : 0;
  const inMm0 = p.readers - p.mms + 1;
  const cpus = (from: number, n: number) => ((1 << n) - 1) << from;
  const ml: ML = { batch: 0, pass: 0, tries: 0, unmapped: false, early: 0, retrying: false };
  const blocks = Array.from({ length: p.mms }, (_, k) => reader(o, r, k));
  const readers = Array.from({ length: p.readers }, (_, i) =>
    thread<RL>(`reader${i}`, RL0, blocks[Math.max(0, i - inMm0 + 1)]),
  );
  const gupAt = first + p.readers;
  return {
    layout: shared,
    init: shared.state({
      folios: {
        [SRC]: p.migrating ? { ref: 3, mapcount: 1, mapping: MAPPING } : { ref: 1, mapping: MAPPING },
        [DST]: p.migrating ? { ref: 1, locked: MIGRATOR } : { ref: 0 },
        ...(o.uncache ? { [FRESH]: { ref: 0 } } : {}),
      },
      pte: Array.from({ length: p.mms }, (_, k) => (p.migrating && k === 0 ? present(SRC) : PTE_NONE)),
      cache: [SRC],
      // mm0's CPUs run the mm; its warm readers cache the translation of the mapped page.
      tlb: {
        cpumask: cpus(first, inMm0),
        cached: Array.from({ length: p.mms }, (_, k) => ({
          [SRC]: k === 0 && p.migrating ? cpus(first + p.cold, inMm0 - p.cold) : 0,
        })),
      },
    }),
    threads: [
      ...(p.migrating ? [thread<ML>('migrator', ml, [scope<ML>(ml, migrator(o, r, p))])] : []),
      ...readers,
      ...(p.gup ? [thread<RL>('gup', RL0, gup(o, r))] : []),
    ],
    properties,
    symmetry: readerSymmetry(first, inMm0),
    // The properties read the shared state and thread names only.
    observes: {},
    show: [
      ...folioShow(),
      lockShow('ptl[*]', 'PTL'),
      ...rwsemShow('i_mmap_rwsem'),
      ...tlb.tlbShow(),
      { path: 'mig', name: 'move_pages result', as: 'bookkeeping' },
    ],
    annotate: (name) =>
      name === 'migrator'
        ? { calls: UNDO_CALLS, notes: migratorNotes(o) }
        : { calls: FAULT_CALLS, notes: readerNotes(gupAt, inMm0, first) },
  };
}

/**
 * mm0's readers are interchangeable: the same block from the same locals, and a reader's id
 * reaches the shared state only through `tid()`/`mask()` fields (folio holders and waiters,
 * PG_locked, the PTLs, the TLB masks), which the compiler renames. Warm and cold readers differ
 * only in that state. The properties ask whether some thread holds or waits, never which one.
 */
function readerSymmetry(first: number, n: number): LangProgram<S>['symmetry'] {
  if (n < 2) return undefined;
  return {
    groups: [Array.from({ length: n }, (_, i) => first + i)],
    threadKey: (s, t) => {
      let key = s.ptl.reduce((k, owner) => k * 2 + (owner === t ? 1 : 0), 0);
      for (const name in s.folios) key = key * 8 + folioThreadBits(s.folios[name], t);
      return s.pte.reduce((k, _p, i) => k * 64 + tlb.tlbThreadBits(s.tlb, t, i), key);
    },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** The undo's remove_migration_pte is called from migrate_folio_undo_src, not migrate_folio_move. */
const UNDO_CALLS = {
  ...MIGRATE_CALLS,
  'remove_migration_pte: set_pte_at(src); folio_get(src)': [
    ...['migrate_pages_sync', 'migrate_pages_batch', 'migrate_folio_undo_src', 'remove_migration_ptes'],
  ],
};

function migratorNotes(o: Options): Record<string, StepNote<S, ML>> {
  const note = freezeNote<S, ML>(SRC, (s) => expectedRefs(o, s.folios[SRC].mapcount));
  return {
    'migrate_pages_sync: next batch?': (_s, l) =>
      l.retrying
        ? 'early retry: unmap again'
        : !l.unmapped
          ? 'the unmap failed (-EAGAIN): another unmap pass, else the next batch'
          : l.batch === 0
            ? 'the ASYNC batch failed: run the SYNC batch'
            : 'the SYNC batch failed too: give up',
    'folio_migrate_mapping: xas_lock_irq; folio_ref_freeze(src, expected)': note,
    'migrate_folio_unmap: option 3 folio_ref_freeze(src, expected + mapcount)': note,
  };
}

function readerNotes(gupAt: number, inMm0: number, first: number): Record<string, StepNote<S, RL>> {
  const mm = (t: number) => (t >= gupAt ? 0 : Math.max(0, t - first - inMm0 + 1));
  return {
    'CPU access: TLB hit or hardware walk': (s, _l, t) => {
      const k = mm(t);
      const hit = Object.keys(s.tlb.cached[k]).find((n) => (s.tlb.cached[k][n] >> t) & 1);
      const q = s.pte[k];
      if (hit)
        return `TLB hit: the access uses the cached translation of ${hit}${q.kind === 'present' ? '' : ` (the PTE is ${pteText(q)}: a flush is still owed)`}`;
      return q.kind === 'present' ? 'PTE present: no fault' : `${pteText(q)}: page fault`;
    },
    'finish_fault: vmf_pte_changed? else set_pte_range': (s, l, t) =>
      pteSame(s.pte[mm(t)], l.orig)
        ? null
        : `PTE changed (${pteText(l.orig)} → ${pteText(s.pte[mm(t)])}): VM_FAULT_NOPAGE`,
  };
}
