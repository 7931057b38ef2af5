import { ModelError, errorMessage } from '../../core/errors.js';
import type { Recorder } from '../system/check.js';
import type { IncompleteReason, SearchResult, Stats } from '../results/result.js';

/** Turn what a search saw into its result: incomplete wins over pass, never silently. */
export function finish(
  rec: Recorder,
  stopped: IncompleteReason | null,
  measured: Omit<Stats, 'checked'>,
): SearchResult {
  const violations = rec.violations;
  const stats: Stats = { ...measured, checked: rec.checked };
  if (rec.done) return { kind: 'violation', violation: violations[0], violations, exhaustive: false, stats };
  if (stopped) return { kind: 'incomplete', reason: stopped, violations, stats };
  if (violations.length > 0)
    return { kind: 'violation', violation: violations[0], violations, exhaustive: true, stats };
  return { kind: 'pass', stats };
}

/** Run a search, turning a model error into an `error` result (the library never throws it). */
export function guarded(run: () => SearchResult): SearchResult {
  try {
    return run();
  } catch (e) {
    if (e instanceof ModelError) return { kind: 'error', message: e.message, code: e.code };
    return { kind: 'error', message: `internal error: ${errorMessage(e)}`, code: 'internal' };
  }
}
