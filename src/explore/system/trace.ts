import { diff } from '../../core/diff.js';
import { ModelError } from '../../core/errors.js';
import { traceParts } from '../../lang/parts.js';
import type { Change, Trace, TraceStep } from '../results/result.js';
import { formatSchedule } from '../results/schedule.js';
import type { GState, System } from './system.js';
import type { TransitionSystem } from './transition.js';

/**
 * Replay a schedule from the initial state, recording each step's label and changes, and the
 * kernel steps of each step the compiler merged (src/lang/parts.ts, given this replay's states).
 */
export function buildTrace(sys: System, tids: readonly number[]): Trace {
  let g = sys.initial();
  const states: GState[] = [g];
  const rows: Omit<TraceStep, 'parts'>[] = [];
  // After a BUG the replay of the parts runs its own way (it does not step past one).
  let bugBeforeEnd = false;
  for (let i = 0; i < tids.length; i++) {
    const tid = tids[i];
    requireEnabled(sys, g, tid, i);
    const label = sys.label(g, tid);
    const ex = sys.exec(g, tid);
    if (ex.violation && i < tids.length - 1) bugBeforeEnd = true;
    rows.push({ tid, thread: sys.names[tid], label, changes: changes(g, ex.g, tid) });
    states.push((g = ex.g));
  }
  const parts = traceParts(sys.inst, tids, bugBeforeEnd ? undefined : states);
  const steps: TraceStep[] = rows.map((r, i) => {
    const more = parts?.[i];
    return more ? { ...r, parts: more } : r;
  });
  return { threads: sys.names, steps, schedule: formatSchedule(tids) };
}

export function requireEnabled<S>(sys: TransitionSystem<S>, g: S, tid: number, index: number): void {
  if (sys.isDone(g, tid))
    throw new ModelError(
      `schedule step ${index + 1}: thread ${tid} (${sys.names[tid]}) has already finished`,
      'bad-schedule',
    );
  if (!sys.enabled(g, tid))
    throw new ModelError(
      `schedule step ${index + 1}: thread ${tid} (${sys.names[tid]}) is blocked at '${sys.label(g, tid)}'`,
      'bad-schedule',
    );
}

function changes(a: GState, b: GState, tid: number): Change[] {
  const out: Change[] = diff(a.s, b.s).map((d) => ({ path: d.path, before: d.before, after: d.after }));
  for (const d of diff(a.t[tid].l, b.t[tid].l))
    out.push({ path: d.path, before: d.before, after: d.after, local: true });
  return out;
}
