/**
 * mremap's move_ptes vs the rmap walk of remove_migration_ptes (seed 001: 3.1/3.2, Oct–Nov 2011).
 * The story, layouts, granularity and source readings: docs/models/mremap-vs-rmap-walk.md.
 *
 * The migrator has unmapped `ptes` anonymous pages (a migration entry in each PTE, the pages
 * locked) and runs remove_migration_ptes per page: rmap_walk_anon visits same_anon_vma one avc per
 * step under the anon_vma lock, vma_address is three plain loads, remove_migration_pte replaces
 * the entry under the PTL; then unlock_page, and putback frees the page. Meanwhile mremap's
 * copy_vma merges dst into a neighbour or links a new VMA, and move_ptes moves each PTE under the
 * two PTLs only (with `fail` the PTEs go back). That is safe only if the walk visits src before
 * dst: vma_merge into an older VMA puts dst first (Nai Xia); before 486cf46f remove_migration_pte
 * even peeked at the PTE without the PTL.
 *
 * Follows (`sources` names each function's file): mm/mremap.c move_vma, move_page_tables,
 * move_ptes @ v3.1 (v3.7: 108d6642, 38a76013); mm/mmap.c copy_vma, vma_merge, vma_adjust @ v3.1,
 * v3.2 (pgoff reset, `*vmap = new_vma`); mm/rmap.c rmap_walk_anon, vma_address, mm/migrate.c
 * remove_migration_pte @ v3.1. `--param pmd=1`: mm/mremap.c move_pgt_entry, move_normal_pmd @
 * v5.12 and reclaim's try_to_unmap_one @ v5.10. Where the source disagrees with kernel-races.md
 * it wins: 3.1 vma_adjust takes no anon_vma lock when only vm_end changes; 3.1 copy_vma links a
 * new VMA before storing its geometry (4.x after: the tree variants); move_pgt_entry is v5.11+
 * (4.20–5.10 take the same rmap locks around move_normal_pmd inline).
 *
 * Variants (the first is the default):
 *  - after-486cf46f: 3.1, the seed. PTL peek; the walk order is still wrong when vma_merge succeeds.
 *  - before-486cf46f: 3.0/3.1-rc: the lockless peek (scenario new-vma).
 *  - moveto-tail-v1: Andrea's first posting: the move back runs in the wrong order (Hugh's catch).
 *  - moveto-tail: Andrea's final patch, anon_vma_moveto_tail(vma) before the move back too.
 *  - anon-vma-lock: 108d6642 (3.7-rc1): move_ptes takes the anon_vma lock, both directions.
 *  - need-rmap-locks: 38a76013 (3.7+, interval tree): the lock only if the merged dst may come first.
 *  - need-rmap-locks-lt: the same with `<` (scenario merge-next-tie): still safe here.
 *  - need-rmap-locks-by-address: wrong on purpose, `new_vma->vm_start < vma->vm_start` (merge-prev-high).
 *  - pgoff-reset-faulted: wrong on purpose, copy_vma resets a faulted VMA's pgoff (self-faulted).
 *  - pmd-rmap-locks: need-rmap-locks plus 2021: a PMD-level move always takes the rmap locks.
 *  - tree-no-lock: the interval tree with 3.1's lockless move_ptes (merge-prev-high).
 */
import type { Verdict } from '../../src/core/model.js';
import { anonVmaShow, avcListCorruption } from '../../src/kernel/anon-vma.js';
import { folioShow } from '../../src/kernel/folio.js';
import { PTE_NONE, migrationEntry, present, type Pte } from '../../src/kernel/pte.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import type { Vma } from '../../src/kernel/vma.js';
import { defineModel, layout, step, thread, type LangProgram } from '../../src/lang/index.js';
import { folioSpec } from '../../src/lang/kernel/folio.js';
import * as mm from '../../src/lang/kernel/mremap.js';
import * as pt from '../../src/lang/kernel/pgtable.js';
import * as walk from '../../src/lang/kernel/rmap-walk.js';
import { tlbShow, tlbSpec, type TlbRefs, type TlbState } from '../../src/lang/kernel/tlb.js';
import * as props from '../../properties/migration-entries.js';

export interface Options extends mm.MremapOptions {
  /** remove_migration_pte peeks at the PTE without the PTL first (before 486cf46f). */
  readonly locklessPeek: boolean;
  /** The variant's own scenario (param layout = -1). */
  readonly layout: number;
  /** A PMD-level move (param pmd) takes the rmap locks whatever need_rmap_locks says (2021). */
  readonly pmdRmapLocks: boolean;
}

const [AV, FRESH, MIGRATOR, TABLES, B] = ['av', 'new', 0, 3, pt.PTRS_PER_TABLE] as const;
const C = 2 * B;
function vma(start: number, end: number, pgoff: number, anon: string | null = AV): Vma {
  return { start, end, pgoff, anon, flags: 0 };
}
/** VMAs in creation order (3.1 list order), mremap of src's [from, from + n) to `to`; `pages`: where the pages under migration are (address = index), when not in the moved range. */
function sc(src: string, from: number, to: number, vmas: Readonly<Record<string, Vma>>, pages?: number) {
  return { src, from, to, vmas, pages };
}
// The layouts (param `layout`), n = `ptes`, page tables of 16 PTEs: docs/models/mremap-vs-rmap-walk.md.
const SCENARIOS = {
  'merge-prev': (n: number) => sc('W', B, n, { M: vma(0, n, 0), W: vma(B, B + n, n) }),
  'new-vma': (n: number) => sc('W', B, C, { M: vma(0, n, 0), W: vma(B, B + n, n) }),
  'merge-next': (n: number) => sc('M', n, C, { M: vma(0, 2 * n, 0), X: vma(C + n, C + 2 * n, 2 * n) }),
  'merge-next-tie': (n: number) => sc('M', 0, C, { M: vma(0, n, 0), X: vma(C + n, C + 2 * n, n) }),
  'merge-prev-high': (n: number) => sc('M', n, C + n, { M: vma(n, 2 * n, n), W: vma(C, C + n, 0) }),
  // S mmapped at its address, never faulted; the pages under migration are in M, which nobody moves.
  'self-unfaulted': (n: number) => sc('S', C - n, C, { M: vma(0, n, 0), S: vma(C - 2 * n, C, C - 2 * n, null) }, 0),
  'self-faulted': (n: number) => sc('S', C - n, C, { S: vma(C - 2 * n, C, C - 2 * n) }),
};
export const LAYOUTS = Object.keys(SCENARIOS) as (keyof typeof SCENARIOS)[];
/** --param pmd=1: W [16,32) is one whole page table (T1 in PMD slot 1), P0 mapped at 16, moved to a new VMA at 32. */
const PMD = sc('W', B, C, { M: vma(0, 1, 0), W: vma(B, C, B) });

interface S {
  readonly vmas: Readonly<Record<string, { start: number; end: number; linked: number }>>;
  readonly pte?: readonly Pte[];
  readonly folios: Readonly<Record<string, { ref: number; locked: number }>>;
  readonly walks: Readonly<Record<string, { removed: number; finished: boolean }>>;
  readonly tlb?: TlbState;
  readonly selfMergedFaulted: boolean;
}
type Refs = mm.MmRefs & pt.PteRefs & pt.PmdRefs & Omit<walk.MigratingPages, 'old' | 'new'> & { tlb: TlbRefs };

function properties(olds: readonly string[]) {
  const vmaAt = (s: S, a: number) => Object.entries(s.vmas).find(([, v]) => v.linked && a >= v.start && a < v.end);
  const view: props.MigrationEntryView<S> = {
    reads: ['pte', 'walks', ...olds.flatMap((p) => [`folios.${p}.lock`, `folios.${p}.ref`])],
    ptes: (s) =>
      (s.pte ?? []).flatMap((p, a) =>
        p.kind === 'none' ? [] : [[() => `pte[${a}] (in ${vmaAt(s, a)?.[0] ?? 'no vma'})`, p] as const],
      ),
    locked: (s, f) => s.folios[f].locked !== -1,
    freed: (s, f) => s.folios[f].ref === 0,
    walks: (s) =>
      Object.entries(s.walks).map(([folio, w]) => ({
        folio,
        installed: 1,
        removed: w.removed,
        finished: w.finished,
      })),
  };
  const entries = [
    props.noDanglingMigrationEntry(view),
    props.removeWalkComplete(view),
    props.noPteMapsFreedPage(view),
  ];
  return [...entries, avcListCorruption, lockMisuse, pt.noStaleTlb, mm.copyVmaSelfMerge];
}

function build(o: Options, p: Readonly<Record<string, number>>): LangProgram<S> {
  const [pmd, n] = [p.pmd === 1, p.pmd === 1 ? 1 : p.ptes];
  const s = pmd ? PMD : SCENARIOS[LAYOUTS[p.layout < 0 ? o.layout : p.layout]](n);
  const [olds, news] = ['P', 'N'].map((k) => Array.from({ length: n }, (_, i) => `${k}${i}`));
  const values = pmd ? [PTE_NONE, present('P0')] : [PTE_NONE, ...olds.map(migrationEntry), ...news.map(present)];
  const names = [...Object.keys(s.vmas), FRESH];
  const shared = layout({
    ...mm.mmSpec(names, AV),
    ...(pmd ? { ...pt.pmdSpec(TABLES, values), tlb: tlbSpec(TABLES * B, ['P0']) } : pt.ptesSpec(TABLES, values)),
    folios: Object.fromEntries([...olds, ...(pmd ? [] : news)].map((f) => [f, folioSpec([])])),
    walks: Object.fromEntries((pmd ? [] : olds).map((f) => [f, walk.migrationWalkSpec()])),
  });
  const r = shared.refs as unknown as Refs;
  const pages = pmd
    ? { pmd: [-1, 1, -1], tables: { 1: { 0: present('P0') } }, folios: { P0: { mapcount: 1 } } }
    : {
        pte: Object.fromEntries(olds.map((f, i) => [(s.pages ?? s.from) + i, migrationEntry(f)])),
        folios: Object.fromEntries(olds.map((f) => [f, { locked: MIGRATOR }])),
      };
  const init = shared.state({ ...mm.mmInit(s.vmas, names, AV, o.order), ...pages });
  const plan: mm.MremapPlan = { src: s.src, av: AV, oldAddr: s.from, newAddr: s.to, len: pmd ? B : n, fresh: FRESH };
  const index = s.pages ?? s.vmas[s.src].pgoff + (s.from - s.vmas[s.src].start);
  const need = (l: mm.MremapLocals) =>
    o.pmdRmapLocks || o.rmapLocks === 'always' || (o.rmapLocks !== 'never' && l.need);
  const pmdThreads = () => [
    thread('reclaim', walk.UNMAP_LOCALS, walk.shrinkPage(r, r, r.tlb, AV, ['P0', r.folios.P0], PMD.from)),
    thread('mremap', mm.MREMAP_LOCALS, mm.movePmdVma(r, r, r.tlb, plan, o, need)),
    thread('cpu', {}, [
      step('CPU: *new_addr: TLB miss → hardware walk (new pmd, PTE) → TLB fill', (c) =>
        pt.tlbMissWalk(c, r, r.tlb, PMD.to),
      ),
    ]),
  ];
  const migrating = { ...r, old: olds, new: news };
  const threads = pmd
    ? pmdThreads()
    : [
        thread(
          'migrator',
          walk.MIGRATION_LOCALS,
          walk.finishMigration(r, r, AV, migrating, (i) => index + i, o.locklessPeek),
        ),
        thread('mremap', mm.MREMAP_LOCALS, mm.moveVma(r, r, plan, o, p.fail === 1)),
      ];
  const notes = walk.walkNotes(AV, migrating);
  const annotate = (t: string) =>
    t === 'migrator' || t === 'reclaim'
      ? { calls: walk.WALK_CALLS[t === 'migrator' ? 'migration' : t], notes }
      : undefined;
  return { layout: shared, init, threads, properties: properties(pmd ? [] : olds), observes: {}, show: SHOW, annotate };
}

const SHOW = [...folioShow(), ...anonVmaShow(), ...tlbShow()].concat([
  { path: 'ptl[*]', name: 'PTL(table $1)', as: 'owner' },
  { path: 'walks.*.*', name: 'migration walk of $1: $2', as: 'bookkeeping' },
]);
const broken: Record<string, Verdict> = Object.fromEntries(
  [props.NO_DANGLING, props.REMOVE_WALK_COMPLETE, props.NO_PTE_MAPS_FREED].map((p) => [p, 'violated']),
);
const param = (d: number, min: number, max: number, doc: string) => ({ default: d, min, max, doc });
/** Each variant's doc (`name: doc`, one line each), as `mmcheck list` and `compare` show it. */
const DOCS = Object.fromEntries(
  `after-486cf46f: 3.1 (the seed): the peek is under the PTL; vma_merge into the older prev puts dst before src.
  before-486cf46f: 3.0/3.1-rc: remove_migration_pte peeks at the PTE without the PTL (scenario: new VMA at the tail).
  moveto-tail-v1: Andrea's first patch: anon_vma_moveto_tail(new_vma) after vma_merge, nothing before the move back.
  moveto-tail: Andrea's final patch: also anon_vma_moveto_tail(vma) before the move back (Hugh's catch).
  anon-vma-lock: 108d6642 (3.7): move_ptes takes the anon_vma lock around the PTE loop, both directions.
  need-rmap-locks: 38a76013 (3.7+, interval tree): lock only if merged and new_vma->vm_pgoff <= vma->vm_pgoff; the move back always locks.
  need-rmap-locks-lt: need_rmap_locks with \`<\`: skips the lock on the tie (scenario merge-next-tie).
  need-rmap-locks-by-address: Deliberately wrong: lock only if merged below src (new_vma->vm_start < vma->vm_start) (scenario merge-prev-high).
  pgoff-reset-faulted: Deliberately wrong: copy_vma resets a faulted VMA's pgoff too (scenario self-faulted): it merges with itself, and the moved entries fall outside the walk's address.
  pmd-rmap-locks: need-rmap-locks plus 2021: a PMD-level move takes the rmap locks whatever need_rmap_locks says (--param pmd=1).
  tree-no-lock: The interval tree with 3.1's lockless move_ptes (scenario merge-prev-high): safe in list order, not in pgoff order.`
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 2)]),
);
const variant = (name: string, options: Partial<Options>, expect: Record<string, Verdict> = {}) =>
  [name, { doc: DOCS[name], options, expect }] as const;

export default defineModel<Options>({
  name: 'mremap-vs-rmap-walk',
  title: "mremap's move_ptes vs the rmap walk of remove_migration_ptes (seed 001, 2011)",
  story:
    'move_ptes moves PTEs under the two PTLs only, relying on the rmap walk visiting src before dst; vma_merge in copy_vma can put dst before src, so remove_migration_ptes scans dst, move_ptes moves the migration entry from src to dst, the walk scans src and misses it: a dangling migration entry (BUG at swapops.h:105).',
  params: {
    ptes: param(1, 1, B / 2, 'PTEs moved by mremap, each a migration entry of a page under migration.'),
    fail: param(
      1,
      0,
      1,
      '1: move_page_tables fails after the first extent (alloc_new_pmd), so the PTEs are moved back.',
    ),
    pmd: param(
      0,
      0,
      1,
      '1: the PMD-level move instead (move_normal_pmd, 4.20+): a whole page table moves while reclaim unmaps and another CPU fills its TLB.',
    ),
    layout: param(
      -1,
      -1,
      LAYOUTS.length - 1,
      `-1: the variant's scenario; else ${LAYOUTS.map((x, i) => `${i} ${x}`).join(', ')}.`,
    ),
  },
  costs: [{ name: 'mremap', thread: 'mremap', params: { fail: 0 } }],
  options: {
    ...{ locklessPeek: false, order: 'list', moveToTail: 'none', rmapLocks: 'never' },
    ...{ layout: 0, pgoffReset: 'unfaulted', pmdRmapLocks: false },
  },
  variants: Object.fromEntries([
    variant('after-486cf46f', {}, broken),
    variant('before-486cf46f', { locklessPeek: true, layout: 1 }, broken),
    variant('moveto-tail-v1', { moveToTail: 'copy_vma' }, broken),
    variant('moveto-tail', { moveToTail: 'copy_vma+move-back' }),
    variant('anon-vma-lock', { rmapLocks: 'always' }),
    variant('need-rmap-locks', { order: 'tree', rmapLocks: 'pgoff' }),
    variant('need-rmap-locks-lt', { order: 'tree', rmapLocks: 'pgoff-lt', layout: 3 }),
    variant('need-rmap-locks-by-address', { order: 'tree', rmapLocks: 'address', layout: 4 }, broken),
    variant(
      'pgoff-reset-faulted',
      { pgoffReset: 'always', layout: 6 },
      { ...broken, [mm.COPY_VMA_SELF_MERGE]: 'violated' },
    ),
    variant('pmd-rmap-locks', { order: 'tree', rmapLocks: 'pgoff', pmdRmapLocks: true }),
    variant('tree-no-lock', { order: 'tree', layout: 4 }, broken),
  ]),
  build,
  sources: {
    ...mm.MREMAP_SOURCES,
    ...walk.WALK_SOURCES,
    CPU: 'the MMU: a hardware page-table walk on a TLB miss, no kernel code',
  },
});
