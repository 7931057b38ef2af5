import { describe, expect, test } from '@jest/globals';
import { KeyCache } from '../../src/engine/keycache.js';

describe('KeyCache', () => {
  const fp = (a: number, b: number) => Int32Array.of(a, b);

  test('gives back the key of a fingerprint it holds, needing both lanes', () => {
    const cache = new KeyCache();
    const out = new Int32Array(2);
    expect(cache.get(fp(7, -3), out)).toBeNull();
    cache.set(fp(7, -3), fp(11, 12));
    expect(cache.get(fp(7, -3), out)).toEqual(fp(11, 12));
    expect(cache.get(fp(7, -4), out)).toBeNull();
    expect(cache.get(fp(8, -3), out)).toBeNull();
    expect(cache.hits).toBe(1);
  });

  test('a later fingerprint in the same entry replaces the earlier one; (0, 0) is never a hit', () => {
    const cache = new KeyCache();
    const out = new Int32Array(2);
    // 2^14 + 1 fingerprints: two of them share an entry.
    for (let i = 0; i <= 1 << 14; i++) cache.set(fp(i, ~i), fp(i, i));
    let hits = 0;
    for (let i = 0; i <= 1 << 14; i++) {
      const got = cache.get(fp(i, ~i), out);
      if (got !== null) {
        expect(got).toEqual(fp(i, i));
        hits++;
      }
    }
    expect(hits).toBeLessThan((1 << 14) + 1);
    cache.set(fp(0, 0), fp(5, 5));
    expect(cache.get(fp(0, 0), out)).toBeNull();
  });
});
