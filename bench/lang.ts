/**
 * The model-language compiler's reductions on a kernel model: states and time with the
 * reductions on and off, same model, same search (dfs with symmetry, every property).
 *
 *   node dist/bench/lang.js [--model migration-vs-fault] [--variant opt3-freeze-first]
 *                           [--param readers] [--sizes 4,5,6] [--runs 3] [--strategy dfs]
 *
 * Prints one row per size: states and median time with the reductions off, then on, and the
 * ratios. A search cut short is an error (the bench has no limits: choose sizes that finish).
 *
 *   node dist/bench/lang.js --engines [--sizes 1,2,3]
 *
 * instead compares the engines: the naive search without symmetry (reductions on) on the
 * reference engine and on the compiled engine (src/engine), which must store the same states.
 */
import { explore } from '../src/explore/explore.js';
import type { SearchResult } from '../src/explore/result.js';
import { ALL_REDUCTIONS, instantiateWith, NO_REDUCTIONS, type Reductions } from '../src/lang/index.js';
import type { Model } from '../src/core/model.js';
import { models } from '../models/index.js';
import { BenchArgs, benchMain, UsageError } from './args.js';
import { fmt, median, ms } from './format.js';

benchMain('bench/lang', () => {
  const args = new BenchArgs({
    model: 'value',
    variant: 'value',
    param: 'value',
    sizes: 'value',
    runs: 'value',
    strategy: 'value',
    engines: 'flag',
  });
  const name = args.value('model') ?? 'migration-vs-fault';
  const model = models.find((m) => m.name === name);
  if (!model) throw new UsageError(`no model '${name}'`);
  const variant = args.value('variant') ?? 'opt3-freeze-first';
  const param = args.value('param') ?? 'readers';
  const sizes = (args.value('sizes') ?? '4,5,6').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n))) throw new UsageError('--sizes: a comma-separated list of integers');
  const runs = args.integer('runs', 3);
  const strategy = (args.value('strategy') ?? 'dfs') as 'dfs' | 'naive' | 'bfs';
  if (!['dfs', 'naive', 'bfs'].includes(strategy)) throw new UsageError('--strategy: dfs, naive or bfs');

  const measure = (red: Reductions, n: number) => {
    const times: number[] = [];
    let states = 0;
    let kind = '';
    for (let i = 0; i < runs; i++) {
      const inst = instantiateWith(model, red, variant, { [param]: n });
      const t0 = performance.now();
      const r: SearchResult = explore(inst, { strategy, stopAtFirst: false });
      times.push(performance.now() - t0);
      if (r.kind === 'error' || r.kind === 'incomplete')
        throw new UsageError(`${name}/${variant} ${param}=${n}: ${r.kind}`);
      states = r.stats.states;
      kind = r.kind;
    }
    return { states, ms: median(times), kind };
  };

  if (args.flag('engines')) return compareEngines(model, variant, param, sizes, runs);
  console.log(`${name}/${variant}, ${strategy} (symmetry as declared), median of ${runs} runs`);
  console.log(`${param} | off: states, ms | on: states, ms | states on/off | time on/off`);
  for (const n of sizes) {
    const off = measure(NO_REDUCTIONS, n);
    const on = measure(ALL_REDUCTIONS, n);
    if (off.kind !== on.kind) throw new Error(`verdicts differ: off ${off.kind}, on ${on.kind}`);
    console.log(
      `${n} | ${fmt(off.states)}, ${ms(off.ms)} | ${fmt(on.states)}, ${ms(on.ms)} | ` +
        `${(on.states / off.states).toFixed(2)} | ${(on.ms / off.ms).toFixed(2)}`,
    );
  }
});

/** Naive search, no symmetry, reductions on: the reference engine against the compiled one. */
function compareEngines(model: Model, variant: string, param: string, sizes: readonly number[], runs: number): void {
  console.log(`${model.name}/${variant}, naive without symmetry, median of ${runs} runs`);
  console.log(`${param} | states | reference ms | compiled ms | speed-up`);
  for (const n of sizes) {
    const one = (engine: 'reference' | 'compiled') => {
      const times: number[] = [];
      let states = -1;
      for (let i = 0; i < runs; i++) {
        const inst = instantiateWith(model, ALL_REDUCTIONS, variant, { [param]: n });
        const t0 = performance.now();
        const r = explore(inst, { strategy: 'naive', stopAtFirst: false, symmetry: false, engine });
        times.push(performance.now() - t0);
        if (r.kind === 'error' || r.kind === 'incomplete') throw new UsageError(`${engine} ${param}=${n}: ${r.kind}`);
        states = r.stats.states;
      }
      return { states, ms: median(times) };
    };
    const ref = one('reference');
    const vec = one('compiled');
    if (ref.states !== vec.states) throw new Error(`engines disagree: ${ref.states} vs ${vec.states} states`);
    console.log(`${n} | ${fmt(ref.states)} | ${ms(ref.ms)} | ${ms(vec.ms)} | ${(ref.ms / vec.ms).toFixed(2)}`);
  }
}
