import { describe, expect, test } from '@jest/globals';
import { FingerprintSet } from '../../src/engine/table.js';

describe('FingerprintSet', () => {
  test('adds each fingerprint once, the empty marker included, at most 16 bytes a state', () => {
    const set = new FingerprintSet();
    const fp = (a: number, b: number) => Int32Array.of(a, b);
    expect(set.add(fp(0, 0))).toBe(true);
    expect(set.add(fp(0, 0))).toBe(false);
    expect(set.has(fp(0, 0))).toBe(true);
    let x = 12345;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) | 0);
    let added = 0;
    for (let i = 0; i < 100_000; i++) if (set.add(fp(next(), i))) added++;
    x = 12345;
    for (let i = 0; i < 100_000; i++) if (set.add(fp(next(), i))) added++;
    expect(added).toBe(100_000);
    expect(set.size).toBe(100_001);
    expect(set.has(fp(1, 1))).toBe(false);
    expect(set.bytes() / set.size).toBeLessThanOrEqual(16);
  });
});
