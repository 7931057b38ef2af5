import { describe, expect, test } from '@jest/globals';
import type { StepSpec } from '../../src/core/step.js';
import { downRead, downWrite, rwsem, upRead, upWrite, type RwSem } from '../../src/kernel/rwsem.js';
import { LOCK_MISUSE } from '../../src/kernel/spinlock.js';

type S = { mm: { sem: RwSem } };
type L = Record<string, never>;
const s = (readers: number, writer: number): S => ({ mm: { sem: { readers, writer } } });
const P = ['mm', 'sem'];
const word = [{ loc: 'mm.sem', write: true }];

function apply(spec: StepSpec<S, L>, st: S, tid = 0) {
  return {
    enabled: spec.guard ? spec.guard(st, {}, tid) : true,
    fp: spec.footprint(st, {}, tid),
    out: spec.run(st, {}, tid),
  };
}

describe('rwsem', () => {
  test('a new rwsem is free', () => {
    expect(rwsem()).toEqual({ readers: 0, writer: -1 });
  });
  test('down_read: shares with readers, blocks on a writer; every op writes the word', () => {
    expect(apply(downRead(P), s(1, -1)).enabled).toBe(true);
    expect(apply(downRead(P), s(1, -1)).out).toEqual({ s: s(2, -1) });
    expect(apply(downRead(P), s(0, 1)).enabled).toBe(false);
    expect(apply(downRead(P), s(0, 1)).fp).toEqual(word);
    expect(downRead(P).cost).toBe('lock');
  });
  test('down_write: blocks on a reader or a writer; free, it records the owner', () => {
    expect(apply(downWrite(P), s(1, -1)).enabled).toBe(false);
    expect(apply(downWrite(P), s(0, 0), 1).enabled).toBe(false);
    expect(apply(downWrite(P), s(0, -1), 2).out).toEqual({ s: s(0, 2) });
    expect(apply(downWrite(P), s(0, -1), 2).fp).toEqual(word);
  });
  test('up_read drops a reader; without one it is lock misuse', () => {
    expect(apply(upRead(P), s(2, -1)).out).toEqual({ s: s(1, -1) });
    expect(apply(upRead(P), s(0, -1)).out).toEqual({
      violation: { property: LOCK_MISUSE, message: 'up_read(mm.sem) without a reader' },
    });
  });
  test('up_write by the owner frees it; by anyone else it is lock misuse', () => {
    expect(apply(upWrite(P), s(0, 3), 3).out).toEqual({ s: s(0, -1) });
    expect(apply(upWrite(P), s(0, 3), 1).out).toEqual({
      violation: { property: LOCK_MISUSE, message: 'up_write(mm.sem) by a thread that does not hold it' },
    });
    expect(apply(upWrite(P), s(0, -1), 1).out.violation?.property).toBe(LOCK_MISUSE);
  });
  test('lockdep: down_read is a read acquire, up_* a release, in the given class', () => {
    expect(downRead(P, 'mmap_lock').lock!(s(0, -1), {}, 0)).toEqual({
      op: 'acquire',
      cls: 'mmap_lock',
      inst: 'mm.sem',
      read: true,
    });
    expect(downWrite(P).lock!(s(0, -1), {}, 0)).toEqual({ op: 'acquire', cls: 'mm.sem', inst: 'mm.sem' });
    expect(upRead(P).lock!(s(1, -1), {}, 0)).toEqual({ op: 'release', cls: 'mm.sem', inst: 'mm.sem' });
  });
});
