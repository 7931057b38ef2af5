/**
 * A trace made readable: replays its schedule on the model to give each step its call chain, the
 * note that says which branch it took, its changes in the model's words, and the full state
 * after it (for --itf). Report only: nothing here changes what a search found.
 */
import { errorMessage } from '../core/errors.js';
import type { Instance } from '../core/instantiate.js';
import type { Trace, TracePart, TraceStep } from '../explore/results/result.js';
import { System, type GState } from '../explore/system/system.js';
import { describeChanges, type ShownChange } from './describe.js';

export interface AnnotatedStep extends TraceStep {
  /** Call chain, outermost first, ending with the label's function; absent when the model gives none. */
  readonly chain?: readonly string[];
  /** Why the step took its branch (`folio_ref_freeze(A, 2) fails: count 3`). */
  readonly note?: string;
  readonly shown: readonly ShownChange[];
  /** The kernel steps of a step the compiler merged, each with its changes described. */
  readonly parts?: readonly AnnotatedPart[];
}

export interface AnnotatedPart extends TracePart {
  readonly shown: readonly ShownChange[];
}

export interface AnnotatedTrace {
  readonly threads: readonly string[];
  readonly schedule: string;
  readonly steps: readonly AnnotatedStep[];
  /** The global states: the initial one, then one after each step (empty without a model). */
  readonly states: readonly GState[];
}

/** Annotate a trace; without the instance it was found on, only the changes are described. */
export function annotate(trace: Trace, inst?: Instance): AnnotatedTrace {
  const names = trace.threads;
  const rules = inst?.program.show ?? [];
  const plain = ({ parts, ...st }: TraceStep): AnnotatedStep => ({
    ...st,
    shown: describeChanges(st.changes, st.thread, names, rules),
    ...(parts
      ? { parts: parts.map((pt) => ({ ...pt, shown: describeChanges(pt.changes, st.thread, names, rules) })) }
      : {}),
  });
  if (!inst) return { threads: names, schedule: trace.schedule, steps: trace.steps.map(plain), states: [] };
  const sys = new System(inst);
  let g = sys.initial();
  const states: GState[] = [g];
  const steps = trace.steps.map((st): AnnotatedStep => {
    const def = inst.program.threads[st.tid]?.steps[g.t[st.tid].pc];
    const out: AnnotatedStep = {
      ...plain(st),
      ...(def?.chain ? { chain: def.chain } : {}),
      ...(def?.note ? noteOf(() => def.note!(g.s, g.t[st.tid].l, st.tid, names)) : {}),
    };
    g = sys.exec(g, st.tid).g;
    states.push(g);
    return out;
  });
  return { threads: names, schedule: trace.schedule, steps, states };
}

function noteOf(f: () => string | null): { note?: string } {
  try {
    const n = f();
    return n ? { note: n } : {};
  } catch (e) {
    return { note: `(the step's note failed: ${errorMessage(e)})` };
  }
}

/** `do_pte_missing() → do_fault() → …`; `… → f()` for the part after the frames shared with `prev`. */
export function chainText(chain: readonly string[], prev: readonly string[] = [], arrow = ' → '): string {
  let common = 0;
  while (common < chain.length - 1 && common < prev.length && prev[common] === chain[common]) common++;
  const frames = chain.slice(common).map((f) => `${f}()`);
  return (common > 0 ? ['…', ...frames] : frames).join(arrow);
}
