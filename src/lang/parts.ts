/**
 * The kernel steps inside a merged step, for printing a counterexample (issue 13: a trace shows
 * every kernel step, merged ones included). The schedule is replayed twice side by side: on the
 * program the counterexample was found on (without dead-local resets, `traceInstance`) and on
 * the same model compiled with every reduction off. A merged step of thread t is, in the
 * unmerged program, exactly these steps of t, in order (docs/lang-reductions.md):
 *  - with thread-local steps merged, the local steps the thread starts with (only before its
 *    first step: the merged program ran them when it was built);
 *  - then, for each part of the step (one, or the parts of a merged locked section), that part,
 *    followed, with local steps merged, by the local steps after it up to the next shared step.
 * After each merged step the two replays must agree on the shared state and the thread's locals;
 * if they ever do not, no step gets parts and the trace prints as the search ran it. The replay
 * of the merged program is the trace's own (buildTrace); the unmerged program and the printer are
 * compiled once per instance, from the language program the instance was compiled from.
 */
import { diff } from '../core/diff.js';
import { errorMessage } from '../core/errors.js';
import type { Instance } from '../core/instantiate.js';
import type { Program } from '../core/model.js';
import type { Step } from '../core/step.js';
import type { Change, TracePart } from '../explore/results/result.js';
import type { LangStep } from './compile.js';
import {
  isAsCompiled,
  isCompiled,
  isLangModel,
  NO_REDUCTIONS,
  printerWith,
  recompiled,
  traceInstance,
} from './model.js';

interface Run {
  s: unknown;
  readonly t: { pc: number; l: unknown }[];
}

/** A state of the trace's own replay: the shared state and each thread's pc and locals (a GState). */
export interface Replayed {
  readonly s: unknown;
  readonly t: readonly { readonly pc: number; readonly l: unknown }[];
}

/**
 * The parts of each step of the schedule `tids` (undefined for a step of one part); undefined
 * when the program merges nothing, is not a language program, or cannot be rebuilt as it ran.
 * `merged`, when given, is the replay of `tids` on `inst` the trace already made: the state
 * before each step, and after the last (its states are not changed); else it is replayed here.
 */
export function traceParts(
  inst: Instance,
  tids: readonly number[],
  merged?: readonly Replayed[],
): (readonly TracePart[] | undefined)[] | undefined {
  const printer = traceInstance(inst);
  const p = printer.program;
  if (!isLangModel(inst.model) || !isCompiled(p) || !p.merges) return undefined;
  if (!p.merges.local && !p.merges.locked) return undefined;
  // A program changed after it was built (a test's start locals) cannot be rebuilt unmerged.
  if (printer === inst && (p.reductions.resetDead || !sameAsBuilt(inst))) return undefined;
  try {
    return expand(inst, p, tids, printer === inst ? merged : undefined);
  } catch {
    return undefined; // the trace prints as the search ran it (the error shows there if it is one)
  }
}

type MergingProgram = Program & { readonly merges?: { readonly local: boolean; readonly locked: boolean } };

function expand(inst: Instance, p: MergingProgram, tids: readonly number[], merged: readonly Replayed[] | undefined) {
  const flat = unmerged(inst);
  const plain = plainThreads(p, flat);
  if (plain.every((x) => x)) return undefined;
  const names = p.threads.map((t) => t.name);
  const own = merged ? undefined : start(p);
  let m: Replayed = merged ? merged[0] : own!;
  const u = start(flat);
  const out: (readonly TracePart[] | undefined)[] = [];
  const same = new WeakMap<object, object>();
  for (let i = 0; i < tids.length; i++) {
    const tid = tids[i];
    if (plain[tid]) {
      // The same step in both programs: the unmerged replay takes its outcome (not its pc: no
      // step of this thread runs there).
      if (own) exec(p, own, tid);
      else m = merged![i + 1];
      u.s = m.s;
      u.t[tid].l = m.t[tid].l;
      out.push(undefined);
      continue;
    }
    const ran: Ran[] = [];
    const local = () =>
      p.merges?.local && (flat.threads[tid].steps[u.t[tid].pc] as LangStep<unknown> | undefined)?.local;
    while (local()) ran.push(step(flat, u, tid));
    for (let k = p.merges?.locked ? count(p, m, tid) : 1; k > 0; k--) {
      if (done(flat, u, tid)) return undefined;
      ran.push(step(flat, u, tid));
      while (local()) ran.push(step(flat, u, tid));
    }
    if (own) exec(p, own, tid);
    else m = merged![i + 1];
    if (!equal(m.s, u.s, same) || !equal(m.t[tid].l, u.t[tid].l, same)) return undefined;
    // Equal and immutable: the unmerged replay goes on from the merged one's objects, so the
    // next comparison stops at the first object both share.
    u.s = m.s;
    u.t[tid].l = m.t[tid].l;
    // A step of one part prints as itself: its part is never printed.
    out.push(ran.length > 1 ? ran.map((r) => part(r, tid, names)) : undefined);
  }
  return out;
}

/**
 * The threads whose every step is one kernel step: with locked sections not merged, a thread
 * without local computations compiles to the same steps merged or not (merging local steps
 * changes nothing else), so neither its steps nor their outcomes differ between the replays.
 */
function plainThreads(p: MergingProgram, flat: Program): boolean[] {
  return flat.threads.map((t) => !p.merges?.locked && !t.steps.some((st) => (st as LangStep<unknown>).local));
}

/**
 * Whether `diff(a, b)` is empty, without building its paths (the replays are compared after
 * every step of a trace, and a naive search's traces are hundreds of steps long). States are
 * immutable (a step copies what it writes), so a pair of objects found equal stays equal:
 * `same` remembers them, and a later comparison descends only into what either replay copied.
 */
function equal(a: unknown, b: unknown, same: WeakMap<object, object>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (same.get(a) === b) return true;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k of Object.keys(x)) if (!equal(x[k], y[k], same)) return false;
  for (const k of Object.keys(y)) if (!Object.hasOwn(x, k) && !equal(undefined, y[k], same)) return false;
  same.set(a, b);
  return true;
}

/**
 * What one program's traces rebuild, kept per program: a search that finds several violations
 * prints several traces of one instance, and each rebuild runs the compiler and its pre-pass.
 */
const rebuilt = new WeakMap<Program, { same?: boolean; flat?: Program }>();

function rebuiltOf(p: Program): { same?: boolean; flat?: Program } {
  let r = rebuilt.get(p);
  if (r === undefined) rebuilt.set(p, (r = {}));
  return r;
}

/** The instance's model, variant and params compiled with every reduction off. */
function unmerged(inst: Instance): Program {
  const r = rebuiltOf(inst.program);
  return (r.flat ??= (
    recompiled(inst, NO_REDUCTIONS) ?? printerWith(inst.model, NO_REDUCTIONS, inst.variant, inst.params)
  ).program);
}

/** The printer rebuilt from its model is the program it holds (the check `traceInstance` makes). */
function sameAsBuilt(inst: Instance): boolean {
  if (isAsCompiled(inst.program)) return true;
  const r = rebuiltOf(inst.program);
  return (r.same ??= rebuiltSame(inst));
}

function rebuiltSame(inst: Instance): boolean {
  if (!isCompiled(inst.program)) return false;
  const again = printerWith(inst.model, inst.program.reductions, inst.variant, inst.params);
  const text = (q: Program) =>
    JSON.stringify([q.init, q.threads.map((t): unknown[] => [t.name, t.locals as unknown, t.steps.length])]);
  return text(again.program) === text(inst.program);
}

function start(p: Program): Run {
  return { s: p.init, t: p.threads.map((t) => ({ pc: 0, l: t.locals as unknown })) };
}
function done(p: Program, g: Run, tid: number): boolean {
  return g.t[tid].pc >= p.threads[tid].steps.length;
}

/** How many steps of the unmerged program the merged step at thread `tid`'s pc runs. */
function count(p: Program, g: Replayed, tid: number): number {
  const st = p.threads[tid].steps[g.t[tid].pc] as LangStep<unknown> | undefined;
  if (!st?.evaluate) return 1;
  const s = g.s;
  const e = st.evaluate((r) => r.get(s), g.t[tid].l, tid);
  return 'parts' in e ? (e.parts as readonly string[]).length : 1;
}

/** A step of the unmerged program run by `step`: the states before and after it. */
interface Ran {
  readonly st: Step<unknown, unknown>;
  readonly s: unknown;
  readonly l: unknown;
  readonly s2: unknown;
  readonly l2: unknown;
}

/** Run thread `tid`'s next step of the unmerged program. */
function step(p: Program, g: Run, tid: number): Ran {
  const st = p.threads[tid].steps[g.t[tid].pc] as Step<unknown, unknown>;
  const s = g.s;
  const l = g.t[tid].l;
  exec(p, g, tid);
  return { st, s, l, s2: g.s, l2: g.t[tid].l };
}

/** A step run by `step` as a part of a merged step: its label, changes, chain and note. */
function part(r: Ran, tid: number, names: readonly string[]): TracePart {
  const { st } = r;
  const note = noteOf(st, r.s, r.l, tid, names);
  const changes: Change[] = diff(r.s, r.s2).map((d) => ({ path: d.path, before: d.before, after: d.after }));
  for (const d of diff(r.l, r.l2)) changes.push({ path: d.path, before: d.before, after: d.after, local: true });
  return {
    label: st.label,
    changes,
    ...(st.chain?.length ? { chain: st.chain } : {}),
    ...(note ? { note } : {}),
  };
}

/** Run thread `tid`'s step (compiled programs jump by index; the thread's length is exit). */
function exec(p: Program, g: Run, tid: number): void {
  const ts = g.t[tid];
  const st = p.threads[tid].steps[ts.pc] as Step<unknown, unknown>;
  const o = st.run(g.s, ts.l, tid);
  if (o.violation) return;
  if (o.s !== undefined) g.s = o.s;
  if (o.l !== undefined) ts.l = o.l;
  ts.pc = typeof o.goto === 'number' ? o.goto : ts.pc + 1;
}

function noteOf(st: Step, s: unknown, l: unknown, tid: number, names: readonly string[]): string | null {
  if (!st.note) return null;
  try {
    return st.note(s, l, tid, names);
  } catch (e) {
    return `(the step's note failed: ${errorMessage(e)})`;
  }
}
