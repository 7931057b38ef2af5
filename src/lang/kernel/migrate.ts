import type { Callers } from '../../core/annotations.js';
import { migrationEntry, present, type Pte } from '../../kernel/pte.js';
import { label, step, when, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { spinlock, spinLock, spinUnlock } from '../lock.js';
import { oneOf } from '../domain.js';
import { array, layout, type Ref, type StateOf } from '../layout.js';
import { folioGet, folioMapcount, folioPut, folioSpec, type FolioRefs } from './folio.js';
import { rwsemSpec } from './rwsem.js';
import { tlbSpec } from './tlb.js';

/**
 * Page migration of a file folio and the shmem read fault, as of Linux v6.10 (mm/migrate.c,
 * mm/rmap.c, mm/filemap.c, mm/shmem.c, mm/memory.c): operations on a page-cache slot and a PTE
 * for step bodies, and the call graph and source files of both paths for reports and `sources`.
 */

/** The PTE values over some folios: none, and present / migration entry / present-invalid of each. */
export const pteValues = (folios: readonly string[]): Pte[] => [
  { kind: 'none' },
  ...folios.flatMap((f): Pte[] => [present(f), migrationEntry(f), { kind: 'invalid', folio: f }]),
];

export type MigState = 'running' | 'migrated' | 'failed';

/**
 * One page of a file in a layout: its folios (the cached one, the migration target, any a
 * fault may allocate), one PTE and PTL per mm mapping it (mm0 is the one migrated from), the
 * page-cache slot, each CPU's TLB, i_mmap_rwsem, and what move_pages returns.
 */
export function filePageLayout(folios: readonly string[], mapping: string, mms: number) {
  return layout({
    folios: Object.fromEntries(folios.map((n) => [n, folioSpec([mapping])])),
    pte: array(mms, oneOf(pteValues(folios))),
    ptl: array(mms, spinlock()),
    /** The folio cached at the page's index, or null for a hole. */
    cache: array(1, oneOf<string | null>([...folios, null])),
    tlb: tlbSpec(mms, folios),
    i_mmap_rwsem: rwsemSpec(),
    mig: oneOf<MigState>(['running', 'migrated', 'failed']),
  });
}
export type FilePage = ReturnType<typeof filePageLayout>;
export type FilePageState = StateOf<FilePage['spec']>;
export type FilePageRefs = FilePage['refs'] & { readonly folio: (name: string) => FolioRefs };
export const filePageRefs = (l: FilePage): FilePageRefs => ({
  ...l.refs,
  folio: (n) => (l.refs.folios as Record<string, FolioRefs>)[n],
});

/** remove_migration_pte under the PTL: if the PTE holds `from`'s migration entry, map `to` (folio_get, set_pte_at, rmap). */
export function removeMigrationPte<L>(c: Ctx<L>, pte: Ref<Pte>, from: string, to: FolioRefs, toName: string): void {
  const p = c.get(pte);
  if (p.kind !== 'migration' || p.folio !== from) return;
  folioGet(c, to);
  folioMapcount(c, to, 1);
  c.set(pte, present(toName));
}

/**
 * remove_migration_ptes(src → `to`): every mm's PTE under its PTL (labels `lockIt`/`drop`; the
 * first mm's set step named `name`).
 */
export function removeMigrationPtes<L>(
  r: FilePageRefs,
  src: string,
  to: string,
  labels: readonly [string, string, string],
  name: string,
): Block<L> {
  const [lockIt, set, drop] = labels;
  return r.pte.items.flatMap((_p, k): Block<L> => [
    step(lockIt, (c) => spinLock(c, r.ptl.at(k)), { cost: 'lock' }),
    ...(k === 0 ? [label<L>(name)] : []),
    step(set, (c) => removeMigrationPte(c, r.pte.at(k), src, r.folio(to), to), { cost: 'atomic' }),
    step(drop, (c) => spinUnlock(c, r.ptl.at(k))),
  ]);
}

/**
 * folio_migrate_mapping, file branch, after the freeze (xa_lock held): the new folio takes the
 * page cache's reference and the slot, the old one is unfrozen to the isolation reference.
 */
export function xasStoreUnfreeze<L>(
  c: Ctx<L>,
  slot: Ref<string | null>,
  src: FolioRefs,
  dst: FolioRefs,
  dstName: string,
  mapping: string,
): void {
  c.set(slot, dstName);
  c.set(dst.ref, c.get(dst.ref) + 1);
  c.set(dst.mapping, mapping);
  c.set(src.mapping, null);
  c.set(src.ref, 1);
}

/** filemap_remove_folio (xa_lock): the slot becomes a hole, folio->mapping = NULL, the page cache's reference is dropped. */
export function filemapRemoveFolio<L>(c: Ctx<L>, slot: Ref<string | null>, f: FolioRefs, name: string): void {
  if (c.get(slot) !== name) return;
  c.set(slot, null);
  c.set(f.mapping, null);
  folioPut(c, f);
}

/**
 * shmem_add_to_page_cache: xas_find_conflict finds the slot taken → -EEXIST (raised as
 * `property`: nothing in the patch that would call it can recover the data), else the folio
 * takes the slot, its mapping and the page cache's reference.
 */
export function shmemAddToPageCache<L>(
  c: Ctx<L>,
  slot: Ref<string | null>,
  f: FolioRefs,
  name: string,
  mapping: string,
  property: string,
): void {
  const there = c.get(slot);
  if (there !== null)
    c.bug(
      property,
      `shmem_add_to_page_cache(${name}) returns -EEXIST: shmem filled the hole with ${there}, a new zero-filled folio, while the file's data is in ${name}`,
    );
  c.set(slot, name);
  c.set(f.mapping, mapping);
  folioGet(c, f);
}

/** v6.10 callers: move_pages → migrate_pages → migrate_pages_sync → … (report call chains). */
export const MIGRATE_CALLS: Callers = {
  migrate_pages_sync: '',
  migrate_pages_batch: 'migrate_pages_sync',
  migrate_folio_unmap: 'migrate_pages_batch',
  filemap_remove_folio: 'migrate_folio_unmap',
  try_to_migrate: 'migrate_folio_unmap',
  rmap_walk_file: 'try_to_migrate',
  try_to_migrate_one: 'rmap_walk_file',
  page_vma_mapped_walk: 'try_to_migrate_one',
  migrate_folio_move: 'migrate_pages_batch',
  move_to_new_folio: 'migrate_folio_move',
  migrate_folio: 'move_to_new_folio',
  migrate_folio_extra: 'migrate_folio',
  folio_migrate_mapping: 'migrate_folio_extra',
  shmem_add_to_page_cache: 'migrate_folio_move',
  remove_migration_ptes: 'migrate_folio_move',
  remove_migration_pte: 'remove_migration_ptes',
  migrate_folio_undo_src: 'migrate_pages_batch',
  migrate_folio_done: 'migrate_pages_batch',
  putback_movable_pages: 'migrate_pages_sync',
  // The undo's remove_migration_pte (removeMigrationPtes(src → src)) is migrate_folio_undo_src's.
  'remove_migration_pte: set_pte_at(src); folio_get(src)': [
    ...['migrate_pages_sync', 'migrate_pages_batch', 'migrate_folio_undo_src', 'remove_migration_ptes'],
  ],
};

/** v6.10 callers of the read fault: handle_pte_fault → do_pte_missing → … → filemap_get_entry; slow GUP. */
export const FAULT_CALLS: Callers = {
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
  follow_page_pte: '__get_user_pages',
};

const FILES: Record<string, readonly string[]> = {
  'mm/migrate.c': [
    ...['migrate_pages_sync', 'migrate_pages_batch', 'migrate_folio_unmap', 'migrate_folio_move'],
    ...['move_to_new_folio', 'migrate_folio', 'migrate_folio_extra', 'folio_migrate_mapping'],
    ...['migrate_folio_undo_src', 'migrate_folio_done', 'putback_movable_pages', 'remove_migration_ptes'],
    ...['remove_migration_pte', 'migration_entry_wait'],
  ],
  'mm/rmap.c': ['try_to_migrate', 'rmap_walk_file', 'try_to_migrate_one'],
  'mm/page_vma_mapped.c': ['page_vma_mapped_walk'],
  'mm/memory.c': [
    ...['handle_pte_fault', 'do_pte_missing', 'do_fault', 'do_read_fault', '__do_fault', 'finish_fault'],
    'do_swap_page',
  ],
  'mm/filemap.c': ['filemap_get_entry', 'filemap_remove_folio', 'migration_entry_wait_on_locked'],
  'mm/shmem.c': ['shmem_fault', 'shmem_get_folio_gfp', 'shmem_alloc_and_add_folio', 'shmem_add_to_page_cache'],
  'mm/gup.c': ['__get_user_pages', 'follow_page_pte'],
  'include/linux/mm.h': ['put_page'],
};

/** `sources` for a model of these paths: function → `file @ v6.10`. */
export const MIGRATE_SOURCES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FILES).flatMap(([file, fns]) => fns.map((fn) => [fn, `${file} @ v6.10`])),
);

/**
 * try_to_migrate_one on mm k's PTE if it maps `src` (stable: the caller holds the folio lock):
 * under the PTL, `clear` (ptep_clear_flush, or an option's atomic replacement that already
 * installs the entry: `entryInClear`), set_pte_at(migration entry), folio_remove_rmap_pte and,
 * unless `foldPut`, the PTE reference's folio_put.
 */
export function tryToMigrateOne<L>(
  r: FilePageRefs,
  k: number,
  src: string,
  clear: Node<L>,
  entryInClear: boolean,
  foldPut: boolean,
): Block<L> {
  const [pte, a, ptl] = [r.pte.at(k), r.folio(src), r.ptl.at(k)];
  const mapsSrc = (c: Ctx<L>) => {
    const p = c.get(pte);
    return p.kind === 'present' && p.folio === src && (spinLock(c, ptl), true);
  };
  const atomic = { cost: 'atomic' } as const;
  return [
    when(
      'try_to_migrate_one: page_vma_mapped_walk takes PTL',
      mapsSrc,
      [
        ...(k === 0 ? [label<L>('clear')] : []),
        clear,
        ...(entryInClear
          ? []
          : [step<L>('try_to_migrate_one: set_pte_at(migration entry)', (c) => c.set(pte, migrationEntry(src)))]),
        step('try_to_migrate_one: folio_remove_rmap_pte', (c) => folioMapcount(c, a, -1), atomic),
        ...(foldPut ? [] : [step<L>('try_to_migrate_one: folio_put', (c) => folioPut(c, a), atomic)]),
        step('page_vma_mapped_walk: drop PTL', (c) => spinUnlock(c, ptl)),
      ],
      [],
      { cost: 'lock' },
    ),
  ];
}
