import { describe, expect, test } from '@jest/globals';
import { endState } from '../../src/core/property.js';
import { step, type StepSpec } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import {
  LOCK_MISUSE,
  UNLOCKED,
  lockMisuse,
  lockOp,
  spinLock,
  spinTrylock,
  spinUnlock,
} from '../../src/kernel/spinlock.js';
import { load, store } from '../../src/core/ops.js';
import { program, run } from '../helpers/program.js';

type S = { lock: number[]; v: number };
type L = { i: number; r: number };
const L0: L = { i: 1, r: 0 };
const s = (owner: number): S => ({ lock: [UNLOCKED, owner], v: 0 });
const word = [{ loc: 'lock[1]', write: true }];

function apply(spec: StepSpec<S, L>, st: S, tid = 0, l: L = L0) {
  return {
    enabled: spec.guard ? spec.guard(st, l, tid) : true,
    fp: spec.footprint(st, l, tid),
    out: spec.run(st, l, tid),
  };
}

describe('spin_lock', () => {
  test('blocked while held; free, it writes the owner', () => {
    const lk = spinLock<L>((l) => ['lock', l.i]);
    expect(apply(lk, s(1), 2).enabled).toBe(false);
    const r = apply(lk, s(UNLOCKED), 2);
    expect(r.enabled).toBe(true);
    expect(r.fp).toEqual(word);
    expect(r.out).toEqual({ s: s(2) });
    expect(lk.cost).toBe('lock');
  });
  test('a blocked acquire still names the lock word (so the release is seen to race with it)', () => {
    expect(apply(spinLock<L>(['lock', 1]), s(0), 1).fp).toEqual(word);
  });
});

describe('spin_trylock', () => {
  test('takes a free lock; a held one jumps to the fail label and changes nothing', () => {
    const t = spinTrylock<L>(['lock', 1], 'busy');
    expect(apply(t, s(UNLOCKED), 3).out).toEqual({ s: s(3) });
    expect(apply(t, s(0), 3).out).toEqual({ goto: 'busy' });
    expect(apply(t, s(0), 3).fp).toEqual(word);
    expect(t.guard).toBeUndefined();
  });
  test('lockdep sees a trylock acquire only when it succeeds', () => {
    const t = spinTrylock<L>(['lock', 1], 'busy', 'ptl');
    expect(t.lock!(s(UNLOCKED), L0, 0)).toEqual({ op: 'acquire', cls: 'ptl', inst: 'lock[1]', trylock: true });
    expect(t.lock!(s(1), L0, 0)).toBeNull();
  });
});

describe('spin_unlock', () => {
  test('the holder frees the lock', () => {
    expect(apply(spinUnlock<L>(['lock', 1]), s(2), 2).out).toEqual({ s: s(UNLOCKED) });
    expect(apply(spinUnlock<L>(['lock', 1]), s(2), 2).fp).toEqual(word);
  });
  test('releasing a lock this thread does not hold is lock misuse', () => {
    for (const owner of [UNLOCKED, 0])
      expect(apply(spinUnlock<L>(['lock', 1]), s(owner), 1).out).toEqual({
        violation: { property: LOCK_MISUSE, message: 'spin_unlock(lock[1]) by a thread that does not hold it' },
      });
  });
});

describe('lockdep annotations', () => {
  test('the class defaults to the location; a class groups instances', () => {
    expect(lockOp<L>('acquire', ['lock', 1])(s(0), L0, 0)).toEqual({ op: 'acquire', cls: 'lock[1]', inst: 'lock[1]' });
    expect(spinUnlock<L>((l) => ['lock', l.i], 'ptl').lock!(s(0), L0, 0)).toEqual({
      op: 'release',
      cls: 'ptl',
      inst: 'lock[1]',
    });
  });
});

describe('mutual exclusion, exhaustively', () => {
  // Two threads do v = v + 1 as a load and a store; only the lock keeps both increments.
  const inc = (name: string, locked: boolean) =>
    thread<S, L>(name, L0, [
      ...(locked ? [step(`${name}: lock`, spinLock<L>(['lock', 0]))] : []),
      load<L>(`${name}: r = v`, ['v'], (l, v: number) => ({ l: { ...l, r: v } })),
      store<L>(`${name}: v = r + 1`, ['v'], (l) => l.r + 1),
      ...(locked ? [step(`${name}: unlock`, spinUnlock<L>(['lock', 0]))] : []),
    ]);
  const both = endState<S>('both-counted', 'v is 2 at the end', (v) => (v.s.v === 2 ? null : `v = ${v.s.v}`));
  const outcome = (locked: boolean) => {
    const inst = program({
      init: { lock: [UNLOCKED], v: 0 },
      threads: [inc('a', locked), inc('b', locked)],
      properties: [lockMisuse, both],
    });
    return Object.fromEntries(
      verdicts(inst, run(inst, 'naive', { stopAtFirst: false })).map((v) => [v.property, v.outcome]),
    );
  };
  test('unlocked: an increment is lost; locked: none is, and nobody misuses the lock', () => {
    expect(outcome(false)['both-counted']).toBe('violated');
    expect(outcome(true)).toEqual({ 'lock-misuse': 'holds', 'both-counted': 'holds', 'deadlock-free': 'holds' });
  });
});
