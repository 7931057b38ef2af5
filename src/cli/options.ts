/** Turning command-line values into checked numbers, parameters and search options. */
import type { Instance } from '../core/instantiate.js';
import type { EngineChoice, ExploreOptions } from '../explore/explore.js';
import {
  DEFAULT_STRATEGY,
  STRATEGY_OPTIONS,
  strategiesTaking,
  strategy,
  type SearchStrategy,
  type StrategyLimit,
  type StrategyOption,
} from '../explore/strategies/registry.js';
import { UsageError } from './errors.js';
import { parseSize } from './memory.js';

/** A raw command-line value as text (yargs gives strings, numbers, booleans, or arrays of them). */
export function rawText(v: unknown): string {
  if (Array.isArray(v)) return v.map(rawText).join(', ');
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** `--param k=v` (repeatable) → `{ k: v }`. */
export function parseParams(raw: unknown): Record<string, number> {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*(-?\d+)\s*$/.exec(String(item));
    if (!m) throw new UsageError(`bad --param '${String(item)}': expected NAME=INTEGER, e.g. --param pages=2`);
    if (m[1] in out) throw new UsageError(`--param ${m[1]} given twice`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** The options that may be given more than once (`--param`, `--property`); `_` holds the positionals. */
const REPEATABLE = new Set(['_', 'param', 'property']);

/**
 * Refuse a single-valued option given more than once (yargs collects the values in an array,
 * which would reach the commands as one garbled value: `--schedule 0 --schedule 1`).
 * camelCase keys are yargs' aliases of the dashed names and are skipped.
 */
export function refuseRepeats(argv: Readonly<Record<string, unknown>>): void {
  for (const [name, v] of Object.entries(argv))
    if (Array.isArray(v) && !REPEATABLE.has(name) && !/[A-Z]/.test(name))
      throw new UsageError(`--${name} given ${v.length} times (${v.map(String).join(', ')}); it takes one value`);
}

/**
 * A boolean option given a value other than true/false (`--sanity=foo`): yargs reads it as false
 * and the run would silently go without the check; refuse it instead.
 */
export function refuseBooleanValues(args: readonly string[], booleans: readonly string[]): void {
  for (const a of args) {
    const m = /^--(?:no-)?([^=]+)=(.*)$/.exec(a);
    if (m && booleans.includes(m[1]) && m[2] !== 'true' && m[2] !== 'false')
      throw new UsageError(`--${m[1]} is a switch: give --${m[1]} or --no-${m[1]}, not '${m[2]}'`);
  }
}

export function strings(raw: unknown): string[] {
  return raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String);
}

/** A whole number ≥ min, or undefined when the option is absent. */
export function intOption(name: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Array.isArray(v) ? NaN : Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min} (got ${rawText(v)})`);
  return n;
}

export function secondsOption(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Array.isArray(v) ? NaN : Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number of seconds (got ${rawText(v)})`);
  return n * 1000;
}

/** `--max-memory SIZE` in bytes (`4G`, `512M`; a bare number is MiB), or undefined when absent. */
export function memoryOption(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Array.isArray(v) ? null : parseSize(rawText(v));
  if (n === null) throw new UsageError(`--max-memory must be a size such as 4G, 512M or 800 (MiB) (got ${rawText(v)})`);
  return n;
}

export interface SearchArgs {
  readonly strategy?: string;
  readonly 'max-states'?: unknown;
  readonly 'max-depth'?: unknown;
  readonly 'time-limit'?: unknown;
  readonly 'max-memory'?: unknown;
  readonly seed?: unknown;
  readonly runs?: unknown;
  readonly 'preemption-bound'?: unknown;
  readonly 'compare-naive'?: boolean;
  readonly symmetry?: boolean;
  readonly engine?: string;
  /** The model-language compiler's reductions (default on; `--no-reductions`). */
  readonly reductions?: boolean;
}

/** The flags of SearchArgs that only some strategies take (the strategy table's STRATEGY_OPTIONS). */
const given = (a: SearchArgs, option: StrategyOption): boolean =>
  option === 'compare-naive' ? a['compare-naive'] === true : a[option] !== undefined;

/**
 * The search options of `check`, refusing contradictory combinations: an option the strategy
 * does not take, a limit it does not implement (refused rather than silently ignored).
 */
export function searchOptions(a: SearchArgs): ExploreOptions & { strategy: SearchStrategy } {
  const row = strategy((a.strategy ?? DEFAULT_STRATEGY) as SearchStrategy);
  for (const option of STRATEGY_OPTIONS)
    if (given(a, option) && !row.takes.includes(option))
      throw new UsageError(
        `--${option} needs --strategy ${strategiesTaking(option).join(' or ')} (got --strategy ${row.name})`,
      );
  for (const [name, why] of Object.entries(row.refuses) as [StrategyLimit, string][])
    if (a[name] !== undefined) throw new UsageError(`--${name} does not apply to --strategy ${row.name} (${why})`);
  return {
    strategy: row.name,
    ...limits(a),
    seed: intOption('seed', a.seed, 0),
    runs: intOption('runs', a.runs, 1),
    preemptionBound: intOption('preemption-bound', a['preemption-bound'], 0),
    compareNaive: a['compare-naive'] === true,
    symmetry: a.symmetry !== false,
    engine: engineChoice(a.engine),
    stopAtFirst: row.stopAtFirst,
  };
}

/** The `--engine` asked for (yargs has refused any other value): auto unless given. */
export function engineChoice(raw: string | undefined): EngineChoice {
  return raw === 'compiled' || raw === 'reference' ? raw : 'auto';
}

export function limits(a: SearchArgs): { maxStates?: number; maxDepth?: number; timeLimitMs?: number } {
  return {
    maxStates: intOption('max-states', a['max-states'], 1),
    maxDepth: intOption('max-depth', a['max-depth'], 1),
    timeLimitMs: secondsOption('time-limit', a['time-limit']),
  };
}

/** `--property` names, checked against the instance. */
export function checkedProperties(inst: Instance, raw: unknown): string[] | undefined {
  const names = strings(raw);
  if (names.length === 0) return undefined;
  const known = inst.properties.map((p) => p.name);
  for (const n of names)
    if (!known.includes(n))
      throw new UsageError(`model '${inst.model.name}' has no property '${n}' (known: ${known.join(', ')})`);
  return [...new Set(names)];
}
