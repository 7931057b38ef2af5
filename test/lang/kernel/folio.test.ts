import { describe, expect, test } from '@jest/globals';
import { REFCOUNT } from '../../../src/kernel/folio.js';
import { commit, evaluate, layout, type Body } from '../../../src/lang/index.js';
import { folioRefFreeze, folioRefUnfreeze, folioSpec, folioTrylock } from '../../../src/lang/kernel/folio.js';

const l = layout({ folios: { A: folioSpec(['file']) } });
const a = l.refs.folios.A;
const s0 = l.state({ folios: { A: { ref: 3 } } });
type S = typeof s0;
const run = (s: S, t: number, body: Body<object>) => evaluate(l, body, s, {}, t);

describe('folio_trylock', () => {
  test('takes a clear PG_locked and returns true; on a locked folio returns false and changes nothing', () => {
    const e = run(s0, 1, (c) => folioTrylock(c, a));
    expect(e.value).toBe(true);
    const locked = commit(s0, e);
    expect(locked.folios.A.locked).toBe(1);
    const again = run(locked, 0, (c) => folioTrylock(c, a));
    expect([again.value, again.writes]).toEqual([false, []]);
    // A failed trylock still owns the lock word: it races with the holder's unlock.
    expect(again.footprint).toEqual([{ loc: 'folios.A.lock', write: true }]);
  });
});

describe('folio_ref_unfreeze', () => {
  test('sets a frozen count', () => {
    const frozen = commit(
      s0,
      run(s0, 0, (c) => folioRefFreeze(c, a, 3)),
    );
    expect(frozen.folios.A.ref).toBe(0);
    expect(
      commit(
        frozen,
        run(frozen, 0, (c) => folioRefUnfreeze(c, a, 2)),
      ).folios.A.ref,
    ).toBe(2);
  });
  test('on a count that is not frozen is VM_BUG_ON_PAGE(page_count(page) != 0)', () => {
    const e = run(s0, 0, (c) => folioRefUnfreeze(c, a, 2));
    expect(e.violation).toEqual({
      property: REFCOUNT,
      message: 'VM_BUG_ON_PAGE(page_count(page) != 0): folio_ref_unfreeze on A with count 3',
    });
  });
});
