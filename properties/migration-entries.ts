import { assertion, invariant, type Property } from '../src/core/property.js';
import type { StepViolation } from '../src/core/step.js';
import type { Pte } from '../src/kernel/pte.js';

/**
 * Reusable properties of page migration's migration entries, parameterised by accessors so any
 * model (whatever its state layout) can use them. The kernel invariant behind all of them: a
 * migration entry for page X exists only while X is locked by its migrator, and
 * remove_migration_ptes must find every entry try_to_unmap installed before the unlock.
 *
 * API (stable):
 *  - MigrationEntryView<S>                   the accessors a model supplies
 *  - noDanglingMigrationEntry(view)          invariant `no-dangling-migration-entry`
 *  - migrationEntryLocked + migrationEntryToPage(view, s, folio)
 *                                            assertion `migration-entry-locked` and the BUG_ON a
 *                                            fault step raises (migration_entry_wait)
 *  - removeWalkComplete(view)                invariant `remove-walk-complete`
 *  - noPteMapsFreedPage(view)                invariant `no-pte-maps-freed-page`
 */
export interface MigrationWalk {
  readonly folio: string;
  /** Migration entries the unmap walk installed (try_to_unmap_one). */
  readonly installed: number;
  /** Migration entries the remove walk replaced (remove_migration_pte). */
  readonly removed: number;
  /** The remove walk has finished (dropped the anon_vma lock after the last avc). */
  readonly finished: boolean;
}

export interface MigrationEntryView<S> {
  /** Location prefixes the accessors read: writes to them are visible to the partial-order reduction. */
  readonly reads: readonly string[];
  /**
   * Every PTE: where it is (for messages; a function when naming it reads more of the state, so
   * that it is only read for a violation) and its entry.
   */
  readonly ptes: (s: S) => Iterable<readonly [string | (() => string), Pte]>;
  readonly locked: (s: S, folio: string) => boolean;
  readonly freed: (s: S, folio: string) => boolean;
  /** The migrations in progress (for remove-walk-complete). */
  readonly walks?: (s: S) => Iterable<MigrationWalk>;
}

const named = (where: string | (() => string)) => (typeof where === 'function' ? where() : where);

export const NO_DANGLING = 'no-dangling-migration-entry';
export const MIGRATION_ENTRY_LOCKED = 'migration-entry-locked';
export const REMOVE_WALK_COMPLETE = 'remove-walk-complete';
export const NO_PTE_MAPS_FREED = 'no-pte-maps-freed-page';

export function noDanglingMigrationEntry<S>(view: MigrationEntryView<S>): Property<S> {
  return invariant<S>(
    NO_DANGLING,
    'No dangling migration entry: once the migrator unlocks the page, no PTE holds a migration entry for it.',
    view.reads,
    (v) => {
      for (const [where, p] of view.ptes(v.s))
        if (p.kind === 'migration' && !view.locked(v.s, p.folio))
          return `${named(where)} still holds a migration entry for ${p.folio} after ${p.folio} was unlocked: remove_migration_ptes missed it`;
      return null;
    },
  );
}

export const migrationEntryLocked = assertion(
  MIGRATION_ENTRY_LOCKED,
  'A fault only finds a migration entry while its page is locked (migration_entry_to_page: BUG_ON(!PageLocked(p)), swapops.h:105).',
);

/** migration_entry_to_page(): the kernel BUGs when the entry's page is not locked. */
export function migrationEntryToPage<S>(view: MigrationEntryView<S>, s: S, folio: string): StepViolation | null {
  if (view.locked(s, folio)) return null;
  const state = view.freed(s, folio) ? 'unlocked and freed' : 'unlocked';
  return {
    property: MIGRATION_ENTRY_LOCKED,
    message: `kernel BUG at include/linux/swapops.h:105! migration_entry_to_page: page ${folio} is ${state}`,
  };
}

export function removeWalkComplete<S>(view: MigrationEntryView<S>): Property<S> {
  return invariant<S>(
    REMOVE_WALK_COMPLETE,
    'The remove walk (remove_migration_ptes) visits every PTE the unmap walk (try_to_unmap) turned into a migration entry.',
    view.reads,
    (v) => {
      for (const w of view.walks?.(v.s) ?? [])
        if (w.finished && w.removed !== w.installed)
          return `remove_migration_ptes(${w.folio}) finished having replaced ${w.removed} of the ${w.installed} migration entries try_to_unmap installed`;
      return null;
    },
  );
}

export function noPteMapsFreedPage<S>(view: MigrationEntryView<S>): Property<S> {
  return invariant<S>(
    NO_PTE_MAPS_FREED,
    'No PTE (present or migration entry) refers to a freed page.',
    view.reads,
    (v) => {
      for (const [where, p] of view.ptes(v.s))
        if (p.kind !== 'none' && view.freed(v.s, p.folio))
          return `${named(where)} ${p.kind === 'migration' ? 'holds a migration entry for' : 'maps'} ${p.folio}, which has been freed`;
      return null;
    },
  );
}
