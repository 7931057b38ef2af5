/**
 * The finite machine behind a compiled language model, built from its compiled steps alone
 * (`LangStep.evaluate` and `after`, src/lang/compile.ts):
 *  - a slot per field of the layout, holding the engine's Int32 encoding of the field (a `oneOf`
 *    field: the index of its value; numbers, thread ids and thread-id sets as themselves), and a
 *    slot per thread holding its control state;
 *  - per thread, its control states (pc, locals) and, for each, the decision tree of its step
 *    over the slots the step reads (src/bench/spin/generate/branch.ts).
 *
 * Enumerating a field's whole domain would be wasteful (a refcount in 0..16, a thread-id set in
 * 0..2^31), so the values each slot can hold are computed first, as a fixpoint: start from the
 * initial values and the initial control states; enumerate every control state's step over the
 * values known so far; add the values it writes and the control states it reaches; repeat until
 * nothing changes. Each slot's set, taken independently of the others, over-approximates the
 * values the field takes in reachable states (any reachable state is reached by steps whose
 * reads lie in the sets, by induction), so the decision trees cover every reachable state; some
 * of their leaves may be unreachable combinations, which SPIN simply never enables.
 */
import { StepError } from '../../../src/core/errors.js';
import { Encoding } from '../../../src/engine/encoding.js';
import type { Evaluation } from '../../../src/lang/context.js';
import type { LangStep } from '../../../src/lang/compile.js';
import type { Layout, Ref } from '../../../src/lang/layout.js';
import { isCompiled } from '../../../src/lang/model.js';
import type { Instance } from '../../../src/core/instantiate.js';
import { branch, TooManyLeaves, type Leaf } from './branch.js';
import { WriteLog } from './readable.js';

/** What one leaf of a step does. */
export type Outcome =
  | { readonly kind: 'go'; readonly writes: readonly (readonly [slot: number, value: number])[]; readonly next: number }
  | { readonly kind: 'bug'; readonly property: string; readonly message: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'blocked' };

export interface ControlState {
  readonly pc: number;
  readonly l: unknown;
}

export interface ThreadMachine {
  readonly name: string;
  readonly tid: number;
  readonly steps: readonly LangStep<unknown>[];
  /** Control states, numbered: unfinished ones first, then finished ones from `firstDone` on. */
  readonly states: readonly ControlState[];
  readonly firstDone: number;
  /** The control state the thread starts in. */
  readonly initial: number;
  /** Per unfinished control state, the leaves of its step. */
  readonly leaves: readonly (readonly Leaf<Outcome>[])[];
}

export interface Machine {
  readonly inst: Instance;
  readonly layout: Layout;
  readonly fields: readonly Ref[];
  /** Encoded initial value of each field. */
  readonly init: readonly number[];
  /** Per slot (fields, then one per thread), the sorted values it can hold. */
  readonly values: readonly (readonly number[])[];
  readonly threads: readonly ThreadMachine[];
  /** The decoded value of a field slot. */
  decode(slot: number, x: number): unknown;
}

/** The most leaves one step or property may have (the enumeration bound). */
export const DEFAULT_LIMIT = 200_000;

/** A step's error, without the thread and step a StepError names: the Promela comment sits at that step. */
const errorText = (e: unknown) => (e instanceof StepError ? e.what : e instanceof Error ? e.message : String(e));

export function machineOf(inst: Instance, limit = DEFAULT_LIMIT): Machine {
  const program = inst.program;
  if (!isCompiled(program)) throw new Error(`model '${inst.model.name}' is not written in the language (src/lang)`);
  const layout = program.layout;
  const fields = layout.leaves;
  const enc = new Encoding(layout);
  const decode = (slot: number, x: number): unknown => {
    const d = fields[slot].domain;
    return d.kind === 'values' ? d.values[x] : x;
  };
  const init = fields.map((r) => enc.encode(r, r.get(program.init)));
  const log = new WriteLog(init, program.threads.length);
  const threads = program.threads.map((t, tid) => {
    const steps = t.steps as readonly LangStep<unknown>[];
    for (const s of steps)
      if (typeof s.evaluate !== 'function' || typeof s.after !== 'function')
        throw new Error(`thread '${t.name}' step '${s.label}' is not a compiled language step`);
    return {
      name: t.name,
      tid,
      steps,
      states: [{ pc: 0, l: t.locals }] as ControlState[],
      index: new Map<string, number>(),
    };
  });
  for (const t of threads) t.index.set(keyOf(t.states[0]), 0);
  const leaves: Leaf<Outcome>[][][] = threads.map(() => []);
  // What each control state's enumeration read: it is enumerated again only when one of those changed.
  const seen: Map<number, string>[][] = threads.map(() => []);
  for (let changed = true; changed;) {
    changed = false;
    threads.forEach((t, ti) => {
      const out = leaves[ti];
      for (let i = 0; i < t.states.length; i++) {
        const cs = t.states[i];
        if (cs.pc >= t.steps.length) continue;
        const readable = new Map<number, number[]>();
        const valuesOf = (slot: number) => {
          let vs = readable.get(slot);
          if (!vs) readable.set(slot, (vs = log.readable(t.tid, i, slot)));
          return vs;
        };
        const last = seen[ti][i];
        if (last && [...last].every(([slot, text]) => valuesOf(slot).join() === text)) continue;
        const step = t.steps[cs.pc];
        const intern = (next: ControlState) => {
          const key = keyOf(next);
          let id = t.index.get(key);
          if (id === undefined) {
            id = t.states.length;
            t.index.set(key, id);
            t.states.push(next);
            changed = true;
          }
          return id;
        };
        const run = (read: (slot: number) => number): Outcome => {
          let e: Evaluation<unknown>;
          try {
            e = step.evaluate((r: Ref<unknown>) => decode(r.id, read(r.id)), cs.l, t.tid);
          } catch (err) {
            return { kind: 'error', message: errorText(err) };
          }
          if (e.blocked) return { kind: 'blocked' };
          if (e.violation) return { kind: 'bug', property: e.violation.property, message: e.violation.message };
          try {
            const final = new Map<number, number>();
            for (const [r, v] of e.writes) final.set(r.id, enc.encode(r, v));
            const next = step.after(e, t.tid);
            return { kind: 'go', writes: [...final], next: intern({ pc: next.pc, l: next.l }) };
          } catch (err) {
            return { kind: 'error', message: errorText(err) };
          }
        };
        let ls: Leaf<Outcome>[];
        try {
          ls = branch(valuesOf, run, limit);
        } catch (err) {
          if (err instanceof TooManyLeaves)
            throw new Error(`thread '${t.name}' step '${step.label}': ${err.message} (the enumeration bound)`, {
              cause: err,
            });
          throw err;
        }
        out[i] = ls.map((lf) => ({ reads: lf.reads, result: dropUnchanged(lf) }));
        seen[ti][i] = new Map([...readable].map(([slot, vs]) => [slot, vs.join()]));
        for (const lf of ls)
          if (lf.result.kind === 'go') {
            const next = lf.result.next;
            if (log.edge(t.tid, i, next)) changed = true;
            for (const [slot, v] of lf.result.writes) if (log.write(t.tid, slot, v, next)) changed = true;
          }
      }
    });
  }
  const machines = threads.map((t, ti) => renumber(t, leaves[ti]));
  const values = [...fields.map((_r, slot) => log.all(slot)), ...machines.map((t) => t.states.map((_s, i) => i))];
  return { inst, layout, fields, init, values, threads: machines, decode };
}

const keyOf = (cs: ControlState) => `${cs.pc}:${JSON.stringify(cs.l)}`;

/** A write of the value the slot already had (read in the same leaf) changes nothing. */
function dropUnchanged(lf: Leaf<Outcome>): Outcome {
  const r = lf.result;
  if (r.kind !== 'go') return r;
  const read = new Map(lf.reads);
  return { ...r, writes: r.writes.filter(([slot, v]) => read.get(slot) !== v).sort((a, b) => a[0] - b[0]) };
}

/** Unfinished control states first (in discovery order), finished ones last. */
function renumber(
  t: { name: string; tid: number; steps: readonly LangStep<unknown>[]; states: ControlState[] },
  leaves: Leaf<Outcome>[][],
): ThreadMachine {
  const order = t.states.map((_s, i) => i);
  const running = order.filter((i) => t.states[i].pc < t.steps.length);
  const done = order.filter((i) => t.states[i].pc >= t.steps.length);
  const newId = new Map<number, number>();
  [...running, ...done].forEach((old, i) => newId.set(old, i));
  const fix = (lf: Leaf<Outcome>): Leaf<Outcome> =>
    lf.result.kind === 'go' ? { reads: lf.reads, result: { ...lf.result, next: newId.get(lf.result.next)! } } : lf;
  return {
    name: t.name,
    tid: t.tid,
    steps: t.steps,
    states: [...running, ...done].map((i) => t.states[i]),
    firstDone: running.length,
    initial: newId.get(0)!,
    leaves: running.map((i) => (leaves[i] ?? []).map(fix)),
  };
}
