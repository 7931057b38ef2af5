import { describe, expect, test } from '@jest/globals';
import {
  PTE_NONE,
  migrationEntry,
  present,
  presentInvalid,
  ptePresent,
  pteSame,
  pteLoc,
  ptepGet,
  pteStore,
  setPte,
  type Pte,
  type WithPtes,
} from '../../src/kernel/pte.js';

type L = { seen: Pte | null; old?: Pte };
const L0: L = { seen: null };
const s: WithPtes = { pte: [present('P'), PTE_NONE] };

describe('pte values', () => {
  test('pte_same compares kind and folio', () => {
    expect(pteSame(present('P'), present('P'))).toBe(true);
    expect(pteSame(present('P'), present('Q'))).toBe(false);
    expect(pteSame(present('P'), migrationEntry('P'))).toBe(false);
    expect(pteSame(PTE_NONE, { kind: 'none' })).toBe(true);
  });
  test('pte_present: present and arm64 present-invalid, not none or a migration entry', () => {
    expect([present('P'), presentInvalid('P'), migrationEntry('P'), PTE_NONE].map(ptePresent)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
  test('locations are pte[i]; setPte copies, leaving the input alone', () => {
    expect(pteLoc(3)).toBe('pte[3]');
    const t = setPte(s, 1, migrationEntry('P'));
    expect(t.pte).toEqual([present('P'), migrationEntry('P')]);
    expect(s.pte[1]).toEqual(PTE_NONE);
  });
});

describe('pte steps', () => {
  test('ptep_get: a plain read of pte[i] into the locals', () => {
    const g = ptepGet<WithPtes, L>(0, (l, p) => ({ l: { ...l, seen: p } }));
    expect(g.footprint(s, L0, 0)).toEqual([{ loc: 'pte[0]', write: false }]);
    expect(g.run(s, L0, 0)).toEqual({ l: { seen: present('P') } });
    expect(g.guard).toBeUndefined();
  });
  test('set_pte_at / ptep_get_and_clear: a store computed from the old entry, which `then` sees', () => {
    const clear = pteStore<WithPtes, L>(
      0,
      () => PTE_NONE,
      (l, old) => ({ l: { ...l, old } }),
    );
    expect(clear.footprint(s, L0, 0)).toEqual([{ loc: 'pte[0]', write: true }]);
    expect(clear.run(s, L0, 0)).toEqual({ l: { seen: null, old: present('P') }, s: { pte: [PTE_NONE, PTE_NONE] } });
    const mig = pteStore<WithPtes, L>(0, (old) => (old.kind === 'present' ? migrationEntry(old.folio) : old));
    expect(mig.run(s, L0, 0)).toEqual({ s: { pte: [migrationEntry('P'), PTE_NONE] } });
  });
  test('a store applies on top of the state `then` returned', () => {
    const both = pteStore<WithPtes, L>(
      0,
      () => present('Q'),
      () => ({ s: setPte(s, 1, present('R')) }),
    );
    expect(both.run(s, L0, 0).s).toEqual({ pte: [present('Q'), present('R')] });
  });
});
