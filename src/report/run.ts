/** What the CLI hands the JSON and JUnit writers for one model instance it searched. */
import type { LockOrderReport } from '../analysis/lock-order.js';
import type { IncompleteReason, SearchResult, Violation } from '../explore/results/result.js';
import { meetsExpectation, type PropertyVerdict } from '../explore/results/verdicts.js';
import type { RunContext } from './format.js';

export interface RunReport {
  readonly ctx: RunContext;
  readonly result: SearchResult;
  readonly verdicts: readonly PropertyVerdict[];
  /** Property kinds by name (invariant, end, assertion, deadlock). */
  readonly kinds?: Readonly<Record<string, string>>;
  /** Shortest counterexample per violated property (from a bfs rerun), when one was computed. */
  readonly shortest?: Readonly<Record<string, Violation>>;
  /** The lock-order analysis (`--lock-order`), when it was asked for. */
  readonly lockOrder?: LockOrderReport;
  /** Never searched: the command's time ran out or it was interrupted before this run began. */
  readonly notRun?: IncompleteReason;
  /** The model file, when the model came from one (JUnit and CI annotations point at it). */
  readonly file?: string;
}

/** Every expectation met, the search complete, and the lock-order pass (when asked for) complete. */
export function runOk(r: RunReport): boolean {
  return r.result.kind !== 'error' && !runIncomplete(r) && r.verdicts.every(meetsExpectation);
}

/** The search or the lock-order pass was cut short by a limit. */
export function runIncomplete(r: RunReport): boolean {
  return r.result.kind === 'incomplete' || (r.lockOrder !== undefined && !r.lockOrder.complete);
}
