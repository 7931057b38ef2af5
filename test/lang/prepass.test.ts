/**
 * The pre-pass before the search (src/lang/prepass.ts): the threads run one at a time, each alone
 * until it stops, in every order. Exact counts on tiny programs, derived by hand (`states`: the
 * states of the runs alone plus the configurations where they stopped); what it refuses, and
 * what it leaves to the search.
 */
import { describe, expect, test } from '@jest/globals';
import { assertion } from '../../src/core/property.js';
import { StepError } from '../../src/core/errors.js';
import { explore } from '../../src/explore/explore.js';
import {
  ALL_REDUCTIONS,
  compileProgram,
  guardedBy,
  int,
  layout,
  local,
  NO_REDUCTIONS,
  spinlock,
  spinLock,
  spinUnlock,
  step,
  thread,
  type Block,
  while_,
  type LangProgram,
} from '../../src/lang/index.js';
import { prepass } from '../../src/lang/prepass.js';
import { langProgram } from './helpers.js';

const shared = layout({ x: int(0, 3), flag: int(0, 1), k: spinlock(), g: guardedBy('k', int(0, 3)) });
const { x, flag, k, g } = shared.refs;
type L = Record<string, never>;

const program = (...threads: Block<L>[]): LangProgram => ({
  layout: shared,
  threads: threads.map((b, i) => thread<L>(`T${i}`, {}, b)),
  properties: [assertion('bug', 'a BUG')],
  observes: {},
});
const compiled = (...threads: Block<L>[]) => compileProgram(program(...threads), NO_REDUCTIONS, 'test');
const refusal = (f: () => unknown): StepError | 'accepted' => {
  try {
    f();
  } catch (e) {
    if (e instanceof StepError) return e;
    throw e;
  }
  return 'accepted';
};

const locked: Block<L> = [
  step('spin_lock(k)', (c) => spinLock(c, k)),
  step('g = g + 1', (c) => c.set(g, c.get(g) + 1)),
  step('spin_unlock(k)', (c) => spinUnlock(c, k)),
];

describe('the pre-pass', () => {
  test('one thread alone: each of its states once, its end included', () => {
    // pc 0, 1, 2 and the end: 4 states; 1 configuration (it ended).
    expect(prepass(compiled(locked))).toEqual({ states: 5, cut: false, ran: 3, steps: 3 });
  });

  test('two threads: each alone, then each after the other stopped', () => {
    // From the start: T0 alone, 4 states and a configuration (T0 ended, g = 1); T1 the same.
    // Then T1 after T0 (g = 1): 4 states and a configuration (both ended, g = 2); T0 after T1
    // reaches that configuration again: 4 states. 4 + 1 + 4 + 1 + 4 + 1 + 4.
    expect(prepass(compiled(locked, locked))).toEqual({ states: 19, cut: false, ran: 6, steps: 6 });
  });

  test('a thread that waits alone stops there; the other threads start from where it stopped', () => {
    const waiter: Block<L> = [
      step('wait for flag', (c) => c.await(c.get(flag) === 1)),
      step('x = 1', (c) => c.set(x, 1)),
    ];
    const setter: Block<L> = [step('flag = 1', (c) => c.set(flag, 1))];
    // T0 alone: blocked at once (1 state, no new configuration). T1 alone: 2 states and a
    // configuration (flag = 1). T0 from there: pc 0, 1, end (3) and a configuration.
    expect(prepass(compiled(waiter, setter))).toEqual({ states: 8, cut: false, ran: 3, steps: 3 });
  });

  test('a guarded access without the lock is refused, naming thread and step', () => {
    const e = refusal(() => prepass(compiled([...locked, step('g = 0', (c) => c.set(g, 0))])));
    expect(e).toBeInstanceOf(StepError);
    expect([(e as StepError).code, (e as StepError).message]).toEqual([
      'lock-discipline',
      "thread 'T0' step 'g = 0': accesses g without holding k (the layout declares it guardedBy('k'))",
    ]);
  });

  test('a value outside its domain after another thread ran says how it was reached', () => {
    const bump: Block<L> = [step('x = x + 2', (c) => c.set(x, c.get(x) + 2))];
    // Alone each stores 2; T1 after T0 ended stores 4.
    const e = refusal(() => prepass(compiled(bump, bump)));
    expect([(e as StepError).code, (e as StepError).message]).toEqual([
      'bad-model',
      "thread 'T1' step 'x = x + 2': set x = 4 is outside its domain (0..3) (after 'T0' ran alone until it stopped)",
    ]);
  });

  test('a BUG ends the execution: what would follow it is not run', () => {
    const buggy: Block<L> = [step('BUG_ON(1)', (c) => c.bug('bug', 'BUG_ON')), step('x = 4', (c) => c.set(x, 4))];
    expect(prepass(compiled(buggy))).toEqual({ states: 1, cut: false, ran: 1, steps: 2 });
  });

  test('maxStates bounds it by a count: cut short, it refuses nothing it did not reach', () => {
    const bad: Block<L> = [...locked, step('g = 0', (c) => c.set(g, 0))];
    expect(prepass(compiled(bad), { maxStates: 3 })).toEqual({ states: 3, cut: true, ran: 3, steps: 4 });
  });

  test('a part of a locked section that breaks the discipline is refused by its own name, not merged', () => {
    const two = layout({ k: spinlock(), g: guardedBy('k', int(0, 1)), k2: spinlock(), h: guardedBy('k2', int(0, 1)) });
    const r = two.refs;
    const body: Block<L> = [
      step('spin_lock(k)', (c) => spinLock(c, r.k)),
      step('g = 1', (c) => c.set(r.g, 1)),
      step('h = 1', (c) => c.set(r.h, 1)),
      step('spin_unlock(k)', (c) => spinUnlock(c, r.k)),
    ];
    const p: LangProgram = { layout: two, threads: [thread<L>('T0', {}, body)], properties: [], observes: {} };
    const merged = compileProgram(p, ALL_REDUCTIONS, 'test');
    // The section merges 'g = 1' and stops before 'h = 1', which then fails as a step of its own.
    expect(merged.threads[0].steps[0].note?.(two.defaults, {}, 0, ['T0'])).toBe(
      'one step with the rest of its locked section: g = 1',
    );
    expect((refusal(() => prepass(merged)) as StepError).message).toBe(
      "thread 'T0' step 'h = 1': accesses h without holding k2 (the layout declares it guardedBy('k2'))",
    );
  });

  test('a loop of merged local computations that never reaches a step is a dead end after its step', () => {
    const spin: Block<L> = [step('x = 1', (c) => c.set(x, 1)), while_(() => true, [local('nothing', () => ({}))])];
    const p: LangProgram = { ...program(spin), observes: {} };
    expect((refusal(() => prepass(compileProgram(p, ALL_REDUCTIONS, 'test'))) as StepError).message).toBe(
      "thread 'T0' step 'x = 1': dead end: control flow after it loops without reaching a step",
    );
  });

  test('instantiate runs it: the error names the model and the variant', () => {
    const e = refusal(() => langProgram(() => program([...locked, step('g = 0', (c) => c.set(g, 0))])));
    expect((e as StepError).message).toBe(
      "model 'test' variant 'default' thread 'T0' step 'g = 0': accesses g without holding k (the layout declares it guardedBy('k'))",
    );
  });

  test('a handshake (threads run one at a time, each until it waits) is followed', () => {
    // T1 reads g unlocked after T0 set x = 2, which needs T1's flag = 1, which needs T0's x = 1.
    const t0: Block<L> = [
      step('x = 1', (c) => c.set(x, 1)),
      step('wait for flag', (c) => c.await(c.get(flag) === 1)),
      step('x = 2', (c) => c.set(x, 2)),
    ];
    const t1: Block<L> = [
      step('wait for x = 1', (c) => c.await(c.get(x) === 1)),
      step('flag = 1', (c) => c.set(flag, 1)),
      step('wait for x = 2', (c) => c.await(c.get(x) === 2)),
      step('read g', (c) => void c.get(g)),
    ];
    expect((refusal(() => prepass(compiled(t0, t1))) as StepError).message).toBe(
      "thread 'T1' step 'read g': accesses g without holding k (the layout declares it guardedBy('k')) (after 'T0', 'T1', 'T0' ran alone in turn, each until it stopped)",
    );
  });

  test('an error only a preemption reaches is left to the search, which names the step', () => {
    // T1 reads g unlocked only while x = 1, between two steps of T0 that both can run: T0 alone
    // runs through both, T1 alone waits.
    const t0: Block<L> = [step('x = 1', (c) => c.set(x, 1)), step('x = 0', (c) => c.set(x, 0))];
    const t1: Block<L> = [step('wait for x = 1', (c) => c.await(c.get(x) === 1)), step('read g', (c) => void c.get(g))];
    expect(prepass(compiled(t0, t1))).toEqual({ states: 5, cut: false, ran: 2, steps: 4 });
    const r = explore(
      langProgram(() => program(t0, t1), NO_REDUCTIONS),
      { strategy: 'naive', stopAtFirst: false },
    );
    expect(r.kind === 'error' && [r.code, r.message]).toEqual([
      'lock-discipline',
      "model 'test' thread 'T1' step 'read g': accesses g without holding k (the layout declares it guardedBy('k'))",
    ]);
  });
});
