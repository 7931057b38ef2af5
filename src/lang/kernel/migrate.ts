import type { Callers } from '../../core/annotations.js';
import { migrationEntry, present, type Pte } from '../../kernel/pte.js';
import type { Ctx } from '../context.js';
import type { Ref } from '../layout.js';
import { folioGet, folioMapcount, folioPut, type FolioRefs } from './folio.js';

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

/** remove_migration_pte under the PTL: if the PTE holds `from`'s migration entry, map `to` (folio_get, set_pte_at, rmap). */
export function removeMigrationPte<L>(c: Ctx<L>, pte: Ref<Pte>, from: string, to: FolioRefs, toName: string): void {
  const p = c.get(pte);
  if (p.kind !== 'migration' || p.folio !== from) return;
  folioGet(c, to);
  folioMapcount(c, to, 1);
  c.set(pte, present(toName));
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
