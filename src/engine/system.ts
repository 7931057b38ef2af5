import { ModelError } from '../core/errors.js';
import type { Instance } from '../core/instantiate.js';
import type { StateView } from '../core/property.js';
import type { Evaluation } from '../lang/context.js';
import type { LangStep } from '../lang/compile.js';
import { isCompiled } from '../lang/model.js';
import type { Found } from '../explore/check.js';
import { DEADLOCK_FREE, verdictOf } from '../core/property.js';
import { System } from '../explore/system.js';
import { Encoding } from './encoding.js';

/**
 * The transition system of a language model over flat state vectors (src/engine/encoding.ts):
 * a thread's next step runs its compiled body with fields read from the vector, and its writes,
 * next pc and locals give the successor vector. Property selection, assertion names and traces
 * come from the reference engine's System (src/explore/system.ts), which replays every
 * counterexample, so a trace shows every kernel step.
 */
export class VecSystem {
  readonly n: number;
  readonly allDone: number;
  readonly enc: Encoding;
  /** The reference engine for the same instance (no symmetry): properties and traces. */
  readonly ref: System;
  private readonly steps: (readonly LangStep<unknown>[])[];
  private readonly names: readonly string[];

  constructor(
    readonly inst: Instance,
    checked?: readonly string[],
  ) {
    const program = inst.program;
    if (!isCompiled(program))
      throw new ModelError(
        `model '${inst.model.name}' is not written in the model language: the compiled engine cannot run it (use --engine reference)`,
        'bad-engine',
      );
    this.ref = new System(inst, checked, { symmetry: false });
    this.enc = new Encoding(program.layout);
    this.n = program.threads.length;
    this.allDone = (1 << this.n) - 1;
    this.steps = program.threads.map((t) => t.steps as readonly LangStep<unknown>[]);
    this.names = program.threads.map((t) => t.name);
  }

  initial(): Int32Array {
    return this.enc.vector(
      this.inst.program.init,
      this.inst.program.threads.map((t) => ({ pc: 0, l: t.locals as unknown })),
    );
  }

  pc(v: Int32Array, t: number): number {
    return v[this.enc.fields + 2 * t];
  }

  isDone(v: Int32Array, t: number): boolean {
    return this.pc(v, t) >= this.steps[t].length;
  }

  /** The thread's next step run on the state (null when the thread is done). */
  evaluate(v: Int32Array, t: number): Evaluation<unknown> | null {
    const st = this.steps[t][this.pc(v, t)];
    if (!st) return null;
    const l = this.enc.locals(v[this.enc.fields + 2 * t + 1]);
    try {
      return st.evaluate((r) => this.enc.read(v, r), l, t);
    } catch (e) {
      if (e instanceof ModelError) throw e;
      throw new ModelError(
        `model '${this.inst.model.name}' thread '${this.names[t]}' step '${st.label}' threw: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
        'model-threw',
      );
    }
  }

  /** The successor vector after thread t ran its evaluated step, written into `w` (v's length). */
  next(v: Int32Array, t: number, e: Evaluation<unknown>, w: Int32Array = new Int32Array(v.length)): Int32Array {
    w.set(v);
    const writes = e.writes;
    for (let i = 0; i < writes.length; i++) w[writes[i][0].id] = this.enc.encode(writes[i][0], writes[i][1]);
    const st = this.steps[t][this.pc(v, t)];
    const a = st.after(e, t);
    w[this.enc.fields + 2 * t] = a.pc;
    // Unchanged locals keep their id (interning hashes their text).
    if (a.l !== e.before) w[this.enc.fields + 2 * t + 1] = this.enc.intern(a.l);
    return w;
  }

  label(v: Int32Array, t: number): string {
    return this.steps[t][this.pc(v, t)]?.label ?? 'exit';
  }

  view(v: Int32Array): StateView {
    return {
      s: this.enc.shared(v),
      threads: this.names.map((name, t) => ({
        name,
        done: this.isDone(v, t),
        at: this.label(v, t),
        l: this.enc.locals(v[this.enc.fields + 2 * t + 1]),
      })),
    };
  }

  /** Invariants; end-state properties when all threads are done; deadlock when none can move. */
  check(v: Int32Array, enabled: number): Found[] {
    const out: Found[] = [];
    const sys = this.ref;
    let view: StateView | undefined;
    for (const p of sys.invariants) {
      const msg = verdictOf(sys.inst.model.name, p, (view ??= this.view(v)));
      if (msg !== null) out.push({ property: p.name, kind: 'invariant', message: msg });
    }
    if (enabled !== 0) return out;
    let done = true;
    for (let t = 0; t < this.n; t++) if (!this.isDone(v, t)) done = false;
    if (done) {
      for (const p of sys.ends) {
        const msg = verdictOf(sys.inst.model.name, p, (view ??= this.view(v)));
        if (msg !== null) out.push({ property: p.name, kind: 'end', message: msg });
      }
    } else if (sys.checkDeadlock) {
      const waits: string[] = [];
      for (let t = 0; t < this.n; t++)
        if (!this.isDone(v, t)) waits.push(`${this.names[t]} blocked at '${this.label(v, t)}'`);
      out.push({ property: DEADLOCK_FREE, kind: 'deadlock', message: `deadlock: ${waits.join('; ')}` });
    }
    return out;
  }
}
