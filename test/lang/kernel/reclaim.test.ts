import { describe, expect, test } from '@jest/globals';
import { evaluate, layout, int } from '../../../src/lang/index.js';
import { fsReclaimAcquire, fsReclaimMight, fsReclaimRelease } from '../../../src/lang/kernel/reclaim.js';

describe('fs_reclaim: a lockdep map that nothing waits on', () => {
  const l = layout({ x: int(0, 1) });
  test('acquire, release and might-reclaim touch no state and only report to lockdep', () => {
    const ev = (body: Parameters<typeof evaluate>[1]) => evaluate(l, body, l.state(), {}, 0);
    expect(ev(fsReclaimAcquire).lockOps).toEqual([{ op: 'acquire', cls: 'fs_reclaim' }]);
    expect(ev(fsReclaimRelease).lockOps).toEqual([{ op: 'release', cls: 'fs_reclaim' }]);
    const might = ev(fsReclaimMight);
    expect([might.lockOps.map((o) => o.op), might.footprint, might.blocked]).toEqual([
      ['acquire', 'release'],
      [],
      false,
    ]);
  });
});
