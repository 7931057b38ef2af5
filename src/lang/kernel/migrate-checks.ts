import { endState, invariant, type Property } from '../../core/property.js';
import { pteText } from '../../kernel/pte.js';
import { folioThreadBits } from './folio.js';
import type { FilePageState } from './migrate.js';
import { tlbThreadBits } from './tlb.js';

/**
 * What a file folio migration must keep (properties over a `filePageLayout` state, v6.10), and
 * the symmetry of its readers.
 */

const cached = (s: FilePageState, name: string) => s.cache.includes(name);
const mappings = (s: FilePageState, name: string) =>
  s.pte.filter((p) => p.kind === 'present' && p.folio === name).length;

/**
 * What a file folio migration must keep, over a `filePageLayout` state: `src` migrated to `dst`
 * by thread `migrator` (named so), `fresh` a folio shmem may allocate in a hole.
 */
export function migrationProperties(
  src: string,
  dst: string,
  fresh: string,
  migrator: number,
): Property<FilePageState>[] {
  type S = FilePageState;
  return [
    endState<S>(
      'migration-succeeds',
      'Migration succeeds when the folio has no long-lived users (move_pages returns 0).',
      (v) =>
        v.s.mig === 'migrated'
          ? null
          : `move_pages: folio ${src} was not migrated (${v.s.mig}): both batches gave up with -EAGAIN`,
    ),
    invariant<S>(
      'migration-entry-locked',
      'A migration entry is present only while its folio is locked (migration_entry_to_page BUG_ON).',
      ['pte', `folios.${src}.lock`, `folios.${dst}.lock`],
      (v) => {
        const p = v.s.pte.find((q) => q.kind === 'migration' && v.s.folios[q.folio].locked === -1);
        return p ? `${pteText(p)} while its folio is unlocked` : null;
      },
    ),
    endState<S>('no-dangling-migration-entry', 'No migration entry is left behind at the end.', (v) => {
      const p = v.s.pte.find((q) => q.kind === 'migration');
      return p ? `a ${pteText(p)} is left in the page table` : null;
    }),
    endState<S>(
      'refcount-balanced',
      'At the end every folio is referenced exactly by its holders (page cache, mapping PTEs): none frozen, none leaked.',
      (v) => {
        for (const [name, fo] of Object.entries(v.s.folios)) {
          const holders = (cached(v.s, name) ? 1 : 0) + mappings(v.s, name);
          if (fo.ref !== holders)
            return `folio ${name}: refcount ${fo.ref} but ${holders} holder(s) (page cache ${cached(v.s, name)}, ${mappings(v.s, name)} PTE(s))`;
        }
        return null;
      },
    ),
    endState<S>('page-cache-coherent', 'Every PTE maps the folio the page cache holds for the index.', (v) => {
      const p = v.s.pte.find((q) => q.kind === 'present' && !cached(v.s, q.folio));
      return p
        ? `a PTE maps ${pteText(p)} but the page cache holds ${v.s.cache[0] ?? 'nothing'} for the same index`
        : null;
    }),
    invariant<S>(
      'no-zero-fill',
      "No PTE maps a folio shmem allocated in a hole while the file's data is in another folio (data loss).",
      ['pte'],
      (v) =>
        v.s.pte.some((p) => p.kind === 'present' && p.folio === fresh)
          ? `a PTE maps ${fresh}, the zero-filled folio shmem allocated in the hole the migration left: the file's data is in another folio`
          : null,
    ),
    invariant<S>(
      'no-ref-held-across-migration-wait',
      "No thread sleeps on the migrating folio's lock, held by the migrator while the folio is unmapped, holding a reference the freeze does not expect.",
      [`folios.${src}.ref`, `folios.${src}.lock`, 'pte'],
      (v) => {
        const a = v.s.folios[src];
        const stuck = a.held & a.waiters;
        if (v.threads[migrator]?.name !== 'migrator' || a.locked !== migrator || stuck === 0 || mappings(v.s, src))
          return null;
        const who = v.threads.filter((_t, i) => stuck & (1 << i)).map((t) => t.name);
        return `${who.join(', ')} sleeps in folio_lock(${src}) holding a reference while the migrator holds the lock: folio_ref_freeze(${src}) cannot succeed`;
      },
    ),
  ];
}

/**
 * Readers `first`.. of one mm are interchangeable: the same block from the same locals, and a
 * reader's id reaches a `filePageLayout` state only through its `tid()`/`mask()` fields (folio
 * holders, waiters and PG_locked, the PTLs, the TLB masks), which the compiler renames. The
 * `migrationProperties` ask whether some thread holds or waits, never which one.
 */
export function readerSymmetry(
  first: number,
  n: number,
): { groups: number[][]; threadKey: (s: FilePageState, t: number) => number } | undefined {
  if (n < 2) return undefined;
  return {
    groups: [Array.from({ length: n }, (_, i) => first + i)],
    threadKey: (s, t) => {
      let key = s.ptl.reduce((k, owner) => k * 2 + (owner === t ? 1 : 0), 0);
      for (const name in s.folios) key = key * 8 + folioThreadBits(s.folios[name], t);
      return s.pte.reduce((k, _p, i) => k * 64 + tlbThreadBits(s.tlb, t, i), key);
    },
  };
}
