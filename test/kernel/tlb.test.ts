import { describe, expect, test } from '@jest/globals';
import { TLB, tlbFlush, type WithTlb } from '../../src/kernel/tlb.js';

describe('tlb', () => {
  test('try_to_unmap_flush: stale entries are gone, one write of `tlb`', () => {
    const s = { tlb: { stale: true }, other: 1 };
    const f = tlbFlush<WithTlb & { other: number }, object>();
    expect(f.footprint(s, {}, 0)).toEqual([{ loc: TLB, write: true }]);
    expect(f.run(s, {}, 0)).toEqual({ s: { tlb: { stale: false }, other: 1 } });
    expect(f.run({ tlb: { stale: false }, other: 1 }, {}, 0)).toEqual({ s: { tlb: { stale: false }, other: 1 } });
    expect(f.guard).toBeUndefined();
    expect(TLB).toBe('tlb');
  });
});
