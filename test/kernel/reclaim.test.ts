import { describe, expect, test } from '@jest/globals';
import { FS_RECLAIM, fsReclaimAcquire, fsReclaimMight, fsReclaimRelease } from '../../src/kernel/reclaim.js';

describe('fs_reclaim', () => {
  const s = { x: 1 };
  test('acquire and release are lockdep events only: no footprint, no state change, never blocked', () => {
    for (const spec of [fsReclaimAcquire<object>(), fsReclaimRelease<object>(), fsReclaimMight<object>()]) {
      expect(spec.footprint(s, {}, 0)).toEqual([]);
      expect(spec.run(s, {}, 0)).toEqual({});
      expect(spec.guard).toBeUndefined();
    }
  });
  test('the lockdep map: acquire, release, and might-reclaim as both in one step', () => {
    expect(fsReclaimAcquire<object>().lock!(s, {}, 0)).toEqual({ op: 'acquire', cls: FS_RECLAIM });
    expect(fsReclaimRelease<object>().lock!(s, {}, 0)).toEqual({ op: 'release', cls: FS_RECLAIM });
    expect(fsReclaimMight<object>().lock!(s, {}, 0)).toEqual([
      { op: 'acquire', cls: 'fs_reclaim' },
      { op: 'release', cls: 'fs_reclaim' },
    ]);
  });
});
