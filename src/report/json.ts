/**
 * JSON output. Field names are stable (consumers script against them); values of shared state
 * appear as they are in the model, with absent values as null.
 */
import type { LockOrderReport } from '../analysis/lock-order.js';
import type { Stats, Trace, Violation } from '../explore/result.js';
import { meetsExpectation } from '../explore/verdicts.js';
import { replayCommand, type RunContext } from './format.js';
import { runOk, type RunReport } from './run.js';
import { INCOMPLETE_REASONS } from './summary.js';

export const JSON_FORMAT_VERSION = 1;

export interface JsonChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly local: boolean;
}

export interface JsonTrace {
  readonly threads: readonly string[];
  readonly schedule: string;
  readonly steps: readonly {
    readonly step: number;
    readonly tid: number;
    readonly thread: string;
    readonly label: string;
    readonly changes: readonly JsonChange[];
  }[];
}

export interface JsonCounterexample {
  readonly steps: number;
  readonly schedule: string;
  readonly replay: string;
  readonly trace: JsonTrace;
}

export interface JsonViolation extends JsonCounterexample {
  readonly property: string;
  readonly kind: string;
  readonly message: string;
  /** The shortest counterexample of the same property (bfs), when computed. */
  readonly shortest: JsonCounterexample | null;
}

export interface JsonVerdict {
  readonly property: string;
  readonly kind: string | null;
  readonly outcome: string;
  readonly expected: string;
  readonly ok: boolean;
}

export interface JsonRun {
  readonly model: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly strategy: string | null;
  /** pass | violation | incomplete | error */
  readonly result: string;
  /** The whole state space was searched (violations aside, every unlisted property holds). */
  readonly complete: boolean;
  readonly incompleteReason: string | null;
  readonly incompleteText: string | null;
  readonly error: string | null;
  /** Every expectation met and the search complete. */
  readonly ok: boolean;
  readonly verdicts: readonly JsonVerdict[];
  readonly stats: Stats | null;
  readonly violations: readonly JsonViolation[];
  /** Present only with `--lock-order`: dependencies, and each cycle with the edges that close it. */
  readonly lockOrder?: LockOrderReport;
}

export interface JsonReport {
  readonly mmcheck: number;
  readonly command: string;
  readonly ok: boolean;
  readonly runs: readonly JsonRun[];
}

const nul = (v: unknown) => (v === undefined ? null : v);

export function traceToJson(t: Trace): JsonTrace {
  return {
    threads: [...t.threads],
    schedule: t.schedule,
    steps: t.steps.map((s, i) => ({
      step: i + 1,
      tid: s.tid,
      thread: s.thread,
      label: s.label,
      changes: s.changes.map((c) => ({
        path: c.path,
        before: nul(c.before),
        after: nul(c.after),
        local: c.local === true,
      })),
    })),
  };
}

function counterexample(t: Trace, ctx: RunContext, property: string): JsonCounterexample {
  return {
    steps: t.steps.length,
    schedule: t.schedule,
    replay: replayCommand(ctx, t.schedule, property),
    trace: traceToJson(t),
  };
}

export function violationToJson(v: Violation, ctx: RunContext, shortest?: Violation): JsonViolation {
  return {
    property: v.property,
    kind: v.kind,
    message: v.message,
    ...counterexample(v.trace, ctx, v.property),
    shortest: shortest ? counterexample(shortest.trace, ctx, v.property) : null,
  };
}

export function runToJson(r: RunReport): JsonRun {
  const res = r.result;
  const violations = res.kind === 'violation' || res.kind === 'incomplete' ? res.violations : [];
  return {
    model: r.ctx.model,
    variant: r.ctx.variant,
    params: { ...r.ctx.params },
    strategy: res.kind === 'error' ? null : res.stats.strategy,
    result: res.kind,
    complete: res.kind === 'pass' || (res.kind === 'violation' && res.exhaustive),
    incompleteReason: res.kind === 'incomplete' ? res.reason : null,
    incompleteText: res.kind === 'incomplete' ? INCOMPLETE_REASONS[res.reason] : null,
    error: res.kind === 'error' ? res.message : null,
    ok: runOk(r),
    verdicts: r.verdicts.map((v) => ({
      property: v.property,
      kind: r.kinds?.[v.property] ?? v.violation?.kind ?? null,
      outcome: v.outcome,
      expected: v.expected,
      ok: meetsExpectation(v),
    })),
    stats: res.kind === 'error' ? null : res.stats,
    violations: violations.map((v) => violationToJson(v, r.ctx, r.shortest?.[v.property])),
    ...(r.lockOrder ? { lockOrder: r.lockOrder } : {}),
  };
}

/** The whole JSON document of a command (pretty-printed, trailing newline). */
export function renderJson(command: string, runs: readonly RunReport[]): string {
  const doc: JsonReport = { mmcheck: JSON_FORMAT_VERSION, command, ok: runs.every(runOk), runs: runs.map(runToJson) };
  return JSON.stringify(doc, (_k, v) => (typeof v === 'bigint' ? String(v) : v), 2) + '\n';
}
