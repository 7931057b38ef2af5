import type { Callers } from '../../core/annotations.js';
import { ANON_VMA_CLASS, AVC_LIST, avcSuccessor } from '../../kernel/anon-vma.js';
import { PTE_NONE, present, pteText, type Pte } from '../../kernel/pte.js';
import { EFAULT, vmaAddress } from '../../kernel/vma.js';
import { break_, continue_, exit, loop, scope, step, when, type Block } from '../ast.js';
import type { Ctx } from '../context.js';
import { int, oneOf } from '../domain.js';
import type { Ref } from '../layout.js';
import { spinUnlock } from '../lock.js';
import { folioMapcount, folioPut, folioUnlock, type FolioRefs } from './folio.js';
import type { MmRefs } from './mremap.js';
import {
  PTL_CLASS,
  PTRS_PER_TABLE,
  lockStep,
  pmdTable,
  tableOf,
  unlockStep,
  type PmdRefs,
  type PteRefs,
} from './pgtable.js';
import { flushTlbPage, type TlbRefs } from './tlb.js';

/**
 * The anon rmap walks that race with mremap's move (mm/rmap.c rmap_walk_anon, vma_address):
 *  - `finishMigration`: 3.1 migrate_pages after try_to_unmap put a migration entry in each
 *    page's PTE (mm/migrate.c unmap_and_move @ v3.1): per page remove_migration_ptes →
 *    rmap_walk_anon (the anon_vma lock, same_anon_vma one avc per step, vma_address as three
 *    plain loads, remove_migration_pte under the PTL [after a lockless peek before 486cf46f]),
 *    unlock_page, putback_lru_page frees it;
 *  - `shrinkPage`: reclaim of one mapped page @ v5.10 (shrink_page_list → try_to_unmap →
 *    rmap_walk_anon → try_to_unmap_one through page_vma_mapped_walk's lockless pmd read), then the
 *    page is freed unless still mapped.
 * A walk's `cursor` is the VMA of the avc it is on (null: at the list head).
 */
export interface MigrationLocals {
  readonly page: number;
  readonly cursor: string | null;
  /** What vma_address has loaded so far, and the address it gave. */
  readonly snap: Partial<Record<'start' | 'pgoff', number>>;
  readonly addr: number;
}
export const MIGRATION_LOCALS: MigrationLocals = { page: 0, cursor: null, snap: {}, addr: 0 };

export interface UnmapLocals {
  readonly cursor: string | null;
  readonly addr: number;
  /** The page table page_vma_mapped_walk found through the pmd (-1: none). */
  readonly table: number;
}
export const UNMAP_LOCALS: UnmapLocals = { cursor: null, addr: 0, table: -1 };

/** The pages under migration: old page i (locked, its migration entries), the new page it becomes, the walk's bookkeeping. */
export interface MigratingPages {
  readonly old: readonly string[];
  readonly new: readonly string[];
  readonly folios: Readonly<Record<string, FolioRefs>>;
  /** Per old page: entries replaced, and the walk finished (for remove-walk-complete). */
  readonly walks: Readonly<Record<string, { readonly removed: Ref<number>; readonly finished: Ref<boolean> }>>;
}

/** One page's walk bookkeeping in a layout (`MigratingPages.walks`). */
export const migrationWalkSpec = () => ({ removed: int(0, 1), finished: oneOf([false, true]) });

/**
 * One step of list_for_each_entry / anon_vma_interval_tree_foreach over `same_anon_vma`: the VMA
 * after `cursor` (null: from the head), or null at the end; following an unlinked avc is the
 * `anon-vma-list` BUG (LIST_POISON).
 */
function avcNext<L>(c: Ctx<L>, m: MmRefs, av: string, cursor: string | null): string | null {
  const next = avcSuccessor(c.get(m.anon_vmas[av].head), cursor);
  if (next === 'poison')
    c.bug(AVC_LIST, `list_for_each_entry: avc of ${cursor} was unlinked under the walker (LIST_POISON1)`);
  return next ?? null;
}

/** The walk's step body: move the `cursor` local to the next VMA; false at the end of the list. */
const avcWalk =
  <L extends { readonly cursor: string | null }>(m: MmRefs, av: string) =>
  (c: Ctx<L>): boolean => {
    c.let({ cursor: avcNext(c, m, av, c.l.cursor) } as Partial<L>);
    return c.l.cursor !== null;
  };

/** Report only: where a walk at `cursor` goes next. */
const avcNextNote = (av: string) => (s: WalkState, l: { cursor: string | null }) => {
  const next = avcSuccessor(s.anon_vmas[av].head, l.cursor);
  return next === undefined ? 'end of the same_anon_vma list' : next === 'poison' ? null : `next avc: ${next}`;
};

/** Per page: remove_migration_ptes(old, new) (`index(i)`: page i's index), unlock_page(old), putback_lru_page(old). */
export function finishMigration(
  m: MmRefs,
  pg: PteRefs,
  av: string,
  pages: MigratingPages,
  index: (page: number) => number,
  locklessPeek: boolean,
): Block<MigrationLocals> {
  type L = MigrationLocals;
  const lock = m.anon_vmas[av].lock;
  const old = (l: L) => pages.old[l.page];
  const ptl = (l: L) => pg.ptl.at(tableOf(l.addr));
  const load = (f: 'pgoff' | 'start') =>
    step<L>(`vma_address: load vm_${f}`, (c) => c.let({ snap: { ...c.l.snap, [f]: c.get(m.vmas[c.l.cursor!][f]) } }));
  const address = (c: Ctx<L>) => {
    const { start, pgoff } = c.l.snap as Record<'start' | 'pgoff', number>;
    const addr = vmaAddress(index(c.l.page), { start, pgoff, end: c.get(m.vmas[c.l.cursor!].end) });
    c.let(addr === EFAULT ? { snap: {} } : { snap: {}, addr });
    return addr !== EFAULT;
  };
  const peek = (c: Ctx<L>) => c.get(pg.pte.at(c.l.addr)).kind === 'migration';
  const replace = (c: Ctx<L>) => {
    const [pte, w] = [pg.pte.at(c.l.addr), pages.walks[old(c.l)]];
    const p = c.get(pte);
    if (p.kind !== 'migration' || p.folio !== old(c.l)) return;
    c.set(pte, present(pages.new[c.l.page]));
    c.set(w.removed, c.get(w.removed) + 1);
  };
  const putback = (c: Ctx<L>) => {
    folioPut(c, pages.folios[old(c.l)]);
    return c.l.page + 1 < pages.old.length && (c.let({ page: c.l.page + 1 }), true);
  };
  return [
    loop([
      lockStep('rmap_walk_anon: anon_vma_lock (root mutex)', lock, ANON_VMA_CLASS),
      loop([
        when('rmap_walk_anon: list_for_each_entry → next avc', avcWalk<L>(m, av), [], [break_()]),
        // The address is dead between VMAs (vma_address writes it before anything reads it).
        scope<L>({ addr: 0 }, [
          load('pgoff'),
          load('start'),
          when('vma_address: load vm_end', address, [], [continue_()]),
          ...(locklessPeek
            ? [when('remove_migration_pte: is_swap_pte(*ptep)? (lockless peek)', peek, [], [continue_()])]
            : []),
          lockStep('remove_migration_pte: pte_offset_map_lock', ptl, PTL_CLASS),
          step('remove_migration_pte: migration entry for old? set_pte_at(new)', replace),
          unlockStep('remove_migration_pte: pte_unmap_unlock', ptl, PTL_CLASS),
        ]),
      ]),
      step('rmap_walk_anon: anon_vma_unlock', (c) => {
        spinUnlock(c, lock, ANON_VMA_CLASS);
        c.set(pages.walks[old(c.l)].finished, true);
      }),
      step('unmap_and_move: unlock_page(old)', (c) => folioUnlock(c, pages.folios[old(c.l)])),
      when('putback_lru_page: put_page(old): freed', putback, [], [exit()]),
    ]),
  ];
}

/** Reclaim of `folio` (page index `index`): try_to_unmap through every VMA, then free it unless still mapped. */
export function shrinkPage(
  m: MmRefs,
  pd: PmdRefs,
  tlb: TlbRefs,
  av: string,
  [name, folio]: readonly [string, FolioRefs],
  index: number,
): Block<UnmapLocals> {
  type L = UnmapLocals;
  const lock = m.anon_vmas[av].lock;
  const address = (c: Ctx<L>) => {
    const v = m.vmas[c.l.cursor!];
    const addr = vmaAddress(index, { start: c.get(v.start), end: c.get(v.end), pgoff: c.get(v.pgoff) });
    return addr !== EFAULT && (c.let({ addr }), true);
  };
  const pmd = (c: Ctx<L>) => {
    const table = pmdTable(c, pd, c.l.addr);
    return table >= 0 && (c.let({ table }), true);
  };
  const unmap = (c: Ctx<L>) => {
    const pte = pd.tables.at(c.l.table).at(c.l.addr % PTRS_PER_TABLE);
    const p = c.get(pte);
    if (p.kind !== 'present' || p.folio !== name) return;
    c.set(pte, PTE_NONE);
    flushTlbPage(c, tlb, 'tlbi', c.l.addr);
    folioMapcount(c, folio, -1);
  };
  return [
    lockStep('rmap_walk_anon: anon_vma_lock_read', lock, ANON_VMA_CLASS),
    loop([
      when('rmap_walk_anon: anon_vma_interval_tree_foreach → next vma', avcWalk<L>(m, av), [], [break_()]),
      scope<L>({ addr: 0, table: -1 }, [
        when('vma_address: page address in vma', address, [], [continue_()]),
        when(
          'page_vma_mapped_walk: pmd = READ_ONCE(*pmd_offset(address)); pmd_none → next vma',
          pmd,
          [],
          [continue_()],
        ),
        step(
          'try_to_unmap_one: pte_offset_map_lock; pte maps page? ptep_clear_flush(vma, address); page_remove_rmap; unlock',
          unmap,
        ),
      ]),
    ]),
    unlockStep('rmap_walk_anon: anon_vma_unlock_read', lock, ANON_VMA_CLASS),
    step('shrink_page_list: page_mapped? keep it : free it (__remove_mapping, free_unref_page)', (c) => {
      if (c.get(folio.mapcount) === 0) c.set(folio.ref, 0);
    }),
  ];
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** Call chains from paths `a > b > c` (a calls b, b calls c). */
function chains(...paths: string[]): Callers {
  const out: Record<string, string> = {};
  for (const fns of paths.map((p) => p.split(' > '))) fns.forEach((f, i) => (out[f] = i ? fns[i - 1] : (out[f] ?? '')));
  return out;
}

/** Who calls whom on each walk (3.1 migrate_pages; 5.10 shrink_page_list). */
export const WALK_CALLS = {
  migration: chains(
    'migrate_pages > unmap_and_move > remove_migration_ptes > rmap_walk > rmap_walk_anon > vma_address',
    'rmap_walk_anon > remove_migration_pte',
    'migrate_pages > putback_lru_page',
  ),
  reclaim: chains(
    'shrink_page_list > try_to_unmap > rmap_walk > rmap_walk_anon > vma_address',
    'rmap_walk_anon > try_to_unmap_one > page_vma_mapped_walk',
  ),
};

/** The kernel functions the walks' steps and call chains name, and where they are. */
export const WALK_SOURCES: Readonly<Record<string, string>> = {
  ...at('mm/migrate.c @ v3.1', 'migrate_pages', 'unmap_and_move', 'remove_migration_ptes', 'remove_migration_pte'),
  ...at('mm/rmap.c @ v3.1 (list), v5.10 (tree)', 'rmap_walk', 'rmap_walk_anon', 'vma_address'),
  ...at('mm/rmap.c @ v5.10', 'try_to_unmap', 'try_to_unmap_one'),
  ...at('mm/vmscan.c @ v3.1, v5.10', 'putback_lru_page', 'shrink_page_list'),
  page_vma_mapped_walk: 'mm/page_vma_mapped.c @ v5.10',
};
function at(file: string, ...fns: string[]): Record<string, string> {
  return Object.fromEntries(fns.map((f) => [f, file]));
}

type WalkState = {
  anon_vmas: Record<string, { head: readonly string[] }>;
  vmas: Record<string, Record<'start' | 'end' | 'pgoff', number>>;
  pte?: readonly Pte[];
};

/** Notes by label: where each walk goes next, and why remove_migration_pte leaves a PTE alone. */
export function walkNotes(
  av: string,
  pages: Pick<MigratingPages, 'old'>,
): Record<string, (s: WalkState, l: MigrationLocals) => string | null> {
  const next = avcNextNote(av);
  return {
    'rmap_walk_anon: list_for_each_entry → next avc': next,
    ...Object.fromEntries(
      (['pgoff', 'start', 'end'] as const).map((f) => [
        `vma_address: load vm_${f}`,
        (s: WalkState, l: MigrationLocals) => `${l.cursor}->vm_${f} is ${s.vmas[l.cursor!][f]}`,
      ]),
    ),
    'rmap_walk_anon: anon_vma_interval_tree_foreach → next vma': next,
    'remove_migration_pte: migration entry for old? set_pte_at(new)': (s: WalkState, l: MigrationLocals) => {
      const [p, f] = [s.pte![l.addr], pages.old[l.page]];
      return p.kind === 'migration' && p.folio === f
        ? null
        : `pte[${l.addr}] is ${pteText(p)}: no migration entry of ${f} here`;
    },
  };
}
