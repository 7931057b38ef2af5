import { describe, expect, test } from '@jest/globals';
import { commit, evaluate, layout, step, type Body } from '../../../src/lang/index.js';
import {
  downReadFair,
  downWriteOwn,
  downWriteQueue,
  fairRwsemSpec,
  iMmapLockWrite,
} from '../../../src/lang/kernel/rwsem-fair.js';
import { downWrite, rwsemSpec, upRead, upWrite } from '../../../src/lang/kernel/rwsem.js';

const l = layout({ sem: fairRwsemSpec(), plain: rwsemSpec() });
const { sem, plain } = l.refs;
const s0 = l.state();
type S = typeof s0;
const run = (s: S, t: number, body: Body<object>) => {
  const e = evaluate(l, body, s, {}, t);
  return { e, s: e.blocked || e.violation ? s : commit(s, e) };
};

describe('a writer-fair rwsem (rwsem-xadd @ v4.14)', () => {
  test('a queued writer makes a later down_read sleep although the semaphore is only read-held', () => {
    const read = run(s0, 0, (c) => downReadFair(c, sem)).s;
    const queued = run(read, 1, (c) => downWriteQueue(c, sem));
    expect(queued.s.sem).toEqual({ readers: 1, writer: -1, queued: 1 });
    expect(queued.e.lockOps).toEqual([{ op: 'acquire', cls: 'sem', inst: 'sem' }]);
    const reader2 = run(queued.s, 2, (c) => downReadFair(c, sem));
    expect(reader2.e.blocked).toBe(true);
    expect(reader2.e.lockOps).toEqual([{ op: 'acquire', cls: 'sem', inst: 'sem', read: true }]);
    // The writer owns it only once the reader is gone.
    expect(run(queued.s, 1, (c) => downWriteOwn(c, sem)).e.blocked).toBe(true);
    const free = run(queued.s, 0, (c) => upRead(c, sem)).s;
    expect(run(free, 1, (c) => downWriteOwn(c, sem)).s.sem).toEqual({ readers: 0, writer: 1, queued: 0 });
  });
});

describe('rwsem down_write / up_write', () => {
  test('down_write waits for readers and writers; up_write by another thread is lock misuse', () => {
    const held = run(s0, 1, (c) => downWrite(c, plain));
    expect([held.s.plain, held.e.lockOps]).toEqual([
      { readers: 0, writer: 1 },
      [{ op: 'acquire', cls: 'plain', inst: 'plain' }],
    ]);
    expect(run(held.s, 2, (c) => downWrite(c, plain)).e.blocked).toBe(true);
    expect(run(held.s, 2, (c) => upWrite(c, plain)).e.violation?.property).toBe('lock-misuse');
    expect(run(held.s, 1, (c) => upWrite(c, plain)).s.plain).toEqual({ readers: 0, writer: -1 });
  });
});

describe('i_mmap_lock_write around a body', () => {
  test('down_write queues (a lock cost), then owns, the body, then i_mmap_unlock_write releases', () => {
    const nodes = iMmapLockWrite<object>('unmap_mapping_range', sem, [step('unmap_mapping_range: body', () => {})]);
    expect(nodes.map((n) => [(n as { label: string }).label, (n as { cost?: string }).cost])).toEqual([
      ['unmap_mapping_range: i_mmap_lock_write: down_write(i_mmap_rwsem) queues', 'lock'],
      ['unmap_mapping_range: i_mmap_lock_write: owns i_mmap_rwsem', undefined],
      ['unmap_mapping_range: body', undefined],
      ['unmap_mapping_range: i_mmap_unlock_write', undefined],
    ]);
    const bodies = nodes.map((n) => (n as { body: Body<object> }).body);
    let s = s0;
    for (const b of [bodies[0], bodies[1]]) s = run(s, 1, b).s;
    expect(s.sem).toEqual({ readers: 0, writer: 1, queued: 0 });
    expect(run(s, 1, bodies[3]).s.sem).toEqual({ readers: 0, writer: -1, queued: 0 });
  });
});
