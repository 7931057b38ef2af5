import { describe, expect, test } from '@jest/globals';
import { System } from '../../../src/explore/system/system.js';
import { folioSpec } from '../../../src/lang/kernel/folio.js';
import { PTE_NONE, migrationEntry, present, type Pte } from '../../../src/kernel/pte.js';
import type { Vma } from '../../../src/kernel/vma.js';
import { layout, thread } from '../../../src/lang/index.js';
import { mmInit, mmSpec, type MmRefs } from '../../../src/lang/kernel/mremap.js';
import { pmdSpec, ptesSpec, type PmdRefs, type PteRefs } from '../../../src/lang/kernel/pgtable.js';
import {
  MIGRATION_LOCALS,
  UNMAP_LOCALS,
  WALK_CALLS,
  finishMigration,
  migrationWalkSpec,
  shrinkPage,
  walkNotes,
  type MigratingPages,
} from '../../../src/lang/kernel/rmap-walk.js';
import { tlbSpec, type TlbRefs } from '../../../src/lang/kernel/tlb.js';
import { langProgram } from '../helpers.js';

const vma = (start: number, end: number, pgoff: number): Vma => ({ start, end, pgoff, anon: 'av', flags: 0 });

type St = {
  pte: Pte[];
  folios: Record<string, { ref: number; locked: number; mapcount: number }>;
  walks: Record<string, { removed: number; finished: boolean }>;
  anon_vmas: { av: { lock: number } };
};

/** remove_migration_ptes alone for P0 (index 0, in M [0,1)) with its entry at `at`. */
function migrationAlone(at: number, peek = false) {
  const inst = langProgram(() => {
    const values: Pte[] = [PTE_NONE, migrationEntry('P0'), present('N0')];
    const shared = layout({
      ...mmSpec(['M', 'W', 'new'], 'av'),
      ...ptesSpec(3, values),
      folios: { P0: folioSpec([]), N0: folioSpec([]) },
      walks: { P0: migrationWalkSpec() },
    });
    const r = shared.refs as unknown as MmRefs & PteRefs & Omit<MigratingPages, 'old' | 'new'>;
    const vmas = { M: vma(0, 1, 0), W: vma(16, 17, 16) };
    const init = shared.state({
      ...mmInit(vmas, ['M', 'W', 'new'], 'av', 'list'),
      pte: { [at]: migrationEntry('P0') },
      folios: { P0: { locked: 0 } },
    });
    const pages = { ...r, old: ['P0'], new: ['N0'] };
    const body = finishMigration(r, r, 'av', pages, () => 0, peek);
    return {
      layout: shared,
      init,
      threads: [thread('migrator', MIGRATION_LOCALS, body)],
      properties: [],
      observes: {},
    };
  });
  const sys = new System(inst, []);
  let g = sys.initial();
  const labels: string[] = [];
  while (!sys.isDone(g, 0)) {
    labels.push(sys.label(g, 0));
    g = sys.exec(g, 0).g;
  }
  return { s: g.s as St, labels };
}

describe('finishMigration: remove_migration_ptes, unlock_page, putback', () => {
  test('the entry where vma_address points is replaced; the page is unlocked and freed; the walk is done', () => {
    const { s, labels } = migrationAlone(0);
    expect(s.pte[0]).toEqual(present('N0'));
    expect(s.walks.P0).toEqual({ removed: 1, finished: true });
    expect([s.folios.P0.locked, s.folios.P0.ref, s.anon_vmas.av.lock]).toEqual([-1, 0, -1]);
    // M gives address 0; W gives -EFAULT (index 0 is outside it) and is skipped after its loads.
    expect(labels.filter((x) => x === 'remove_migration_pte: pte_offset_map_lock')).toHaveLength(1);
    expect(labels.filter((x) => x === 'vma_address: load vm_end')).toHaveLength(2);
  });
  test('an entry where no VMA maps the page is missed: the walk finishes having replaced none', () => {
    const { s } = migrationAlone(17);
    expect([s.pte[17], s.walks.P0]).toEqual([migrationEntry('P0'), { removed: 0, finished: true }]);
  });
  test('the lockless peek (before 486cf46f) skips the PTL when the PTE holds no migration entry', () => {
    const peeked = migrationAlone(0, true).labels;
    expect(peeked).toContain('remove_migration_pte: is_swap_pte(*ptep)? (lockless peek)');
    expect(migrationAlone(17, true).labels).not.toContain('remove_migration_pte: pte_offset_map_lock');
  });
  test('reports: the walk notes and call chains', () => {
    const notes = walkNotes('av', { old: ['P0'] });
    const s = { anon_vmas: { av: { head: ['M', 'W'] } }, vmas: { M: { start: 0, end: 1, pgoff: 0 } }, pte: [PTE_NONE] };
    expect(notes['rmap_walk_anon: list_for_each_entry → next avc'](s, { ...MIGRATION_LOCALS, cursor: 'M' })).toBe(
      'next avc: W',
    );
    expect(notes['rmap_walk_anon: list_for_each_entry → next avc'](s, { ...MIGRATION_LOCALS, cursor: 'W' })).toBe(
      'end of the same_anon_vma list',
    );
    const remove = notes['remove_migration_pte: migration entry for old? set_pte_at(new)'];
    expect(remove(s, { ...MIGRATION_LOCALS, addr: 0 })).toBe('pte[0] is pte_none: no migration entry of P0 here');
    expect(notes['vma_address: load vm_end'](s, { ...MIGRATION_LOCALS, cursor: 'M' })).toBe('M->vm_end is 1');
    expect(WALK_CALLS.migration.remove_migration_pte).toBe('rmap_walk_anon');
    expect(WALK_CALLS.migration.migrate_pages).toBe('');
  });
});

describe('shrinkPage: try_to_unmap through page_vma_mapped_walk, then free', () => {
  const reclaimAlone = (slot: number) => {
    const inst = langProgram(() => {
      const shared = layout({
        ...mmSpec(['W', 'new'], 'av'),
        ...pmdSpec(3, [PTE_NONE, present('P0')]),
        tlb: tlbSpec(48, ['P0']),
        folios: { P0: folioSpec([]) },
      });
      const r = shared.refs as unknown as MmRefs & PmdRefs & { tlb: TlbRefs } & Omit<MigratingPages, 'old' | 'new'>;
      const init = shared.state({
        ...mmInit({ W: vma(16, 32, 16) }, ['W', 'new'], 'av', 'tree'),
        pmd: slot === 1 ? [-1, 1, -1] : [-1, -1, 1],
        tables: { 1: { 0: present('P0') } },
        folios: { P0: { mapcount: 1 } },
        tlb: { cached: { 16: { P0: 0b10 } } },
      });
      const body = shrinkPage(r, r, r.tlb, 'av', ['P0', r.folios.P0], 16);
      return { layout: shared, init, threads: [thread('reclaim', UNMAP_LOCALS, body)], properties: [], observes: {} };
    });
    const sys = new System(inst, []);
    let g = sys.initial();
    while (!sys.isDone(g, 0)) g = sys.exec(g, 0).g;
    return g.s as St & { tables: Pte[][]; tlb: { cached: Record<string, number>[] } };
  };
  test('the PTE found through the pmd is cleared and flushed at its address; the unmapped page is freed', () => {
    const s = reclaimAlone(1);
    expect([s.tables[1][0], s.tlb.cached[16].P0, s.folios.P0.mapcount, s.folios.P0.ref]).toEqual([PTE_NONE, 0, 0, 0]);
  });
  test('a table moved away from the pmd the walk reads is not found: the page stays mapped and is kept', () => {
    const s = reclaimAlone(2);
    expect([s.tables[1][0], s.folios.P0.mapcount, s.folios.P0.ref]).toEqual([present('P0'), 1, 1]);
  });
});
