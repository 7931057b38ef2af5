/**
 * Exact state and transition counts on tiny hand-written programs, derived by hand.
 *
 * Conventions: a state is (pc of each thread, shared state, locals); "states" counts distinct
 * states including the initial one; "transitions" counts executed steps (the naive search runs
 * every enabled thread in every state it expands, including steps that lead to known states, so
 * its transitions = the sum over reachable states of the number of enabled threads). Searches
 * run with stopAtFirst false so that a violation does not cut the count short.
 * The dfs search always starts with the lowest enabled thread that is not asleep.
 */
import { describe, expect, test } from '@jest/globals';
import { invariant } from '../../src/core/property.js';
import { thread } from '../../src/core/thread.js';
import { STRATEGIES } from '../../src/explore/explore.js';
import { replay } from '../../src/explore/strategies/replay.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { System } from '../../src/explore/system/system.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { program, run } from '../helpers/program.js';
import {
  check,
  ifGoto,
  inc,
  lock,
  preemptions,
  put,
  read,
  stateAfter,
  unlock,
  waitFor,
  write,
} from '../helpers/steps.js';
import { assertion, endState } from '../../src/core/property.js';

const full = { stopAtFirst: false } as const;
const counts = (r: SearchResult) => {
  if (r.kind === 'error') throw new Error(r.message);
  return { kind: r.kind, states: r.stats.states, transitions: r.stats.transitions };
};
const violation = (r: SearchResult) => {
  if (r.kind !== 'violation') throw new Error(`expected a violation, got ${JSON.stringify(r)}`);
  return r.violation;
};

describe('exact counts', () => {
  test('two threads, one independent store each', () => {
    // T0: x = 1   T1: y = 1
    // Interleavings: T0 T1 | T1 T0. States: (0,0) (1,0) (0,1) (1,1) — naive 4 states,
    // 4 transitions (2 from the initial state, 1 from each middle one). dfs: the stores are
    // independent, so only T0 T1: 3 states, 2 transitions.
    const inst = program({
      init: { x: 0, y: 0 },
      threads: [thread('T0', {}, [put('x', 1)]), thread('T1', {}, [put('y', 1)])],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 4, transitions: 4 });
    expect(counts(run(inst, 'dfs', full))).toEqual({ kind: 'pass', states: 3, transitions: 2 });
    expect(counts(run(inst, 'bfs', full))).toEqual({ kind: 'pass', states: 4, transitions: 4 });
  });

  test('two threads writing the same location', () => {
    // T0: x = 1   T1: x = 2
    // Interleavings: T0 T1 (x = 2) | T1 T0 (x = 1): the two end states differ (x). States:
    // init, after T0 (x=1), after T1 (x=2), both done x=2, both done x=1 — 5 states,
    // 4 transitions. dfs: the stores race, T1 is added to the initial backtrack set: the same
    // 5 states and 4 transitions.
    const inst = program({
      init: { x: 0 },
      threads: [thread('T0', {}, [put('x', 1)]), thread('T1', {}, [put('x', 2)])],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 5, transitions: 4 });
    expect(counts(run(inst, 'dfs', full))).toEqual({ kind: 'pass', states: 5, transitions: 4 });
    expect(counts(run(inst, 'bfs', full))).toEqual({ kind: 'pass', states: 5, transitions: 4 });
  });

  test('two threads with two independent steps each', () => {
    // T0: a = 1; b = 1   T1: c = 1; d = 1
    // 6 interleavings; states are the 3x3 grid of (pc0, pc1): 9 states; transitions are the
    // grid's edges, 2 * 3 * 2 = 12. dfs: all independent, one order (T0 T0 T1 T1): 5 states,
    // 4 transitions.
    const inst = program({
      init: { a: 0, b: 0, c: 0, d: 0 },
      threads: [thread('T0', {}, [put('a', 1), put('b', 1)]), thread('T1', {}, [put('c', 1), put('d', 1)])],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 9, transitions: 12 });
    expect(counts(run(inst, 'dfs', full))).toEqual({ kind: 'pass', states: 5, transitions: 4 });
    expect(counts(run(inst, 'bfs', full))).toEqual({ kind: 'pass', states: 9, transitions: 12 });
  });

  test('a lock-protected critical section in two threads', () => {
    // Ti: lock k; x++; unlock k
    // States: pairs (pc0, pc1) in 0..3 except both inside (pc in {1,2}): 16 - 4 = 12 (x and
    // k follow from the pcs). Enabled per state: (0,0) 2; (0,1) (0,2) 1 each; (0,3) 1;
    // (1,0) (2,0) 1 each; (3,0) 1; (1,3) (2,3) 1 each; (3,1) (3,2) 1 each; (3,3) 0 — 12
    // transitions. dfs: the two acquires race, so both orders (the only two interleavings up
    // to independence) are explored: the same 12 states, 12 transitions.
    const T = (n: string) => thread(n, {}, [lock('k'), inc('x'), unlock('k')]);
    const inst = program({
      init: { k: -1, x: 0 },
      threads: [T('T0'), T('T1')],
      properties: [assertion('lock-misuse', 'unlock by a non-owner')],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 12, transitions: 12 });
    expect(counts(run(inst, 'dfs', full))).toEqual({ kind: 'pass', states: 12, transitions: 12 });
    expect(counts(run(inst, 'bfs', full))).toEqual({ kind: 'pass', states: 12, transitions: 12 });
  });

  test('a blocked await', () => {
    // T0: a = 1; await flag == 1   T1: flag = 1
    // States (pc0, pc1): (0,0) (1,0) (0,1) (1,1) (2,1) = 5; T0's await is blocked in (1,0).
    // Transitions: (0,0) 2, (1,0) 1 (T1 only), (0,1) 1, (1,1) 1, (2,1) 0 = 5.
    // dfs: T0 first; in (1,0) only T1 can move; the await races with T1's store but T0 was
    // blocked at the race point, so the backtrack falls back to the enabled threads there (T1,
    // already done); T1's store is independent of `a = 1`: the initial state needs only T0.
    // States (0,0) (1,0) (1,1) (2,1) = 4, transitions 3.
    const inst = program({
      init: { a: 0, flag: 0 },
      threads: [thread('T0', {}, [put('a', 1), waitFor('flag', 1)]), thread('T1', {}, [put('flag', 1)])],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 5, transitions: 5 });
    expect(counts(run(inst, 'dfs', full))).toEqual({ kind: 'pass', states: 4, transitions: 3 });
  });

  test('a deadlock: two locks taken in opposite orders', () => {
    // T0: lock A; lock B; unlock B; unlock A     T1: lock B; lock A; unlock A; unlock B
    // T0 holds A at pc0 in {1,2,3} and B at pc0 = 2; T1 holds B at pc1 in {1,2,3}, A at pc1 = 2.
    // Reachable (pc0, pc1): pc0=0: 5; pc0=1: pc1 in {0,1,3,4}; pc0=2: pc1 in {0,4};
    // pc0=3: pc1 in {0,1,4} ((3,3) is unreachable: T1 at 3 has held A and still holds B, T0 at
    // 3 has held B and still holds A); pc0=4: 5 — 5+4+2+3+5 = 19 states.
    // Enabled: (0,0)2 (0,1)2 (0,2)1 (0,3)2 (0,4)1 (1,0)2 (1,1)0 (1,3)1 (1,4)1 (2,0)1 (2,4)1
    // (3,0)2 (3,1)1 (3,4)1 (4,0)1 (4,1)1 (4,2)1 (4,3)1 (4,4)0 — 22 transitions.
    // The one deadlock is (1,1): T0 holds A and waits for B, T1 holds B and waits for A.
    // dfs: 18 states, 18 transitions — all but (0,4): in (0,3) T0's `lock A` and T1's
    // `unlock B` touch different locks, so only T0 is explored there and (0,4) is never built
    // ((4,4) is reached through T0 first). The deadlock (1,1) is found.
    const inst = program({
      init: { A: -1, B: -1 },
      threads: [
        thread('T0', {}, [lock('A'), lock('B'), unlock('B'), unlock('A')]),
        thread('T1', {}, [lock('B'), lock('A'), unlock('A'), unlock('B')]),
      ],
      properties: [assertion('lock-misuse', 'unlock by a non-owner')],
    });
    const naive = run(inst, 'naive', full);
    const dfs = run(inst, 'dfs', full);
    expect(counts(naive)).toEqual({ kind: 'violation', states: 19, transitions: 22 });
    expect(counts(dfs)).toEqual({ kind: 'violation', states: 18, transitions: 18 });
    const deadlockState = canonicalDeadlock();
    for (const r of [naive, dfs, run(inst, 'naive'), run(inst, 'dfs'), run(inst, 'bfs'), run(inst, 'preempt')]) {
      const v = violation(r);
      expect(v.property).toBe('deadlock-free');
      expect(v.message).toBe("deadlock: T0 blocked at 'lock B'; T1 blocked at 'lock A'");
      expect(stateAfter(inst, v.trace.schedule)).toBe(deadlockState);
    }
    function canonicalDeadlock(): string {
      return stateAfter(inst, '0,1');
    }
    expect(deadlockState).toBe(
      JSON.stringify({
        s: { A: 0, B: 1 },
        t: [
          { l: {}, pc: 1 },
          { l: {}, pc: 1 },
        ],
      }),
    );
  });

  test('a spin loop: a cycle in the state graph', () => {
    // T0: #0 r = flag; #1 if r == 0 goto #0     T1: flag = 1
    // States (pc0, r, flag, pc1): S0 (0,0,0,0), S1 (1,0,0,0), S2 (0,0,1,done), S3 (1,0,1,done),
    // S4 (1,1,1,done), S5 (exit,1,1,done) — 6 states. Edges: S0→S1, S0→S2, S1→S0 (the back
    // edge), S1→S3, S2→S4, S3→S2, S4→S5 — 7 transitions.
    // dfs: all 6 states, 6 transitions. S0 -T0-> S1; T1's write races with T0's read, so T1 is
    // backtracked at S0; S1 -T0-> S0 is the back edge, which fully expands S0 and S1. S1 -T1-> S3
    // with T0 asleep (its local jump, already explored from S1, is independent of the write), so
    // S3 is sleep-blocked and S3 -> S2 is pruned; S0 -T1-> S2 -> S4 -> S5 covers it. Edges taken:
    // S0S1, S1S0, S1S3, S0S2, S2S4, S4S5.
    const inst = program({
      init: { flag: 0 },
      threads: [
        thread('T0', { r: 0 }, [read('flag', 'spin'), ifGoto('if r == 0 goto spin', (l) => l.r === 0, 'spin')]),
        thread('T1', {}, [put('flag', 1)]),
      ],
      properties: [
        endState('flag-seen', 'T0 saw the flag', (v) => (v.threads[0].l.r === 1 ? null : 'T0 left with r = 0')),
      ],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 6, transitions: 7 });
    expect(counts(run(inst, 'dfs', full))).toEqual({ kind: 'pass', states: 6, transitions: 6 });
    expect(counts(run(inst, 'bfs', full))).toEqual({ kind: 'pass', states: 6, transitions: 7 });
  });

  test('a cycle next to an independent thread', () => {
    // The spin loop above plus T2: z = 1 (independent of everything). Naive: 6 x 2 = 12
    // states; transitions: the 7 edges in each half (z = 0 and z = 1) plus one T2 edge from
    // each of the 6 z=0 states: 7 + 7 + 6 = 20.
    // dfs: pinned at 12 states / 19 transitions — the back edge S1→S0 fully expands the cycle
    // S0 S1 (so T2 runs from both), which brings in the whole z = 1 half.
    const inst = program({
      init: { flag: 0, z: 0 },
      threads: [
        thread('T0', { r: 0 }, [read('flag', 'spin'), ifGoto('if r == 0 goto spin', (l) => l.r === 0, 'spin')]),
        thread('T1', {}, [put('flag', 1)]),
        thread('T2', {}, [put('z', 1)]),
      ],
    });
    expect(counts(run(inst, 'naive', full))).toEqual({ kind: 'pass', states: 12, transitions: 20 });
    const dfs = counts(run(inst, 'dfs', full));
    expect(dfs.kind).toBe('pass');
    expect(dfs.states).toBeLessThanOrEqual(12);
  });
});

/** T0: a = 1; b = 1; y = 1   T1: y = 1, invariant y != 1: naive DFS finds length 3, BFS 1. */
function shortestCase() {
  return program({
    init: { a: 0, b: 0, y: 0 },
    threads: [thread('T0', {}, [put('a', 1), put('b', 1), put('y', 1)]), thread('T1', {}, [put('y', 1)])],
    properties: [invariant('y-clear', 'y stays 0', ['y'], (v) => (v.s.y === 1 ? 'y == 1' : null))],
  });
}

/**
 * T0: x = 1; x = 0     T1: r = x; y = r     invariant y != 1.
 * The bug needs T1 to read x between T0's two stores. Naive DFS (lowest thread first) runs
 * T0 T0 T1 T1 (no bug), backtracks to after T0's first store, and finds 0,1,0,1: T0 is
 * preempted after x = 1, T1 is preempted after its read — 2 preemptions. The fewest is 1:
 * 0,1,1 (T0 x = 1, then T1 reads and stores; T0 preempted once).
 */
function preemptCase() {
  return program({
    init: { x: 0, y: 0 },
    threads: [thread('T0', {}, [put('x', 1), put('x', 0)]), thread('T1', { r: 0 }, [read('x'), write('y')])],
    properties: [invariant('y-clear', 'y never becomes 1', ['y'], (v) => (v.s.y === 1 ? 'y == 1' : null))],
  });
}

describe('strategies', () => {
  test('BFS finds the shortest counterexample; naive DFS a longer one', () => {
    const inst = shortestCase();
    // states: naive and bfs visit the same states when exhaustive: (pc0 0..3) x (pc1 0..1)
    // with y following the pcs: 8 states.
    expect(counts(run(inst, 'naive', full)).states).toBe(8);
    expect(counts(run(inst, 'bfs', full)).states).toBe(8);
    expect(violation(run(inst, 'naive')).trace.schedule).toBe('0*3');
    expect(violation(run(inst, 'bfs')).trace.schedule).toBe('1');
  });

  test('preempt finds a counterexample with the fewest preemptions', () => {
    const inst = preemptCase();
    const naive = violation(run(inst, 'naive'));
    expect(naive.trace.schedule).toBe('0,1,0,1');
    expect(preemptions(inst, naive.trace.schedule)).toBe(2);
    const pre = run(inst, 'preempt');
    const v = violation(pre);
    expect(preemptions(inst, v.trace.schedule)).toBe(1);
    expect(v.trace.schedule).toBe('0,1*2');
    // Bound 0 cannot see it: incomplete, never pass.
    const bounded = run(inst, 'preempt', { preemptionBound: 0 });
    expect(bounded.kind).toBe('incomplete');
    if (bounded.kind === 'incomplete') expect(bounded.reason).toBe('preemption-bound');
  });

  test('random finds the bug with a seed and the same seed reproduces it', () => {
    const inst = preemptCase();
    const a = violation(run(inst, 'random', { seed: 7, runs: 500 }));
    const b = violation(run(inst, 'random', { seed: 7, runs: 500 }));
    expect(a.property).toBe('y-clear');
    expect(b.trace.schedule).toBe(a.trace.schedule);
    expect(b.message).toBe(a.message);
  });

  test('replay of every strategy counterexample reproduces the violated property', () => {
    for (const inst of [preemptCase(), shortestCase()]) {
      for (const strategy of STRATEGIES) {
        const v = violation(run(inst, strategy, { seed: 3 }));
        const r = replay(new System(inst), v.trace.schedule);
        expect({
          strategy,
          kind: r.kind,
          end: r.kind === 'replayed' ? r.end : undefined,
          property: r.kind === 'replayed' ? r.violation?.property : undefined,
        }).toEqual({
          strategy,
          kind: 'replayed',
          end: 'violation',
          property: v.property,
        });
        if (r.kind === 'replayed') expect(r.trace.schedule).toBe(v.trace.schedule);
      }
    }
  });
});

describe('limits', () => {
  // 4 threads, each 6 increments of one shared counter: 7^4 = 2401 states and
  // 4 * 6 * 7^3 = 8232 naive transitions, all steps dependent.
  const big = () =>
    program({
      init: { x: 0 },
      threads: ['A', 'B', 'C', 'D'].map((n) =>
        thread(
          n,
          {},
          Array.from({ length: 6 }, () => inc('x')),
        ),
      ),
    });

  test('maxStates gives incomplete max-states, never pass', () => {
    const inst = big();
    for (const strategy of ['dfs', 'naive', 'bfs', 'preempt'] as const) {
      const r = run(inst, strategy, { maxStates: 50 });
      expect({ strategy, kind: r.kind, reason: r.kind === 'incomplete' ? r.reason : undefined }).toEqual({
        strategy,
        kind: 'incomplete',
        reason: 'max-states',
      });
      if (r.kind === 'incomplete') expect(r.stats.states).toBeLessThanOrEqual(50);
    }
  });

  test('maxDepth gives incomplete max-depth, never pass', () => {
    const inst = big();
    for (const strategy of ['dfs', 'naive', 'bfs'] as const) {
      const r = run(inst, strategy, { maxDepth: 5 });
      expect({ strategy, kind: r.kind, reason: r.kind === 'incomplete' ? r.reason : undefined }).toEqual({
        strategy,
        kind: 'incomplete',
        reason: 'max-depth',
      });
    }
  });

  test('a maxDepth the search never reaches does not make it incomplete', () => {
    const inst = big();
    expect(run(inst, 'naive', { maxDepth: 24 }).kind).toBe('pass');
    expect(run(inst, 'dfs', { maxDepth: 24 }).kind).toBe('pass');
  });

  test('timeLimitMs gives incomplete time, never pass', () => {
    const inst = big();
    for (const strategy of ['dfs', 'naive', 'bfs', 'preempt'] as const) {
      const r = run(inst, strategy, { timeLimitMs: 0 });
      expect({ strategy, kind: r.kind, reason: r.kind === 'incomplete' ? r.reason : undefined }).toEqual({
        strategy,
        kind: 'incomplete',
        reason: 'time',
      });
    }
  });
});

describe('errors', () => {
  test('a step that throws gives kind error, one line naming the thread and step', () => {
    const boom = {
      label: 'explode',
      footprint: () => [],
      run: () => {
        throw new Error('boom\nsecond line');
      },
    };
    const inst = program({
      name: 'thrower',
      init: { x: 0 },
      threads: [thread('T0', {}, [put('x', 1)]), thread('T1', {}, [boom])],
    });
    for (const strategy of STRATEGIES) {
      const r = run(inst, strategy);
      expect(r.kind).toBe('error');
      if (r.kind !== 'error') continue;
      expect(r.code).toBe('model-threw');
      expect(r.message).not.toContain('\n');
      expect(r.message).toContain("thread 'T1'");
      expect(r.message).toContain("step 'explode'");
      expect(r.message).toContain('boom');
    }
  });

  test('malformed schedules give replay kind error', () => {
    const inst = preemptCase();
    const sys = new System(inst);
    for (const bad of ['x', '0,,1', '0*0', '2', '0*', '-1', '0;1', '0*3', '1,1,1', '1*3']) {
      const r = replay(sys, bad);
      expect({ bad, kind: r.kind }).toEqual({ bad, kind: 'error' });
      if (r.kind === 'error') expect(r.code).toBe('bad-schedule');
    }
    // A well-formed schedule that stops early is not an error: the end is reported.
    const ok = replay(sys, '0');
    expect(ok.kind === 'replayed' && ok.end).toBe('unfinished');
  });
});

describe('engine regressions (fixed in src/explore: Dpor.raceAfterDeadEnd, VisitedTable keys)', () => {
  /**
   * Was a bug (src/explore/strategies/dpor/dpor.ts, Dpor.step), now fixed: a step that raises an assertion is a dead end — the
   * search records it and 'stays', pushing no transition — so no later step ever races with it
   * and the other threads are never added to the backtrack set of the state where it fired.
   *   init v = 1;  T0: assert v != 1;  T1: v++ (atomic);  end-state property: at the end v != 2
   * naive: init -T1-> v=2 -T0-> (assert passes) terminal v=2: 'v-not-2' VIOLATED; 3 states.
   * dfs: BT(init) = {T0}; T0 raises bad-value; nothing else is explored: 1 state, and the
   * exhaustive result says 'v-not-2' holds. Fix idea: on a step violation, treat the thread
   * as unable to continue for the reduction (e.g. BT[k] |= EN[k] & ~SLEEP[k], as when a race
   * names a blocked thread).
   */
  test('dfs explores past a thread whose next step raises an assertion', () => {
    const inst = program({
      init: { v: 1 },
      threads: [thread('T0', {}, [check('v', 1)]), thread('T1', {}, [inc('v')])],
      properties: [
        assertion('bad-value', 'assert step'),
        endState('v-not-2', 'at the end v != 2', (x) => (x.s.v === 2 ? 'v == 2' : null)),
      ],
    });
    const naive = run(inst, 'naive', full);
    expect(counts(naive)).toEqual({ kind: 'violation', states: 3, transitions: 3 });
    const names = (r: SearchResult) => (r.kind === 'violation' ? r.violations.map((v) => v.property).sort() : []);
    expect(names(naive)).toEqual(['bad-value', 'v-not-2']);
    expect(names(run(inst, 'dfs', full))).toEqual(['bad-value', 'v-not-2']);
  });

  /**
   * BUG (src/explore/strategies/preempt.ts key() + src/explore/store/visited.ts): preempt's node keys are
   * signed int32 (`fp[0] ^ Math.imul(last + 2, 0x9e3779b1)` and `(..) | 0`) but VisitedTable
   * stores keys in Uint32Arrays and compares them with ===, so a key with the high bit set is
   * never found again: nodes are re-added forever. On a model with a cycle the search never
   * terminates (here: a thread that spins on an unchanging local; 36865 "states" after 3 s on
   * a 6-state model). Fix: `>>> 0` both key lanes (or normalise in VisitedTable).
   */
  test('preempt terminates on a model with a self-loop', () => {
    const inst = program({
      init: { v: 0 },
      threads: [
        thread(
          'T0',
          { r: 0 },
          [ifGoto('if r == 0 goto spin', (l) => l.r === 0, 'spin')].map((s) => ({ ...s, name: 'spin' })),
        ),
        thread('T1', { r: 0 }, [read('v'), put('v', 0)]),
      ],
    });
    expect(counts(run(inst, 'naive', full)).states).toBe(3);
    const r = run(inst, 'preempt', { ...full, maxStates: 1000 });
    expect(r.kind).toBe('pass');
  });
});

describe('checking a subset of properties', () => {
  test('a BUG ends its execution even when its property is not among those checked', () => {
    // T0: r = v   T1: unlock k (not held: lock-misuse)   end-state: v != 0 would only be
    // reachable past the BUG if T1 went on and stored 0; the kernel stops at the BUG, so the
    // end-state verdict is the same whether or not lock-misuse is checked.
    const inst = program({
      init: { v: 1, k: -1 },
      threads: [thread('T0', { r: 0 }, [read('v')]), thread('T1', {}, [unlock('k'), put('v', 0)])],
      properties: [
        assertion('lock-misuse', 'unlock of a lock not held'),
        endState('v-not-0', 'v != 0 at the end', (v) => (v.s.v === 0 ? 'v is 0' : null)),
      ],
    });
    for (const strategy of ['naive', 'dfs', 'bfs'] as const) {
      const all = run(inst, strategy, full);
      const endOnly = run(inst, strategy, { ...full, properties: ['v-not-0'] });
      expect(all.kind === 'violation' && all.violations.map((x) => x.property)).toEqual(['lock-misuse']);
      expect(endOnly.kind).toBe('pass');
    }
  });

  test('verdicts name only the properties the search checked, never an unchecked one as holding', () => {
    const inst = program({
      init: { v: 1, k: -1 },
      threads: [thread('T0', { r: 0 }, [read('v')]), thread('T1', {}, [unlock('k'), put('v', 0)])],
      properties: [
        assertion('lock-misuse', 'unlock of a lock not held'),
        endState('v-not-0', 'v != 0 at the end', (v) => (v.s.v === 0 ? 'v is 0' : null)),
      ],
    });
    const r = run(inst, 'dfs', { ...full, properties: ['v-not-0'] });
    expect(verdicts(inst, r).map((v) => [v.property, v.outcome])).toEqual([['v-not-0', 'holds']]);
  });
});
