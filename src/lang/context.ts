import type { Access } from '../core/access.js';
import { setPaths } from './paths.js';
import type { LockOp, StepViolation } from '../core/step.js';
import { checkValue, LayoutError } from './domain.js';
import type { Layout, Ref } from './layout.js';
import { checkDiscipline } from './discipline.js';

/**
 * What a step body sees: the shared state through the layout's references, its thread's locals
 * and id. Every shared access goes through `get`/`set`/`touch`, which record it: the step's
 * footprint is what the body did in this state, never declared by hand. The body is run on a
 * state without changing it (writes go to an overlay); `commit` applies them. Bodies must be
 * deterministic functions of the state, locals and thread id — they are run once to decide
 * enabledness and footprint and their result reused by the step (see src/lang/compile.ts).
 */
export interface Ctx<L> {
  /** The thread's locals as they are now (after any `let` in this step). */
  readonly l: L;
  readonly tid: number;
  /** Read a field. */
  get<V>(r: Ref<V>): V;
  /** Write a field (checked against its domain). */
  set<V>(r: Ref<V>, v: V): void;
  /**
   * Record an atomic read-modify-write of a field without changing it: a lock attempt or a CAS
   * that fails still owns the location (it races with every other access to it).
   */
  touch(r: Ref<unknown>): void;
  /** Block the step (a guard) unless `cond`: the thread waits here; what it read so far is its footprint. */
  await(cond: boolean): void;
  /** Update some of the thread's locals. */
  let(patch: Partial<L>): void;
  /** Raise a kernel BUG/WARN: the model's `assertion` property `property` is violated. */
  bug(property: string, message: string): never;
  /** Lockdep view: this step acquires or releases a lock (read by the lock-order analysis only). */
  lockOp(op: LockOp): void;
}

/** Thrown by `await(false)`: the step is blocked (not a failure). */
class Blocked extends Error {}
const BLOCKED = new Blocked('blocked');
/** Thrown by `bug()`: the step raises a violation. */
class Raise extends Error {
  constructor(readonly violation: StepViolation) {
    super(violation.message);
  }
}

/** The outcome of running a body once on one state. */
export interface Evaluation<L> {
  /** The locals the body was run with. */
  readonly before: L;
  readonly blocked: boolean;
  readonly footprint: readonly Access[];
  readonly writes: readonly (readonly [Ref<unknown>, unknown])[];
  readonly l: L;
  /** What the body returned (a branch step's condition). */
  readonly value: unknown;
  readonly violation?: StepViolation;
  readonly lockOps: readonly LockOp[];
}

export type Body<L> = (c: Ctx<L>) => unknown;

class Recorder<L> implements Ctx<L> {
  l: L;
  readonly acc = new Map<string, boolean>();
  readonly writes: [Ref<unknown>, unknown][] = [];
  readonly lockOps: LockOp[] = [];

  constructor(
    private readonly layout: Layout,
    private readonly read: (r: Ref<unknown>) => unknown,
    l: L,
    readonly tid: number,
  ) {
    this.l = l;
  }

  private check(r: Ref<unknown>, what: string): void {
    if (!r || this.layout.leaves[r.id] !== r)
      throw new LayoutError(`${what} ${r ? r.name : 'undefined'}: not a field of the model's layout`);
    if (r.lock || r.isLock) checkDiscipline(r, this.tid, (x) => this.peek(x), this.lockOps);
  }

  /** A field's value as this step sees it (its own writes first), not recorded as an access. */
  private peek(r: Ref<unknown>): unknown {
    for (let i = this.writes.length - 1; i >= 0; i--) if (this.writes[i][0] === r) return this.writes[i][1];
    return this.read(r);
  }

  get<V>(r: Ref<V>): V {
    this.check(r, 'get');
    if (!this.acc.has(r.loc)) this.acc.set(r.loc, false);
    return this.peek(r) as V;
  }

  set<V>(r: Ref<V>, v: V): void {
    this.check(r, 'set');
    checkValue(r.domain, v, `set ${r.name} =`);
    this.acc.set(r.loc, true);
    this.writes.push([r, v]);
  }

  touch(r: Ref<unknown>): void {
    this.check(r, 'touch');
    this.acc.set(r.loc, true);
  }

  await(cond: boolean): void {
    if (!cond) throw BLOCKED;
  }

  let(patch: Partial<L>): void {
    this.l = { ...this.l, ...patch };
  }

  bug(property: string, message: string): never {
    throw new Raise({ property, message });
  }

  lockOp(op: LockOp): void {
    this.lockOps.push(op);
  }

  footprint(): Access[] {
    const out: Access[] = [];
    for (const [loc, write] of this.acc) out.push({ loc, write });
    return out;
  }
}

/** Run a body on a state with a recording accessor. Errors other than blocking and BUGs propagate. */
export function evaluate<L>(layout: Layout, body: Body<L>, s: unknown, l: L, tid: number): Evaluation<L> {
  return evaluateWith(layout, body, (r) => r.get(s), l, tid);
}

/** Run a body with the fields read through `read` (a flat state vector: src/engine). */
export function evaluateWith<L>(
  layout: Layout,
  body: Body<L>,
  read: (r: Ref<unknown>) => unknown,
  l: L,
  tid: number,
): Evaluation<L> {
  const r = new Recorder(layout, read, l, tid);
  try {
    const value = body(r);
    return { before: l, blocked: false, footprint: r.footprint(), writes: r.writes, l: r.l, value, lockOps: r.lockOps };
  } catch (e) {
    if (e === BLOCKED)
      return {
        before: l,
        blocked: true,
        footprint: r.footprint(),
        writes: [],
        l,
        value: undefined,
        lockOps: r.lockOps,
      };
    if (e instanceof Raise)
      return {
        before: l,
        blocked: false,
        footprint: r.footprint(),
        writes: [],
        l,
        value: undefined,
        violation: e.violation,
        lockOps: r.lockOps,
      };
    throw e;
  }
}

/** The state after an evaluation's writes. */
export function commit<S>(s: S, e: Evaluation<unknown>): S {
  return setPaths(
    s,
    e.writes.map(([r, v]) => [r.path, v] as const),
  );
}
