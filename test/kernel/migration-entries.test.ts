import { describe, expect, test } from '@jest/globals';
import {
  migrationEntryToPage,
  noDanglingMigrationEntry,
  noPteMapsFreedPage,
  removeWalkComplete,
  type MigrationEntryView,
} from '../../properties/migration-entries.js';
import { PTE_NONE, migrationEntry, present, type Pte } from '../../src/kernel/pte.js';

interface S {
  pte: Pte[];
  locked: Record<string, boolean>;
  freed: Record<string, boolean>;
  walk: { installed: number; removed: number; finished: boolean };
}
const view: MigrationEntryView<S> = {
  reads: ['pte', 'P'],
  ptes: (s) => s.pte.map((p, i) => [`pte[${i}]`, p] as const),
  locked: (s, f) => s.locked[f] ?? false,
  freed: (s, f) => s.freed[f] ?? false,
  walks: (s) => [{ folio: 'P', ...s.walk }],
};
const st = (pte: Pte[], locked: boolean, freed = false, walk = { installed: 1, removed: 1, finished: false }): S => ({
  pte,
  locked: { P: locked },
  freed: { P: freed },
  walk,
});
const check = (p: ReturnType<typeof noDanglingMigrationEntry<S>>, s: S) => p.check!({ s, threads: [] });

describe('migration-entry properties over model accessors', () => {
  test('no-dangling-migration-entry: an entry is fine while the page is locked, not after', () => {
    const p = noDanglingMigrationEntry(view);
    expect(check(p, st([migrationEntry('P')], true))).toBeNull();
    expect(check(p, st([PTE_NONE, migrationEntry('P')], false))).toMatch(
      /pte\[1\] still holds a migration entry for P/,
    );
    expect(p.reads).toEqual(['pte', 'P']);
  });
  test('a PTE named by a function is named only for a violation', () => {
    let named = 0;
    const lazy: MigrationEntryView<S> = {
      ...view,
      ptes: (s) => s.pte.map((p, i) => [() => (named++, `pte[${i}] (in vma)`), p] as const),
    };
    const p = noDanglingMigrationEntry(lazy);
    expect(check(p, st([migrationEntry('P')], true))).toBeNull();
    expect(named).toBe(0);
    expect(check(p, st([migrationEntry('P')], false))).toMatch(/^pte\[0\] \(in vma\) still holds/);
    expect(named).toBe(1);
  });
  test('migration_entry_to_page BUGs only on an unlocked page', () => {
    expect(migrationEntryToPage(view, st([], true), 'P')).toBeNull();
    expect(migrationEntryToPage(view, st([], false, true), 'P')?.message).toMatch(/swapops.h:105.*unlocked and freed/);
  });
  test('remove-walk-complete: a finished remove walk must replace every installed entry', () => {
    const p = removeWalkComplete(view);
    expect(check(p, st([], true, false, { installed: 2, removed: 1, finished: false }))).toBeNull();
    expect(check(p, st([], true, false, { installed: 2, removed: 1, finished: true }))).toMatch(/replaced 1 of the 2/);
    expect(check(p, st([], true, false, { installed: 2, removed: 2, finished: true }))).toBeNull();
  });
  test('no-pte-maps-freed-page: present or migration entries of a freed page', () => {
    const p = noPteMapsFreedPage(view);
    expect(check(p, st([present('P')], false, false))).toBeNull();
    expect(check(p, st([present('P')], false, true))).toMatch(/maps P, which has been freed/);
    expect(check(p, st([migrationEntry('P')], false, true))).toMatch(/migration entry for P/);
  });
});
