import { reads, writes } from '../core/access.js';
import type { StepOutcome, StepSpec } from '../core/step.js';

/**
 * A page-table entry: none, present (maps a folio), a migration entry (a swap-type entry naming
 * the folio under migration), or arm64's present-invalid encoding (PTE_PRESENT_INVALID with
 * PTE_VALID clear: pte_present() is true but hardware faults). Location `pte[i]`.
 */
export type Pte =
  | { readonly kind: 'none' }
  | { readonly kind: 'present'; readonly folio: string }
  | { readonly kind: 'migration'; readonly folio: string }
  | { readonly kind: 'invalid'; readonly folio: string };

export const PTE_NONE: Pte = { kind: 'none' };
export const present = (folio: string): Pte => ({ kind: 'present', folio });
export const migrationEntry = (folio: string): Pte => ({ kind: 'migration', folio });
export const presentInvalid = (folio: string): Pte => ({ kind: 'invalid', folio });

export const pteSame = (a: Pte, b: Pte) =>
  a.kind === b.kind && (a.kind === 'none' || (a as { folio: string }).folio === (b as { folio: string }).folio);
/** pte_present(): true for present and present-invalid entries. */
export const ptePresent = (p: Pte) => p.kind === 'present' || p.kind === 'invalid';

export interface WithPtes {
  readonly pte: readonly Pte[];
}

export const pteLoc = (i: number) => `pte[${i}]`;

/** The state with entry `i` replaced (pure; for steps that store several entries or more than a PTE). */
export function setPte<S extends WithPtes>(s: S, i: number, p: Pte): S {
  const pte = s.pte.slice();
  pte[i] = p;
  return { ...s, pte };
}

/** ptep_get / ptep_get_lockless: a plain load of the entry into the thread's locals. */
export function ptepGet<S extends WithPtes, L>(i: number, into: (l: L, p: Pte) => StepOutcome<S, L>): StepSpec<S, L> {
  return {
    footprint: () => reads(pteLoc(i)),
    run: (s, l) => into(l, s.pte[i]),
    note: (s) => `reads ${pteText(s.pte[i])}`,
  };
}

/** set_pte_at / ptep_get_and_clear / atomic exchange: store a new entry (computed from the old). */
export function pteStore<S extends WithPtes, L>(
  i: number,
  value: (old: Pte, l: L) => Pte,
  then?: (l: L, old: Pte) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    footprint: () => writes(pteLoc(i)),
    run: (s, l) => {
      const old = s.pte[i];
      const out = then ? then(l, old) : {};
      return { ...out, s: setPte(out.s ?? s, i, value(old, l)) };
    },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** An entry as a report names it: `pte_none`, `present(A)`, `migration entry(A)`, `present-invalid(A)`. */
export function pteText(p: Pte): string {
  switch (p.kind) {
    case 'none':
      return 'pte_none';
    case 'present':
      return `present(${p.folio})`;
    case 'migration':
      return `migration entry(${p.folio})`;
    case 'invalid':
      return `present-invalid(${p.folio})`;
  }
}
