/**
 * Benchmark of the optimal DPOR search (strategy `odpor`, stateless) on the classic models:
 * for each model and size, the result, complete executions explored (one per Mazurkiewicz
 * trace), executions blocked by sleep sets (0 when optimal), states visited (with repeats: the
 * search keeps no state table), time (median of --runs runs) and executions/s. Every property
 * of the model is checked (stopAtFirst off). Uses only the library API.
 *
 *   npm run bench:odpor [-- --runs 3 --time 60 --only readers,lastzero]
 */
import { instantiate } from '../src/core/instantiate.js';
import { explore } from '../src/explore/explore.js';
import type { SearchResult } from '../src/explore/results/result.js';
import { models } from '../models/index.js';
import { BenchArgs, benchMain } from './args.js';
import { fmt, median, ms } from './format.js';

interface Plan {
  readonly model: string;
  readonly variant?: string;
  readonly sizes: readonly number[];
}

const PLANS: readonly Plan[] = [
  { model: 'readers', sizes: [4, 8, 12] },
  { model: 'lastzero', sizes: [4, 8, 12] },
  { model: 'indexer', sizes: [4, 8, 12, 13] },
  { model: 'filesystem', sizes: [4, 8, 12, 14, 16] },
  { model: 'philosophers', variant: 'naive', sizes: [3, 5, 7] },
  { model: 'philosophers', variant: 'ordered', sizes: [3, 5, 7] },
];

const { runs, timeLimitMs, only } = benchMain('bench:odpor', () => {
  const args = new BenchArgs({ runs: 'value', time: 'value', only: 'value' });
  return {
    runs: Math.max(1, Math.round(args.number('runs', 3))),
    timeLimitMs: args.number('time', 60) * 1000,
    only: args.choices(
      'only',
      PLANS.map((p) => p.model),
    ),
  };
});

function row(cells: readonly string[]): string {
  const widths = [22, 4, 11, 12, 9, 11, 10, 12];
  return cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' ');
}

function once(plan: Plan, n: number): SearchResult {
  const m = models.find((x) => x.name === plan.model)!;
  return explore(instantiate(m, plan.variant, { n }), { strategy: 'odpor', stopAtFirst: false, timeLimitMs });
}

console.log(`mmcheck odpor benchmark · ${new Date().toISOString()} · node ${process.version} · median of ${runs}`);
console.log(row(['model', 'n', 'result', 'executions', 'blocked', 'states', 'time ms', 'exec/s']));
for (const plan of PLANS) {
  if (only && !only.has(plan.model)) continue;
  for (const n of plan.sizes) {
    const results = Array.from({ length: runs }, () => once(plan, n));
    const r = results[0];
    const name = plan.variant ? `${plan.model}/${plan.variant}` : plan.model;
    if (r.kind === 'error') {
      console.log(row([name, String(n), 'error', r.message, '', '', '', '']));
      continue;
    }
    const t = median(results.map((x) => (x.kind === 'error' ? NaN : x.stats.timeMs)));
    const ex = r.stats.executions ?? 0;
    const kind = r.kind === 'incomplete' ? `incomplete` : r.kind;
    console.log(
      row([
        name,
        String(n),
        kind,
        fmt(ex),
        fmt(r.stats.sleepBlocked ?? 0),
        fmt(r.stats.states),
        ms(t),
        fmt(Math.round((ex / Math.max(t, 0.1)) * 1000)),
      ]),
    );
  }
}
