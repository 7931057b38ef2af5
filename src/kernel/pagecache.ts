import { reads, writes } from '../core/access.js';
import type { StepOutcome, StepSpec } from '../core/step.js';

/**
 * The page-cache slot of one file index (the xarray entry): the name of the folio cached there,
 * or null for a hole. Lookups are lockless (RCU: xas_load / xas_reload); stores happen under
 * xa_lock, which this model folds into the store step. Location `cache[i]`.
 */
export interface WithCache {
  readonly cache: readonly (string | null)[];
}

export const cacheLoc = (i: number) => `cache[${i}]`;

/** xas_load / xas_reload: read the slot into the thread's locals. */
export function xasLoad<S extends WithCache, L>(
  i: number,
  into: (l: L, folio: string | null) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    footprint: () => reads(cacheLoc(i)),
    run: (s, l) => into(l, s.cache[i]),
    // Report only: what the lookup found.
    note: (s) => `slot ${i}: ${s.cache[i] ?? 'hole'}`,
  };
}

/** xas_store under xa_lock: replace the slot's entry. */
export function xasStore<S extends WithCache, L>(i: number, folio: (l: L) => string | null): StepSpec<S, L> {
  return {
    footprint: () => writes(cacheLoc(i)),
    run: (s, l) => {
      const cache = s.cache.slice();
      cache[i] = folio(l);
      return { s: { ...s, cache } };
    },
  };
}

/**
 * xas_reload after a speculative get (mm/filemap.c: find_get_entry, filemap_get_entry,
 * filemap_get_read_batch): "has the page moved?" — jump to `onMoved` unless the slot still holds
 * the folio the thread took its reference on.
 */
export function xasReloadSame<S extends WithCache, L>(
  i: number,
  folio: (l: L) => string | null,
  onMoved: string,
): StepSpec<S, L> {
  return {
    footprint: () => reads(cacheLoc(i)),
    run: (s, l) => (s.cache[i] === folio(l) ? {} : { goto: onMoved }),
    // Report only: whether the slot still holds the folio.
    note: (s, l) =>
      s.cache[i] === folio(l)
        ? null
        : `slot ${i} now holds ${s.cache[i] ?? 'a hole'}, not ${folio(l) ?? 'a hole'}: moved`,
  };
}
