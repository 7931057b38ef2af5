import { describe, expect, test } from '@jest/globals';
import { cacheLoc, xasLoad, xasStore, type WithCache } from '../../src/kernel/pagecache.js';

type L = { f: string | null; next: string | null };
const L0: L = { f: 'junk', next: null };
const s: WithCache = { cache: ['P', null] };

describe('page cache slot', () => {
  test('xas_load: a lockless read of cache[i] handed to the locals', () => {
    const ld = xasLoad<WithCache, L>(0, (l, f) => ({ l: { ...l, f } }));
    expect(ld.footprint(s, L0, 0)).toEqual([{ loc: 'cache[0]', write: false }]);
    expect(ld.run(s, L0, 0)).toEqual({ l: { f: 'P', next: null } });
    expect(xasLoad<WithCache, L>(1, (l, f) => ({ l: { ...l, f } })).run(s, L0, 0)).toEqual({
      l: { f: null, next: null },
    });
  });
  test('xas_store under xa_lock: one write of cache[i], computed from the locals', () => {
    const st = xasStore<WithCache, L>(1, (l) => l.next ?? 'Q');
    expect(st.footprint(s, L0, 0)).toEqual([{ loc: 'cache[1]', write: true }]);
    expect(st.run(s, L0, 0)).toEqual({ s: { cache: ['P', 'Q'] } });
    expect(xasStore<WithCache, L>(0, () => null).run(s, L0, 0)).toEqual({ s: { cache: [null, null] } });
    expect(s.cache).toEqual(['P', null]);
    expect(cacheLoc(7)).toBe('cache[7]');
  });
});
