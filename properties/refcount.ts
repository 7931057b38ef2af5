/**
 * Reusable reference-count properties. A model describes each counted object (a folio, an
 * anon_vma, ...) as a `RefAccount` computed from its state: the count, who owns a counted
 * reference right now, and — while the count is frozen at zero — which holders the freezer
 * accounted for. The properties compare the count with the holders, so they name the holder
 * that is missing or surplus.
 *
 * Holder accounting must be exact wherever a property looks: at every state where a count is
 * zero (frozen or freed) and at every end state.
 */
import { assertion, endState, invariant, type Property, type StateView } from '../src/core/property.js';
import { REFCOUNT } from '../src/kernel/folio.js';

export interface RefAccount {
  /** The object, e.g. folio `A`. */
  readonly name: string;
  readonly count: number;
  /** Who owns a counted reference now: `page cache`, `pte`, `private`, a thread name, ... */
  readonly holders: readonly string[];
  /** While frozen at zero: the holders the freezer accounted for; otherwise null. */
  readonly frozen: readonly string[] | null;
}

export type RefAccounts<S> = (v: StateView<S>) => readonly RefAccount[];

const list = (xs: readonly string[]) => (xs.length === 0 ? 'nobody' : xs.join(', '));

/** The standard names of the properties below. */
export const FROZEN_NOT_IN_USE = 'frozen-ref-not-in-use';
export const REFCOUNT_BALANCED = 'refcount-balanced';

/**
 * "A refcount frozen at zero has no holder outside the frozen set": page_ref_freeze(expected)
 * may succeed only when the expected references are exactly the ones held. A count at zero that
 * is not frozen (freed) must have no holder at all.
 */
export function frozenRefNotInUse<S>(
  accounts: RefAccounts<S>,
  reads: readonly string[] | undefined,
  name = FROZEN_NOT_IN_USE,
): Property<S> {
  return invariant<S>(
    name,
    'A refcount frozen at zero has no holder outside the set the freezer accounted for; a count at zero that is not frozen has no holder at all.',
    reads,
    (v) => {
      for (const a of accounts(v)) {
        if (a.count !== 0) continue;
        if (a.frozen === null) {
          if (a.holders.length > 0) return `${a.name}: refcount 0 (not frozen) while held by ${list(a.holders)}`;
          continue;
        }
        const outside = a.holders.filter((h) => !a.frozen!.includes(h));
        if (outside.length === 0) continue;
        const phantom = a.frozen.filter((h) => !a.holders.includes(h));
        const stoodIn =
          phantom.length > 0 ? `; ${list(phantom)} held no reference, so ${list(outside)}'s stood in for it` : '';
        return `${a.name}: refcount frozen at 0 (freezer accounted for ${list(a.frozen)}) while ${list(outside)} holds a reference${stoodIn}`;
      }
      return null;
    },
  );
}

/** At the end every count equals its number of holders: nothing leaked, nothing left frozen, nothing over-put. */
export function refcountBalanced<S>(accounts: RefAccounts<S>, name = REFCOUNT_BALANCED): Property<S> {
  return endState<S>(
    name,
    'At the end every refcount equals the number of its holders (none leaked, none left frozen).',
    (v) => {
      for (const a of accounts(v)) {
        if (a.frozen) return `${a.name}: refcount left frozen (freezer accounted for ${list(a.frozen)})`;
        if (a.count !== a.holders.length)
          return `${a.name}: refcount ${a.count} but ${a.holders.length} holder(s): ${list(a.holders)}`;
      }
      return null;
    },
  );
}

/** The kernel's refcount BUGs, raised by the folio primitives (src/kernel/folio.ts). */
export const refcountBugs: Property = assertion(
  REFCOUNT,
  'No put_page on a zero count (VM_BUG_ON_PAGE(page_ref_count(page) == 0)), no get_page on a zero count, no unfreeze of an unfrozen count.',
);
