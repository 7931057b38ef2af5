/**
 * put_and_wait_on_page_locked vs migrate_page_move_mapping on an XFS/iomap page (seed 004, 2019;
 * story, kernel source read, traces: docs/models/put-and-wait.md). move_pages migrates a mapped
 * file page A whose iomap private data owns no reference (82cb14175e7d), so expected_count = 1 + 1
 * + page_has_private is one too many; a transient reference (a fault on the migration entry, a
 * read(2)) fills the phantom slot, the freeze succeeds, and its put hits the frozen count.
 * Follows Linux v5.0-rc4 (v5.0-rc5 for 8e47a457, v4.20 for the old wait, v5.17 for the v5.17
 * variants): the migrator (mm/migrate.c, mm/rmap.c, fs/iomap.c) here and in
 * src/lang/kernel/migration-entry.ts with the fault (mm/memory.c, mm/migrate.c); the read(2) and the
 * page wait queue (mm/filemap.c) in src/lang/kernel/pagecache.ts; `sources` names each file.
 * Where the source beat the thread (see the doc): migrate_pages' 10 passes (`passes`), the count
 * check before page_ref_freeze, and the merged 8e47a457 moving the private reference on migration.
 *  - v5.0-rc4: the iomap bug and 9a1ea439's put before sleeping: VM_BUG.
 *  - pre-9a1ea439: the iomap bug, wait_on_page_locked then put_page: silent in one pass, a BUG in two.
 *  - iomap-fixed: 8e47a457, the private data owns a reference (moved on migrate); no BUG.
 *  - pre-9a1ea439-iomap-fixed: the fixed iomap, the old wait: a sleeping waiter fails every pass.
 *  - v5.17: ffa65753c431, migration_entry_wait takes no reference; a read(2) can still fail it.
 *  - v5.17-iomap-bug: v5.17 with the iomap off-by-one: a read(2) alone BUGs, faults alone cannot.
 */
import { assertion, endState, type Property, type StateView } from '../../src/core/property.js';
import type { StepNote } from '../../src/core/step.js';
import { FOLIO_LOCK, folioShow, freezeNote, heldBy } from '../../src/kernel/folio.js';
import { migrationEntry, present } from '../../src/kernel/pte.js';
import { lockMisuse, lockShow } from '../../src/kernel/spinlock.js';
import * as lang from '../../src/lang/index.js';
import { exit, goto_, label, step, when, type Block, type Body, type Ctx, type Ref } from '../../src/lang/index.js';
import * as F from '../../src/lang/kernel/folio.js';
import * as M from '../../src/lang/kernel/migration-entry.js';
import * as P from '../../src/lang/kernel/pagecache.js';
import { sourcesByFile } from '../../src/lang/sources.js';
import { frozenRefNotInUse, refcountBalanced, refcountBugs, type RefAccount } from '../../properties/refcount.js';

/** `wait`: how a fault on the migration entry waits; `iomapRef`: 8e47a457, the private data owns a reference. */
type Options = { readonly wait: M.MigrationWait; readonly iomapRef: boolean };
const [MIGRATOR, MAPPING, CALLER] = [0, 'xfs', 'migrator'];
const XFS_READ = [['v5.0', 'xfs_file_buffered_aio_read'] as const, ['v5.17', 'xfs_file_buffered_read'] as const];
const flag = () => lang.oneOf([false, true]);

function sharedLayout(maxRef: number) {
  const page = () => ({
    ...F.folioSpec([MAPPING], maxRef),
    ...P.pagePrivateSpec(),
    frozen: lang.grouped('ref', lang.oneOf([null, [CALLER, 'page cache', 'private'], [CALLER, 'page cache']])),
  });
  return lang.layout({
    folios: { A: page(), B: page() },
    pte: lang.array(1, lang.oneOf([present('A'), migrationEntry('A'), present('B')])),
    ptl: lang.tid(),
    cache: lang.array(1, lang.oneOf<string | null>(['A', 'B', null])),
    mig: { outcome: lang.oneOf(['running', 'migrated', 'failed']), spurious: flag() }, // move_pages' bookkeeping
  });
}
export type S = lang.StateOf<ReturnType<typeof sharedLayout>['spec']>;
type Refs = ReturnType<typeof sharedLayout>['refs'];
const folioOf = (r: Refs) => (n: string) => r.folios[n as 'A'];
const pteOf = (r: Refs): M.PteRefs => ({ pte: r.pte.at(0), ptl: r.ptl, folio: folioOf(r) });
const sets = <L>(c: Ctx<L>, ...w: [Ref, unknown][]) => w.forEach(([f, v]) => c.set(f, v));

/** The migrator's locals: the pass, and rc == MIGRATEPAGE_SUCCESS in it. */
type ML = { readonly pass: number; readonly ok: boolean };
/** A step that jumps to `target` when its body returns true. */
const goIf = (target: string, label: string, body: Body<ML>) => when(label, body, [goto_(target)]);

function migrator(o: Options, r: Refs, pte: M.PteRefs, passes: number): Block<ML> {
  const [a, b, mig] = [r.folios.A, r.folios.B, r.mig];
  // expected_page_refs: the caller's reference + the page cache's + one if page_has_private.
  const expected = (c: Ctx<ML>) => (c.get(a.private) ? 3 : 2);
  const hooks: Partial<P.MoveMapping<ML>> = {
    // -EAGAIN: remember it when no reference outside the expected set explains it.
    onEagain: (c) => (c.get(a.held) & ~(1 << MIGRATOR)) === 0 && sets(c, [mig.spurious, true]),
    onFrozen: (c) => sets(c, [a.frozen, [CALLER, 'page cache', ...(c.get(a.private) ? ['private'] : [])]]),
    onUnfrozen: (c) => (sets(c, [a.frozen, null]), c.let({ ok: true })),
  };
  const iomap = `ClearPagePrivate(page); ${o.iomapRef ? 'get_page(newpage); ' : ''}set_page_private(newpage); SetPagePrivate(newpage)`;
  const done = (outcome: 'migrated' | 'failed') => (c: Ctx<ML>) =>
    void (F.folioPut(c, a, true), c.set(mig.outcome, outcome));
  const nextPass = (c: Ctx<ML>) => c.l.pass + 1 < passes && (c.let({ pass: c.l.pass + 1, ok: false }), true);
  return [
    step('isolate_lru_page: get_page(page)', (c) => F.folioGet(c, a, true)),
    label('pass'),
    step('unmap_and_move: get_new_page(); trylock_page(newpage)', (c) =>
      sets(c, [b.ref, 1], [b.held, 1 << c.tid], [b.locked, c.tid]),
    ),
    goIf('free_new', '__unmap_and_move: trylock_page(page)', (c) => !F.folioTrylock(c, a)),
    ...M.tryToUnmapOne<ML>(pte, 'A'),
    ...P.migratePageMoveMapping<ML>({ slot: r.cache.at(0), page: a, newpage: b, expected, eagain: 'eagain', ...hooks }),
    step(`iomap_migrate_page: ${iomap}`, (c) => P.movePagePrivate(c, a, b, o.iomapRef)),
    ...(o.iomapRef ? [step<ML>('iomap_migrate_page: put_page(page)', (c) => P.putPagePrivate(c, a))] : []),
    label('eagain'), // remove_migration_ptes(page, rc == MIGRATEPAGE_SUCCESS ? newpage : page)
    ...M.removeMigrationPtes<ML>(pte, (c) => (c.l.ok ? 'B' : 'A')),
    step('__unmap_and_move: unlock_page(newpage)', (c) => F.folioUnlock(c, b)),
    ...P.unlockPage<ML>('__unmap_and_move', a),
    goIf('free_new', '__unmap_and_move: rc == MIGRATEPAGE_SUCCESS?', (c) => !c.l.ok),
    step('__unmap_and_move: putback_lru_page(newpage)', (c) => F.folioPut(c, b, true)),
    step('unmap_and_move: put_page(page) — migrated', done('migrated')),
    exit(),
    label('free_new'),
    step('unmap_and_move: put_page(newpage) (-EAGAIN)', (c) =>
      sets(c, [b.ref, c.get(b.ref) - 1], [b.held, 0], [b.locked, -1]),
    ),
    goIf('pass', 'migrate_pages: -EAGAIN, next pass?', nextPass),
    step('putback_movable_pages: putback_lru_page(page) — migration failed', done('failed')),
  ];
}

/** Who owns each counted reference of A and B (exact at every state with a zero count and at the end). */
export const accounts = ({ s, threads }: StateView<S>): RefAccount[] =>
  (['A', 'B'] as const).map((name) => ({
    name,
    count: s.folios[name].ref,
    frozen: s.folios[name].frozen,
    holders: [
      ...(s.cache[0] === name ? ['page cache'] : []),
      ...(s.pte.some((p) => p.kind === 'present' && p.folio === name) ? ['pte'] : []),
      ...(s.folios[name].privateRef ? ['private'] : []),
      ...heldBy(s.folios[name], threadNames(threads)),
    ],
  }));
const threadNames = (ts: readonly { name: string }[]) => ts.map((t) => t.name);

/** The user-visible texts, one per line: parameter, property and variant docs. */
const DOC: Record<string, string> = Object.fromEntries(
  `faults: Tasks that access the page (faulting on the migration entry while it is there).
passes: migrate_pages passes over a -EAGAIN page (the kernel makes 10).
readers: Tasks that read(2) the page through the page cache (find_get_entry / filemap_get_read_batch: a speculative reference, put after the copy).
migration-succeeds: The outcome of move_pages: page A was migrated (violated = some schedule ends with the page not migrated).
no-spurious-migration-failure: Every -EAGAIN from migrate_page_move_mapping is explained by a reference outside the expected set (a fault holding the page).
v5.0-rc4: 9a1ea439 (put before sleeping) with the iomap bug (PagePrivate without a reference): the put lands on the frozen count.
pre-9a1ea439: wait_on_page_locked, then put_page, with the iomap bug: one pass is a silent off-by-one (a sleeping waiter stands in for the private reference); a reference taken in an earlier pass can be put on a later pass's frozen count.
iomap-fixed: 5.0-rc5: 8e47a457 gives the private data its reference (get/put in iomap_page_create/release, moved on migrate).
pre-9a1ea439-iomap-fixed: The fixed iomap with the old wait: a waiter sleeping with its reference makes every pass fail (why 9a1ea439 was written).
v5.17: ffa65753c431: migration_entry_wait queues under the PTL and takes no page reference (iomap fixed); a read(2) holding the page's speculative reference across every pass still fails the migration (-EAGAIN, no BUG).
v5.17-iomap-bug: v5.17's no-reference migration_entry_wait with the iomap off-by-one put back (PagePrivate without a reference): a read(2)'s speculative reference fills the phantom slot and its put lands on the frozen count — the iomap bug alone BUGs; faults alone (--param readers=0) only fail every pass.`
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
);

export const properties: Property<S>[] = [
  frozenRefNotInUse<S>(accounts, ['folios.A.ref', 'folios.B.ref', 'cache', 'pte']),
  refcountBugs,
  assertion(FOLIO_LOCK, 'No unlock_page of a page the thread has not locked.'),
  lockMisuse,
  refcountBalanced<S>(accounts),
  endState<S>('migration-succeeds', DOC['migration-succeeds'], ({ s }) =>
    s.mig.outcome === 'migrated'
      ? null
      : `move_pages: page A was not migrated (${s.mig.outcome}): every pass returned -EAGAIN`,
  ),
  endState<S>('no-spurious-migration-failure', DOC['no-spurious-migration-failure'], ({ s }) =>
    s.mig.spurious
      ? 'migrate_page_move_mapping failed with only the expected holders present: page_has_private counted a reference the private data does not own'
      : null,
  ),
];

const params = (t: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(t).map(([k, [def, min, max]]) => [k, { default: def, min, max, doc: DOC[k] }]));
const violated = (...ps: string[]) => Object.fromEntries(ps.map((p) => [p, 'violated' as const]));
const FAILS = violated('migration-succeeds');
const BUG = violated('frozen-ref-not-in-use', 'refcount', 'migration-succeeds', 'no-spurious-migration-failure');
const VARIANTS: Record<string, [Partial<Options>, Record<string, 'violated'>]> = {
  'v5.0-rc4': [{}, BUG],
  'pre-9a1ea439': [{ wait: 'hold' }, BUG],
  'iomap-fixed': [{ iomapRef: true }, FAILS],
  'pre-9a1ea439-iomap-fixed': [{ wait: 'hold', iomapRef: true }, FAILS],
  'v5.17': [{ wait: 'noref', iomapRef: true }, FAILS],
  'v5.17-iomap-bug': [{ wait: 'noref', iomapRef: false }, BUG],
};

export default lang.defineModel<Options>({
  name: 'put-and-wait-vs-migration',
  title: 'put_and_wait_on_page_locked vs migrate_page_move_mapping on an iomap page (seed 004, 2019)',
  story:
    'iomap set PagePrivate without the page reference migrate_page_move_mapping counts (expected = 1 + 1 + page_has_private); a fault on the migration entry takes a transient reference that stands in for the missing one, the freeze succeeds, and since 9a1ea439 put_and_wait_on_page_locked drops that reference on the frozen count: VM_BUG_ON_PAGE(page_ref_count(page) == 0).',
  params: params({ faults: [1, 0, 4], passes: [2, 1, 10], readers: [1, 0, 3] }),
  options: { wait: 'drop', iomapRef: false },
  variants: Object.fromEntries(
    Object.entries(VARIANTS).map(([v, [options, expect]]) => [v, { doc: DOC[v], options, expect }]),
  ),
  sources: {
    ...M.MIGRATION_ENTRY_SOURCES,
    ...P.PAGECACHE_SOURCES,
    ...sourcesByFile(`
      fs/iomap.c @ v5.0-rc4: iomap_migrate_page
      fs/xfs/xfs_file.c @ v5.0: xfs_file_buffered_aio_read
      fs/xfs/xfs_file.c @ v5.17: xfs_file_buffered_read`),
  },
  build: (o, p) => {
    const shared = sharedLayout(4 + p.faults + p.readers);
    const r = shared.refs;
    const [folio, pte] = [folioOf(r), pteOf(r)];
    const [ml, fault] = [{ pass: 0, ok: false }, M.faultOnMigrationEntry<M.FaultLocals>(o.wait, pte)];
    const [v, fs] = o.wait === 'noref' ? XFS_READ[1] : XFS_READ[0];
    const reads = P.bufferedRead(v, r.cache.at(0), folio);
    const calls = { ...M.migratePagesCalls('iomap_migrate_page'), ...M.faultCalls(o.wait), ...P.readCalls(v, fs) };
    // A: page cache + PTE (+ the private data's reference after 8e47a457), PagePrivate from iomap_page_create; B: free.
    const a = { ref: o.iomapRef ? 3 : 2, mapcount: 1, mapping: MAPPING, private: true, privateRef: o.iomapRef };
    return {
      layout: shared,
      init: shared.state({ folios: { A: a, B: { ref: 0 } }, pte: [present('A')], cache: ['A'] }),
      threads: [
        lang.thread<ML>('migrator', ml, [lang.scope(ml, migrator(o, r, pte, p.passes))]),
        ...Array.from({ length: p.faults }, (_, i) => lang.thread(`fault${i}`, { f: 'A', bit: false }, fault)),
        ...Array.from({ length: p.readers }, (_, i) => lang.thread(`reader${i}`, { f: null }, reads)),
      ],
      properties,
      observes: {}, // the properties read the shared state and thread names only
      show: SHOW,
      annotate: () => ({ calls, notes: NOTES }),
    };
  },
});

// ---------------------------------------------------------------- report annotations (issue 14)

const expectedOf = (s: S) => (s.folios.A.private ? 3 : 2);
const R = sharedLayout(4).refs; // the notes read fields by path: any build's refs do
const NOTES: Record<string, StepNote<S>> = {
  ...P.unlockPageNotes('__unmap_and_move', R.folios.A),
  ...M.faultNotes(pteOf(R)),
  ...P.pageCacheNotes(R.cache.at(0), folioOf(R)),
  'migrate_page_move_mapping: xas_lock_irq; page_count != expected_count?': ({ folios: { A } }) =>
    `page_count(A) ${A.ref}, expected_count ${A.private ? '3 (page_has_private)' : 2}${A.ref === (A.private ? 3 : 2) ? '' : ': -EAGAIN'}`,
  'migrate_page_move_mapping: page_ref_freeze(page, expected_count)': freezeNote<S, unknown>('A', expectedOf),
  '__unmap_and_move: rc == MIGRATEPAGE_SUCCESS?': (_s, l: ML) =>
    l.ok ? 'rc = MIGRATEPAGE_SUCCESS' : 'rc = -EAGAIN: free the new page, retry on the next pass',
};
const mark = (path: string, name: string) => ({ path, name, as: 'bookkeeping' as const });
const bookkeeping = [mark('mig.outcome', 'move_pages result'), mark('mig.spurious', 'spurious -EAGAIN seen')];
const SHOW = [...folioShow(), lockShow('ptl', 'PTL'), ...bookkeeping];
