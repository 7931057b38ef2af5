import type { ModelErrorCode } from '../../core/errors.js';
import type { PropertyKind } from '../../core/property.js';

/**
 * The name of the strategy that searched: a row of the strategy table (strategies/registry.ts,
 * which imports the searches and so cannot be imported here; its test checks each search names
 * its own row).
 */
export type Strategy = string;

/** One changed location between two states of a trace (`refcount 2→3`). */
export interface Change {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** A thread-local variable of the stepping thread, not shared state. */
  readonly local?: boolean;
}

export interface TraceStep {
  readonly tid: number;
  readonly thread: string;
  readonly label: string;
  readonly changes: readonly Change[];
  /**
   * A step the compiler merged (a locked section, thread-local computations): its kernel steps,
   * in order, each with its own changes (src/lang/parts.ts). Absent for a step of one part.
   */
  readonly parts?: readonly TracePart[];
}

/** One kernel step inside a merged step: its label, changes, call chain and note. */
export interface TracePart {
  readonly label: string;
  readonly changes: readonly Change[];
  readonly chain?: readonly string[];
  readonly note?: string;
}

export interface Trace {
  readonly threads: readonly string[];
  readonly steps: readonly TraceStep[];
  /** Compact schedule string; `mmcheck replay --schedule` takes it. */
  readonly schedule: string;
}

export interface Violation {
  readonly property: string;
  readonly kind: PropertyKind;
  readonly message: string;
  readonly trace: Trace;
}

export interface Stats {
  readonly strategy: Strategy;
  /** The properties this search checked (a subset when `properties` was given). */
  readonly checked: readonly string[];
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly timeMs: number;
  readonly peakHeapBytes: number;
  /** Peak resident memory of the whole process (JS heap, off-heap state tables, code). */
  readonly peakRssBytes?: number;
  readonly bytesPerState: number;
  /**
   * DPOR: states reached whose every enabled step was asleep. Optimal DPOR (odpor): executions
   * blocked by sleep sets (0 when the search is optimal).
   */
  readonly sleepBlocked?: number;
  /** Random walk: schedules run. Replay: 1. Optimal DPOR: complete (maximal) executions explored. */
  readonly executions?: number;
  /** Preemption search: the bound reached. */
  readonly preemptions?: number;
  /** Upper bound on the chance that hash compaction merged two distinct states. */
  readonly collisionBound?: number;
  /** Symmetry reduction: true when the model declares symmetry and the search used it, false when turned off. */
  readonly symmetry?: boolean;
  /** naive states / reduced states, when both searches ran. */
  readonly reductionRatio?: number;
  /** The engine the search ran on (explore sets it): `reference` (states as objects) or `compiled` (flat vectors). */
  readonly engine?: 'reference' | 'compiled';
  /**
   * `--strategy auto`: the runs its state budgets (or the caller's --max-states) cut short before
   * the one that gave this result (`strategy` says which that was; strategies/auto.ts). Their
   * time is in `timeMs`.
   */
  readonly auto?: readonly AutoRun[];
}

/** A run of `--strategy auto` cut short by its state budget (or the caller's --max-states), and thrown away. */
export interface AutoRun {
  readonly strategy: 'naive' | 'dfs';
  /** The state limit it reached: auto's budget, or the caller's --max-states when that was lower. */
  readonly budget: number;
  readonly timeMs: number;
}

/**
 * Why a search stopped short: a limit it was given, a bound of the strategy, or a request from
 * the caller (`stop`, e.g. the CLI on Ctrl-C: 'signal'), or the memory bound (`maxMemoryBytes`).
 */
export type IncompleteReason =
  'max-states' | 'max-depth' | 'time' | 'memory' | 'signal' | 'preemption-bound' | 'sampled';

export type SearchResult =
  | { readonly kind: 'pass'; readonly stats: Stats }
  | {
      readonly kind: 'violation';
      readonly violation: Violation;
      readonly violations: readonly Violation[];
      /** True when the whole space was searched (stopAtFirst off): unlisted properties hold. */
      readonly exhaustive: boolean;
      readonly stats: Stats;
    }
  | {
      readonly kind: 'incomplete';
      readonly reason: IncompleteReason;
      readonly violations: readonly Violation[];
      readonly stats: Stats;
    }
  | { readonly kind: 'error'; readonly message: string; readonly code: ModelErrorCode };

export interface Limits {
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly timeLimitMs?: number;
  /** Resident memory of the process (rss) at which the search stops ('memory'). */
  readonly maxMemoryBytes?: number;
  /**
   * Polled with the other limits (every 4096 transitions): a reason to stop now, or null. The
   * library installs no signal handler; a caller that wants Ctrl-C sets a flag this reads.
   */
  readonly stop?: () => IncompleteReason | null;
}

/** How much of the work is done, where the strategy can tell, and what that estimate rests on. */
export interface ProgressEstimate {
  /** 0..1 */
  readonly fraction: number;
  readonly basis: string;
}

export interface Progress {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queue: number;
  readonly elapsedMs: number;
  /** The time the states were counted in, when less than `elapsedMs` (auto: the current run's); the rate uses it. */
  readonly runMs?: number;
  /** Resident memory of the process now. */
  readonly rssBytes: number;
  readonly estimate?: ProgressEstimate;
}

export interface SearchOptions extends Limits {
  /** Check only these properties (default: all, deadlock freedom included). */
  readonly properties?: readonly string[];
  /** Stop at the first violation (default). When false, collect the first of each property. */
  readonly stopAtFirst?: boolean;
  /** Called about once a second on long runs. */
  readonly onProgress?: (p: Progress) => void;
}
