import { ModelError, errorMessage } from '../core/errors.js';
import { checkState, type Found } from './check.js';
import type { Trace, Violation } from './result.js';
import { parseSchedule } from './schedule.js';
import type { GState, System } from './system.js';
import { buildTrace, requireEnabled } from './trace.js';

/** Where a replayed schedule ended. */
export type ReplayEnd = 'violation' | 'terminal' | 'deadlock' | 'unfinished';

export type ReplayResult =
  | { readonly kind: 'replayed'; readonly end: ReplayEnd; readonly trace: Trace; readonly violation?: Violation }
  | { readonly kind: 'error'; readonly message: string; readonly code: string };

/**
 * Run a schedule step by step, checking every property on the way; stops at the first
 * violation. A schedule naming a finished or blocked thread is an error, not a pass.
 */
export function replay(sys: System, schedule: string | readonly number[]): ReplayResult {
  try {
    const tids = typeof schedule === 'string' ? parseSchedule(schedule, sys.n) : [...schedule];
    let g: GState = sys.initial();
    let found: readonly Found[] = checkState(sys, g, sys.enabledMask(g));
    let taken = 0;
    for (; taken < tids.length && found.length === 0; taken++) {
      requireEnabled(sys, g, tids[taken], taken);
      const ex = sys.exec(g, tids[taken]);
      g = ex.g;
      // A BUG ends the execution, whether or not its property is among those checked.
      found = ex.violation ? [{ ...ex.violation, kind: 'assertion' }] : checkState(sys, g, sys.enabledMask(g));
    }
    const trace = buildTrace(sys, tids.slice(0, taken));
    if (found.length > 0) return { kind: 'replayed', end: 'violation', trace, violation: { ...found[0], trace } };
    const en = sys.enabledMask(g);
    const end: ReplayEnd = en !== 0 ? 'unfinished' : sys.doneMask(g) === sys.allDone ? 'terminal' : 'deadlock';
    return { kind: 'replayed', end, trace };
  } catch (e) {
    if (e instanceof ModelError) return { kind: 'error', message: e.message, code: e.code };
    return { kind: 'error', message: `internal error: ${errorMessage(e)}`, code: 'internal' };
  }
}
