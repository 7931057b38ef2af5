import { describe, expect, test } from '@jest/globals';
import { deepFreeze, LocationTrie, segments, settle } from '../../src/core/settle.js';

/** A trie naming `names`, with `written` stamped as the step's declared writes. */
function audit(names: string[], written: string[]): LocationTrie {
  const trie = new LocationTrie();
  for (const n of names) trie.insert(n);
  const stamp = ++trie.stamp;
  for (const w of written) trie.insert(w).stamp = stamp;
  return trie;
}

describe('settle', () => {
  test('segments of a location name', () => {
    expect(segments('folios.A.ref')).toEqual(['folios', 'A', 'ref']);
    expect(segments('pte[0].kind')).toEqual(['pte', '0', 'kind']);
    expect(segments('cache[0]')).toEqual(['cache', '0']);
    expect(segments('tlb')).toEqual(['tlb']);
  });

  test('freezes what the new state built, and only that', () => {
    const shared = { n: 1 };
    const prev = deepFreeze({ a: shared, b: [1, 2] });
    const fresh = { c: 1 };
    const next = { ...prev, b: [1, 3], d: { fresh } };
    expect(settle(next, prev)).toBeNull();
    expect(Object.isFrozen(next)).toBe(true);
    expect(Object.isFrozen(next.b)).toBe(true);
    expect(Object.isFrozen(fresh)).toBe(true);
    expect(() => {
      next.a.n = 2;
    }).toThrow(TypeError);
  });

  test('deepFreeze freezes every level', () => {
    const v = deepFreeze({ a: { b: [{ c: 1 }] } });
    expect(Object.isFrozen(v.a.b[0])).toBe(true);
  });

  test('audit: the first changed named path that no declared write covers', () => {
    const prev = deepFreeze({ x: 0, y: 0, f: { A: { ref: 1, held: 0 } }, pte: [0, 0] });
    expect(settle({ ...prev, y: 1 }, prev, audit(['y'], ['Y']))).toBe('.y');
    expect(settle({ ...prev, y: 1 }, prev, audit(['y'], ['y']))).toBeNull();
    // not named anywhere: not audited
    expect(settle({ ...prev, x: 1 }, prev, audit(['y'], []))).toBeNull();
    const bump = { ...prev, f: { A: { ref: 2, held: 1 } } };
    expect(settle(bump, prev, audit(['f.A.ref'], []))).toBe('.f.A.ref');
    expect(settle(bump, prev, audit(['f.A.ref'], ['f.A.ref']))).toBeNull();
    expect(settle(bump, prev, audit(['f.A'], []))).toBe('.f.A.ref');
    expect(settle(bump, prev, audit([], ['f']))).toBeNull();
    expect(settle({ ...prev, pte: [0, 5] }, prev, audit(['pte[1]'], ['pte[0]']))).toBe('.pte[1]');
    expect(settle({ ...prev, pte: [0, 5] }, prev, audit(['pte'], ['pte[1]']))).toBeNull();
  });

  test('a stamp from an earlier step covers nothing', () => {
    const trie = audit(['y'], ['y']);
    trie.stamp++;
    const prev = deepFreeze({ y: 0 });
    expect(settle({ y: 1 }, prev, trie)).toBe('.y');
  });
});
