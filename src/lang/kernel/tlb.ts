import type { ShowRule } from '../../core/show.js';
import type { Ctx } from '../context.js';
import { bit, mask, type MaskDomain } from '../domain.js';
import { array, unit, type ArrayRef, type Ref } from '../layout.js';

/**
 * Per-CPU TLBs in a layout, and the flushes that reach them (arch/x86/mm/tlb.c,
 * arch/arm64/include/asm/tlbflush.h, mm/rmap.c's batched unmap flush @ v6.10). CPU i is the CPU
 * thread i runs on, so every per-CPU fact is a `mask()` of thread ids and the symmetry reduction
 * renames it with the threads.
 *
 * Fields:
 *  - `cached[p][t]`: the CPUs whose TLB holds translation `t` (a folio name) of PTE `p`; a CPU
 *    not in any of PTE p's masks is cold for it (its next access walks the page table). One
 *    location per PTE: all CPUs' cached translations of it.
 *  - `cpumask`: mm_cpumask(mm), the CPUs that run the mm; an IPI flush targets them, and x86
 *    defers a batched flush only when some other CPU is in it.
 *  - `ubc`: current->tlb_ubc.arch.cpumask of the (one) task batching its unmap flushes
 *    (TTU_BATCH_FLUSH): the CPUs whose flush is owed.
 *  - `batched`: mm->tlb_flush_batched, set by set_tlb_ubc_flush_pending, consumed by
 *    flush_tlb_batched_pending.
 *  - `irqOff`: CPUs with interrupts disabled (local_irq_save, as GUP-fast): an IPI waits for them.
 *
 * The architecture parameter says how a flush reaches the other CPUs: `ipi` (x86: an IPI to the
 * CPUs in mm_cpumask, which each flush their own TLB; the sender waits until every target has
 * taken the interrupt, so a CPU with interrupts off delays it), or `tlbi` (arm64: a broadcast
 * TLBI + DSB invalidates every CPU's entries in hardware, without their help, interrupts off or
 * not). A flush here is complete when its step ends (flush_tlb_* return after the acks / DSB).
 */
export type TlbArch = 'ipi' | 'tlbi';

export function tlbSpec<T extends string>(ptes: number, translations: readonly T[]) {
  const entry = {} as Record<T, MaskDomain>;
  for (const t of translations) entry[t] = mask();
  return {
    cached: array(ptes, unit(entry)),
    cpumask: mask(),
    ubc: mask(),
    batched: bit(),
    irqOff: mask(),
  };
}

export interface TlbRefs {
  readonly cached: ArrayRef<Readonly<Record<string, Ref<number>>>>;
  readonly cpumask: Ref<number>;
  readonly ubc: Ref<number>;
  readonly batched: Ref<number>;
  readonly irqOff: Ref<number>;
}

/** What the state says about the TLBs, for properties and symmetry keys (the `tlbSpec` state). */
export interface TlbState {
  readonly cached: readonly Readonly<Record<string, number>>[];
  readonly cpumask: number;
  readonly ubc: number;
  readonly batched: number;
  readonly irqOff: number;
}

const bitOf = (cpu: number) => 1 << cpu;
const entries = (t: TlbRefs, pte: number) => Object.entries(t.cached.at(pte));

/** The translation of PTE `pte` this CPU's TLB holds, or null (cold): a TLB lookup. */
export function tlbLookup<L>(c: Ctx<L>, t: TlbRefs, pte: number): string | null {
  for (const [name, r] of entries(t, pte)) if (c.get(r) & bitOf(c.tid)) return name;
  return null;
}

/** The hardware page-table walk caches `translation` of PTE `pte` in this CPU's TLB. */
export function tlbFill<L>(c: Ctx<L>, t: TlbRefs, pte: number, translation: string): void {
  if (!(translation in t.cached.at(pte))) throw new Error(`tlbFill: no translation ${translation} in the TLB layout`);
  for (const [name, r] of entries(t, pte)) {
    const m = c.get(r);
    const w = name === translation ? m | bitOf(c.tid) : m & ~bitOf(c.tid);
    if (w !== m) c.set(r, w);
  }
}

/** Drop the entries of the CPUs in `cpus` for PTEs `ptes` (all when omitted). */
function invalidate<L>(c: Ctx<L>, t: TlbRefs, cpus: number, ptes?: readonly number[]): void {
  const which = ptes ?? t.cached.items.map((_e, i) => i);
  for (const p of which)
    for (const [, r] of entries(t, p)) {
      const m = c.get(r);
      if (m & cpus) c.set(r, m & ~cpus);
    }
}

/**
 * The CPUs a flush from this CPU reaches, after waiting for them if it must: `ipi` reaches
 * this CPU (a local flush) and the targets in mm_cpumask, and blocks while a remote target has
 * interrupts disabled; `tlbi` reaches every CPU at once.
 */
function reach<L>(c: Ctx<L>, t: TlbRefs, arch: TlbArch, targets: number): number {
  if (arch === 'tlbi') return ~0;
  const remote = targets & ~bitOf(c.tid);
  if (remote !== 0) c.await((c.get(t.irqOff) & remote) === 0);
  return targets | bitOf(c.tid);
}

/** flush_tlb_page / ptep_clear_flush's flush: every CPU of the mm loses its entry for `pte`. */
export function flushTlbPage<L>(c: Ctx<L>, t: TlbRefs, arch: TlbArch, pte: number): void {
  invalidate(c, t, reach(c, t, arch, c.get(t.cpumask)), [pte]);
}

/** flush_tlb_mm: every CPU of the mm loses all its entries of the mm. */
export function flushTlbMm<L>(c: Ctx<L>, t: TlbRefs, arch: TlbArch): void {
  invalidate(c, t, reach(c, t, arch, c.get(t.cpumask)));
}

/**
 * should_defer_flush(mm, flags): only with TTU_BATCH_FLUSH, and (x86's
 * arch_tlbbatch_should_defer) only when another CPU is in mm_cpumask; a local flush is cheap.
 */
export function shouldDeferFlush<L>(c: Ctx<L>, t: TlbRefs, batch: boolean): boolean {
  return batch && (c.get(t.cpumask) & ~bitOf(c.tid)) !== 0;
}

/**
 * set_tlb_ubc_flush_pending: instead of flushing now, owe a flush to the CPUs of the mm
 * (arch_tlbbatch_add_pending: x86 ORs mm_cpumask into the batch; arm64 issues the TLBI without
 * the DSB, so it is complete only at the flush) and set mm->tlb_flush_batched. Until the flush,
 * every CPU keeps the translation it caches.
 */
export function setTlbUbcFlushPending<L>(c: Ctx<L>, t: TlbRefs): void {
  c.set(t.ubc, c.get(t.ubc) | c.get(t.cpumask));
  c.set(t.batched, 1);
}

/** try_to_unmap_flush: if a flush is owed, flush the batch's CPUs (all their entries) and clear it. */
export function tryToUnmapFlush<L>(c: Ctx<L>, t: TlbRefs, arch: TlbArch): void {
  const owed = c.get(t.ubc);
  if (owed === 0) return;
  invalidate(c, t, reach(c, t, arch, owed));
  c.set(t.ubc, 0);
}

/**
 * flush_tlb_batched_pending (under the PTL, before zap/mprotect/mremap change a PTE another task
 * cleared with its flush still batched): if mm->tlb_flush_batched, flush_tlb_mm and clear it.
 * The batching task still owes its own flush (its `ubc` stays).
 */
export function flushTlbBatchedPending<L>(c: Ctx<L>, t: TlbRefs, arch: TlbArch): void {
  if (c.get(t.batched) === 0) return;
  flushTlbMm(c, t, arch);
  c.set(t.batched, 0);
}

/** local_irq_disable / local_irq_enable on this CPU: an IPI to it waits while they are off. */
export function localIrq<L>(c: Ctx<L>, t: TlbRefs, off: boolean): void {
  const m = c.get(t.irqOff);
  c.set(t.irqOff, off ? m | bitOf(c.tid) : m & ~bitOf(c.tid));
}

/** What the TLBs say about CPU `cpu` for PTE `pte` (cached translation index + 1, ubc, irq off): a symmetry key. */
export function tlbThreadBits(s: TlbState, cpu: number, pte = 0): number {
  const names = Object.keys(s.cached[pte]);
  const at = names.findIndex((n) => (s.cached[pte][n] >> cpu) & 1);
  return ((at + 1) << 3) | (((s.ubc >> cpu) & 1) << 2) | (((s.irqOff >> cpu) & 1) << 1) | ((s.cpumask >> cpu) & 1);
}

/** How reports name the TLB fields (report only; `at` is the layout field holding `tlbSpec`). */
export function tlbShow(at = 'tlb'): ShowRule[] {
  return [
    {
      path: `${at}.cached[*].*`,
      as: 'threads',
      add: "$who's TLB caches pte[$1] → $2",
      remove: "$who's TLB entry pte[$1] → $2 is flushed",
    },
    { path: `${at}.cpumask`, name: 'mm_cpumask', as: 'threads' },
    {
      path: `${at}.ubc`,
      as: 'threads',
      add: 'a batched TLB flush is owed to $who (set_tlb_ubc_flush_pending)',
      remove: 'the batched TLB flush reached $who',
    },
    { path: `${at}.batched`, name: 'mm->tlb_flush_batched' },
    { path: `${at}.irqOff`, as: 'threads', add: '$who disables interrupts', remove: '$who enables interrupts' },
  ];
}
