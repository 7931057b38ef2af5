/**
 * JSON output. Field names are stable (consumers script against them); values of shared state
 * appear as they are in the model, with absent values as null. docs/schema/mmcheck.schema.json
 * describes the document; `mmcheck` is its format version.
 */
import type { LockOrderReport } from '../analysis/lock-order.js';
import type { Change, Stats, Trace, Violation } from '../explore/results/result.js';
import { meetsExpectation } from '../explore/results/verdicts.js';
import { replayCommand, type RunContext } from './format.js';
import { runOk, type RunReport } from './run.js';
import { exitCodeOf, overallStatus, runStatus, type RunStatus, type StatusPolicy } from './status.js';
import { INCOMPLETE_REASONS } from './summary.js';

/**
 * The format version (the `mmcheck` field). 2: `exitCode` and `status` at the top and per run,
 * top-level `ok` true exactly when the exit code is 0, `notRun`, `peakRssBytes`, replay documents.
 */
export const JSON_FORMAT_VERSION = 2;

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
    /** A step the compiler merged: its kernel steps, each with its own changes (src/lang/parts.ts). */
    readonly parts?: readonly JsonPart[];
  }[];
}

export interface JsonPart {
  readonly label: string;
  readonly chain?: readonly string[];
  readonly note?: string;
  readonly changes: readonly JsonChange[];
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
  /** ok | violated | mismatch | incomplete | error (see report/status.ts). */
  readonly status: RunStatus;
  /** Set when the run never started: the command's time ran out ('time') or it was interrupted ('signal'). */
  readonly notRun: string | null;
  /** The model's source file, when known. */
  readonly file: string | null;
  readonly verdicts: readonly JsonVerdict[];
  readonly stats: Stats | null;
  readonly violations: readonly JsonViolation[];
  /** Present only with `--lock-order`: dependencies, and each cycle with the edges that close it. */
  readonly lockOrder?: LockOrderReport;
}

export interface JsonReport {
  readonly mmcheck: number;
  readonly command: string;
  /** True exactly when the exit code is 0. */
  readonly ok: boolean;
  readonly exitCode: number;
  readonly status: RunStatus;
  readonly runs: readonly JsonRun[];
}

/** `mmcheck replay --json`: how the schedule ended, and its trace. */
export interface JsonReplay {
  readonly mmcheck: number;
  readonly command: 'replay';
  readonly ok: boolean;
  readonly exitCode: number;
  readonly model: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  readonly schedule: string;
  /** violation | terminal | deadlock | bug | unfinished */
  readonly end: string;
  /** Schedule steps not run because the execution stopped first. */
  readonly skipped: number;
  readonly violation: JsonViolation | null;
  /** The deadlock's blocked threads, or the unchecked BUG, in words. */
  readonly detail: string | null;
  readonly trace: JsonTrace;
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
      changes: s.changes.map(changeToJson),
      ...(s.parts
        ? {
            parts: s.parts.map((pt) => ({
              label: pt.label,
              ...(pt.chain ? { chain: [...pt.chain] } : {}),
              ...(pt.note ? { note: pt.note } : {}),
              changes: pt.changes.map(changeToJson),
            })),
          }
        : {}),
    })),
  };
}

function changeToJson(c: Change): JsonChange {
  return { path: c.path, before: nul(c.before), after: nul(c.after), local: c.local === true };
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

export function runToJson(r: RunReport, policy: StatusPolicy): JsonRun {
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
    status: runStatus(r, policy),
    notRun: r.notRun ?? null,
    file: r.file ?? null,
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

const stringify = (doc: unknown) =>
  JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v), 2) + '\n';

/** The whole JSON document of a command (pretty-printed, trailing newline). */
export function renderJson(command: string, runs: readonly RunReport[], policy: StatusPolicy): string {
  const status = overallStatus(runs.map((r) => runStatus(r, policy)));
  const exitCode = exitCodeOf(status);
  const doc: JsonReport = {
    mmcheck: JSON_FORMAT_VERSION,
    command,
    ok: exitCode === 0,
    exitCode,
    status,
    runs: runs.map((r) => runToJson(r, policy)),
  };
  return stringify(doc);
}

export interface ReplayOutcome {
  readonly ctx: RunContext;
  readonly schedule: string;
  readonly end: string;
  readonly skipped: number;
  readonly trace: Trace;
  readonly violation?: Violation;
  readonly detail?: string;
  readonly exitCode: number;
}

export function renderReplayJson(r: ReplayOutcome): string {
  const doc: JsonReplay = {
    mmcheck: JSON_FORMAT_VERSION,
    command: 'replay',
    ok: r.exitCode === 0,
    exitCode: r.exitCode,
    model: r.ctx.model,
    variant: r.ctx.variant,
    params: { ...r.ctx.params },
    schedule: r.schedule,
    end: r.end,
    skipped: r.skipped,
    violation: r.violation ? violationToJson(r.violation, r.ctx) : null,
    detail: r.detail ?? null,
    trace: traceToJson(r.trace),
  };
  return stringify(doc);
}
