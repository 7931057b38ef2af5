/**
 * Command-line handling shared by the benchmarks (bench/search.ts, bench/odpor.ts,
 * bench/spin.ts): each declares its flags, and a bad command line (an unknown flag, a flag
 * without its value, a value out of range) is a one-line error and exit status 2, never a stack
 * trace (`benchMain`).
 */
import { parseArgs } from 'node:util';
import { ModelError, type ModelErrorCode } from '../src/core/errors.js';

/** A bad command line: `benchMain` prints its message on one line and exits 2. */
export class UsageError extends Error {}

/** `flag`: present or not; `value`: one string; `values`: a repeatable string. */
export type FlagKind = 'flag' | 'value' | 'values';

type Parsed = Record<string, string | boolean | string[] | undefined>;

export class BenchArgs {
  private readonly parsed: Parsed;

  constructor(spec: Readonly<Record<string, FlagKind>>, argv: readonly string[] = process.argv.slice(2)) {
    const options = Object.fromEntries(
      Object.entries(spec).map(([name, kind]) => [
        name,
        kind === 'flag' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: true },
      ]),
    );
    try {
      this.parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Parsed;
    } catch (e) {
      throw new UsageError((e instanceof Error ? e.message : String(e)).split('\n').join(' '));
    }
  }

  flag(name: string): boolean {
    return this.parsed[name] === true;
  }

  /** The string after `--name`, or undefined when the flag is absent. */
  value(name: string): string | undefined {
    const v = this.parsed[name];
    if (!Array.isArray(v) || v.length === 0) return undefined;
    if (v.length > 1) throw new UsageError(`--${name} given ${v.length} times (${v.join(', ')}); it takes one value`);
    return v[0];
  }

  /** Every string given with a repeatable `--name`. */
  values(name: string): string[] {
    const v = this.parsed[name];
    return Array.isArray(v) ? v : [];
  }

  /** The positive number after `--name`, or `dflt` when the flag is absent. */
  number(name: string, dflt: number): number {
    const raw = this.value(name);
    if (raw === undefined) return dflt;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v <= 0)
      throw new UsageError(`--${name} needs a positive number, got '${raw}'`);
    return v;
  }

  /** The positive integer after `--name`, or `dflt` when the flag is absent. */
  integer(name: string, dflt: number): number {
    const v = this.number(name, dflt);
    if (!Number.isInteger(v)) throw new UsageError(`--${name} needs a positive integer, got '${this.value(name)}'`);
    return v;
  }

  /** The integer ≥ 0 after `--name` (a count that may be zero), or `dflt` when the flag is absent. */
  count(name: string, dflt: number): number {
    const raw = this.value(name);
    if (raw === undefined) return dflt;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < 0)
      throw new UsageError(`--${name} needs an integer ≥ 0, got '${raw}'`);
    return v;
  }

  /** The comma-separated names after `--name`, or null when the flag is absent. */
  list(name: string): string[] | null {
    const raw = this.value(name);
    if (raw === undefined) return null;
    const items = raw.split(',').filter((s) => s !== '');
    if (items.length === 0) throw new UsageError(`--${name} needs a comma-separated list`);
    return items;
  }

  /** `list(name)` where every item must be one of `known`. */
  choices(name: string, known: readonly string[]): Set<string> | null {
    const items = this.list(name);
    const unknown = items?.filter((x) => !known.includes(x)) ?? [];
    if (unknown.length)
      throw new UsageError(`--${name}: unknown ${unknown.join(', ')} (known: ${[...new Set(known)].join(', ')})`);
    return items && new Set(items);
  }
}

/** Model error codes that mean the benchmark was asked for something that does not exist. */
const BAD_INPUT = new Set<ModelErrorCode>(['usage', 'unknown-model', 'unknown-variant', 'unknown-param', 'bad-param']);

/**
 * Run a benchmark's main (or option parsing): a UsageError it throws, or a model error about the
 * input (an unknown variant, a parameter out of range), at once or from the promise it returns,
 * is printed as `<bench>: <message>` and exits 2. Other errors are bugs and keep their stack trace.
 */
export function benchMain<T>(bench: string, fn: () => T): T {
  const usage = (e: unknown): never => {
    if (!(e instanceof UsageError) && !(e instanceof ModelError && BAD_INPUT.has(e.code))) throw e;
    console.error(`${bench}: ${e.message}`);
    process.exit(2);
  };
  try {
    const r = fn();
    return (r instanceof Promise ? r.catch(usage) : r) as T;
  } catch (e) {
    return usage(e);
  }
}
