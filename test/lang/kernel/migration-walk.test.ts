import { describe, expect, test } from '@jest/globals';
import { endState } from '../../../src/core/property.js';
import { explore } from '../../../src/explore/explore.js';
import { FOLIO_LOCK } from '../../../src/kernel/folio.js';
import { PTE_NONE, migrationEntry, present } from '../../../src/kernel/pte.js';
import { lockMisuse } from '../../../src/kernel/spinlock.js';
import { MIGRATION_ENTRY_LOCKED } from '../../../properties/migration-entries.js';
import {
  array,
  commit,
  evaluate,
  int,
  layout,
  oneOf,
  spinLock,
  step,
  thread,
  tid,
  type Body,
} from '../../../src/lang/index.js';
import { folioSpec, folioUnlock } from '../../../src/lang/kernel/folio.js';
import {
  MIGRATION_ASSERTIONS,
  MIGRATION_ENTRY_PROPERTIES,
  TRY_TO_UNMAP_ONE,
  REMOVE_MIGRATION_PTE,
  migratePages,
  migrationEntryProperties,
  migrationEntryWait,
  migrationWalkSpec,
  newpageUnlock,
  ptlSection,
  removeMigrationPte,
  removeMigrationPtePeek,
  unmapToMigrationEntry,
  type MigrateLocals,
  type PteAt,
} from '../../../src/lang/kernel/migration-walk.js';
import { langProgram } from '../helpers.js';

// One PTE mapping page P (the PTE's reference and the migrator's list reference), its PTL, the new page P2.
const folio = () => ({ ...folioSpec([]), mapcount: int(0, 8) });
const l = layout({
  pte: array(1, oneOf([PTE_NONE, present('P'), migrationEntry('P'), present('P2'), migrationEntry('P2')])),
  ptl: array(1, tid()),
  folios: { P: folio(), P2: folio() },
  mig: { P: migrationWalkSpec('P') },
});
const r: PteAt = { pte: l.refs.pte.at(0), ptl: l.refs.ptl.at(0) };
const { P, P2 } = l.refs.folios;
const init = l.state({
  pte: [present('P')],
  folios: { P: { ref: 2, mapcount: 1 }, P2: { ref: 1, locked: 0 } },
});
type S = typeof init;
const run = <T>(s: S, t: number, body: Body<object>) => evaluate(l, body, s, {}, t) as ReturnType<typeof evaluate<T>>;

describe('the PTE-level steps @ v2.6.34, each one PTL critical section', () => {
  test('ptlSection waits while another thread holds the PTL and tells lockdep acquire, release', () => {
    const held = commit(
      init,
      run(init, 1, (c) => spinLock(c, r.ptl)),
    );
    expect(run(held, 0, (c) => ptlSection(c, r.ptl)).blocked).toBe(true);
    const e = run(init, 0, (c) => ptlSection(c, r.ptl));
    expect([e.blocked, e.lockOps.map((o) => o.op)]).toEqual([false, ['acquire', 'release']]);
  });
  test("try_to_unmap_one: the PTE becomes P's migration entry, P loses a mapping and a reference", () => {
    const e = run(init, 0, (c) => unmapToMigrationEntry(c, r, 'P', P));
    const s = commit(init, e);
    expect([e.value, s.pte[0], s.folios.P.mapcount, s.folios.P.ref]).toEqual([true, migrationEntry('P'), 0, 1]);
    // Not P's PTE (the walk computed the wrong address): nothing changes.
    const other = run(init, 0, (c) => unmapToMigrationEntry(c, r, 'P2', P2));
    expect([other.value, commit(init, other)]).toEqual([false, init]);
  });
  test('remove_migration_pte: the entry becomes a present PTE of the new page, which gains a mapping and a reference', () => {
    const unmapped = commit(
      init,
      run(init, 0, (c) => unmapToMigrationEntry(c, r, 'P', P)),
    );
    const e = run(unmapped, 0, (c) => removeMigrationPte(c, r, 'P', 'P2', P2));
    const s = commit(unmapped, e);
    expect([e.value, s.pte[0], s.folios.P2.mapcount, s.folios.P2.ref]).toEqual([true, present('P2'), 1, 2]);
    expect(run(init, 0, (c) => removeMigrationPte(c, r, 'P', 'P2', P2)).value).toBe(false);
  });
  test("move_to_new_page's unlock: the migrator's lock only; an unused new page is freed", () => {
    expect(
      commit(
        init,
        run(init, 0, (c) => newpageUnlock(c, P2, 'P2', false)),
      ).folios.P2,
    ).toMatchObject({
      locked: -1,
      ref: 0,
    });
    expect(
      commit(
        init,
        run(init, 0, (c) => newpageUnlock(c, P2, 'P2', true)),
      ).folios.P2.ref,
    ).toBe(1);
    expect(run(init, 1, (c) => newpageUnlock(c, P2, 'P2', true)).violation?.property).toBe(FOLIO_LOCK);
  });
});

describe('migrate_pages over one page, and the fault that finds its migration entry', () => {
  type ML = MigrateLocals & { did: boolean };
  const unmap = [step<ML>(TRY_TO_UNMAP_ONE, (c) => unmapToMigrationEntry(c, r, 'P', P))];
  const remove = [
    removeMigrationPtePeek<ML>(() => r.pte, 'done'),
    step<ML>(REMOVE_MIGRATION_PTE, (c) => removeMigrationPte(c, r, 'P', c.l.dst, l.refs.folios[c.l.dst as 'P'])),
    { k: 'label', name: 'done' } as const,
  ];
  // Moved: the PTE maps P2 and P is freed; or -EAGAIN (the fault held a reference on P): P stays, P2 is freed.
  const mapped = endState<S>('mapped', 'The PTE maps one page; the other is freed.', ({ s }) => {
    const freed = s.pte[0].kind === 'present' && s.pte[0].folio === 'P2' ? 'P' : 'P2';
    return s.pte[0].kind === 'present' && s.folios[freed].ref === 0 ? null : JSON.stringify(s);
  });
  const program = (fault: boolean, lockedAtStart = true) =>
    langProgram(() => ({
      layout: l,
      init: lockedAtStart ? init : l.state({ ...init, pte: [migrationEntry('P')] }),
      threads: [
        ...(lockedAtStart
          ? [
              thread<ML>(
                'migrator',
                { pg: 0, dst: '', did: false },
                migratePages([{ name: 'P', dst: 'P2' }], l.refs.folios, unmap, remove),
              ),
            ]
          : [thread('unlocker', {}, [step('test: unlock_page', (c) => folioUnlock(c, P))])]),
        ...(fault ? [thread<{ f: string }>('fault', { f: '' }, migrationEntryWait(r, l.refs.folios))] : []),
      ],
      properties: [...migrationEntryProperties(['P', 'P2'], 1), lockMisuse, ...MIGRATION_ASSERTIONS, mapped],
      observes: {},
    }));
  test('alone, the migrator moves P to P2 and frees P; its steps read as unmap_and_move', () => {
    const inst = program(false);
    expect(inst.program.threads[0].steps.map((s) => s.label)).toEqual([
      'unmap_and_move: lock_page(page)',
      'unmap_and_move: lock_page sleeps',
      TRY_TO_UNMAP_ONE,
      'unmap_and_move: page_mapped(page)? → skip the move',
      'migrate_page_move_mapping: page_count(page) != 1 → -EAGAIN; else migrate_page_copy',
      'remove_migration_pte: pte = *ptep (lockless); !is_swap_pte → next avc',
      REMOVE_MIGRATION_PTE,
      'move_to_new_page: unlock_page(newpage) / free the unused newpage',
      'unmap_and_move: unlock_page(page)',
      'unmap_and_move: putback_lru_page(page) (frees a migrated page)',
    ]);
    expect(explore(inst, { strategy: 'naive', stopAtFirst: false }).kind).toBe('pass');
  });
  test('a fault racing with it waits for the unlock and refaults: every interleaving ends with one page mapped', () => {
    const r1 = explore(program(true), { strategy: 'naive', stopAtFirst: false });
    expect(r1.kind).toBe('pass');
  });
  test('a migration entry whose page is unlocked: the fault BUGs in migration_entry_to_page', () => {
    const res = explore(program(true, false), { strategy: 'bfs', properties: [MIGRATION_ENTRY_LOCKED] });
    expect(res.kind).toBe('violation');
    if (res.kind === 'violation')
      expect(res.violation.message).toMatch(/swapops.h:105! migration_entry_to_page: page P/);
  });
  test('migrationEntryProperties returns the properties MIGRATION_ENTRY_PROPERTIES names, in order', () => {
    expect(migrationEntryProperties(['P'], 1).map((p) => p.name)).toEqual(MIGRATION_ENTRY_PROPERTIES);
  });
});
