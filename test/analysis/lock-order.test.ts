import { describe, expect, test } from '@jest/globals';
import philosophers from '../../models/classic/philosophers.js';
import { lockOrder } from '../../src/analysis/lock-order.js';
import { elementaryCycles } from '../../src/analysis/cycles.js';
import { ModelError } from '../../src/core/errors.js';
import { instantiate } from '../../src/core/instantiate.js';
import { awaitUntil, store } from '../../src/core/ops.js';
import { step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { explore } from '../../src/explore/explore.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { fsReclaimAcquire, fsReclaimMight, fsReclaimRelease } from '../../src/kernel/reclaim.js';
import { downRead, rwsem, upRead } from '../../src/kernel/rwsem.js';
import { seqcount, writeSeqcountBegin, writeSeqcountEnd, type SeqSlot } from '../../src/kernel/seqcount.js';
import { lockMisuse, spinLock, spinTrylock, spinUnlock, UNLOCKED } from '../../src/kernel/spinlock.js';
import { program } from '../helpers/program.js';

const lockPair = (name: string, first: string, second: string) =>
  thread(name, {}, [
    step(`${name}: lock ${first}`, spinLock([first])),
    step(`${name}: lock ${second}`, spinLock([second])),
    step(`${name}: unlock ${second}`, spinUnlock([second])),
    step(`${name}: unlock ${first}`, spinUnlock([first])),
  ]);

const cycleNames = (inst: ReturnType<typeof program>) => lockOrder(inst).cycles.map((c) => c.classes.join(' → '));

describe('lock-order analysis', () => {
  test('ABBA: the cycle A → B → A is reported with the thread and step of each edge', () => {
    const r = lockOrder(
      program({
        init: { A: UNLOCKED, B: UNLOCKED },
        threads: [lockPair('t0', 'A', 'B'), lockPair('t1', 'B', 'A')],
        properties: [lockMisuse],
      }),
    );
    expect(r.complete).toBe(true);
    expect(r.cycles).toHaveLength(1);
    const c = r.cycles[0];
    expect(c.classes).toEqual(['A', 'B']);
    expect(c.edges.map((e) => [e.from, e.to, e.thread, e.label, e.heldSince])).toEqual([
      ['A', 'B', 't0', 't0: lock B', 't0: lock A'],
      ['B', 'A', 't1', 't1: lock A', 't1: lock B'],
    ]);
  });

  test('a consistent order reports its dependency and no cycle', () => {
    const inst = program({
      init: { A: UNLOCKED, B: UNLOCKED },
      threads: [lockPair('t0', 'A', 'B'), lockPair('t1', 'A', 'B')],
      properties: [lockMisuse],
    });
    const r = lockOrder(inst);
    expect(r.edges.map((e) => `${e.from}→${e.to}`)).toEqual(['A→B']);
    expect(r.cycles).toEqual([]);
  });

  test('a cycle that no interleaving can deadlock (a gate orders the threads) is still reported', () => {
    const gated = thread('t1', {}, [
      step(
        't1: wait for t0',
        awaitUntil('t1: wait', ['gate'], (v) => v === 1),
      ),
      ...lockPair('t1', 'B', 'A').steps,
    ]);
    const t0 = thread('t0', {}, [...lockPair('t0', 'A', 'B').steps, store('t0: open the gate', ['gate'], () => 1)]);
    const inst = program({
      init: { A: UNLOCKED, B: UNLOCKED, gate: 0 },
      threads: [t0, gated],
      properties: [lockMisuse],
    });
    const search = explore(inst, { strategy: 'dfs', stopAtFirst: false });
    expect(verdicts(inst, search).find((v) => v.property === 'deadlock-free')?.outcome).toBe('holds');
    expect(cycleNames(inst)).toEqual(['A → B']);
  });

  test('a trylock records no dependency (it cannot wait)', () => {
    const t1 = thread('t1', {}, [
      step('t1: lock B', spinLock(['B'])),
      step('t1: trylock A', spinTrylock(['A'], 'out')),
      step('t1: unlock A', spinUnlock(['A'])),
      step('t1: unlock B', spinUnlock(['B']), 'out'),
    ]);
    const r = lockOrder(
      program({
        init: { A: UNLOCKED, B: UNLOCKED },
        threads: [lockPair('t0', 'A', 'B'), t1],
        properties: [lockMisuse],
      }),
    );
    expect(r.edges.map((e) => `${e.from}→${e.to}`)).toEqual(['A→B']);
    expect(r.cycles).toEqual([]);
  });

  test('classes, not instances: every fork in one class is a recursive dependency; per-instance classes give the ring', () => {
    const naive = instantiate(philosophers, 'naive', { n: 3 });
    expect(cycleNames(naive)).toEqual(['fork[0] → fork[1] → fork[2]']);
    expect(cycleNames(instantiate(philosophers, 'ordered', { n: 3 }))).toEqual([]);
    const oneClass = (name: string, a: number, b: number) =>
      thread(name, {}, [
        step('lock', spinLock(['fork', a], 'fork')),
        step('lock', spinLock(['fork', b], 'fork')),
        step('unlock', spinUnlock(['fork', b], 'fork')),
        step('unlock', spinUnlock(['fork', a], 'fork')),
      ]);
    const r = lockOrder(
      program({ init: { fork: [UNLOCKED, UNLOCKED] }, threads: [oneClass('p0', 0, 1)], properties: [lockMisuse] }),
    );
    expect(r.cycles.map((c) => c.classes)).toEqual([['fork']]);
  });

  test('pseudo-locks: fs_reclaim and a lockdep-visible write section close a cycle; raw sections do not', () => {
    type L = { seq: number };
    const slot: SeqSlot<L> = { get: (l) => l.seq, set: (l, v) => ({ ...l, seq: v }) };
    const writer = (cls?: string) =>
      thread<any, L>('writer', { seq: 0 }, [
        step('lock i_mmap', downRead<L>(['i_mmap'])),
        ...writeSeqcountBegin<L>(['vma', 'seq'], slot, { cls }).map((s) => step('write_seqcount_begin', s)),
        ...writeSeqcountEnd<L>(['vma', 'seq'], slot, { cls }).map((s) => step('write_seqcount_end', s)),
        step('unlock i_mmap', upRead<L>(['i_mmap'])),
      ]);
    const allocator = (cls?: string) =>
      thread<any, L>('allocator', { seq: 0 }, [
        ...writeSeqcountBegin<L>(['vma', 'seq'], slot, { cls }).map((s) => step('write_seqcount_begin', s)),
        step('prepare_alloc_pages', fsReclaimMight<L>()),
        ...writeSeqcountEnd<L>(['vma', 'seq'], slot, { cls }).map((s) => step('write_seqcount_end', s)),
      ]);
    const reclaim = thread<any, L>('reclaim', { seq: 0 }, [
      step('fs_reclaim_acquire', fsReclaimAcquire<L>()),
      step('i_mmap_lock_read', downRead<L>(['i_mmap'])),
      step('i_mmap_unlock_read', upRead<L>(['i_mmap'])),
      step('fs_reclaim_release', fsReclaimRelease<L>()),
    ]);
    const inst = (cls?: string) =>
      program({
        init: { i_mmap: rwsem(), vma: { seq: seqcount() } },
        threads: [writer(cls), allocator(cls), reclaim],
        properties: [lockMisuse],
      });
    expect(cycleNames(inst('vm_seq'))).toEqual(['fs_reclaim → i_mmap → vm_seq']);
    expect(cycleNames(inst(undefined))).toEqual([]);
  });

  test('unbalanced annotations are a model error: exiting with a lock held, re-acquiring a held instance', () => {
    const leaks = thread('t0', {}, [step('t0: lock A', spinLock(['A']))]);
    expect(() => lockOrder(program({ init: { A: UNLOCKED }, threads: [leaks], properties: [lockMisuse] }))).toThrow(
      /thread 't0'.*exits still holding A/,
    );
    // An unlock step that lost its annotation: the state is unlocked, the held stack is not.
    const lost = { ...spinUnlock<object>(['A']), lock: undefined };
    const twice = thread('t0', {}, [
      step('t0: lock A', spinLock<object>(['A'])),
      step('t0: unlock A (no annotation)', lost),
      step('t0: lock A again', spinLock<object>(['A'])),
      step('t0: unlock A', spinUnlock<object>(['A'])),
    ]);
    expect(() => lockOrder(program({ init: { A: UNLOCKED }, threads: [twice], properties: [lockMisuse] }))).toThrow(
      ModelError,
    );
    expect(() => lockOrder(program({ init: { A: UNLOCKED }, threads: [twice], properties: [lockMisuse] }))).toThrow(
      /acquires A, which the thread already holds/,
    );
  });

  test('a blocked acquisition records its dependency (lockdep checks before it waits)', () => {
    // A is held from the initial state by a thread that is not modelled: t0 never gets it.
    const t0 = thread('t0', {}, [
      step('t0: lock B', spinLock<object>(['B'])),
      step('t0: lock A (always contended)', spinLock<object>(['A'])),
      step('t0: unlock A', spinUnlock<object>(['A'])),
      step('t0: unlock B', spinUnlock<object>(['B'])),
    ]);
    const r = lockOrder(program({ init: { A: 7, B: UNLOCKED }, threads: [t0], properties: [lockMisuse] }));
    expect(r.edges.map((e) => [e.from, e.to, e.label])).toEqual([['B', 'A', 't0: lock A (always contended)']]);
  });

  test('elementary cycles: each once, shortest first', () => {
    const succ = new Map([
      ['a', ['b', 'c']],
      ['b', ['a', 'c']],
      ['c', ['a']],
    ]);
    expect(elementaryCycles(['a', 'b', 'c'], succ, 10).cycles).toEqual([
      ['a', 'b'],
      ['a', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(elementaryCycles(['a', 'b', 'c'], succ, 2).truncated).toBe(true);
  });
});
