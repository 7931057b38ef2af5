import { describe, expect, test } from '@jest/globals';
import type { StepSpec } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { step } from '../../src/core/step.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { downReadFair, downWriteOwn, downWriteQueue, fairRwsem, type FairRwSem } from '../../src/kernel/rwsem-fair.js';
import { upRead, upWrite } from '../../src/kernel/rwsem.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import { program, run } from '../helpers/program.js';

type S = { sem: FairRwSem };
type L = Record<string, never>;
const s = (readers: number, writer: number, queued: number): S => ({ sem: { readers, writer, queued } });
const word = [{ loc: 'sem', write: true }];

function apply(spec: StepSpec<S, L>, st: S, tid = 0) {
  return {
    enabled: spec.guard ? spec.guard(st, {}, tid) : true,
    fp: spec.footprint(st, {}, tid),
    out: spec.run(st, {}, tid),
  };
}

describe('fair rwsem', () => {
  test('a new one is free with nobody queued', () => {
    expect(fairRwsem()).toEqual({ readers: 0, writer: -1, queued: 0 });
  });
  test('down_read sleeps behind a queued writer even while only read-held', () => {
    expect(apply(downReadFair(['sem']), s(1, -1, 0)).out).toEqual({ s: s(2, -1, 0) });
    expect(apply(downReadFair(['sem']), s(1, -1, 1)).enabled).toBe(false);
    expect(apply(downReadFair(['sem']), s(0, 2, 0)).enabled).toBe(false);
    expect(apply(downReadFair(['sem']), s(1, -1, 1)).fp).toEqual(word);
  });
  test('down_write queues first (never blocks), then owns once no reader or writer holds it', () => {
    const q = apply(downWriteQueue(['sem']), s(1, -1, 0));
    expect(q.enabled).toBe(true);
    expect(q.out).toEqual({ s: s(1, -1, 1) });
    expect(q.fp).toEqual(word);
    expect(apply(downWriteOwn(['sem']), s(1, -1, 1), 2).enabled).toBe(false);
    expect(apply(downWriteOwn(['sem']), s(0, 0, 1), 2).enabled).toBe(false);
    expect(apply(downWriteOwn(['sem']), s(0, -1, 1), 2).out).toEqual({ s: s(0, 2, 0) });
  });
  test('lockdep: the acquire is on the queueing half; the owning half has none', () => {
    expect(downWriteQueue(['sem'], 'i_mmap_rwsem').lock!(s(0, -1, 0), {}, 0)).toEqual({
      op: 'acquire',
      cls: 'i_mmap_rwsem',
      inst: 'sem',
    });
    expect(downWriteOwn(['sem']).lock).toBeUndefined();
    expect(downReadFair(['sem']).lock!(s(0, -1, 0), {}, 0)).toMatchObject({ read: true });
  });

  test('a reader that re-reads behind a queued writer deadlocks (the 4.14 fairness hazard)', () => {
    // r: down_read; down_read (recursive)   w: down_write. With w queued between r's two reads,
    // the second read waits for w, and w waits for r's first read.
    const reader = thread<S, L>('r', {}, [
      step('r: down_read', downReadFair(['sem'])),
      step('r: down_read again', downReadFair(['sem'])),
      step('r: up_read', upRead(['sem'])),
      step('r: up_read', upRead(['sem'])),
    ]);
    const writer = thread<S, L>('w', {}, [
      step('w: down_write queues', downWriteQueue(['sem'])),
      step('w: down_write owns', downWriteOwn(['sem'])),
      step('w: up_write', upWrite(['sem'])),
    ]);
    const inst = program({ init: { sem: fairRwsem() }, threads: [reader, writer], properties: [lockMisuse] });
    const out = Object.fromEntries(
      verdicts(inst, run(inst, 'naive', { stopAtFirst: false })).map((v) => [v.property, v.outcome]),
    );
    expect(out).toEqual({ 'lock-misuse': 'holds', 'deadlock-free': 'violated' });
  });
});
