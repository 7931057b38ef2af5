import { invariant } from '../../core/property.js';
import { PTRS_PER_TABLE, tableOf } from '../../kernel/mremap.js';
import { PTE_NONE, type Pte } from '../../kernel/pte.js';
import { step, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { int, oneOf, tid } from '../domain.js';
import { array, type ArrayRef, type Ref } from '../layout.js';
import { spinLock, spinUnlock } from '../lock.js';
import { flushTlbPage, tlbFill, type TlbRefs, type TlbState } from './tlb.js';

/**
 * Page tables in a layout (include/linux/pgtable.h, mm/memory.c @ v3.1 and v5.10): addresses in
 * pages, page tables of PTRS_PER_TABLE entries, table t covering [t·PTRS_PER_TABLE, (t+1)·…).
 *  - `ptesSpec(tables, values)`: one flat array of PTEs (`pte[addr]`, one location each) and the
 *    split PTL of each table (`ptl[t]`, ptlock_ptr: a lock per page-table page);
 *  - `pmdSpec(tables, values)`: one level up, the page table installed in each PMD slot
 *    (`pmd[k]`: a table id or -1), each table's PTEs (`tables[t][i]`) and the PMD-level lock
 *    (`pmdPtl`, pmd_lock): what a PMD-level move (move_normal_pmd) changes.
 * Values of `Pte` are the entries a model can store (its layout's domain).
 */
export { PTRS_PER_TABLE, PTL_CLASS, PTL_NESTED_CLASS, PMD_PTL_CLASS, tableOf } from '../../kernel/mremap.js';

export const ptesSpec = (tables: number, values: readonly Pte[]) => ({
  pte: array(tables * PTRS_PER_TABLE, oneOf(values)),
  ptl: array(tables, tid()),
});

export const pmdSpec = (tables: number, values: readonly Pte[]) => ({
  pmd: array(tables, int(-1, tables - 1, -1)),
  tables: array(tables, array(PTRS_PER_TABLE, oneOf(values))),
  pmdPtl: tid(),
});

export interface PteRefs {
  readonly pte: ArrayRef<Ref<Pte>>;
  readonly ptl: ArrayRef<Ref<number>>;
}

export interface PmdRefs {
  readonly pmd: ArrayRef<Ref<number>>;
  readonly tables: ArrayRef<ArrayRef<Ref<Pte>>>;
  readonly pmdPtl: Ref<number>;
}

/** A step taking a lock (spin_lock, mutex_lock, down_write: one owner), costed as a lock. */
export const lockStep = <L>(label: string, lock: Ref<number> | ((l: L) => Ref<number>), cls?: string): Node<L> =>
  step<L>(label, (c) => spinLock(c, typeof lock === 'function' ? lock(c.l) : lock, cls), { cost: 'lock' });

export const unlockStep = <L>(label: string, lock: Ref<number> | ((l: L) => Ref<number>), cls?: string): Node<L> =>
  step<L>(label, (c) => spinUnlock(c, typeof lock === 'function' ? lock(c.l) : lock, cls));

/** flush_tlb_range(vma, start, end): every CPU loses its entries for [start, end) (a broadcast flush). */
export function flushTlbRange<L>(c: Ctx<L>, tlb: TlbRefs, start: number, end: number): void {
  for (let a = start; a < end; a++) flushTlbPage(c, tlb, 'tlbi', a);
}

/** READ_ONCE(*pmd_offset(addr)), as page_vma_mapped_walk reads it without a lock: the table installed, or -1 (pmd_none). */
export const pmdTable = <L>(c: Ctx<L>, pd: PmdRefs, addr: number): number => c.get(pd.pmd.at(tableOf(addr)));

/** A TLB miss at `addr`: the MMU walks the pmd and the PTE and caches a present translation in this CPU's TLB. */
export function tlbMissWalk<L>(c: Ctx<L>, pd: PmdRefs, tlb: TlbRefs, addr: number): void {
  const t = pmdTable(c, pd, addr);
  const p = t < 0 ? PTE_NONE : c.get(pd.tables.at(t).at(addr % PTRS_PER_TABLE));
  if (p.kind === 'present') tlbFill(c, tlb, addr, p.folio);
}

/** `no-stale-tlb`: no CPU's TLB (the layout's `tlb`) translates an address to a freed folio (`folios.<name>.ref` 0). */
export const noStaleTlb = invariant<{ tlb?: TlbState; folios: Readonly<Record<string, { ref: number }>> }>(
  'no-stale-tlb',
  "No CPU's TLB maps a freed page (the PMD scenario: a flush must reach every address the page is reachable at).",
  ['tlb', 'folios'],
  (v) => {
    for (const [a, e] of (v.s.tlb?.cached ?? []).entries())
      for (const [f, cpus] of Object.entries(e))
        if (cpus !== 0 && v.s.folios[f]?.ref === 0)
          return `a CPU's TLB still maps address ${a} to ${f}, which reclaim freed: use-after-free`;
    return null;
  },
);
