/**
 * Benchmark of the shipped models: naive search against the reduced (dfs) search. Classic
 * models are searched exhaustively (every property); each migration-vs-fault variant is run to
 * its verdict (stop at the first violation, as SPIN does) for readers = 1..4. A second table runs
 * every migration-vs-fault variant for readers = 1..6 with symmetry reduction on (the default)
 * and off (limited by --off-time seconds), to its verdict.
 *
 *   npm run bench [-- --max-states 3000000 --naive-time 20 --off-time 60 --on-time 300 --runs 3 --only readers,lastzero]
 *   npm run bench -- --only symmetry     (just the symmetry table)
 *
 * For each model and size: naive states, transitions, time and states/s (limited by
 * --max-states and --naive-time seconds; a run cut short is printed as "incomplete" with what it
 * reached), then the dfs search: states, transitions, time (median of --runs runs), states/s,
 * bytes/state (the search's own tables, per state), and the reduction ratio naive states / dfs
 * states (">" when the naive run was incomplete). Uses only the library API.
 */
import { instantiate } from '../src/core/instantiate.js';
import type { Model } from '../src/core/model.js';
import { explore } from '../src/explore/explore.js';
import type { SearchResult } from '../src/explore/results/result.js';
import { models } from '../models/index.js';
import { BenchArgs, benchMain } from './args.js';
import { fmt, median, ms } from './format.js';

interface Plan {
  readonly model: string;
  readonly variant?: string;
  /** The parameter the sizes set (default `n`). */
  readonly param?: string;
  readonly sizes: readonly number[];
  /** Stop at the first violation (time to verdict) instead of checking every property. */
  readonly toVerdict?: boolean;
}

const KERNEL = models.find((m) => m.name === 'migration-vs-fault')!;

const PLANS: readonly Plan[] = [
  { model: 'philosophers', variant: 'naive', sizes: [3, 5, 7] },
  { model: 'philosophers', variant: 'ordered', sizes: [3, 5, 7] },
  { model: 'readers', sizes: [4, 8, 12] },
  { model: 'lastzero', sizes: [4, 8, 12] },
  { model: 'indexer', sizes: [4, 8, 12] },
  { model: 'filesystem', sizes: [4, 8, 12] },
  // Issue 4 and 5 models: each scales with one parameter (merged fixes exhaustively, bugs to the verdict).
  { model: 'rmap-vs-vma-adjust', variant: 'merged', param: 'forks', sizes: [1, 2, 4] },
  { model: 'rmap-vs-vma-adjust', variant: 'v2.6.34-rc', param: 'forks', sizes: [1, 2, 4], toVerdict: true },
  { model: 'mremap-vs-rmap-walk', variant: 'need-rmap-locks', param: 'ptes', sizes: [1, 2, 4, 8] },
  { model: 'mremap-vs-rmap-walk', variant: 'after-486cf46f', param: 'ptes', sizes: [1, 2, 4, 8], toVerdict: true },
  { model: 'put-and-wait-vs-migration', variant: 'iomap-fixed', param: 'faults', sizes: [1, 2] },
  { model: 'put-and-wait-vs-migration', variant: 'v5.17', param: 'faults', sizes: [1, 2, 3] },
  { model: 'put-and-wait-vs-migration', variant: 'v5.0-rc4', param: 'faults', sizes: [1, 2, 3], toVerdict: true },
  { model: 'spf-seqcount', variant: 'raw-sections', param: 'readers', sizes: [0, 1] },
  ...Object.keys(KERNEL.variants).map((variant) => ({
    model: KERNEL.name,
    variant,
    param: 'readers',
    sizes: [1, 2, 3, 4],
    toVerdict: true,
  })),
];

const { maxStates, offTimeMs, onTimeMs, naiveTimeMs, runs, only } = benchMain('bench', () => {
  const args = new BenchArgs({
    'max-states': 'value',
    'off-time': 'value',
    'on-time': 'value',
    'naive-time': 'value',
    runs: 'value',
    only: 'value',
  });
  return {
    maxStates: args.number('max-states', 3_000_000),
    offTimeMs: args.number('off-time', 60) * 1000,
    onTimeMs: args.number('on-time', 300) * 1000,
    naiveTimeMs: args.number('naive-time', 20) * 1000,
    runs: Math.max(1, Math.round(args.number('runs', 3))),
    only: args.choices('only', [...PLANS.map((p) => p.model), 'symmetry']),
  };
});

const rate = (states: number, t: number) => fmt(Math.round((states / Math.max(t, 0.1)) * 1000));

function stats(r: SearchResult) {
  if (r.kind === 'error') throw new Error(r.message);
  return r.stats;
}

const header = [
  'model',
  'size',
  'sym',
  'verdict',
  'naive states',
  'naive trans',
  'naive ms',
  'naive st/s',
  'dfs states',
  'dfs trans',
  'dfs ms (median)',
  'dfs st/s',
  'dfs B/state',
  'reduction',
];
const rows: string[][] = [];
const started = performance.now();

for (const plan of PLANS) {
  if (only && !only.has(plan.model)) continue;
  const model: Model | undefined = models.find((m) => m.name === plan.model);
  if (!model) throw new Error(`no model ${plan.model}`);
  for (const n of plan.sizes) {
    const inst = instantiate(model, plan.variant, { [plan.param ?? 'n']: n });
    const stopAtFirst = plan.toVerdict === true;
    // The naive search is the unreduced reference: no symmetry either.
    const naive = explore(inst, {
      strategy: 'naive',
      stopAtFirst,
      maxStates,
      timeLimitMs: naiveTimeMs,
      symmetry: false,
    });
    const ns = stats(naive);
    const incomplete = naive.kind === 'incomplete' ? naive.reason : null;
    // A model that declares symmetry gets a row with it (the default) and one without.
    for (const symmetry of inst.program.symmetry ? [true, false] : [true]) {
      const dfsRuns = Array.from({ length: runs }, () => explore(inst, { strategy: 'dfs', stopAtFirst, symmetry }));
      const ds = stats(dfsRuns[0]);
      if (dfsRuns[0].kind === 'incomplete') throw new Error(`dfs incomplete on ${plan.model} ${n}`);
      const dt = median(dfsRuns.map((r) => stats(r).timeMs));
      const name = plan.variant ? `${plan.model}/${plan.variant}` : plan.model;
      const verdict = dfsRuns[0].kind === 'violation' ? `violated: ${dfsRuns[0].violation.property}` : dfsRuns[0].kind;
      const row = [
        name,
        `${plan.param ?? 'n'}=${n}`,
        ds.symmetry === undefined ? '-' : ds.symmetry ? 'on' : 'off',
        verdict,
        incomplete ? `>${fmt(ns.states)} (incomplete: ${incomplete})` : fmt(ns.states),
        fmt(ns.transitions),
        ms(ns.timeMs),
        rate(ns.states, ns.timeMs),
        fmt(ds.states),
        fmt(ds.transitions),
        ms(dt),
        rate(ds.states, dt),
        ds.bytesPerState.toFixed(1),
        `${incomplete ? '>' : ''}${(ns.states / Math.max(1, ds.states)).toFixed(1)}`,
      ];
      rows.push(row);
      console.error(`  ${row.join('  ')}`);
    }
  }
}

function table(head: string[], body: string[][], left: number): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) =>
    '| ' + r.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  console.log(line(head));
  console.log(
    '|' + widths.map((w, i) => (i < left ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|',
  );
  for (const r of body) console.log(line(r));
}

// Symmetry on/off: every migration-vs-fault variant, readers = 1..6, to its verdict.
const symHeader = [
  'variant',
  'readers',
  'verdict',
  'on: states',
  'on: trans',
  'on: ms',
  'on: st/s',
  'on: B/state',
  'off: states',
  'off: ms',
  'off: st/s',
  'off/on states',
];
const symRows: string[][] = [];
if (!only || only.has('symmetry'))
  for (const variant of Object.keys(KERNEL.variants))
    for (let readers = 1; readers <= 6; readers++) {
      const inst = instantiate(KERNEL, variant, { readers });
      const on = explore(inst, { strategy: 'dfs', stopAtFirst: true, timeLimitMs: onTimeMs });
      const so = stats(on);
      const onCut = on.kind === 'incomplete' ? on.reason : null;
      const off = explore(inst, {
        strategy: 'dfs',
        stopAtFirst: true,
        symmetry: false,
        maxStates,
        timeLimitMs: offTimeMs,
      });
      const sf = stats(off);
      const cut = off.kind === 'incomplete' ? off.reason : null;
      const verdict =
        on.kind === 'violation' ? `violated: ${on.violation.property}` : onCut ? `incomplete (${onCut})` : on.kind;
      const row = [
        variant,
        String(readers),
        verdict,
        onCut ? `>${fmt(so.states)}` : fmt(so.states),
        fmt(so.transitions),
        ms(so.timeMs),
        rate(so.states, so.timeMs),
        so.bytesPerState.toFixed(1),
        cut ? `>${fmt(sf.states)} (${cut})` : fmt(sf.states),
        ms(sf.timeMs),
        rate(sf.states, sf.timeMs),
        onCut ? '?' : `${cut ? '>' : ''}${(sf.states / Math.max(1, so.states)).toFixed(1)}`,
      ];
      symRows.push(row);
      console.error(`  ${row.join('  ')}`);
    }

console.log(
  `\nnaive (limit ${fmt(maxStates)} states, ${naiveTimeMs / 1000} s) vs dfs (median of ${runs} runs); node ${process.version}`,
);
table(header, rows, 4);
if (symRows.length > 0) {
  console.log(
    `\nmigration-vs-fault, dfs to the verdict, symmetry on vs off (off limited to ${fmt(maxStates)} states, ${offTimeMs / 1000} s)`,
  );
  table(symHeader, symRows, 3);
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
