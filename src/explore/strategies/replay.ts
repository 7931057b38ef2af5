import { ModelError, errorMessage, type ModelErrorCode } from '../../core/errors.js';
import { deadlockMessage, type Found } from '../system/check.js';
import type { Trace, Violation } from '../results/result.js';
import { parseSchedule } from '../results/schedule.js';
import { requireEnabled } from '../system/trace.js';
import type { TransitionSystem } from '../system/transition.js';

/**
 * Where a replayed schedule ended: a violation of a checked property; every thread finished;
 * no thread can move (a deadlock not checked: checked, it is a violation); a BUG of a property
 * not checked (a BUG ends the execution whether or not its property is checked); the schedule
 * ran out with threads still runnable.
 */
export type ReplayEnd = 'violation' | 'terminal' | 'deadlock' | 'bug' | 'unfinished';

export type ReplayResult =
  | {
      readonly kind: 'replayed';
      readonly end: ReplayEnd;
      readonly trace: Trace;
      readonly violation?: Violation;
      /** end 'bug': the unchecked property whose BUG stopped the execution. */
      readonly bug?: Found;
      /** end 'deadlock': which threads are blocked and where. */
      readonly blocked?: string;
      /** Schedule steps not run because the execution stopped first (violation or BUG). */
      readonly skipped: number;
    }
  | { readonly kind: 'error'; readonly message: string; readonly code: ModelErrorCode };

/**
 * Run a schedule step by step, checking every property on the way; stops at the first
 * violation, or at a BUG of a property not checked. A schedule naming a finished or blocked
 * thread is an error, not a pass.
 */
export function replay<S>(sys: TransitionSystem<S>, schedule: string | readonly number[]): ReplayResult {
  try {
    const tids = typeof schedule === 'string' ? parseSchedule(schedule, sys.n) : [...schedule];
    let g: S = sys.initial();
    let found: readonly Found[] = sys.check(g, sys.enabledMask(g));
    let bug: Found | undefined;
    let taken = 0;
    // A deadlock ends the execution too (checked, it is in `found`): the rest of the schedule is skipped.
    for (; taken < tids.length && found.length === 0 && !bug && !deadlocked(sys, g); taken++) {
      requireEnabled(sys, g, tids[taken], taken);
      const ex = sys.exec(g, tids[taken]);
      g = ex.g;
      // A BUG ends the execution, whether or not its property is among those checked.
      if (ex.violation && !sys.assertions.has(ex.violation.property)) bug = { ...ex.violation, kind: 'assertion' };
      else found = ex.violation ? [{ ...ex.violation, kind: 'assertion' }] : sys.check(g, sys.enabledMask(g));
    }
    const trace = sys.trace(tids.slice(0, taken));
    const skipped = tids.length - taken;
    if (found.length > 0)
      return { kind: 'replayed', end: 'violation', trace, violation: { ...found[0], trace }, skipped };
    if (bug) return { kind: 'replayed', end: 'bug', trace, bug, skipped };
    const en = sys.enabledMask(g);
    if (en !== 0) return { kind: 'replayed', end: 'unfinished', trace, skipped };
    if (sys.doneMask(g) === sys.allDone) return { kind: 'replayed', end: 'terminal', trace, skipped };
    return { kind: 'replayed', end: 'deadlock', trace, blocked: deadlockMessage(sys, g), skipped };
  } catch (e) {
    if (e instanceof ModelError) return { kind: 'error', message: e.message, code: e.code };
    return { kind: 'error', message: `internal error: ${errorMessage(e)}`, code: 'internal' };
  }
}

/** No thread can move and some have not finished. */
function deadlocked<S>(sys: TransitionSystem<S>, g: S): boolean {
  return sys.enabledMask(g) === 0 && sys.doneMask(g) !== sys.allDone;
}
