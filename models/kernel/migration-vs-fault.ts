/**
 * Page migration vs a shmem read fault (seed 002: arm64, 6.10/6.11, August 2024), Linux v6.10.
 *
 * try_to_migrate_one clears the PTE before it installs the migration entry; a read fault that
 * sees pte_none in between takes a reference in filemap_get_entry and sleeps on the folio lock
 * the migrator holds, so every folio_ref_freeze of the batch fails (3 passes ASYNC, 7 SYNC) and
 * move_pages fails. `sources` names each function's file (mm/{migrate,rmap,memory,filemap,shmem,gup}.c);
 * paths: src/lang/kernel/{migrate,shmem-fault,gup,tlb}.ts; verdicts: docs/models/migration-vs-fault.md.
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
import type { Verdict } from '../../src/core/model.js';
import { assertion } from '../../src/core/property.js';
import type { StepNote } from '../../src/core/step.js';
import { FOLIO_LOCK, REFCOUNT, folioShow, freezeNote } from '../../src/kernel/folio.js';
import { PTE_NONE, migrationEntry, present, presentInvalid } from '../../src/kernel/pte.js';
import { rwsemShow } from '../../src/kernel/rwsem.js';
import { lockMisuse, lockShow } from '../../src/kernel/spinlock.js';
import * as L from '../../src/lang/index.js';
import { exit, goto_, label, step, when, type Block, type Ctx } from '../../src/lang/index.js';
import * as F from '../../src/lang/kernel/folio.js';
import { slowGup } from '../../src/lang/kernel/gup.js';
import * as M from '../../src/lang/kernel/migrate.js';
import { migrationProperties, readerSymmetry } from '../../src/lang/kernel/migrate-checks.js';
import { downRead, upRead } from '../../src/lang/kernel/rwsem.js';
import { faultNotes, shmemReadFault, type FaultLocals as RL } from '../../src/lang/kernel/shmem-fault.js';
import * as tlb from '../../src/lang/kernel/tlb.js';

export type { MigState } from '../../src/lang/kernel/migrate.js';
export type S = M.FilePageState;
export interface Options {
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
type R = M.FilePageRefs;

const [MIGRATOR, SRC, DST, FRESH, MAPPING] = [0, 'A', 'B', 'C', 'shmem'] as const;
const READD = 'page-cache-readd';
const UNDO = 'migrate_folio_undo_src: remove_migration_ptes';
const [atomic, lock] = [{ cost: 'atomic' }, { cost: 'lock' }] as const;
/** An atomic step (a refcount or PTE atomic), a lock step. */
const A = <T>(label: string, body: L.Body<T>) => step<T>(label, body, atomic);
const K = <T>(label: string, body: L.Body<T>) => step<T>(label, body, lock);
/** The nodes when `cond`, else none (a variant's extra steps). */
const only = <T>(cond: boolean, ...nodes: L.Node<T>[]): L.Node<T>[] => (cond ? nodes : []);

// ---------------------------------------------------------------- migrator

interface ML {
  /** 0 = ASYNC batch, 1 = SYNC batch; its unmap pass and move pass (bounded by --param async/sync). */
  readonly batch: number;
  readonly pass: number;
  readonly tries: number;
  /** The batch unmapped the folio (a failure now is the move's, not the unmap's). */
  readonly unmapped: boolean;
  /** retry-early: early retries used, and the undo in progress is one. */
  readonly early: number;
  readonly retrying: boolean;
}

/** folio_expected_refs: isolation + page cache (option 3 adds the mapping PTEs it freezes with). */
const expectedRefs = (o: Options, mapcount: number) => (o.freezeFirst !== 'no' ? 2 + mapcount : o.uncache ? 1 : 2);

/** try_to_migrate_one's clear of mm k's PTE, per option (+ its TLB flush, maybe deferred). */
function clearPte(o: Options, r: R, k: number): L.Node<ML> {
  const [pte, flush] = [r.pte.at(k), (c: Ctx<ML>) => tlb.flushTlbPage(c, r.tlb, o.tlb, k)];
  if (o.clear === 'xchg')
    return A('try_to_migrate_one: xchg(pte, migration entry)', (c) => (c.set(pte, migrationEntry(SRC)), flush(c)));
  if (o.clear === 'mkinvalid')
    return A('try_to_migrate_one: pte_mkinvalid (+flush)', (c) => (c.set(pte, presentInvalid(SRC)), flush(c)));
  return A('try_to_migrate_one: ptep_clear_flush / ptep_get_and_clear', (c) => {
    c.set(pte, PTE_NONE);
    // TTU_BATCH_FLUSH only in the ASYNC batch; should_defer_flush decides.
    if (o.deferAsyncFlush && tlb.shouldDeferFlush(c, r.tlb, c.l.batch === 0)) tlb.setTlbUbcFlushPending(c, r.tlb);
    else flush(c);
  });
}

function migrator(o: Options, r: R, p: Params): Block<ML> {
  const [a, b, cache0] = [r.folio(SRC), r.folio(DST), r.cache.at(0)];
  const passes = [p.async, p.sync];
  const readd = (n: string) => (c: Ctx<ML>) => M.shmemAddToPageCache(c, cache0, r.folio(n), n, MAPPING, READD);
  const set = (to: string) => `remove_migration_pte: set_pte_at(${to}); folio_get(${to})`;
  return [
    // if (!folio_trylock(src)) { if (mode == MIGRATE_ASYNC) goto out; folio_lock(src); }
    label('lock'),
    when(
      'migrate_folio_unmap: folio_trylock(src), SYNC: else folio_lock',
      (c) => (c.l.batch === 0 ? F.folioTrylock(c, a) : F.folioLockOrQueue(c, a)),
      [],
      [
        L.if_((l) => l.batch === 0, [goto_('next')]),
        label('lock_sleep'),
        step('migrate_folio_unmap: folio_lock sleeps', (c) => F.folioLockSleep(c, a)),
      ],
      lock,
    ),
    ...only(
      o.uncache,
      label<ML>('uncache'),
      A<ML>('filemap_remove_folio: option 4 uncaches src', (c) => M.filemapRemoveFolio(c, cache0, a, SRC)),
    ),
    ...only(
      o.freezeFirst !== 'no',
      label<ML>('locked'),
      when<ML>(
        'migrate_folio_unmap: option 3 folio_ref_freeze(src, expected + mapcount)',
        (c) => F.folioRefFreeze(c, a, expectedRefs(o, c.get(a.mapcount))),
        [],
        [goto_('give_up')],
        atomic,
      ),
    ),
    label(o.freezeFirst === 'no' ? 'locked' : 'immap'),
    K('rmap_walk_file: i_mmap_lock_read', (c) => downRead(c, r.i_mmap_rwsem)),
    ...r.pte.items.flatMap((_p, k) =>
      M.tryToMigrateOne(r, k, SRC, clearPte(o, r, k), o.clear === 'xchg', o.freezeFirst === 'fold-put'),
    ),
    step('rmap_walk_file: i_mmap_unlock_read', (c) => upRead(c, r.i_mmap_rwsem)),
    step(
      'migrate_pages_batch: try_to_unmap_flush',
      (c) => (tlb.tryToUnmapFlush(c, r.tlb, o.tlb), c.let({ unmapped: true })),
    ),
    ...only(
      o.retryEarly,
      label<ML>('early_check'),
      when<ML>(
        'migrate_pages_batch: retry-early folio_ref_count != folio_expected_refs?',
        (c) =>
          c.get(a.ref) !== expectedRefs(o, 0) &&
          c.l.early < p.retries &&
          (c.let({ early: c.l.early + 1, retrying: true }), true),
        [goto_('undo')],
      ),
    ),
    // folio_migrate_mapping: a frozen folio (option 3) moves at once; else each move pass tries
    // the freeze (option 4's folio has no mapping: v6.10's !mapping branch compares the count).
    ...only(
      o.freezeFirst === 'no',
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
            (c) => F.folioRefFreeze(c, a, 2),
            [goto_('store')],
            [],
            atomic,
          ),
      L.localWhen<ML>(
        'migrate_pages_batch: -EAGAIN: another move pass?',
        (l) => (l.tries + 1 < passes[l.batch] ? [{ tries: l.tries + 1 }, true] : [{ tries: 0 }, false]),
        [goto_('freeze')],
      ),
      goto_<ML>('undo'),
    ),
    label('store'),
    o.uncache
      ? step('shmem_add_to_page_cache: option 4 re-adds dst (-EEXIST if the slot is taken)', readd(DST), atomic)
      : A('folio_migrate_mapping: xas_store(dst); folio_ref_unfreeze(src, 1)', (c) =>
          M.xasStoreUnfreeze(c, cache0, a, b, DST, MAPPING),
        ),
    ...M.removeMigrationPtes<ML>(
      r,
      SRC,
      DST,
      ['remove_migration_ptes: PTL (src→dst)', set('dst'), 'remove_migration_ptes: drop PTL'],
      'rm_set',
    ),
    step('migrate_folio_move: folio_unlock(dst)', (c) => F.folioUnlock(c, b)),
    step('migrate_folio_move: folio_unlock(src)', (c) => F.folioUnlock(c, a)),
    A('migrate_folio_move: folio_put(dst)', (c) => F.folioPut(c, b)),
    label('done'),
    A('migrate_folio_done: folio_put(src) — migrated', (c) => (F.folioPut(c, a), c.set(r.mig, 'migrated'))),
    exit(),
    // The batch's undo: restore the PTEs, (option 4) re-add src, unlock; then the next pass or batch.
    ...only(
      o.freezeFirst === 'no',
      label<ML>('undo'),
      ...M.removeMigrationPtes<ML>(r, SRC, SRC, [`${UNDO}: PTL`, set('src'), `${UNDO}: drop PTL`], 'undo_set'),
    ),
    ...only(o.uncache, step<ML>('shmem_add_to_page_cache: option 4 undo re-adds src', readd(SRC), atomic)),
    label('give_up'),
    step('migrate_folio_undo_src: folio_unlock(src)', (c) => F.folioUnlock(c, a)),
    label('next'),
    L.localWhen<ML>(
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
        F.folioPut(c, a);
        F.folioPut(c, b);
        c.set(b.locked, -1);
        c.set(r.mig, 'failed');
      },
      atomic,
    ),
  ];
}

// ---------------------------------------------------------------- model

type V = Record<string, Verdict>;
const UPSTREAM: V = { 'migration-succeeds': 'violated', 'no-ref-held-across-migration-wait': 'violated' };
const [PUT, OPT4]: V[] = [{ refcount: 'violated' }, { [READD]: 'violated' }];
const variant = (doc: string, options: Partial<Options>, expect: V = {}) => ({ doc, options, expect });
const params = (t: Record<string, [number, number, number, string]>) =>
  Object.fromEntries(Object.entries(t).map(([k, [d, min, max, doc]]) => [k, { default: d, min, max, doc }]));
const RL0: RL = { f: SRC, orig: PTE_NONE, nopage: false };

export const properties = [
  ...migrationProperties(SRC, DST, FRESH, MIGRATOR),
  assertion(
    REFCOUNT,
    'No folio_put on a zero count, no unfreeze of an unfrozen count, no GUP on a frozen count (VM_BUG_ON_PAGE, WARN).',
  ),
  assertion(FOLIO_LOCK, 'No folio_unlock of a folio the thread has not locked.'),
  assertion(READD, "Option 4: re-adding the folio finds the index free (shmem_add_to_page_cache's -EEXIST)."),
  lockMisuse,
];

export default L.defineModel<Options>({
  name: 'migration-vs-fault',
  title: 'Page migration vs a shmem read fault (seed 002, 2024)',
  story:
    'try_to_migrate_one clears the PTE before installing the migration entry; a lockless shmem read fault in between takes a folio reference and sleeps on the folio lock the migrator holds, so folio_ref_freeze fails in every pass and move_pages fails.',
  sources: {
    ...M.MIGRATE_SOURCES,
    'CPU access': 'hardware: the MMU (TLB lookup, else page-table walk), not a kernel function',
  },
  params: params({
    readers: [2, 1, 8, 'Faulting reader threads, one access each; the last mms-1 are in the other mms.'],
    retries: [1, 0, 4, 'retry-early: how many times an unmap is undone and redone on a refcount mismatch.'],
    cold: [0, 0, 8, 'mm0 readers whose CPU caches no translation (reader0..); the others hit until a flush.'],
    migrating: [1, 0, 1, '0: no migrator; the page is cached, not mapped (an ordinary read fault, for costs).'],
    async: [3, 1, 3, 'Passes of the ASYNC batch (NR_MAX_MIGRATE_ASYNC_RETRY): unmap, then freeze attempts.'],
    sync: [7, 1, 7, 'Passes of the SYNC batch (NR_MAX_MIGRATE_SYNC_RETRY).'],
    gup: [0, 0, 1, 'A slow-GUP thread on mm0: follow_page_pte → try_grab_page through the PTE.'],
    mms: [1, 1, 2, "mms mapping the page: mm1 is a child after fork, its PTE none until its reader's touch."],
  }),
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
    upstream: variant('As upstream: clear, then set the migration entry; immediate flush (arm64).', {}, UPSTREAM),
    'x86-deferred': variant("x86's deferred flush in the ASYNC batch (see --param cold).", {
      tlb: 'ipi',
      deferAsyncFlush: true,
    }),
    'opt1-mkinvalid': variant('Option 1: atomic pte_mkinvalid (arm64 present-invalid).', { clear: 'mkinvalid' }),
    'opt2-xchg': variant('Option 2: the migration entry by one atomic exchange.', { clear: 'xchg' }),
    'opt3-freeze-first': variant('Option 3: freeze before the clear, the puts folded.', { freezeFirst: 'fold-put' }),
    'opt3-freeze-first-put': variant('Option 3 keeping the put: one-thread BUG.', { freezeFirst: 'keep-put' }, PUT),
    'opt4-uncache': variant('Option 4: uncache before the unmap, re-add after the move.', { uncache: true }, OPT4),
    'opt5-recheck': variant('Option 5: do_fault rechecks pte_none under the PTL.', { recheckInDoFault: true }),
    'retry-early': variant('Follow-up: undo on a refcount mismatch, then unmap again.', { retryEarly: true }, UPSTREAM),
  },
  build: (o, p) => {
    const bad = (msg: string, code: 'bad-options' | 'bad-param') => {
      throw new ModelError(`migration-vs-fault: ${msg}`, code);
    };
    if (o.retryEarly && o.freezeFirst !== 'no')
      bad('retryEarly cannot be combined with freezeFirst (no early undo on a frozen count)', 'bad-options');
    if (p.readers < p.mms) bad(`mms=${p.mms} needs a reader per mm, but only ${p.readers} reader(s)`, 'bad-param');
    if (p.cold > p.readers - p.mms + 1)
      bad(`cold=${p.cold} but only ${p.readers - p.mms + 1} reader(s) in mm0`, 'bad-param');
    return buildProgram(o, p);
  },
});

function buildProgram(o: Options, p: Params): L.LangProgram<S> {
  const shared = M.filePageLayout([SRC, DST, ...(o.uncache ? [FRESH] : [])], MAPPING, p.mms);
  const r = M.filePageRefs(shared);
  const [first, inMm0] = [p.migrating ? 1 : 0, p.readers - p.mms + 1];
  const cpus = (from: number, n: number) => ((1 << n) - 1) << from;
  const ml: ML = { batch: 0, pass: 0, tries: 0, unmapped: false, early: 0, retrying: false };
  const fo = { mapping: MAPPING, recheckPteNone: o.recheckInDoFault, fresh: FRESH };
  // A reader on mm k accesses the page once: a TLB hit, or a walk that finds it present, ends it.
  const blocks = r.pte.items.map((_p, k): Block<RL> => [
    L.loop([
      label('access'),
      when(
        'CPU access: TLB hit or hardware walk',
        (c) => tlb.tlbLookup(c, r.tlb, k) !== null || c.get(r.pte.at(k)).kind === 'present',
        [exit()],
      ),
      shmemReadFault(r, k, fo, RL0, exit()),
    ]),
  ]);
  return {
    layout: shared,
    init: shared.state({
      folios: {
        [SRC]: p.migrating ? { ref: 3, mapcount: 1, mapping: MAPPING } : { ref: 1, mapping: MAPPING },
        [DST]: p.migrating ? { ref: 1, locked: MIGRATOR } : { ref: 0 },
        ...(o.uncache ? { [FRESH]: { ref: 0 } } : {}),
      },
      pte: r.pte.items.map((_p, k) => (p.migrating && k === 0 ? present(SRC) : PTE_NONE)),
      cache: [SRC],
      // mm0's CPUs run the mm; its warm readers cache the translation of the mapped page.
      tlb: {
        cpumask: cpus(first, inMm0),
        cached: r.pte.items.map((_p, k) => ({
          [SRC]: k === 0 && p.migrating ? cpus(first + p.cold, inMm0 - p.cold) : 0,
        })),
      },
    }),
    threads: [
      ...(p.migrating ? [L.thread<ML>('migrator', ml, [L.scope<ML>(ml, migrator(o, r, p))])] : []),
      ...Array.from({ length: p.readers }, (_, i) =>
        L.thread<RL>(`reader${i}`, RL0, blocks[Math.max(0, i - inMm0 + 1)]),
      ),
      ...(p.gup ? [L.thread<RL>('gup', RL0, slowGup(r, RL0, shmemReadFault(r, 0, fo, RL0, L.continue_())))] : []),
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
        ? { calls: M.MIGRATE_CALLS, notes: migratorNotes(o) }
        : {
            calls: M.FAULT_CALLS,
            notes: faultNotes((t) => (t >= first + p.readers ? 0 : Math.max(0, t - first - inMm0 + 1))),
          },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

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
