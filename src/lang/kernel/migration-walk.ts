import { assertion } from '../../core/property.js';
import { FOLIO_LOCK, REFCOUNT } from '../../kernel/folio.js';
import { PTL_CLASS } from '../../kernel/mremap.js';
import { migrationEntry, present, type Pte } from '../../kernel/pte.js';
import {
  MIGRATION_ENTRY_LOCKED,
  NO_DANGLING,
  NO_PTE_MAPS_FREED,
  REMOVE_WALK_COMPLETE,
  migrationEntryLocked,
  migrationEntryToPage,
  noDanglingMigrationEntry,
  noPteMapsFreedPage,
  removeWalkComplete,
  type MigrationEntryView,
  type MigrationWalk,
} from '../../../properties/migration-entries.js';
import { exit, goto_, label, localWhen, scope, step, when, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { int, oneOf } from '../domain.js';
import { unit, type Ref } from '../layout.js';
import { sourcesByFile } from '../sources.js';
import {
  folioLockOrQueue,
  folioLockSleep,
  folioPut,
  folioQueueIfLocked,
  folioTryGet,
  folioUnlock,
  folioWaitUnlocked,
  type FolioRefs,
} from './folio.js';

/**
 * Anon page migration at one PTE @ v2.6.34 (mm/rmap.c, mm/migrate.c, mm/memory.c): what
 * try_to_unmap_one and remove_migration_pte do under the PTL, the end of move_to_new_page, and
 * the fault that finds a migration entry (handle_pte_fault → do_swap_page →
 * migration_entry_wait). Each PTL critical section is one step: nothing else the models run
 * under the PTL races with it. The anon_vma walks around them (try_to_unmap_anon,
 * rmap_walk_anon, vma_address) stay in the model: what they lock and check is what the 2010
 * patches changed.
 */
export interface PteAt {
  readonly pte: Ref<Pte>;
  /** The PTL of the page table holding `pte`. */
  readonly ptl: Ref<number>;
}

/** A PTL critical section as one step: waits while the PTL is held; lockdep sees acquire and release. */
export function ptlSection<L>(c: Ctx<L>, ptl: Ref<number>): void {
  c.lockOp({ op: 'acquire', cls: PTL_CLASS, inst: ptl.loc });
  c.touch(ptl);
  c.await(c.get(ptl) === -1);
  c.lockOp({ op: 'release', cls: PTL_CLASS, inst: ptl.loc });
}

/** Under the PTL: if the PTE is a `from` entry for `page`, it becomes `to`; `f`'s mapcount and count move by `d`. */
function replace<L>(c: Ctx<L>, r: PteAt, from: Pte['kind'], page: string, to: Pte, f: FolioRefs, d: 1 | -1) {
  ptlSection(c, r.ptl);
  const e = c.get(r.pte);
  if (e.kind !== from || (e as { folio: string }).folio !== page) return false;
  c.set(r.pte, to);
  c.set(f.mapcount, c.get(f.mapcount) + d);
  c.set(f.ref, c.get(f.ref) + d);
  return true;
}

/**
 * try_to_unmap_one(page, TTU_MIGRATION): PTL; page_check_address; ptep_clear_flush;
 * set_pte_at(migration entry); page_remove_rmap; put_page. True when the PTE mapped `page`.
 */
export const unmapToMigrationEntry = <L>(c: Ctx<L>, r: PteAt, page: string, f: FolioRefs): boolean =>
  replace(c, r, 'present', page, migrationEntry(page), f, -1);

/**
 * remove_migration_pte(page → dst): PTL; a migration entry for `page` becomes a present PTE of
 * `dst` (set_pte_at, get_page(dst), page_add_anon_rmap; `to` is dst's folio). True when it did.
 */
export const removeMigrationPte = <L>(c: Ctx<L>, r: PteAt, page: string, dst: string, to: FolioRefs): boolean =>
  replace(c, r, 'migration', page, present(dst), to, 1);

/**
 * remove_migration_pte's first look, without the PTL: `if (!is_swap_pte(*ptep)) goto out` (here:
 * no migration entry) moves on to `next` (the walk's next avc).
 */
export const removeMigrationPtePeek = <L>(pte: (c: Ctx<L>) => Ref<Pte>, next: string): Node<L> =>
  when<L>(
    'remove_migration_pte: pte = *ptep (lockless); !is_swap_pte → next avc',
    (c) => c.get(pte(c)).kind !== 'migration',
    [goto_(next)],
    [],
  );

/**
 * The end of move_to_new_page: unlock_page(newpage), which the migrator locked; a newpage the
 * move did not use (`used` false: the move failed) is freed with it.
 */
export function newpageUnlock<L>(c: Ctx<L>, f: FolioRefs, name: string, used: boolean): void {
  if (c.get(f.locked) !== c.tid) c.bug(FOLIO_LOCK, `unlock_page(${name}) not locked by the migrator`);
  c.set(f.locked, -1);
  if (!used) c.set(f.ref, 0);
}

/** A migrator's locals: its position in the list, and where remove_migration_ptes points the entries (`dst`). */
export interface MigrateLocals {
  readonly pg: number;
  /** remove_migration_ptes(page, dst): the new page, or page itself when the move failed (or was skipped). */
  readonly dst: string;
}

/** A page on the migrator's list and the new page it moves to. */
export interface MigratePage {
  readonly name: string;
  readonly dst: string;
}

/** The label a remove walk starts at (`migratePages`' `remove` block); a walk that restarts jumps here. */
export const REMOVE_WALK = 'remove_migration_ptes';

/**
 * migrate_pages → unmap_and_move @ v2.6.34 over `pages`, for each: lock_page (sleeping while
 * another holds it); try_to_unmap (`unmap`, the caller's walk of the page's anon_vma); if the
 * page is still mapped, skip the move; migrate_page_move_mapping: page_count(page) != 1 →
 * -EAGAIN, else copy (dst is the new page); remove_migration_ptes(page, dst) (`remove`, the
 * caller's walk, at label REMOVE_WALK); move_to_new_page unlocks the new page (freed if unused);
 * unlock_page; putback_lru_page drops the list's reference.
 */
export function migratePages<L extends MigrateLocals>(
  pages: readonly MigratePage[],
  folios: Readonly<Record<string, FolioRefs>>,
  unmap: Block<L>,
  remove: Block<L>,
): Block<L> {
  const folio = (name: string) => folios[name];
  const pg = (c: Ctx<L>) => pages[c.l.pg];
  const page = (c: Ctx<L>) => folio(pg(c).name);
  const set = (c: Ctx<L>, l: Partial<MigrateLocals>) => c.let(l as Partial<L>);
  const mapped = (c: Ctx<L>) => c.get(page(c).mapcount) > 0 && (set(c, { dst: pg(c).name }), true);
  const moveMapping = (c: Ctx<L>) => set(c, { dst: c.get(page(c).ref) === 1 ? pg(c).dst : pg(c).name });
  const newpage = (c: Ctx<L>) => newpageUnlock(c, folio(pg(c).dst), pg(c).dst, c.l.dst === pg(c).dst);
  const putback = (c: Ctx<L>) => (folioPut(c, page(c)), set(c, { pg: c.l.pg + 1, dst: '' }));
  const sleep = step<L>('unmap_and_move: lock_page sleeps', (c) => folioLockSleep(c, page(c)));
  return [
    label('page'),
    localWhen<L>('migrate_pages: next page on the list', (l) => [{}, l.pg >= pages.length], [exit()]),
    when('unmap_and_move: lock_page(page)', (c) => folioLockOrQueue(c, page(c)), [], [sleep], { cost: 'lock' }),
    ...unmap,
    when('unmap_and_move: page_mapped(page)? → skip the move', mapped, [goto_(REMOVE_WALK)], []),
    step('migrate_page_move_mapping: page_count(page) != 1 → -EAGAIN; else migrate_page_copy', moveMapping),
    label(REMOVE_WALK),
    ...remove,
    step('move_to_new_page: unlock_page(newpage) / free the unused newpage', newpage),
    step('unmap_and_move: unlock_page(page)', (c) => folioUnlock(c, page(c))),
    step('unmap_and_move: putback_lru_page(page) (frees a migrated page)', putback, { cost: 'atomic' }),
    goto_('page'),
  ];
}

/**
 * The user touches the page behind `r` until it is mapped: handle_pte_fault reads the PTE
 * without a lock; a migration entry → do_swap_page → migration_entry_wait: under the PTL,
 * migration_entry_to_page (BUG_ON(!PageLocked), the `migration-entry-locked` assertion),
 * get_page_unless_zero, then wait_on_page_locked, put_page and fault again. The thread ends when
 * the PTE is no longer a migration entry (labels `access` is the block's).
 */
export function migrationEntryWait<L extends { f: string }>(
  r: PteAt,
  folios: Readonly<Record<string, FolioRefs>>,
): Block<L> {
  const folio = (name: string) => folios[name];
  const f = (c: Ctx<L>) => folio(c.l.f);
  const wait = (c: Ctx<L>) => {
    ptlSection(c, r.ptl);
    const p = c.get(r.pte);
    if (p.kind !== 'migration') return true;
    const g = folio(p.folio);
    const view = { locked: () => c.get(g.locked) !== -1, freed: () => c.get(g.ref) === 0 };
    const bug = migrationEntryToPage(view as unknown as MigrationEntryView<null>, null, p.folio);
    if (bug) c.bug(bug.property, bug.message);
    if (!folioTryGet(c, g)) return true;
    return (folioQueueIfLocked(c, g), c.let({ f: p.folio } as Partial<L>), false);
  };
  const waitLabel = 'migration_entry_wait: PTL; is_migration_entry; migration_entry_to_page; get_page_unless_zero';
  return [
    label('access'),
    when(
      'handle_pte_fault: entry = *pte (lockless); not a swap entry → done',
      (c) => c.get(r.pte).kind !== 'migration',
      [exit()],
    ),
    scope<L>({ f: '' } as Partial<L>, [
      when(waitLabel, wait, [goto_('access')], [], { cost: 'lock' }),
      step('migration_entry_wait: wait_on_page_locked', (c) => folioWaitUnlocked(c, f(c))),
      step('migration_entry_wait: put_page; refault', (c) => folioPut(c, f(c), true), { cost: 'atomic' }),
    ]),
    goto_('access'),
  ];
}

/** The PTL step of try_to_unmap_one (`unmapToMigrationEntry`). */
export const TRY_TO_UNMAP_ONE =
  'try_to_unmap_one: PTL; page_check_address; ptep_clear_flush; set_pte_at(migration entry); page_remove_rmap; put_page';
/** The PTL step of remove_migration_pte (`removeMigrationPte`). */
export const REMOVE_MIGRATION_PTE =
  'remove_migration_pte: PTL; migration entry for page? set_pte_at(dst); get_page(dst); page_add_anon_rmap';

/** The shared state the migration-entry properties read: see `migrationEntryProperties`. */
export interface MigrationState {
  readonly pte: readonly Pte[];
  readonly folios: Readonly<Record<string, { readonly ref: number; readonly locked: number }>>;
  readonly mig: Readonly<Record<string, MigrationWalk>>;
}

/**
 * The properties of properties/migration-entries.ts (no dangling entry, the fault's BUG_ON,
 * remove walk complete, no PTE maps a freed page) over a layout with `pte` (an array, `span`
 * PTEs per mm: messages say `mm1 pte[3]`), `folios` (folioSpec, named `folios`) and `mig` (one
 * MigrationWalk per page migrated).
 */
export function migrationEntryProperties<S extends MigrationState>(folios: readonly string[], span: number) {
  const view: MigrationEntryView<S> = {
    reads: ['pte', 'mig', ...folios.flatMap((n) => [`folios.${n}.lock`, `folios.${n}.ref`])],
    ptes: (s) => s.pte.map((e, i) => [`mm${Math.floor(i / span)} pte[${i % span}]`, e] as const),
    locked: (s, f) => s.folios[f].locked !== -1,
    freed: (s, f) => s.folios[f].ref === 0,
    walks: (s) => Object.values(s.mig),
  };
  return [noDanglingMigrationEntry(view), migrationEntryLocked, removeWalkComplete(view), noPteMapsFreedPage(view)];
}

/** The bookkeeping of one page's migration (a MigrationWalk the properties read), one location. */
export const migrationWalkSpec = (page: string) =>
  unit({ folio: oneOf([page]), installed: int(0, 8), removed: int(0, 8), finished: oneOf([false, true]) });

/** How traces show the per-mm PTLs (`ptl[mm]`) and the walks' bookkeeping (`mig.<page>`). */
export const MIGRATION_WALK_SHOW = [
  { path: 'ptl[*]', name: 'PTL(mm $1)', as: 'owner' },
  { path: 'mig.*.*', name: 'migration walk of $1: $2', as: 'bookkeeping' },
] as const;

// ---------------------------------------------------------------- report and traceability

/** The files @ v2.6.34 of the functions the steps above, migrate_pages' walks and their call chains name. */
export const MIGRATION_WALK_SOURCES = sourcesByFile(`
  mm/migrate.c @ v2.6.34: migrate_pages unmap_and_move move_to_new_page migrate_page migrate_page_move_mapping
  mm/migrate.c @ v2.6.34: remove_migration_ptes remove_migration_pte migration_entry_wait
  mm/rmap.c @ v2.6.34: try_to_unmap try_to_unmap_anon try_to_unmap_one vma_address rmap_walk rmap_walk_anon
  mm/memory.c @ v2.6.34: handle_pte_fault do_swap_page`);

/** migrate_pages of anon pages @ v2.6.34: unmap, move, remove the migration entries (call paths, outermost first). */
export const MIGRATE_PAGES_PATHS = `
  migrate_pages unmap_and_move try_to_unmap try_to_unmap_anon try_to_unmap_one
  unmap_and_move move_to_new_page migrate_page migrate_page_move_mapping
  unmap_and_move remove_migration_ptes rmap_walk rmap_walk_anon remove_migration_pte`;

/** The fault that finds a migration entry (`migrationEntryWait`), as a call path. */
export const FAULT_PATH = 'handle_pte_fault do_swap_page migration_entry_wait';

/** The BUGs the steps above raise: put_page on a zero count (folioPut), unlock_page of a page not locked. */
export const MIGRATION_ASSERTIONS = [
  assertion(REFCOUNT, 'No put_page on a zero count (VM_BUG_ON_PAGE).'),
  assertion(FOLIO_LOCK, 'No unlock_page of a page the thread has not locked.'),
];

/** The names of the properties `migrationEntryProperties` returns, in order. */
export const MIGRATION_ENTRY_PROPERTIES = [
  NO_DANGLING,
  MIGRATION_ENTRY_LOCKED,
  REMOVE_WALK_COMPLETE,
  NO_PTE_MAPS_FREED,
];
