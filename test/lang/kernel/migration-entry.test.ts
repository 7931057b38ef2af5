import { describe, expect, test } from '@jest/globals';
import { endState } from '../../../src/core/property.js';
import { explore } from '../../../src/explore/explore.js';
import { REFCOUNT } from '../../../src/kernel/folio.js';
import { migrationEntry, present } from '../../../src/kernel/pte.js';
import { lockMisuse } from '../../../src/kernel/spinlock.js';
import { refcountBugs } from '../../../properties/refcount.js';
import { array, layout, oneOf, step, thread, tid, when, type Block } from '../../../src/lang/index.js';
import { folioRefFreeze, folioRefUnfreeze, folioSpec } from '../../../src/lang/kernel/folio.js';
import {
  faultCalls,
  faultNotes,
  faultOnMigrationEntry,
  removeMigrationPtes,
  tryToUnmapOne,
  type MigrationWait,
  type PteRefs,
} from '../../../src/lang/kernel/migration-entry.js';
import { unlockPage } from '../../../src/lang/kernel/pagecache.js';
import { langProgram } from '../helpers.js';

// One PTE mapping page A (page cache + PTE + the migrator's isolation reference); the migrator
// holds A's lock from the start, as __unmap_and_move does when it unmaps.
const l = layout({
  folios: { A: folioSpec(['file']) },
  pte: array(1, oneOf([present('A'), migrationEntry('A')])),
  ptl: tid(),
});
type S = ReturnType<typeof l.state>;
const r: PteRefs = { pte: l.refs.pte.at(0), ptl: l.refs.ptl, folio: () => l.refs.folios.A };
const a = l.refs.folios.A;
const init = l.state({ folios: { A: { ref: 3, mapcount: 1, mapping: 'file', locked: 0 } }, pte: [present('A')] });

/** The migrator: unmap, optionally freeze at `freeze` (and unfreeze if it froze), restore the PTE, unlock. */
function migrator(freeze?: number): Block<object> {
  return [
    ...tryToUnmapOne<object>(r, 'A'),
    ...(freeze === undefined
      ? []
      : [
          when<object>('test: page_ref_freeze', (c) => folioRefFreeze(c, a, freeze), [
            step('test: page_ref_unfreeze', (c) => folioRefUnfreeze(c, a, freeze)),
          ]),
        ]),
    ...removeMigrationPtes<object>(r, () => 'A'),
    ...unlockPage<object>('test', a),
  ];
}

const restored = endState<S>('restored', 'The PTE maps A again, A holds its 3 references, nobody waits.', ({ s }) =>
  s.pte[0].kind === 'present' && s.folios.A.ref === 3 && s.folios.A.waiters === 0 ? null : JSON.stringify(s),
);

const program = (wait: MigrationWait, freeze?: number) =>
  langProgram(() => ({
    layout: l,
    init,
    threads: [
      thread('migrator', {}, migrator(freeze)),
      thread('fault', { f: 'A', bit: false }, faultOnMigrationEntry(wait, r)),
    ],
    properties: [refcountBugs, lockMisuse, restored],
    observes: {},
  }));

describe('a fault on a migration entry waits for the unlock and refaults', () => {
  test('every wait ends with the PTE restored, the count balanced and the queue empty; exact states', () => {
    const states = (['drop', 'hold', 'noref'] as const).map((w) => {
      const res = explore(program(w), { strategy: 'naive', stopAtFirst: false });
      return [w, res.kind, res.kind === 'pass' && res.stats.states];
    });
    expect(states).toEqual([
      ['drop', 'pass', 69], // 70 with the liveness reduction off: a dead local reset merges two states
      ['hold', 'pass', 68],
      ['noref', 'pass', 43],
    ]);
  });
  test('a freeze while the fault holds its reference: the put before sleeping BUGs; a put after waking or none does not', () => {
    // The migrator freezes at 3 = page cache + its own + the fault's (the phantom slot of the iomap bug).
    const drop = explore(program('drop', 3), { strategy: 'bfs', properties: [REFCOUNT] });
    expect(drop.kind === 'violation' && drop.violation.trace.steps.at(-1)?.label).toBe(
      'wait_on_page_bit_common(DROP): put_page(page)',
    );
    for (const w of ['hold', 'noref'] as const)
      expect([
        w,
        explore(program(w, 3), { strategy: 'naive', stopAtFirst: false, properties: [REFCOUNT] }).kind,
      ]).toEqual([w, 'pass']);
  });
  test('the chain and the notes name what the fault did', () => {
    expect(faultCalls('drop')['wait_on_page_bit_common']).toBe('put_and_wait_on_page_locked');
    expect(faultCalls('hold')['wait_on_page_bit_common']).toBe('wait_on_page_locked');
    const notes = faultNotes(r);
    expect(
      notes['wait_on_page_bit_common: bit_is_set = test_bit(PG_locked)'](init, { f: 'A', bit: false }, 1, [
        'migrator',
        'fault',
      ]),
    ).toBe('PG_locked(A) is set (migrator)');
    expect(notes['handle_pte_fault: CPU access; pte_present? else do_swap_page'](init, {}, 1, [])).toBe(
      'reads present(A)',
    );
  });
});
