import { describe, expect, test } from '@jest/globals';
import type { Pte } from '../../../src/kernel/pte.js';
import { functionOf } from '../../../src/lang/sources.js';
import { array, commit, evaluate, layout, oneOf, type Body } from '../../../src/lang/index.js';
import { folioSpec, type FolioRefs } from '../../../src/lang/kernel/folio.js';
import {
  MIGRATE_CALLS,
  MIGRATE_SOURCES,
  filemapRemoveFolio,
  pteValues,
  removeMigrationPte,
  shmemAddToPageCache,
} from '../../../src/lang/kernel/migrate.js';

const l = layout({
  folios: { A: folioSpec(['shmem']), B: folioSpec(['shmem']), C: folioSpec(['shmem']) },
  pte: array(1, oneOf(pteValues(['A', 'B']))),
  cache: array(1, oneOf<string | null>(['A', 'B', 'C', null])),
});
const f = (n: string) => (l.refs.folios as Record<string, FolioRefs>)[n];
const s0 = l.state({
  folios: { A: { ref: 2, mapping: 'shmem' }, B: { ref: 1 } },
  pte: [{ kind: 'migration', folio: 'A' }],
});
type S = typeof s0;
const run = (s: S, body: Body<object>) => {
  const e = evaluate(l, body, s, {}, 0);
  return { e, s: e.violation ? s : commit<S>(s, e) };
};

describe('the page-cache slot and the PTE during a file folio migration', () => {
  test('remove_migration_pte maps the new folio only over its migration entry', () => {
    const { s } = run(s0, (c) => removeMigrationPte(c, l.refs.pte.at(0), 'A', f('B'), 'B'));
    expect([s.pte[0], s.folios.B.ref, s.folios.B.mapcount]).toEqual([{ kind: 'present', folio: 'B' }, 2, 1]);
    const none = l.state({ ...s0, pte: [{ kind: 'none' } as Pte] });
    expect(run(none, (c) => removeMigrationPte(c, l.refs.pte.at(0), 'A', f('B'), 'B')).e.writes).toEqual([]);
  });
  test('filemap_remove_folio leaves a hole, clears the mapping and drops the cache reference', () => {
    const { s } = run(s0, (c) => filemapRemoveFolio(c, l.refs.cache.at(0), f('A'), 'A'));
    expect([s.cache[0], s.folios.A.mapping, s.folios.A.ref]).toEqual([null, null, 1]);
  });
  test('shmem_add_to_page_cache fills a hole, and finds a refilled slot taken (-EEXIST)', () => {
    const hole = l.state({ ...s0, cache: [null] });
    const { s } = run(hole, (c) => shmemAddToPageCache(c, l.refs.cache.at(0), f('B'), 'B', 'shmem', 'readd'));
    expect([s.cache[0], s.folios.B.mapping, s.folios.B.ref]).toEqual(['B', 'shmem', 2]);
    const refilled = l.state({ ...s0, cache: ['C'] });
    const { e } = run(refilled, (c) => shmemAddToPageCache(c, l.refs.cache.at(0), f('B'), 'B', 'shmem', 'readd'));
    expect(e.violation).toEqual({
      property: 'readd',
      message: expect.stringMatching(/^shmem_add_to_page_cache\(B\) returns -EEXIST: shmem filled the hole with C/),
    });
  });
  test('every function of the call graph has a v6.10 source file', () => {
    // A key is a function, or a whole label (`function: operation`) for a step reached from two callers.
    const fns = new Set(
      Object.entries(MIGRATE_CALLS).flatMap(([k, v]) => [functionOf(k), ...(typeof v === 'string' ? [v] : v)]),
    );
    fns.delete('');
    expect([...fns].filter((fn) => !(fn in MIGRATE_SOURCES))).toEqual([]);
    expect(MIGRATE_SOURCES.folio_migrate_mapping).toBe('mm/migrate.c @ v6.10');
  });
});
