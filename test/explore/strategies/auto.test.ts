/**
 * auto (src/explore/strategies/auto.ts): naive and dfs in turns under growing state budgets. Its
 * result is exactly that of the run that finished — naive's or dfs's, counts and verdicts — and
 * which run finishes depends only on state counts. A limit of the caller cuts the run it falls
 * in, and that run is the result: incomplete, never a pass.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { instantiate, type Instance } from '../../../src/core/instantiate.js';
import { explore, type ExploreOptions } from '../../../src/explore/explore.js';
import type { SearchResult } from '../../../src/explore/results/result.js';
import { DFS_WEIGHT, FIRST_BUDGET, GROWTH, takeTurns } from '../../../src/explore/strategies/auto.js';
import type { Progress, SearchOptions } from '../../../src/explore/results/result.js';
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
    // Below the first budget: the first naive run is the result.
    expect(said(auto(inst, { maxStates: 15_000, engine: 'compiled' }))).toMatchObject({
      kind: 'incomplete',
      ran: 'naive',
      states: 15_000,
      cut: [],
    });
    // Above it: naive is cut by its budget (thrown away), dfs finishes within the caller's limit.
    expect(said(auto(inst, { maxStates: 30_000, engine: 'compiled' }))).toMatchObject({
      kind: 'pass',
      ran: 'dfs',
      cut: ['naive 20000'],
    });
    // Turns first (naive 10, dfs 3, naive 80, dfs 20), then naive's next budget, 640, is above the
    // caller's 500: that run is capped by the caller, and it is the result.
    expect(said(auto(inst, { maxStates: 500, autoFirstBudget: 10, engine: 'compiled' }))).toMatchObject({
      kind: 'incomplete',
      ran: 'naive',
      states: 500,
      cut: ['naive 10', 'dfs 3', 'naive 80', 'dfs 20'],
    });
    const peterson = instantiate(model('peterson'));
    expect(auto(peterson, { maxStates: 5 })).toMatchObject({ kind: 'incomplete', reason: 'max-states' });
    expect(auto(peterson, { maxDepth: 3 })).toMatchObject({ kind: 'incomplete', reason: 'max-depth' });
  });

  test('stopping at the first violation: the run that meets it gives the result', () => {
    const inst = instantiate(model('peterson'), 'no-turn');
    const r = explore(inst, { strategy: 'auto', stopAtFirst: true, autoFirstBudget: 3 });
    expect(r).toMatchObject({ kind: 'violation', exhaustive: false });
    expect(r.kind !== 'error' && r.stats.auto!.length).toBeGreaterThan(0);
  });

  /** Which search finished, over the random models: both must, or the test checks one side only. */
  const won = { naive: 0, dfs: 0 };

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
    const r = takeTurns(run('naive'), run('dfs'), {
      autoFirstBudget: 4,
      maxStates: 200,
      timeLimitMs: 60_000,
      onProgress: (p) => reports.push(p),
    });
    // naive 4, dfs 1, naive 32, dfs 8, then naive 256 > the caller's 200: the caller's limit.
    expect(given.map((o) => o.maxStates)).toEqual([4, 1, 32, 8, 200]);
    expect(r).toMatchObject({
      kind: 'pass',
      stats: { strategy: 'naive', auto: [{ budget: 4 }, { budget: 1 }, { budget: 32 }, { budget: 8 }] },
    });
    for (const o of given) expect(o.timeLimitMs).toBeLessThanOrEqual(60_000);
    // Under auto's budgets, how far into the budget; under the caller's --max-states, the search's own.
    expect(reports.map((p) => p.estimate?.basis)).toEqual([
      "of auto's naive run's budget (4 states)",
      "of auto's dfs run's budget (1 states)",
      "of auto's naive run's budget (32 states)",
      "of auto's dfs run's budget (8 states)",
      progress.estimate!.basis,
    ]);
    expect(reports[2].estimate?.fraction).toBeCloseTo(7 / 32);
    expect(reports.every((p) => p.elapsedMs >= 5 && p.states === 7)).toBe(true);
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
  });

  test('random models with state-dependent footprints: the same', () => {
    fc.assert(
      fc.property(genModelStateDependent, fc.integer({ min: 1, max: 40 }), (m, first) => sameAsItsRun(m, first)),
      { numRuns: 30, seed: SEED },
    );
  });

  test('over those random models, both searches finished some (dfs less often: a quarter of the budget)', () => {
    expect(won.naive).toBeGreaterThan(30);
    expect(won.dfs).toBeGreaterThan(0);
  });
});
