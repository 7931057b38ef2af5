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
 *   node dist/bench/lang.js --engines [--model m] [--variants a,b] [--sizes 4,5]
 *                           [--strategies naive,dfs] [--runs 3] [--warmup 3] [--param p]
 *
 * instead compares the engines (reductions on, symmetry as declared): each strategy on the
 * reference engine and on the compiled engine (src/engine), which must store the same states;
 * one row per model, variant, size and strategy with states/s of each (CPU time of the search,
 * median of the runs: the machine is shared; each engine first runs `--warmup` times uncounted,
 * so both are measured with their code optimised by V8), the speed-up and the compiled visited
 * set's bytes a state. Default: every kernel model written in the language, every variant, at the
 * sizes KERNEL_SIZES gives (other models: 3,4,5): tens of minutes, mostly the reference engine's
 * runs; --model and --strategies shorten it.
 * A summary follows: per model and strategy, the speed-ups of the rows with at least 20,000 states
 * (smaller searches measure a first search's fixed costs) and the range of the smaller rows.
 *
 *   node dist/bench/lang.js --targets [--strategies auto,dfs,naive]
 *
 * runs issue 13's targets on the compiled engine alone: opt3-freeze-first at readers=6, and the
 * fix variants that hold at readers=8. An `auto` row says which search finished and how many runs
 * its budgets cut first (their time is in the row's).
 */
import { explore } from '../src/explore/explore.js';
import type { SearchResult, Stats } from '../src/explore/results/result.js';
import { ALL_REDUCTIONS, instantiateWith, isLangModel, NO_REDUCTIONS, type Reductions } from '../src/lang/index.js';
import type { Instance } from '../src/core/instantiate.js';
import type { Engine } from '../src/explore/explore.js';
import { STRATEGIES, strategiesWhere, type SearchStrategy as Strategy } from '../src/explore/strategies/registry.js';
import { models } from '../models/index.js';
import { BenchArgs, benchMain, UsageError } from './args.js';
import { fmt, median, middle, ms } from './format.js';

/** The stateful exhaustive searches: the ones whose state counts the reductions bench compares. */
const COUNTING = strategiesWhere((r) => r.proof === 'exhaustive' && r.reports.bytesPerState);

/**
 * The kernel models' size parameter and the sizes the engine comparison runs by default: sizes
 * at which the main variants' searches have 20,000 states or more (see MEASURABLE).
 */
const KERNEL_SIZES: Record<string, { param: string; sizes: string }> = {
  'migration-vs-fault': { param: 'readers', sizes: '4,5' },
  'mremap-vs-rmap-walk': { param: 'ptes', sizes: '6,8' },
  'rmap-vs-vma-adjust': { param: 'forks', sizes: '4' },
  'spf-seqcount': { param: 'readers', sizes: '1' },
  'put-and-wait-vs-migration': { param: 'readers', sizes: '2' },
};

/**
 * Rows with fewer states than this are listed but left out of the per-model summary: a search of
 * a few thousand states takes a few milliseconds, and what it measures is the fixed cost of a first
 * search (empty memos, V8 compiling the model's code), not the engine's states a second.
 */
const MEASURABLE = 20_000;

benchMain('bench/lang', () => {
  const args = new BenchArgs({
    model: 'value',
    variant: 'value',
    param: 'value',
    sizes: 'value',
    runs: 'value',
    strategy: 'value',
    engines: 'flag',
    variants: 'value',
    strategies: 'value',
    targets: 'flag',
    warmup: 'value',
  });
  if (args.flag('engines')) return compareEngines(args);
  if (args.flag('targets')) return targets(args);
  const name = args.value('model') ?? 'migration-vs-fault';
  const model = models.find((m) => m.name === name);
  if (!model) throw new UsageError(`no model '${name}'`);
  const variant = args.value('variant') ?? 'opt3-freeze-first';
  const param = args.value('param') ?? 'readers';
  const sizes = (args.value('sizes') ?? '4,5,6').split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n))) throw new UsageError('--sizes: a comma-separated list of integers');
  const runs = args.integer('runs', 3);
  const strategy = (args.value('strategy') ?? 'dfs') as Strategy;
  if (!COUNTING.includes(strategy)) throw new UsageError(`--strategy: ${COUNTING.join(', ')}`);

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

/** CPU milliseconds of `fn` (user + system of this process: the machine is shared). */
function cpu<T>(fn: () => T): { value: T; ms: number } {
  const t0 = process.cpuUsage();
  const value = fn();
  const d = process.cpuUsage(t0);
  return { value, ms: (d.user + d.system) / 1000 };
}

interface Measured {
  readonly states: number;
  readonly kind: string;
  readonly ms: number;
  readonly bytes: number;
}

function rate(m: Measured): string {
  return fmt(Math.round(m.states / (m.ms / 1000)));
}

function measureEngine(
  inst: () => Instance,
  strategy: Strategy,
  engine: Engine,
  runs: number,
  warmup: number,
): Measured {
  const times: number[] = [];
  let last: { kind: string; stats: Stats } | undefined;
  for (let i = 0; i < warmup + runs; i++) {
    // Built outside the timing: instantiating runs the compiler and its pre-pass, the same work
    // for both engines and no part of the search.
    const built = inst();
    const r = cpu(() => explore(built, { strategy, stopAtFirst: false, engine }));
    if (i >= warmup) times.push(r.ms);
    const res = r.value;
    // A model failing in the search is a bug (its stack kept); a search cut short is not a row.
    if (res.kind === 'error') throw new Error(`${engine} ${strategy}: ${res.message}`);
    if (res.kind === 'incomplete') throw new UsageError(`${engine} ${strategy}: incomplete (${res.reason})`);
    last = res;
  }
  return { states: last!.stats.states, kind: last!.kind, ms: median(times), bytes: last!.stats.bytesPerState };
}

/** Speed-ups by model and strategy, for the summary after the table. */
type Speedups = Map<string, { measured: number[]; small: number[] }>;

function summarise(speedups: Speedups): void {
  console.log(`\nsummary: speed-up over the rows with at least ${fmt(MEASURABLE)} states (smaller rows apart)`);
  console.log('model | strategy | rows | min | median | max | smaller rows');
  for (const [key, { measured, small }] of speedups) {
    const range = (xs: number[]) =>
      xs.length === 0 ? '–' : `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}×`;
    const stats =
      measured.length === 0
        ? '0 | – | – | –'
        : `${measured.length} | ${Math.min(...measured).toFixed(1)}× | ${middle(measured).toFixed(1)}× | ` +
          `${Math.max(...measured).toFixed(1)}×`;
    console.log(`${key} | ${stats} | ${small.length} (${range(small)})`);
  }
}

/** Every strategy asked for, reference against compiled, on the same instance. */
function compareEngines(args: BenchArgs): void {
  const name = args.value('model');
  const chosen = name
    ? models.filter((m) => m.name === name)
    : models.filter((m) => isLangModel(m) && KERNEL_SIZES[m.name] !== undefined);
  if (chosen.length === 0) throw new UsageError(`no model '${name}'`);
  const strategies = [...(args.choices('strategies', STRATEGIES) ?? ['naive', 'dfs'])] as Strategy[];
  const runs = args.integer('runs', 3);
  const warmup = args.count('warmup', 3);
  console.log(
    `compiled vs reference engine, reductions on, symmetry as declared, CPU time, median of ${runs} runs ` +
      `after ${warmup} uncounted (each engine, each row)`,
  );
  console.log('model/variant | param | strategy | states | reference st/s | compiled st/s | speed-up | B/state');
  const speedups: Speedups = new Map();
  for (const model of chosen) {
    const param = args.value('param') ?? KERNEL_SIZES[model.name]?.param ?? 'readers';
    const sizes = (args.value('sizes') ?? KERNEL_SIZES[model.name]?.sizes ?? '3,4,5').split(',').map(Number);
    if (sizes.some((n) => !Number.isInteger(n))) throw new UsageError('--sizes: a comma-separated list of integers');
    const variants = args.list('variants') ?? Object.keys(model.variants);
    for (const variant of variants)
      for (const n of sizes)
        for (const strategy of strategies) {
          const inst = () => instantiateWith(model, ALL_REDUCTIONS, variant, { [param]: n });
          const ref = measureEngine(inst, strategy, 'reference', runs, warmup);
          const vec = measureEngine(inst, strategy, 'compiled', runs, warmup);
          if (ref.states !== vec.states || ref.kind !== vec.kind)
            throw new Error(`engines disagree: ${ref.kind} ${ref.states} vs ${vec.kind} ${vec.states} states`);
          const speedup = ref.ms / vec.ms;
          console.log(
            `${model.name}/${variant} | ${param}=${n} | ${strategy} | ${fmt(vec.states)} | ${rate(ref)} | ` +
              `${rate(vec)} | ${speedup.toFixed(1)}× | ${vec.bytes.toFixed(1)}`,
          );
          const key = `${model.name} | ${strategy}`;
          const entry = speedups.get(key) ?? { measured: [], small: [] };
          (vec.states >= MEASURABLE ? entry.measured : entry.small).push(speedup);
          speedups.set(key, entry);
        }
  }
  summarise(speedups);
}

/** Issue 13's targets on the compiled engine: wall and CPU time, states/s, bytes a state. */
function targets(args: BenchArgs): void {
  const model = models.find((m) => m.name === 'migration-vs-fault')!;
  const strategies = [...(args.choices('strategies', STRATEGIES) ?? ['auto', 'dfs', 'naive'])] as Strategy[];
  const runs: [string, number][] = [
    ['opt3-freeze-first', 6],
    ...['x86-deferred', 'opt1-mkinvalid', 'opt2-xchg', 'opt3-freeze-first', 'opt5-recheck'].map(
      (v) => [v, 8] as [string, number],
    ),
  ];
  console.log('migration-vs-fault on the compiled engine, reductions on, symmetry, every property');
  console.log('variant | readers | strategy | verdict | states | wall s | CPU s | states/s | B/state');
  for (const [variant, readers] of runs)
    for (const strategy of strategies) {
      let inst: Instance;
      try {
        inst = instantiateWith(model, ALL_REDUCTIONS, variant, { readers });
      } catch (e) {
        console.log(`${variant} | ${readers} | ${strategy} | not run: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      const t0 = performance.now();
      const r = cpu(() => explore(inst, { strategy, stopAtFirst: false, engine: 'compiled' }));
      const wall = (performance.now() - t0) / 1000;
      const res = r.value;
      if (res.kind === 'error') throw new Error(`${variant}: ${res.message}`);
      const st = res.stats;
      const ran = st.auto === undefined ? strategy : `${strategy} → ${st.strategy} (${st.auto.length} cut)`;
      console.log(
        `${variant} | ${readers} | ${ran} | ${res.kind} | ${fmt(st.states)} | ${wall.toFixed(1)} | ` +
          `${(r.ms / 1000).toFixed(1)} | ${fmt(Math.round(st.states / (r.ms / 1000)))} | ${st.bytesPerState.toFixed(1)}`,
      );
    }
}
