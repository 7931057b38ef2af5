/**
 * Property-based soundness of the reduced search (dfs: stateful DPOR with sleep sets) against
 * the naive search, on random small models (see test/helpers/gen.ts): 2–4 threads of 1–5 steps
 * (loads, stores, atomic increments, locks, unlocks — misuse is the `lock-misuse` assertion —,
 * awaits, conditional jumps forwards and backwards, local arithmetic and assert steps) over 1–3
 * variables mod 2 or 3 and 0–2 locks, with a random invariant (accurate `reads`) and a random
 * end-state property.
 *
 * For each model, with stopAtFirst false:
 *  (a) the per-property verdicts of dfs and bfs equal the naive ones, and also those
 *      of dfs run on each property alone (fewer invariants: fewer visible steps, more reduction);
 *  (b) every dfs run reaches exactly the naive search's deadlock states, and
 *  (c) exactly its terminal states (observed as documented in test/helpers/observe.ts);
 *  (d) dfs visits a subset of the naive states; naive and bfs visit the same states, and each
 *      search's state count is the number of distinct states it checked;
 *  (e) every counterexample of dfs, naive and bfs replays to the same property at its last step.
 * The same on models with state-dependent footprints (genModelStateDependent). The seed is fixed
 * (MMCHECK_SEED overrides it); searches are bounded by state counts, never by the clock.
 * fast-check prints the seed and the shrunk model on failure; `describe(model)` is in the message.
 */
import { describe as suite, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Instance } from '../../src/core/instantiate.js';
import { replay } from '../../src/explore/strategies/replay.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { System } from '../../src/explore/system/system.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import {
  build,
  describe,
  genModel,
  genModelNoAssertions,
  genModelStateDependent,
  OBSERVE,
  type GenModel,
  type Sink,
} from '../helpers/gen.js';
import { MAX_STATES, observeRun, sorted, type Observed } from '../helpers/observe.js';
import { conditionalStoreRace, run } from '../helpers/program.js';

const NUM_RUNS = Number(process.env.MMCHECK_SOUNDNESS_RUNS ?? 150);
/** Programs with state-dependent footprints (genModelStateDependent). */
const SD_RUNS = Number(process.env.MMCHECK_SOUNDNESS_SD_RUNS ?? 60);
/** fast-check seed: fixed, so every run of the suite checks the same models (override to explore). */
const SEED = Number(process.env.MMCHECK_SEED ?? 20261205);

function outcomeMap(inst: Instance, r: SearchResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of verdicts(inst, r)) if (v.property !== OBSERVE) out[v.property] = v.outcome;
  return out;
}

class Mismatch extends Error {}

function same<T>(what: string, m: GenModel, actual: T, expected: T): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Mismatch(`${what}\n  got:      ${a}\n  expected: ${e}\nmodel:\n${describe(m)}`);
}

function requireExhaustive(what: string, m: GenModel, r: SearchResult): void {
  if (r.kind === 'error' || r.kind === 'incomplete' || (r.kind === 'violation' && !r.exhaustive))
    throw new Mismatch(
      `${what}: not an exhaustive result: ${JSON.stringify(r.kind === 'error' ? r : r.kind === 'incomplete' ? { kind: r.kind, reason: r.reason, stats: r.stats } : { kind: r.kind })}\nmodel:\n${describe(m)}`,
    );
}

function checkReplays(what: string, m: GenModel, inst: Instance, r: SearchResult): void {
  if (r.kind !== 'violation') return;
  for (const v of r.violations) {
    // Replay against this property alone: with stopAtFirst false a prefix of the schedule may
    // violate another property first, but never this one (it would have been recorded there).
    const rp = replay(new System(inst, [v.property]), v.trace.schedule);
    const got =
      rp.kind === 'replayed' ? { end: rp.end, property: rp.violation?.property, steps: rp.trace.steps.length } : rp;
    same(`${what}: replay of '${v.property}' counterexample ${v.trace.schedule}`, m, got, {
      end: 'violation',
      property: v.property,
      steps: v.trace.steps.length,
    });
  }
}

interface Summary {
  naiveStates: number;
  dfsStates: number;
  violated: string[];
  deadlocks: number;
}

function checkModel(m: GenModel): Summary {
  const sink: Sink = { observe: null };
  const inst = build(m, sink);
  const naive = observeRun(m, inst, sink, 'naive');
  requireExhaustive('naive', m, naive.result);
  const dfs = observeRun(m, inst, sink, 'dfs');
  requireExhaustive('dfs', m, dfs.result);
  const bfs = observeRun(m, inst, sink, 'bfs');
  requireExhaustive('bfs', m, bfs.result);

  const want = outcomeMap(inst, naive.result);
  same('dfs verdicts', m, outcomeMap(inst, dfs.result), want);
  same('bfs verdicts', m, outcomeMap(inst, bfs.result), want);

  const endStates = (what: string, o: Observed, ref: Observed = naive) => {
    same(`${what}: deadlock states`, m, sorted(o.deadlocks), sorted(ref.deadlocks));
    same(`${what}: terminal states`, m, sorted(o.terminals), sorted(ref.terminals));
    const extra = [...o.seen].filter((k) => !ref.seen.has(k));
    same(`${what}: states the naive search never reached`, m, extra, []);
    if (o.result.kind !== 'error')
      same(`${what}: state count vs distinct states checked`, m, o.result.stats.states, o.seen.size);
  };
  same(
    'naive: state count vs distinct states checked',
    m,
    naive.result.kind === 'error' ? -1 : naive.result.stats.states,
    naive.seen.size,
  );
  endStates('dfs', dfs);
  endStates('bfs', bfs);
  same('bfs: states', m, sorted(bfs.seen), sorted(naive.seen));

  // Each property alone (with the assertions, which must stay selected: an assertion that is not
  // checked is not raised, its step goes on and the state space changes). The invariant's reads
  // are then the only visible locations — none at all for deadlock freedom, the end-state
  // property or the assertions — so the reduction is at its strongest.
  const assertions = inst.properties.filter((p) => p.kind === 'assertion').map((p) => p.name);
  for (const p of inst.properties) {
    if (p.name === OBSERVE || p.kind === 'assertion') continue;
    const alone = observeRun(m, inst, sink, 'dfs', { properties: [p.name, ...assertions, OBSERVE] });
    requireExhaustive(`dfs on '${p.name}' alone`, m, alone.result);
    same(`dfs on '${p.name}' alone: verdicts`, m, outcomeMap(inst, alone.result)[p.name], want[p.name]);
    for (const a of assertions)
      same(`dfs on '${p.name}' alone: verdict of '${a}'`, m, outcomeMap(inst, alone.result)[a], want[a]);
    endStates(`dfs on '${p.name}' alone`, alone);
  }
  {
    const alone = observeRun(m, inst, sink, 'dfs', { properties: [...assertions, OBSERVE] });
    requireExhaustive('dfs on the assertions alone', m, alone.result);
    for (const a of assertions)
      same(`dfs on the assertions alone: verdict of '${a}'`, m, outcomeMap(inst, alone.result)[a], want[a]);
    endStates('dfs on the assertions alone', alone);
  }

  checkReplays('naive', m, inst, naive.result);
  checkReplays('dfs', m, inst, dfs.result);
  checkReplays('bfs', m, inst, bfs.result);
  const states = (r: SearchResult) => (r.kind === 'error' ? 0 : r.stats.states);
  const violated = Object.keys(want).filter((p) => want[p] === 'violated');
  return {
    naiveStates: states(naive.result),
    dfsStates: states(dfs.result),
    violated,
    deadlocks: naive.deadlocks.size,
  };
}

function soundnessProperty(arb: fc.Arbitrary<GenModel>, assertionsRaised: boolean, numRuns = NUM_RUNS): void {
  let naiveTotal = 0;
  let dfsTotal = 0;
  let runs = 0;
  const violatedCount: Record<string, number> = {};
  let withDeadlocks = 0;
  const started = performance.now();
  fc.assert(
    fc.property(arb, (m) => {
      const r = checkModel(m);
      runs++;
      naiveTotal += r.naiveStates;
      dfsTotal += r.dfsStates;
      for (const p of r.violated) violatedCount[p] = (violatedCount[p] ?? 0) + 1;
      if (r.deadlocks > 0) withDeadlocks++;
    }),
    { numRuns, seed: SEED },
  );
  if (process.env.MMCHECK_SOUNDNESS_STATS)
    console.log(
      JSON.stringify({
        runs,
        naiveTotal,
        dfsTotal,
        withDeadlocks,
        violatedCount,
        ms: Math.round(performance.now() - started),
      }),
    );
  // The generator must produce non-trivial models, with every kind of violation, and the
  // reduction must actually reduce.
  expect(naiveTotal).toBeGreaterThan(numRuns * 10);
  expect(dfsTotal).toBeLessThan(naiveTotal);
  expect(withDeadlocks).toBeGreaterThan(numRuns / 20);
  const kinds = assertionsRaised
    ? ['inv', 'end', 'bad-value', 'lock-misuse', 'deadlock-free']
    : ['inv', 'end', 'deadlock-free'];
  for (const p of kinds) expect(violatedCount[p] ?? 0).toBeGreaterThan(numRuns / 50);
}

suite('dfs (DPOR) is exactly as sound as the naive search on random models', () => {
  /**
   * Regression (fixed in Dpor.raceAfterDeadEnd): a step that raises an assertion ends its
   * execution, so later conflicting steps of other threads never raced with it. Smallest case:
   *   init v0 = 1;  T0: #0 assert v0 != 1;  T1: #0 v0 = (v0 + 1) % 2 (atomic)
   *   end-state property: at the end v0 != 0
   * naive: end VIOLATED (T1 then T0); dfs used to explore only T0 first and report it holding.
   */
  test(`${NUM_RUNS} random models: verdicts, deadlock and terminal states, replays`, () => {
    soundnessProperty(genModel, true);
  });

  /**
   * Regression: dfs missed the terminal state where T3 reads v1 = 1 (r1) and v0 = 0 (r0) after
   * T1's loop: T1 spins re-reading v1 until T0 has stored 1, T3 reads both.
   */
  test('spin loop vs two readers: every terminal state of naive', () => {
    const m: GenModel = {
      K: 2,
      nVars: 3,
      nLocks: 0,
      init: [0, 0, 0],
      noAssertions: true,
      threads: [
        [{ op: 'storeL', v: 1, r: 0, c: 3, t: 0, eq: false }],
        [
          { op: 'load', v: 4, r: 0, c: 0, t: 0, eq: false },
          { op: 'inc', v: 0, r: 0, c: 0, t: 0, eq: false },
          { op: 'jmp', v: 0, r: 0, c: 3, t: 0, eq: false },
        ],
        [{ op: 'jmp', v: 0, r: 0, c: 3, t: 0, eq: true }],
        [
          { op: 'load', v: 1, r: 3, c: 0, t: 0, eq: false },
          { op: 'load', v: 0, r: 0, c: 0, t: 0, eq: false },
          { op: 'lock', v: 5, r: 0, c: 0, t: 0, eq: false },
        ],
      ],
      inv: { kind: 0, a: 0, b: 0, c1: 0, c2: 0 },
      end: { kind: 0, a: 0, c: 0 },
    };
    checkModel(m);
  });

  /**
   * Regression: states popped inside a cycle whose root was still on the stack were explored
   * again on every revisit (exponential: 58 states, 4M transitions, incomplete after 3 s). They
   * now wait for their cycle's root, revisits act as back edges to it, and the root's summary
   * completes them.
   */
  test('three looping threads: dfs is exhaustive and agrees with naive', () => {
    const op = (o: string, v: number, r: number, eq = false) => ({
      op: o as GenModel['threads'][0][0]['op'],
      v,
      r,
      c: 0,
      t: 0,
      eq,
    });
    const m: GenModel = {
      K: 2,
      nVars: 1,
      nLocks: 0,
      init: [0, 0, 0],
      threads: [
        [op('load', 0, 0), op('jmp', 0, 0)],
        [op('lock', 0, 0), op('jmp', 0, 0, true), op('load', 0, 0)],
        [op('load', 0, 0), op('jmp', 0, 3, true)],
      ],
      inv: { kind: 0, a: 0, b: 0, c1: 0, c2: 0 },
      end: { kind: 0, a: 0, c: 0 },
    };
    checkModel(m);
  });

  test(`${NUM_RUNS} random models whose steps never raise an assertion`, () => {
    soundnessProperty(genModelNoAssertions, false);
  });

  /**
   * Footprints that depend on the state (conditional and indirect loads and stores, see
   * StateDependentOp in test/helpers/gen.ts): the race found on one path can have another
   * footprint once reordered (issue 11, where odpor missed an execution).
   */
  test(`${SD_RUNS} random models with state-dependent footprints`, () => {
    soundnessProperty(genModelStateDependent, true, SD_RUNS);
  });

  /**
   * Regression (fixed in Dpor.earlierRaces): dfs reversed only the last race of a step, and the
   * earlier ones were to be found in the execution that reverses it; but there the step's
   * footprint had changed. T2's `if v2 == 1 then r0 = v1` after T1's increment of v2 reads v1,
   * which T0 wrote before: reordered before the increment it no longer reads v1, and the state
   * where it reads v1 = 1 (before T0's second store sets it to 0) was never reached.
   *   init v0 = 0, v1 = 1, v2 = 0;  T0: #0 v1 = 1, #1 v[v1 % 3] = 0;  T1: #0 v2 = (v2 + 1) % 2;
   *   T2: #0 if v2 == 1 then r0 = v1, #1 v0 = (v0 + 1) % 2;  invariant !(v0 == 1 && v2 == 1)
   */
  test('a race hidden by a reordering: every terminal state of naive', () => {
    const op = (o: string, v: number, r: number, c: number, t = 0, eq = false) => ({
      op: o as GenModel['threads'][0][0]['op'],
      v,
      r,
      c,
      t,
      eq,
    });
    const m: GenModel = {
      K: 2,
      nVars: 3,
      nLocks: 0,
      init: [0, 1, 0],
      threads: [
        [op('storeC', 1, 0, 1), op('istore', 1, 0, 0)],
        [op('inc', 2, 0, 0)],
        [op('cload', 2, 0, 1, 1, true), op('inc', 0, 0, 0)],
      ],
      inv: { kind: 2, a: 0, b: 2, c1: 1, c2: 1 },
      end: { kind: 1, a: 1, c: 0 },
    };
    const s = checkModel(m);
    expect(s.violated).toEqual(['inv', 'end']);
  });

  test('issue 11: a conditional store whose footprint depends on the state', () => {
    const inst = conditionalStoreRace();
    const naive = run(inst, 'naive', { stopAtFirst: false });
    expect(naive.kind).toBe('violation');
    for (const strategy of ['dfs', 'bfs'] as const) {
      const r = run(inst, strategy, { stopAtFirst: false });
      expect(outcomeMap(inst, r)).toEqual(outcomeMap(inst, naive));
    }
  });
});

/**
 * Regression (fixed in VisitedTable): preempt's node keys were signed int32 while the table
 * stores Uint32, so a key with the high bit set was never found again and a cycle never ended.
 */
suite('preempt (unbounded) gives the naive verdicts on random models', () => {
  test('150 random models', () => {
    fc.assert(
      fc.property(genModel, (m) => {
        const inst = build(m);
        const naive = run(inst, 'naive', { stopAtFirst: false, maxStates: MAX_STATES });
        requireExhaustive('naive', m, naive);
        // preempt's nodes are (state, last thread): at most naive's states times n + 1. A search
        // that stores more (a key never found again) would loop: it ends incomplete instead.
        const nodes = naive.kind === 'error' ? 0 : naive.stats.states * (m.threads.length + 1);
        const preempt = run(inst, 'preempt', { stopAtFirst: false, maxStates: nodes });
        requireExhaustive('preempt', m, preempt);
        same('preempt verdicts', m, outcomeMap(inst, preempt), outcomeMap(inst, naive));
        checkReplays('preempt', m, inst, preempt);
      }),
      { numRuns: 150, seed: SEED },
    );
  });
});
