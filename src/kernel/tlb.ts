import { writes } from '../core/access.js';
import type { StepSpec } from '../core/step.js';

/**
 * The TLB, as far as other CPUs are concerned: `stale` is true while some remote CPU may still
 * use the old translation of the page (the PTE has been cleared but not flushed). An immediate
 * flush (ptep_clear_flush, arm64 with the repeat-TLBI workaround) clears it in the same step as
 * the PTE change; a deferred flush (x86's TTU_BATCH_FLUSH, set_tlb_ubc_flush_pending) leaves it
 * set until try_to_unmap_flush(). Location `tlb`.
 */
export interface WithTlb {
  readonly tlb: { readonly stale: boolean };
}

export const TLB = 'tlb';

/** try_to_unmap_flush(): remote TLB entries are gone after this step. */
export function tlbFlush<S extends WithTlb, L>(): StepSpec<S, L> {
  return { footprint: () => writes(TLB), run: (s) => ({ s: { ...s, tlb: { stale: false } } }) };
}
