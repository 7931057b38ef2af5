/**
 * What a command's runs add up to, and the exit code that says it:
 * 0 every expectation met; 1 a property violated (for `check`/`replay`, any violation; for
 * `verify`/`compare`, one the model does not expect) or a verdict differs from its expectation;
 * 2 a usage or model error; 3 incomplete (a limit, a signal, the memory bound) with nothing
 * violated. The JSON's `ok` and `exitCode` are computed here too, so they cannot disagree.
 */
import { meetsExpectation } from '../explore/results/verdicts.js';
import { runIncomplete, type RunReport } from './run.js';

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;
export const EXIT_INCOMPLETE = 3;

export type RunStatus = 'ok' | 'violated' | 'mismatch' | 'incomplete' | 'error';

export interface StatusPolicy {
  /** Any violation fails the run, expected or not (`check`, `replay`); else only an unexpected one. */
  readonly anyViolationFails: boolean;
}

/** A verdict that is known and differs from the model's expectation (`unknown` is incompleteness, not a mismatch). */
export const mismatched = (v: RunReport['verdicts'][number]): boolean =>
  v.outcome !== 'unknown' && v.outcome !== 'error' && !meetsExpectation(v);

export function runStatus(r: RunReport, policy: StatusPolicy): RunStatus {
  if (r.result.kind === 'error') return 'error';
  const violated = r.verdicts.filter((v) => v.outcome === 'violated');
  if (violated.some((v) => policy.anyViolationFails || v.expected !== 'violated')) return 'violated';
  if (r.verdicts.some(mismatched)) return 'mismatch';
  if (runIncomplete(r)) return 'incomplete';
  return 'ok';
}

const RANK: Record<RunStatus, number> = { ok: 0, incomplete: 1, mismatch: 2, violated: 3, error: 4 };

/** The worst status of a set of runs (an error outranks a violation, which outranks incompleteness). */
export function overallStatus(statuses: readonly RunStatus[]): RunStatus {
  return statuses.reduce<RunStatus>((w, s) => (RANK[s] > RANK[w] ? s : w), 'ok');
}

export function exitCodeOf(s: RunStatus): number {
  switch (s) {
    case 'ok':
      return EXIT_OK;
    case 'incomplete':
      return EXIT_INCOMPLETE;
    case 'error':
      return EXIT_USAGE;
    case 'violated':
    case 'mismatch':
      return EXIT_FAIL;
  }
}
