/**
 * The strategy table: one row per search strategy, and the only place that says what a strategy
 * is. explore() runs a row's search; the CLI takes its choices, help text and option checks from
 * the rows; the reports, `--compare-naive` and `--sanity` read them. Adding a strategy is one
 * module with its search and one row here (docs/strategies.md shows the steps).
 */
import { searchVecDpor } from '../../engine/dpor-states.js';
import { searchAuto, searchVecAuto, type AutoOptions } from './auto.js';
import { searchVecNaive } from '../../engine/naive.js';
import type { VecSystem } from '../../engine/system.js';
import { searchBfs } from './bfs.js';
import { searchDpor } from './dpor/dpor.js';
import { searchNaive } from './naive.js';
import { searchOdpor } from './odpor/odpor.js';
import { searchPreempt, type PreemptOptions } from './preempt.js';
import { searchRandom, type RandomOptions } from './random.js';
import type { SearchResult } from '../results/result.js';
import type { TransitionSystem } from '../system/transition.js';

/** The strategies, in the order the CLI lists them; the first is the default. */
export const STRATEGIES = ['auto', 'dfs', 'bfs', 'preempt', 'random', 'naive', 'odpor'] as const;
export type SearchStrategy = (typeof STRATEGIES)[number];
export const DEFAULT_STRATEGY: SearchStrategy = STRATEGIES[0];

/** What every strategy's search takes: the common search options and every strategy's own. */
export interface StrategyOptions extends PreemptOptions, RandomOptions, AutoOptions {}

/** A search over any transition system: the reference engine's or the compiled engine's. */
export type Search = <S>(sys: TransitionSystem<S>, opts: StrategyOptions) => SearchResult;

/** `check` options that only some strategies take; every other strategy refuses them (exit 2). */
export const STRATEGY_OPTIONS = ['seed', 'runs', 'preemption-bound', 'compare-naive'] as const;
export type StrategyOption = (typeof STRATEGY_OPTIONS)[number];

/** The limits a strategy may not implement (every strategy implements --time-limit and --max-memory). */
export type StrategyLimit = 'max-states' | 'max-depth';

/**
 * What a result of the strategy can prove. `exhaustive`: a PASS is a proof. `bounded`: a PASS
 * only when the strategy's own bound cut nothing, else INCOMPLETE naming the bound. `sampled`:
 * never a PASS; without a violation the result is INCOMPLETE (sampled).
 */
export type Proof = 'exhaustive' | 'bounded' | 'sampled';

export interface StrategyRow {
  readonly name: SearchStrategy;
  /** One line without semicolons (`--help` joins the rows with them), for `--help` and the docs. */
  readonly describe: string;
  /** The search, generic over the engine. */
  readonly search: Search;
  /** The compiled engine's own search, where it has one; else `search` runs on the compiled engine too. */
  readonly searchCompiled?: (sys: VecSystem, opts: StrategyOptions) => SearchResult;
  /** Stores one state per orbit of the model's declared thread symmetry (`--no-symmetry` turns it off). */
  readonly symmetry: boolean;
  /** Every interleaving, no footprints, no reduction: the reference of --compare-naive and --sanity. */
  readonly plain: boolean;
  /** The stateful partial-order reduction: --sanity's reference when the plain search is the one that ran. */
  readonly reduced: boolean;
  /** Its first counterexample of a property is a shortest one: the search `check` reruns for them. */
  readonly shortest: boolean;
  /** `check` reruns the shortest search for each property it finds violated. */
  readonly rerunShortest: boolean;
  /** The options of STRATEGY_OPTIONS it takes. */
  readonly takes: readonly StrategyOption[];
  /** The limits it does not implement, each with why: `check` refuses them rather than ignore them. */
  readonly refuses: Readonly<Partial<Record<StrategyLimit, string>>>;
  /** `check` stops at the first violation; the others collect the first violation of each property. */
  readonly stopAtFirst: boolean;
  readonly proof: Proof;
  /** What the summary prints: distinct states visited, bytes a stored state, the depth reached. */
  readonly reports: { readonly states: boolean; readonly bytesPerState: boolean; readonly depth: boolean };
}

const STATEFUL = { states: true, bytesPerState: true, depth: true } as const;

const TABLE: { readonly [K in SearchStrategy]: StrategyRow & { readonly name: K } } = {
  auto: {
    name: 'auto',
    describe: 'naive and dfs in turns under growing state budgets, the first to finish gives the result (the default)',
    search: searchAuto,
    searchCompiled: searchVecAuto,
    symmetry: true,
    plain: false,
    reduced: false,
    shortest: false,
    rerunShortest: true,
    takes: [],
    refuses: {},
    stopAtFirst: false,
    proof: 'exhaustive',
    reports: STATEFUL,
  },
  dfs: {
    name: 'dfs',
    describe: 'stateful search with dynamic partial-order reduction',
    search: searchDpor,
    searchCompiled: searchVecDpor,
    symmetry: true,
    plain: false,
    reduced: true,
    shortest: false,
    rerunShortest: true,
    takes: ['compare-naive'],
    refuses: {},
    stopAtFirst: false,
    proof: 'exhaustive',
    reports: STATEFUL,
  },
  bfs: {
    name: 'bfs',
    describe: 'breadth-first, shortest counterexamples',
    search: searchBfs,
    symmetry: true,
    plain: false,
    reduced: false,
    shortest: true,
    rerunShortest: false,
    takes: [],
    refuses: {},
    stopAtFirst: false,
    proof: 'exhaustive',
    reports: STATEFUL,
  },
  preempt: {
    name: 'preempt',
    describe: 'fewest preemptions first, up to --preemption-bound',
    search: searchPreempt,
    symmetry: false,
    plain: false,
    reduced: false,
    shortest: false,
    rerunShortest: false,
    takes: ['preemption-bound'],
    refuses: {
      'max-depth': 'it searches by preemption count; bound it with --preemption-bound, --max-states or --time-limit',
    },
    stopAtFirst: false,
    proof: 'bounded',
    // Its depth is counted in preemptions: the summary shows the bound reached instead.
    reports: { states: true, bytesPerState: true, depth: false },
  },
  random: {
    name: 'random',
    describe: 'random walks (--runs schedules from --seed), never a proof',
    search: searchRandom,
    symmetry: false,
    plain: false,
    reduced: false,
    shortest: false,
    rerunShortest: false,
    takes: ['seed', 'runs'],
    refuses: { 'max-states': 'a random walk stores no states; --runs and --max-depth bound the walks' },
    // A walk stops at its first violation, which fast-check then shrinks.
    stopAtFirst: true,
    proof: 'sampled',
    // It stores no states: its work is counted in schedules and transitions.
    reports: { states: false, bytesPerState: false, depth: true },
  },
  naive: {
    name: 'naive',
    describe: 'every interleaving, no reduction (the reference)',
    search: searchNaive,
    searchCompiled: searchVecNaive,
    symmetry: true,
    plain: true,
    reduced: false,
    shortest: false,
    rerunShortest: true,
    takes: [],
    refuses: {},
    stopAtFirst: false,
    proof: 'exhaustive',
    reports: STATEFUL,
  },
  odpor: {
    name: 'odpor',
    describe: 'stateless optimal DPOR, one execution per Mazurkiewicz trace, finite executions only',
    search: searchOdpor,
    symmetry: false,
    plain: false,
    reduced: false,
    shortest: false,
    rerunShortest: false,
    takes: [],
    refuses: { 'max-states': 'a stateless search stores no states; bound it with --max-depth or --time-limit' },
    stopAtFirst: false,
    proof: 'exhaustive',
    // Stateless: it visits states (with repeats) but stores none.
    reports: { states: true, bytesPerState: false, depth: true },
  },
};

/** The row of a strategy. */
export function strategy(name: SearchStrategy): StrategyRow {
  return TABLE[name];
}

/** Every row, in STRATEGIES order. */
export function strategyRows(): readonly StrategyRow[] {
  return STRATEGIES.map((s) => TABLE[s]);
}

/** The row of a name found in a result (`Stats.strategy`), or undefined for a name no row has. */
export function strategyNamed(name: string): StrategyRow | undefined {
  return (STRATEGIES as readonly string[]).includes(name) ? TABLE[name as SearchStrategy] : undefined;
}

/** The one row with `flag` set: the plain search, the reduced search, the shortest-counterexample search. */
export function strategyWith(flag: 'plain' | 'reduced' | 'shortest'): StrategyRow {
  const rows = strategyRows().filter((r) => r[flag]);
  if (rows.length !== 1) throw new Error(`internal error: ${rows.length} strategies are '${flag}', not one`);
  return rows[0];
}

/** The strategies that take an option, e.g. `random` for --seed. */
export function strategiesTaking(option: StrategyOption): SearchStrategy[] {
  return strategyRows()
    .filter((r) => r.takes.includes(option))
    .map((r) => r.name);
}

/** The strategies with a property, for help text: `dfs, naive, bfs`. */
export function strategiesWhere(pred: (r: StrategyRow) => boolean): SearchStrategy[] {
  return strategyRows()
    .filter(pred)
    .map((r) => r.name);
}
