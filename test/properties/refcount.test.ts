import { describe, expect, test } from '@jest/globals';
import type { StateView } from '../../src/core/property.js';
import { frozenRefNotInUse, refcountBalanced, type RefAccount } from '../../properties/refcount.js';

/** A state that is just the accounts, so each case states its count, holders and frozen set. */
const view = (...accounts: RefAccount[]): StateView<readonly RefAccount[]> => ({ s: accounts, threads: [] });
const frozen = frozenRefNotInUse<readonly RefAccount[]>((v) => v.s, undefined);
const balanced = refcountBalanced<readonly RefAccount[]>((v) => v.s);
const acct = (count: number, holders: string[], frozenSet: string[] | null = null): RefAccount => ({
  name: 'P',
  count,
  holders,
  frozen: frozenSet,
});

describe('properties/refcount: frozen-ref-not-in-use', () => {
  test('should hold for a live count and for a count frozen with exactly the expected holders', () => {
    expect(frozen.check!(view(acct(2, ['page cache', 'migrator'])))).toBeNull();
    expect(frozen.check!(view(acct(0, ['migrator', 'page cache'], ['migrator', 'page cache'])))).toBeNull();
  });
  test('should name the holder outside the frozen set and the phantom it stood in for', () => {
    expect(
      frozen.check!(view(acct(0, ['migrator', 'page cache', 'fault0'], ['migrator', 'page cache', 'private']))),
    ).toBe(
      "P: refcount frozen at 0 (freezer accounted for migrator, page cache, private) while fault0 holds a reference; private held no reference, so fault0's stood in for it",
    );
  });
  test('should report a count at zero, not frozen, that still has holders (freed while in use)', () => {
    expect(frozen.check!(view(acct(0, ['pte'])))).toBe('P: refcount 0 (not frozen) while held by pte');
    expect(frozen.check!(view(acct(0, [])))).toBeNull();
  });
});

describe('properties/refcount: refcount-balanced', () => {
  test('should hold when every count equals its holders', () => {
    expect(balanced.check!(view(acct(2, ['page cache', 'pte']), { ...acct(0, []), name: 'Q' }))).toBeNull();
  });
  test('should report a leak, an over-put and a count left frozen', () => {
    expect(balanced.check!(view(acct(3, ['page cache', 'pte'])))).toBe(
      'P: refcount 3 but 2 holder(s): page cache, pte',
    );
    expect(balanced.check!(view(acct(1, ['page cache', 'pte'])))).toBe(
      'P: refcount 1 but 2 holder(s): page cache, pte',
    );
    expect(balanced.check!(view(acct(0, [], ['migrator'])))).toBe(
      'P: refcount left frozen (freezer accounted for migrator)',
    );
  });
});
