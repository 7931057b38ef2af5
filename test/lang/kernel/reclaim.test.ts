import { describe, expect, test } from '@jest/globals';
import { evaluate, layout, int, step } from '../../../src/lang/index.js';
import {
  fsReclaimAcquire,
  fsReclaimMight,
  fsReclaimRelease,
  reclaimFilePage,
} from '../../../src/lang/kernel/reclaim.js';
import { fairRwsemSpec } from '../../../src/lang/kernel/rwsem-fair.js';

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

describe('direct reclaim of a file page', () => {
  test('__perform_reclaim holds fs_reclaim around rmap_walk_file, which read-locks i_mmap_rwsem around the visit', () => {
    const nodes = reclaimFilePage<object>('kswapd', layout({ m: fairRwsemSpec() }).refs.m, [
      step('kswapd: visit', () => {}),
    ]);
    expect(nodes.map((n) => (n as { label: string }).label)).toEqual([
      'kswapd: __perform_reclaim: fs_reclaim_acquire',
      'kswapd: rmap_walk_file: i_mmap_lock_read',
      'kswapd: visit',
      'kswapd: rmap_walk_file: i_mmap_unlock_read',
      'kswapd: __perform_reclaim: fs_reclaim_release',
    ]);
    expect(nodes.map((n) => (n as { cost?: string }).cost)).toEqual([
      undefined,
      'lock',
      undefined,
      undefined,
      undefined,
    ]);
  });
  test('the read lock sleeps behind a queued writer (the fair rwsem)', () => {
    const m = layout({ m: fairRwsemSpec() });
    const lock = reclaimFilePage<object>('kswapd', m.refs.m)[1] as { body: Parameters<typeof evaluate>[1] };
    const queued = m.state({ m: { readers: 1, writer: -1, queued: 1 } });
    expect(evaluate(m, lock.body, queued, {}, 0).blocked).toBe(true);
    expect(evaluate(m, lock.body, m.state(), {}, 0).lockOps).toEqual([
      { op: 'acquire', cls: 'm', inst: 'm', read: true },
    ]);
  });
});
