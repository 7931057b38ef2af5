/**
 * The strategy table (src/explore/strategies/registry.ts) is what the CLI, explore() and the
 * reports read: every row is a `--strategy` the CLI accepts, runs a tiny model on both engines
 * with exact counts and the verdict its row promises, reports its own name; every option a row
 * does not take and every limit it refuses is a usage error (exit 2, one line).
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../../src/cli/app.js';
import type { Io } from '../../../src/cli/io.js';
import { instantiate } from '../../../src/core/instantiate.js';
import { explore } from '../../../src/explore/explore.js';
import {
  DEFAULT_STRATEGY,
  STRATEGIES,
  STRATEGY_OPTIONS,
  strategy,
  strategyRows,
  strategyWith,
  type SearchStrategy,
  type StrategyLimit,
  type StrategyOption,
} from '../../../src/explore/strategies/registry.js';
import type { JsonReport } from '../../../src/report/json.js';
import { models } from '../../../models/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: ROOT,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** peterson (34 dfs states, as test/cli pins), every strategy: states, transitions, executions. */
const PETERSON: Record<SearchStrategy, { states: number; transitions: number; executions?: number }> = {
  // Peterson's 42 states fit auto's first naive budget (20,000): naive's counts.
  auto: { states: 42, transitions: 58 },
  dfs: { states: 34, transitions: 36 },
  bfs: { states: 42, transitions: 58 },
  preempt: { states: 59, transitions: 80 },
  // Five walks of Peterson's 12 steps; it stores no states.
  random: { states: 0, transitions: 60, executions: 5 },
  naive: { states: 42, transitions: 58 },
  odpor: { states: 46, transitions: 45, executions: 4 },
};

/** The search a row's result names: auto's is the run that finished (naive on a model this small). */
const RAN: Partial<Record<SearchStrategy, string>> = { auto: 'naive' };
const ran = (s: SearchStrategy): string => RAN[s] ?? s;

/** The exit code and result a row's proof promises on a model that holds. */
const ON_A_PASS = { exhaustive: [0, 'pass'], bounded: [0, 'pass'], sampled: [3, 'incomplete'] } as const;

const own = (s: SearchStrategy, runs = 5): string[] =>
  strategy(s).takes.flatMap((o) => (o === 'seed' ? ['--seed', '1'] : o === 'runs' ? ['--runs', String(runs)] : []));

describe('the strategy table', () => {
  test('one row a strategy, in STRATEGIES order, the first the default', () => {
    expect(strategyRows().map((r) => r.name)).toEqual([...STRATEGIES]);
    expect(DEFAULT_STRATEGY).toBe('auto');
    expect(strategyWith('plain').name).toBe('naive');
    expect(strategyWith('reduced').name).toBe('dfs');
    expect(strategyWith('shortest').name).toBe('bfs');
    // --help joins the descriptions with semicolons.
    for (const r of strategyRows()) expect([r.name, r.describe]).toEqual([r.name, expect.not.stringContaining(';')]);
  });

  for (const s of STRATEGIES)
    for (const engine of ['reference', 'compiled'])
      test(`check --strategy ${s} --engine ${engine}: peterson's exact counts, the verdict its row promises`, async () => {
        const r = await cli('check', 'peterson', '--strategy', s, '--engine', engine, ...own(s), '--json');
        const report = JSON.parse(r.out) as JsonReport;
        const run = report.runs[0];
        const [code, result] = ON_A_PASS[strategy(s).proof];
        expect([r.code, run.result, run.strategy]).toEqual([code, result, ran(s)]);
        const { states, transitions, executions } = run.stats!;
        expect({ states, transitions, ...(executions !== undefined ? { executions } : {}) }).toEqual(PETERSON[s]);
        expect(r.err).toBe('');
      });

  test("explore(): each row's search names its own strategy in its statistics (auto: the run that finished)", () => {
    const inst = instantiate(
      models.find((m) => m.name === 'peterson')!,
      'no-turn',
    );
    for (const s of STRATEGIES) {
      const r = explore(inst, { strategy: s, runs: 5 });
      expect([s, r.kind === 'error' ? r.message : r.stats.strategy]).toEqual([s, ran(s)]);
    }
  });

  test('a violation: the strategies that stop at the first stop there; dfs and naive get the shortest trace', async () => {
    for (const s of STRATEGIES) {
      const r = await cli(
        'check',
        'peterson',
        '--variant',
        'no-turn',
        '--strategy',
        s,
        ...own(s, 200),
        '--width',
        '200',
      );
      expect([s, r.code]).toEqual([s, 1]);
      const scope = strategy(s).stopAtFirst
        ? `${s} search stopped at the first violation`
        : `exhaustive ${ran(s)} search`;
      expect([s, r.out]).toEqual([s, expect.stringContaining(`mutual-exclusion (${scope})`)]);
      const rerun = r.out.includes('shortest counterexample');
      expect([s, rerun]).toEqual([s, strategy(s).rerunShortest]);
    }
  });

  const VALUE: Record<StrategyOption, string[]> = {
    seed: ['--seed', '3'],
    runs: ['--runs', '3'],
    'preemption-bound': ['--preemption-bound', '2'],
    'compare-naive': ['--compare-naive'],
  };
  for (const s of STRATEGIES)
    test(`--strategy ${s}: an option it does not take, a limit it does not implement: exit 2, one line`, async () => {
      for (const o of STRATEGY_OPTIONS.filter((x) => !strategy(s).takes.includes(x))) {
        const r = await cli('check', 'peterson', '--strategy', s, ...VALUE[o]);
        expect([o, r.code, r.out]).toEqual([o, 2, '']);
        expect(r.err).toMatch(new RegExp(`^mmcheck: error: --${o} needs --strategy \\w+ \\(got --strategy ${s}\\)\n$`));
      }
      for (const limit of Object.keys(strategy(s).refuses) as StrategyLimit[]) {
        const r = await cli('check', 'peterson', '--strategy', s, `--${limit}`, '5');
        expect([limit, r.code, r.out]).toEqual([limit, 2, '']);
        expect(r.err).toMatch(new RegExp(`^mmcheck: error: --${limit} does not apply to --strategy ${s} \\(.+\\)\n$`));
      }
    });

  test('docs/strategies.md has a row for each strategy with its description', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/strategies.md'), 'utf8');
    for (const r of strategyRows())
      expect([r.name, doc]).toEqual([r.name, expect.stringContaining(`| \`${r.name}\` | ${r.describe} |`)]);
  });
});
