/**
 * Lock-order analysis in the manner of lockdep, for any model whose steps carry `lock`
 * annotations (src/core/step.ts): explore every reachable state of the instance (its own pass,
 * no reduction, so it costs nothing unless asked for), keep each thread's stack of held lock
 * classes, and record every dependency "held A while acquiring B" — from every held lock, not
 * only the most recent (lockdep keeps the latter and reaches the others transitively; the cycles
 * are the same). A trylock records no dependency (it cannot wait). Then report each elementary
 * cycle of the class graph as a potential deadlock, with the edge witnesses that close it, whether
 * or not any explored interleaving deadlocks: like lockdep, the analysis sees orders, not waits.
 * A blocked acquisition (guard false) records its dependencies too: lockdep checks before it
 * waits, so a lock that is always contended, or held from the initial state, still orders.
 * Unbalanced annotations are a model error (ModelError 'bad-model'): a thread that exits holding a
 * lock, or acquires (not trylock) an instance it already holds.
 * States are stored as 64-bit fingerprints, as in the searches (hash compaction).
 */
import { ModelError, errorMessage } from '../core/errors.js';
import { fingerprintInto } from '../core/fingerprint.js';
import type { Instance } from '../core/instantiate.js';
import { pcIndex, type LockOp, type Step } from '../core/step.js';
import { elementaryCycles } from './cycles.js';

/** One dependency A → B and the first place it was seen. */
export interface LockEdge {
  readonly from: string;
  readonly to: string;
  /** B was taken for read (down_read, read_seqcount_begin). */
  readonly read: boolean;
  /** The thread that held A and acquired B. */
  readonly thread: string;
  /** The step that acquired B. */
  readonly label: string;
  /** The step that had acquired A. */
  readonly heldSince: string;
  /** Every distinct place the dependency was seen (thread, step, where A was taken), first one first. */
  readonly witnesses: readonly EdgeWitness[];
}

export interface EdgeWitness {
  readonly thread: string;
  readonly label: string;
  readonly heldSince: string;
}

export interface LockCycle {
  /** Classes in order; the last depends on the first. */
  readonly classes: readonly string[];
  /** `edges[i]` is classes[i] → classes[(i + 1) % n]. */
  readonly edges: readonly LockEdge[];
}

export interface LockOrderReport {
  /** Every reachable state was explored (false: a limit cut it short; the report is partial). */
  readonly complete: boolean;
  readonly reason: 'max-states' | 'time' | 'memory' | 'signal' | null;
  readonly states: number;
  readonly transitions: number;
  readonly timeMs: number;
  readonly classes: readonly string[];
  readonly edges: readonly LockEdge[];
  readonly cycles: readonly LockCycle[];
  /** More than CYCLE_CAP elementary cycles: only the first are listed. */
  readonly cyclesTruncated: boolean;
}

export interface LockOrderOptions {
  readonly maxStates?: number;
  readonly timeLimitMs?: number;
  /** Polled every 1024 expansions, like a search's `stop`: a reason to stop now, or null. */
  readonly stop?: () => 'time' | 'memory' | 'signal' | null;
}

export const CYCLE_CAP = 64;
const DEFAULT_MAX_STATES = 2_000_000;

interface Held {
  readonly cls: string;
  readonly inst: string;
  readonly label: string;
}

interface Node {
  readonly s: unknown;
  readonly pc: readonly number[];
  readonly l: readonly unknown[];
  readonly held: readonly (readonly Held[])[];
}

const isOpList = (r: LockOp | readonly LockOp[]): r is readonly LockOp[] => Array.isArray(r);
const opsOf = (r: LockOp | readonly LockOp[] | null | undefined): readonly LockOp[] =>
  r == null ? [] : isOpList(r) ? r : [r];

/** The lock-order report of one instance. Throws ModelError when model code throws. */
export function lockOrder(inst: Instance, opts: LockOrderOptions = {}): LockOrderReport {
  const start = performance.now();
  const threads = inst.program.threads;
  const pcOf = threads.map((t) => {
    const m = new Map<string, number>();
    t.steps.forEach((s, i) => s.name && m.set(s.name, i));
    m.set('exit', t.steps.length);
    return m;
  });
  const where = (tid: number, st: Step) =>
    `model '${inst.model.name}' thread '${threads[tid].name}' step '${st.label}'`;
  const call = <T>(tid: number, st: Step, what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw new ModelError(`${where(tid, st)} threw in ${what}: ${errorMessage(e)}`, 'model-threw');
    }
  };

  const edges = new Map<string, LockEdge>();
  const seen = new Set<string>();
  const fp = new Uint32Array(2);
  const key = (n: Node) => {
    fingerprintInto(fp, [n.s, n.pc, n.l, n.held.map((h) => h.map((x) => `${x.cls}@${x.inst}`).join(','))]);
    return `${fp[0]}:${fp[1]}`;
  };
  const maxStates = opts.maxStates ?? DEFAULT_MAX_STATES;
  let transitions = 0;
  let reason: LockOrderReport['reason'] = null;

  const init: Node = {
    s: inst.program.init,
    pc: threads.map(() => 0),
    l: threads.map((t): unknown => t.locals),
    held: threads.map(() => []),
  };
  seen.add(key(init));
  const stack: Node[] = [init];
  let expanded = 0;
  while (stack.length > 0 && reason === null) {
    const n = stack.pop()!;
    if ((++expanded & 1023) === 0) {
      if (opts.timeLimitMs !== undefined && performance.now() - start > opts.timeLimitMs) reason = 'time';
      else reason = opts.stop?.() ?? null;
      if (reason) break;
    }
    for (let tid = 0; tid < threads.length; tid++) {
      const st = threads[tid].steps[n.pc[tid]];
      if (!st) continue;
      const l = n.l[tid];
      const ops = st.lock ? opsOf(call(tid, st, 'lock', () => st.lock!(n.s, l, tid))) : [];
      if (st.guard && call(tid, st, 'guard', () => st.guard!(n.s, l, tid)) !== true) {
        // lockdep records the dependency before it waits: a blocked acquisition still orders.
        for (const op of ops)
          if (op.op === 'acquire') apply(n.held[tid], op, threads[tid].name, st.label, edges, where(tid, st));
        continue;
      }
      const r = call(tid, st, 'run', () => st.run(n.s, l, tid));
      transitions++;
      if (r.violation) continue; // the kernel stopped here: a BUG ends the execution
      let pc = n.pc[tid] + 1;
      if (r.goto !== undefined) {
        const target = typeof r.goto === 'number' ? pcIndex(r.goto, threads[tid].steps.length) : pcOf[tid].get(r.goto);
        if (target === undefined)
          throw new ModelError(`${where(tid, st)} jumps to unknown step '${r.goto}'`, 'bad-model');
        pc = target;
      }
      let held = n.held[tid];
      for (const op of ops) held = apply(held, op, threads[tid].name, st.label, edges, where(tid, st));
      if (pc >= threads[tid].steps.length && held.length > 0)
        throw new ModelError(
          `${where(tid, st)}: thread exits still holding ${held.map((h) => h.inst).join(', ')} (lock annotations unbalanced)`,
          'bad-model',
        );
      const next: Node = {
        s: r.s === undefined ? n.s : r.s,
        pc: n.pc.map((p, i) => (i === tid ? pc : p)),
        l: r.l === undefined ? n.l : n.l.map((x, i) => (i === tid ? (r.l as unknown) : x)),
        held: held === n.held[tid] ? n.held : n.held.map((h, i) => (i === tid ? held : h)),
      };
      const k = key(next);
      if (seen.has(k)) continue;
      if (seen.size >= maxStates) {
        reason = 'max-states';
        break;
      }
      seen.add(k);
      stack.push(next);
    }
  }
  return report(edges, reason, seen.size, transitions, performance.now() - start);
}

/** One lockdep event on a thread's held stack, recording the dependencies an acquire creates. */
function apply(
  held: readonly Held[],
  op: LockOp,
  thread: string,
  label: string,
  edges: Map<string, LockEdge>,
  where: string,
): readonly Held[] {
  const inst = op.inst ?? op.cls;
  if (op.op === 'acquire' && !op.trylock && held.some((h) => h.inst === inst))
    throw new ModelError(
      `${where}: acquires ${inst}, which the thread already holds (recursive locking; lock annotations unbalanced?)`,
      'bad-model',
    );
  if (op.op === 'release') {
    for (let i = held.length - 1; i >= 0; i--)
      if (held[i].inst === inst) return [...held.slice(0, i), ...held.slice(i + 1)];
    return held; // releasing what is not held is lock-misuse, another property's business
  }
  if (!op.trylock)
    for (const h of held) {
      const k = `${h.cls}\u0000${op.cls}`;
      const e = edges.get(k);
      if (!e)
        edges.set(k, {
          from: h.cls,
          to: op.cls,
          read: op.read === true,
          thread,
          label,
          heldSince: h.label,
          witnesses: [{ thread, label, heldSince: h.label }],
        });
      else if (!e.witnesses.some((w) => w.thread === thread && w.label === label && w.heldSince === h.label))
        edges.set(k, { ...e, witnesses: [...e.witnesses, { thread, label, heldSince: h.label }] });
    }
  return [...held, { cls: op.cls, inst, label }];
}

function report(
  edgeMap: Map<string, LockEdge>,
  reason: LockOrderReport['reason'],
  states: number,
  transitions: number,
  ms: number,
): LockOrderReport {
  const edges = [...edgeMap.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  const classes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const succ = new Map<string, string[]>();
  for (const e of edges) succ.set(e.from, [...(succ.get(e.from) ?? []), e.to]);
  const { cycles, truncated } = elementaryCycles(classes, succ, CYCLE_CAP);
  return {
    complete: reason === null,
    reason,
    states,
    transitions,
    timeMs: Math.round(ms * 10) / 10,
    classes,
    edges,
    cycles: cycles.map((c) => ({
      classes: c,
      edges: c.map((from, i) => edgeMap.get(`${from}\u0000${c[(i + 1) % c.length]}`)!),
    })),
    cyclesTruncated: truncated,
  };
}
