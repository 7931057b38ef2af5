/**
 * auto (src/explore/strategies/auto.ts): naive and dfs in turns under growing state budgets. Its
 * result is exactly that of the run that finished — naive's or dfs's, counts and verdicts — and
 * which run finishes depends only on state counts. A limit of the caller cuts the run it falls
 * in, and that run is the result: incomplete, never a pass.
 */
import { describe, expect, jest, test } from '@jest/globals';
import fc from 'fast-check';
import { instantiate, type Instance } from '../../../src/core/instantiate.js';
import { explore, type ExploreOptions } from '../../../src/explore/explore.js';
import type { Progress, SearchOptions, SearchResult, Violation } from '../../../src/explore/results/result.js';
import { DFS_WEIGHT, FIRST_BUDGET, GROWTH, takeTurns } from '../../../src/explore/strategies/auto.js';
import { verdicts } from '../../../src/explore/results/verdicts.js';
import { models } from '../../../models/index.js';
import { build, describe as describeModel, genModel, genModelStateDependent } from '../../helpers/gen.js';

const SEED = Number(process.env.MMCHECK_SEED ?? 20261206);
const model = (name: string) => models.find((m) => m.name === name)!;
const ENGINES = ['reference', 'compiled'] as const;

/** What a result says: the search that gave it, its counts, and the runs cut before it (strategy budget). */
function said(r: SearchResult) {
  if (r.kind === 'error') return { error: r.message };
  return {
    kind: r.kind,
    ran: r.stats.strategy,
    states: r.stats.states,
    transitions: r.stats.transitions,
    cut: r.stats.auto?.map((a) => `${a.strategy} ${a.budget}`),
  };
}

/** The budgets auto gives its runs, in order, from the first naive one. */
function budgets(first: number, count: number): string[] {
  const out: string[] = [];
  for (let b = first; out.length < count; b *= GROWTH) out.push(`naive ${b}`, `dfs ${Math.ceil(b / DFS_WEIGHT)}`);
  return out.slice(0, count);
}

const auto = (inst: Instance, opts: ExploreOptions = {}) =>
  explore(inst, { stopAtFirst: false, ...opts, strategy: 'auto' });

describe('auto: DPOR where it pays', () => {
  test('the budgets: 20,000 naive states, then a quarter of that for dfs, ×8 a turn', () => {
    expect([FIRST_BUDGET, GROWTH, DFS_WEIGHT]).toEqual([20_000, 8, 4]);
    expect(budgets(FIRST_BUDGET, 4)).toEqual(['naive 20000', 'dfs 5000', 'naive 160000', 'dfs 40000']);
  });

  for (const engine of ENGINES)
    test(`${engine} engine: a model naive searches within its first budget gives naive's result`, () => {
      const inst = instantiate(model('peterson'));
      const r = auto(inst, { engine });
      expect(said(r)).toEqual({ kind: 'pass', ran: 'naive', states: 42, transitions: 58, cut: [] });
    });

  for (const engine of ENGINES)
    test(`${engine} engine: indexer — naive is cut at 20,000 states, dfs finishes with 49`, () => {
      // 28,561 states for naive, 49 for DPOR (the threads' hash slots rarely collide).
      const inst = instantiate(model('indexer'));
      const dfs = explore(inst, { strategy: 'dfs', stopAtFirst: false, engine });
      expect(said(auto(inst, { engine }))).toEqual({ ...said(dfs), cut: ['naive 20000'] });
      expect(said(dfs)).toMatchObject({ kind: 'pass', states: 49 });
    });

  test('spf-seqcount v3: dfs stores fewer states but costs more; naive wins on the second turn', () => {
    // naive 153,305 states, dfs 56,578: dfs is cut at 5,000, naive finishes within 160,000.
    const inst = instantiate(model('spf-seqcount'), 'v3');
    const naive = explore(inst, { strategy: 'naive', stopAtFirst: false, engine: 'compiled' });
    const r = auto(inst, { engine: 'compiled' });
    expect(said(r)).toEqual({ ...said(naive), cut: ['naive 20000', 'dfs 5000'] });
    expect(said(r)).toMatchObject({ kind: 'violation', states: 153_305 });
    expect(verdicts(inst, r)).toEqual(verdicts(inst, naive));
  });

  test('a limit of the caller cuts the run it falls in: incomplete, never a pass', () => {
    const inst = instantiate(model('indexer'));
    // Above the first budget: naive is cut by its budget (thrown away), dfs finishes within the caller's limit.
    expect(said(auto(inst, { maxStates: 30_000, engine: 'compiled' }))).toMatchObject({
      kind: 'pass',
      ran: 'dfs',
      cut: ['naive 20000'],
    });
    // Both searches cut by the caller's limit (dfs needs 49 states): the last run is the result.
    for (const engine of ENGINES)
      expect(said(auto(inst, { maxStates: 40, engine }))).toMatchObject({
        kind: 'incomplete',
        ran: 'dfs',
        states: 40,
        cut: ['naive 40'],
      });
    const peterson = instantiate(model('peterson'));
    expect(auto(peterson, { maxStates: 5 })).toMatchObject({ kind: 'incomplete', reason: 'max-states' });
    expect(auto(peterson, { maxDepth: 3 })).toMatchObject({ kind: 'incomplete', reason: 'max-depth' });
  });

  /** auto's result when the caller's `stop` says 'signal' at its poll number `at` (counted over all runs). */
  const stopAt = (inst: Instance, at: number, opts: ExploreOptions) => {
    let polls = 0;
    return auto(inst, { ...opts, stop: () => (++polls === at ? 'signal' : null) });
  };

  test('cut short by the caller, the result keeps what the runs thrown away found', () => {
    // naive 20,000 and dfs 5,000 each find three properties violated, then Ctrl-C at the next
    // run's first poll: on the compiled engine naive polls at its first transition, before it
    // can find anything again.
    const engine = 'compiled';
    const inst = instantiate(model('spf-seqcount'), 'v3');
    let polls = 0;
    const count = () => (polls++, null);
    const cut = (['naive', 'dfs'] as const).map((strategy, i) =>
      explore(inst, { strategy, stopAtFirst: false, engine, maxStates: [20_000, 5_000][i], stop: count }),
    );
    const found = (r: SearchResult) => (r.kind === 'incomplete' ? r.violations.map((v) => v.property).sort() : r);
    expect(found(cut[0])).toEqual(['seqcount-balanced', 'seqcount-parity', 'writer-exclusive']);
    expect(found(cut[1])).toEqual(found(cut[0]));
    const r = stopAt(inst, polls + 1, { engine });
    expect(said(r)).toMatchObject({ kind: 'incomplete', ran: 'naive', cut: ['naive 20000', 'dfs 5000'] });
    expect(r.kind === 'incomplete' && r.reason).toBe('signal');
    expect(found(r)).toEqual(found(cut[0]));
    // Their counterexamples, not the last run's: the same as the first run's.
    const first = new Map(cut[0].kind === 'incomplete' ? cut[0].violations.map((v) => [v.property, v]) : []);
    if (r.kind === 'incomplete') for (const v of r.violations) expect(v).toEqual(first.get(v.property));
  });

  test("a search the caller's --max-states cuts runs no more: the other may still end within it", () => {
    const inst = instantiate(model('indexer'));
    // Below the first budget: naive cut by the caller, dfs proves it in 49 states (as --strategy dfs does).
    for (const engine of ENGINES) {
      const dfs = explore(inst, { strategy: 'dfs', stopAtFirst: false, maxStates: 15_000, engine });
      expect(said(auto(inst, { maxStates: 15_000, engine }))).toEqual({ ...said(dfs), cut: ['naive 15000'] });
      expect(dfs.kind).toBe('pass');
    }
    // Turns first (naive 10, dfs 3, naive 80, dfs 20), then naive's 640 is capped by the caller's
    // 500 and cut; naive runs no more, and dfs's next budget, 160, is enough.
    expect(said(auto(inst, { maxStates: 500, autoFirstBudget: 10, engine: 'compiled' }))).toMatchObject({
      kind: 'pass',
      ran: 'dfs',
      states: 49,
      cut: ['naive 10', 'dfs 3', 'naive 80', 'dfs 20', 'naive 500'],
    });
    // naive finds nothing in 20 states, dfs the violation: a verdict instead of all unknown.
    const noTurn = instantiate(model('peterson'), 'no-turn');
    const found = auto(noTurn, { maxStates: 20 });
    expect(said(found)).toMatchObject({ kind: 'incomplete', ran: 'dfs', states: 20, cut: ['naive 20'] });
    expect(found.kind === 'incomplete' && found.violations.map((v) => v.property)).toEqual(['mutual-exclusion']);
    // naive meets it by 30 states, cut there; dfs, cut too, meets it as well: its counterexample first.
    const both = auto(noTurn, { maxStates: 30 });
    expect(said(both)).toMatchObject({ kind: 'incomplete', ran: 'dfs', states: 30, cut: ['naive 30'] });
    expect(both.kind === 'incomplete' && both.violations.map((v) => v.property)).toEqual(['mutual-exclusion']);
  });

  test('a first budget below one state is one state (a budget of 0 would never grow: a hang)', () => {
    const inst = instantiate(model('peterson'));
    for (const first of [0, -5])
      expect(said(auto(inst, { autoFirstBudget: first }))).toEqual(said(auto(inst, { autoFirstBudget: 1 })));
  });

  test('stopping at the first violation: the run that meets it gives the result', () => {
    const inst = instantiate(model('peterson'), 'no-turn');
    const r = explore(inst, { strategy: 'auto', stopAtFirst: true, autoFirstBudget: 3 });
    expect(r).toMatchObject({ kind: 'violation', exhaustive: false });
    expect(r.kind !== 'error' && r.stats.auto!.length).toBeGreaterThan(0);
  });

  /**
   * The progress reports of a search, the clock faked: each poll of the limits moves it on a
   * second, so the next poll reports (bounded by polls, not by time).
   */
  function progressOf(inst: Instance, opts: ExploreOptions): { r: SearchResult; seen: Progress[] } {
    const seen: Progress[] = [];
    jest.useFakeTimers({ now: 0 });
    try {
      const stop = () => {
        jest.advanceTimersByTime(1001);
        return null;
      };
      return { r: auto(inst, { ...opts, stop, onProgress: (p) => seen.push(p) }), seen };
    } finally {
      jest.useRealTimers();
    }
  }

  test("progress across the runs: time from auto's start, the estimate against the run's own budget", () => {
    // Three runs, two cut by their budgets: reports from dfs's (it polls every 4096 transitions) and the last.
    const { r, seen } = progressOf(instantiate(model('spf-seqcount'), 'v3'), { engine: 'compiled' });
    expect(said(r)).toMatchObject({ ran: 'naive', cut: ['naive 20000', 'dfs 5000'] });
    expect(seen.length).toBeGreaterThan(2);
    // Never a share of --max-states, which the caller did not give: a share of the run's budget.
    for (const p of seen)
      expect([p.estimate?.basis]).toEqual([
        expect.stringMatching(/^of auto's (naive|dfs) run's budget \((5,000|20,000|160,000) states\)$/),
      ]);
    const times = seen.map((p) => p.elapsedMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  test("a run under the caller's --max-states keeps the estimate against it", () => {
    // naive cut by the caller's limit (its reports), then dfs proves it in 48 transitions (no poll).
    const { r, seen } = progressOf(instantiate(model('indexer')), { maxStates: 15_000 });
    expect(said(r)).toMatchObject({ kind: 'pass', ran: 'dfs', cut: ['naive 15000'] });
    expect(seen.length).toBeGreaterThan(0);
    for (const p of seen)
      expect(p.estimate).toEqual({ fraction: p.states / 15_000, basis: 'of --max-states (an upper bound)' });
  });

  test("what each run is given: its budget or the caller's limit, the time left, progress against its budget", () => {
    const given: SearchOptions[] = [];
    const reports: Progress[] = [];
    const progress: Progress = {
      states: 7,
      transitions: 9,
      depth: 2,
      queue: 0,
      elapsedMs: 5,
      rssBytes: 1,
      estimate: { fraction: 0.5, basis: 'of --max-states (an upper bound)' },
    };
    // A stand-in search: reports progress once, reaches its state limit until that is 100 or more.
    const run = (strategy: string) => (o: SearchOptions) => {
      given.push(o);
      o.onProgress?.(progress);
      const stats = {
        strategy,
        checked: [],
        states: o.maxStates!,
        transitions: 0,
        maxDepth: 0,
        timeMs: 1,
        peakHeapBytes: 0,
        bytesPerState: 0,
      };
      return o.maxStates! < 100
        ? ({ kind: 'incomplete', reason: 'max-states', violations: [], stats } as const)
        : ({ kind: 'pass', stats } as const);
    };
    // Each run takes a second of a faked clock: the next is given the time left.
    jest.useFakeTimers({ now: 0 });
    let r: SearchResult;
    try {
      const timed = (search: (o: SearchOptions) => SearchResult) => (o: SearchOptions) => {
        const result = search(o);
        jest.advanceTimersByTime(1000);
        return result;
      };
      r = takeTurns(timed(run('naive')), timed(run('dfs')), {
        autoFirstBudget: 4,
        maxStates: 200,
        timeLimitMs: 60_000,
        onProgress: (p) => reports.push(p),
      });
    } finally {
      jest.useRealTimers();
    }
    // naive 4, dfs 1, naive 32, dfs 8, then naive 256 > the caller's 200: the caller's limit.
    expect(given.map((o) => o.maxStates)).toEqual([4, 1, 32, 8, 200]);
    expect(r).toMatchObject({
      kind: 'pass',
      stats: { strategy: 'naive', auto: [{ budget: 4 }, { budget: 1 }, { budget: 32 }, { budget: 8 }], timeMs: 5000 },
    });
    expect(given.map((o) => o.timeLimitMs)).toEqual([60_000, 59_000, 58_000, 57_000, 56_000]);
    // Under auto's budgets, how far into the budget; under the caller's --max-states, the search's own.
    expect(reports.map((p) => p.estimate?.basis)).toEqual([
      "of auto's naive run's budget (4 states)",
      "of auto's dfs run's budget (1 states)",
      "of auto's naive run's budget (32 states)",
      "of auto's dfs run's budget (8 states)",
      progress.estimate!.basis,
    ]);
    expect(reports[2].estimate?.fraction).toBeCloseTo(7 / 32);
    // The time since auto started (each run took a second), the run's own for the rate.
    expect(reports.map((p) => [p.elapsedMs, p.runMs, p.states])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [1000 * i + 5, 5, 7]),
    );
  });

  test('a run stopped by a signal (or the time, or memory) is the result: incomplete, the runs cut before it listed', () => {
    const stats = { checked: [], transitions: 0, maxDepth: 0, timeMs: 1, peakHeapBytes: 0, bytesPerState: 0 };
    const cutByBudget = (strategy: string) => (o: SearchOptions) =>
      ({
        kind: 'incomplete',
        reason: 'max-states',
        violations: [],
        stats: { ...stats, strategy, states: o.maxStates! },
      }) as const;
    const signalled = (o: SearchOptions) =>
      ({
        kind: 'incomplete',
        reason: o.stop!()!,
        violations: [],
        stats: { ...stats, strategy: 'dfs', states: 3 },
      }) as const;
    const r = takeTurns(cutByBudget('naive'), signalled, { autoFirstBudget: 8, stop: () => 'signal' });
    expect(r).toMatchObject({
      kind: 'incomplete',
      reason: 'signal',
      stats: { strategy: 'dfs', states: 3, auto: [{ strategy: 'naive', budget: 8 }] },
    });
  });

  test('what the runs thrown away found: added to an incomplete result after its own, never to a complete one', () => {
    const stats = { checked: [], transitions: 0, maxDepth: 0, timeMs: 1, peakHeapBytes: 0, bytesPerState: 0 };
    const found = (property: string, message: string): Violation => ({
      property,
      kind: 'invariant',
      message,
      trace: { threads: [], steps: [], schedule: '' },
    });
    // naive, cut by its budget, finds p and q; dfs, cut by its budget, finds p again and r.
    const cut = (strategy: string, vs: Violation[]) => (o: SearchOptions) =>
      ({
        kind: 'incomplete',
        reason: 'max-states',
        violations: vs,
        stats: { ...stats, strategy, states: o.maxStates! },
      }) as const;
    const naive = cut('naive', [found('p', 'naive p'), found('q', 'naive q')]);
    const dfs = cut('dfs', [found('p', 'dfs p'), found('r', 'dfs r')]);
    // The next naive run, stopped by a signal, finds p (its own counterexample stays, first).
    const turns = (last: SearchResult) => {
      let runs = 0;
      return takeTurns((o) => (++runs === 1 ? naive(o) : last), dfs, { autoFirstBudget: 8 });
    };
    const signalled = turns({
      kind: 'incomplete',
      reason: 'signal',
      violations: [found('p', 'last p')],
      stats: { ...stats, strategy: 'naive', states: 3 },
    });
    expect(signalled.kind === 'incomplete' && signalled.violations.map((v) => v.message)).toEqual([
      'last p',
      'naive q',
      'dfs r',
    ]);
    // A run that ends complete found every violated property itself: nothing is added.
    const complete = turns({
      kind: 'violation',
      violation: found('p', 'last p'),
      violations: [found('p', 'last p')],
      exhaustive: true,
      stats: { ...stats, strategy: 'naive', states: 30 },
    });
    expect(complete.kind === 'violation' && complete.violations.map((v) => v.message)).toEqual(['last p']);
  });

  test('its peak memory is the highest of every run, the runs thrown away included', () => {
    const stats = { checked: [], transitions: 0, maxDepth: 0, timeMs: 1, bytesPerState: 0 };
    const run = (strategy: string, heap: number) => (o: SearchOptions) =>
      o.maxStates! < 10
        ? ({
            kind: 'incomplete',
            reason: 'max-states',
            violations: [],
            stats: { ...stats, strategy, states: o.maxStates!, peakHeapBytes: heap, peakRssBytes: heap },
          } as const)
        : ({ kind: 'pass', stats: { ...stats, strategy, states: 9, peakHeapBytes: 5, peakRssBytes: 6 } } as const);
    const r = takeTurns(run('naive', 700), run('dfs', 999), { autoFirstBudget: 4 });
    expect(r).toMatchObject({ kind: 'pass', stats: { strategy: 'naive', peakHeapBytes: 999, peakRssBytes: 999 } });
  });

  /** Which search finished, over the random models: both must, or the test checks one side only. */
  const won = { naive: 0, dfs: 0 };

  const sameAsItsRun = (m: Parameters<typeof build>[0], first: number) => {
    const inst = build(m);
    const r = auto(inst, { autoFirstBudget: first, maxStates: 200_000 });
    if (r.kind === 'error') throw new Error(r.message);
    const alone = explore(inst, { strategy: r.stats.strategy as 'naive' | 'dfs', stopAtFirst: false });
    const naive = explore(inst, { strategy: 'naive', stopAtFirst: false });
    const where = `\nfirst budget ${first}, model:\n${describeModel(m)}`;
    won[r.stats.strategy as 'naive' | 'dfs']++;
    // Exactly the result of the run that finished, and naive's verdicts.
    expect([said(r), where]).toEqual([
      { ...said(alone), cut: r.stats.auto!.map((a) => `${a.strategy} ${a.budget}`) },
      where,
    ]);
    expect([verdicts(inst, r), where]).toEqual([verdicts(inst, naive), where]);
    // The runs cut were the budgets in order, each below what that search needs.
    const cut = r.stats.auto!;
    expect(cut.map((a) => `${a.strategy} ${a.budget}`)).toEqual(budgets(first, cut.length));
    for (const a of cut) {
      const full = explore(inst, { strategy: a.strategy, stopAtFirst: false });
      expect([full.kind !== 'error' && full.stats.states > a.budget, where]).toEqual([true, where]);
    }
  };

  test('random models, random first budgets: the result of the run that finished, naive verdicts', () => {
    fc.assert(
      fc.property(genModel, fc.integer({ min: 1, max: 40 }), (m, first) => sameAsItsRun(m, first)),
      { numRuns: 60, seed: SEED },
    );
    // With state-dependent footprints too.
    fc.assert(
      fc.property(genModelStateDependent, fc.integer({ min: 1, max: 40 }), (m, first) => sameAsItsRun(m, first)),
      { numRuns: 30, seed: SEED },
    );
    // Both searches finished some of them (dfs less often: a quarter of the budget).
    expect(won.naive).toBeGreaterThan(30);
    expect(won.dfs).toBeGreaterThan(0);
  });
});
