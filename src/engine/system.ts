import type { Access } from '../core/access.js';
import { ModelError } from '../core/errors.js';
import type { Instance } from '../core/instantiate.js';
import { DEADLOCK_FREE, type StateView } from '../core/property.js';
import type { StepViolation } from '../core/step.js';
import type { LangStep } from '../lang/compile.js';
import { isCompiled } from '../lang/model.js';
import { Canonicalizer } from '../explore/system/canon.js';
import type { Found } from '../explore/system/check.js';
import type { Trace } from '../explore/results/result.js';
import { System } from '../explore/system/system.js';
import type { Footprint, Moved, TransitionSystem } from '../explore/system/transition.js';
import { Encoding } from './encoding.js';
import { fingerprint, termA, termB } from './fingerprint.js';
import { PropertyMemo, type Verdicts } from './properties.js';
import { VecCanon } from './symmetry.js';
import { DONE, TransitionMemo, type Move } from './transitions.js';
import { readsAny } from './trie.js';
import { LazyView } from './view.js';

const VISIBLE = '⟨visible⟩';
/** Slots per allocation chunk of state vectors (64 KiB). */
const CHUNK = 16384;

/**
 * The transition system of a language model over flat state vectors (src/engine/encoding.ts),
 * for every search of src/explore. A thread's next step is looked up in its TransitionMemo (a
 * trie over the slots the body reads; the body runs only on a miss), and applied by storing
 * encoded writes: no objects, no closures. Properties run on a LazyView and are memoised the same
 * way (PropertyMemo). Symmetry permutes thread blocks and renames thread-id fields (VecCanon).
 * Property selection, assertion names and traces come from the reference engine's System for
 * the same instance, which replays every counterexample, so a trace shows every kernel step.
 */
export class VecSystem implements TransitionSystem<Int32Array> {
  readonly n: number;
  readonly names: readonly string[];
  readonly allDone: number;
  readonly enc: Encoding;
  /** The reference engine for the same instance (no symmetry): properties and traces. */
  readonly ref: System;
  readonly canon: VecCanon | null;
  private readonly steps: (readonly LangStep<unknown>[])[];
  private readonly memos: TransitionMemo[];
  private readonly lastV: (Int32Array | null)[];
  private readonly lastMove: Move[];
  private readonly invariantMemo: PropertyMemo;
  private readonly endMemo: PropertyMemo;
  private readonly lazy: LazyView;
  private readonly fp = new Int32Array(2);
  /** Slots changed by a step (`changes`). */
  readonly changed: Int32Array;
  private chunk = new Int32Array(0);
  private chunkAt = 0;
  private readonly locIds = new Map<string, number>();
  private readonly locVisible: boolean[] = [];
  private readonly visibleAll: boolean;
  private readonly visiblePrefixes: readonly string[];
  private readonly declared: ReadonlySet<string>;

  constructor(
    readonly inst: Instance,
    checked?: readonly string[],
    opts: { readonly symmetry?: boolean } = {},
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
    this.names = program.threads.map((t) => t.name);
    this.allDone = (1 << this.n) - 1;
    this.steps = program.threads.map((t) => t.steps as readonly LangStep<unknown>[]);
    this.declared = new Set(inst.properties.filter((p) => p.kind === 'assertion').map((p) => p.name));
    this.visibleAll = this.ref.invariants.some((p) => !p.reads || p.reads.includes('*'));
    this.visiblePrefixes = this.ref.invariants.flatMap((p) => p.reads ?? []);
    this.loc(VISIBLE);
    const slots = this.enc.fields + 2 * this.n;
    this.changed = new Int32Array(slots + 2);
    const locs = { footprint: (acc: readonly Access[]) => this.footprintOf(acc) };
    this.memos = this.steps.map(
      (steps, t) =>
        new TransitionMemo(
          this.enc,
          steps,
          t,
          this.names[t],
          locs,
          (label) => `model '${inst.model.name}' thread '${this.names[t]}' step '${label}'`,
          slots,
        ),
    );
    this.lastV = this.steps.map(() => null);
    this.lastMove = this.memos.map(() => undefined as unknown as Move);
    const lengths = this.steps.map((s) => s.length);
    this.lazy = new LazyView(this.enc, {
      names: this.names,
      lengths,
      label: (t, pc) => this.steps[t][pc]?.label ?? 'exit',
    });
    const model = inst.model.name;
    const decoded = (v: Int32Array) => this.view(v);
    this.invariantMemo = new PropertyMemo(model, this.ref.invariants, 'invariant', this.lazy, decoded);
    this.endMemo = new PropertyMemo(model, this.ref.ends, 'end', this.lazy, decoded);
    const sym = program.symmetry;
    if (sym && opts.symmetry !== false) {
      // The reference canonicaliser checks the declaration (group members alike).
      new Canonicalizer(inst, sym);
      const leaves = program.layout.leaves;
      const slotsOf = (kind: string) => Int32Array.from(leaves.filter((r) => r.domain.kind === kind).map((r) => r.id));
      this.canon = new VecCanon(
        this.enc,
        sym.groups.map((g) => Int32Array.from(g).sort()),
        sym.threadKey,
        this.lazy,
        slotsOf('tid'),
        slotsOf('mask'),
        lengths,
      );
    } else this.canon = null;
  }

  get invariants() {
    return this.ref.invariants;
  }
  get ends() {
    return this.ref.ends;
  }
  get assertions() {
    return this.ref.assertions;
  }
  get checkDeadlock() {
    return this.ref.checkDeadlock;
  }

  get keyPerm(): number {
    return this.canon === null ? 0 : this.canon.permId;
  }

  symmetryStats(): { symmetry?: boolean } {
    return this.inst.program.symmetry ? { symmetry: this.canon !== null } : {};
  }

  initial(): Int32Array {
    return this.enc.vector(
      this.inst.program.init,
      this.inst.program.threads.map((t) => ({ pc: 0, l: t.locals as unknown })),
    );
  }

  /**
   * What thread t's next step does in v (the last lookup per thread is kept, by the vector's
   * identity: never call it on a vector a search overwrites in place, as the naive and dfs
   * searches do with their per-depth vectors; they keep their own moves and use `lookup`).
   */
  move(v: Int32Array, t: number): Move {
    if (this.lastV[t] === v) return this.lastMove[t];
    const m = this.memos[t].move(v);
    this.lastV[t] = v;
    this.lastMove[t] = m;
    return m;
  }

  /** What thread t's next step does in v, looked up (for a search that keeps its own moves). */
  lookup(v: Int32Array, t: number): Move {
    return this.memos[t].move(v);
  }

  /**
   * Thread t's move in w, the successor of a state where its move was `before` by thread p's
   * step, which changed `changed[0..n)`: another thread whose step read none of those slots does
   * the same in w (its move is kept, not looked up).
   */
  moveAfter(before: Move, t: number, p: number, w: Int32Array, n: number): Move {
    return t !== p && (before === DONE || !readsAny(before.reads, this.changed, n)) ? before : this.lookup(w, t);
  }

  /**
   * A new vector, carved from a shared chunk: a view costs far less than its own ArrayBuffer
   * (vectors are longer than V8 keeps on its heap). A chunk lives while a view into it does.
   */
  private alloc(len: number): Int32Array {
    if (this.chunkAt + len > this.chunk.length) {
      this.chunk = new Int32Array(Math.max(CHUNK, len));
      this.chunkAt = 0;
    }
    const w = this.chunk.subarray(this.chunkAt, this.chunkAt + len);
    this.chunkAt += len;
    return w;
  }

  pc(v: Int32Array, t: number): number {
    return v[this.enc.fields + 2 * t];
  }

  isDone(v: Int32Array, t: number): boolean {
    return this.pc(v, t) >= this.steps[t].length;
  }

  enabled(v: Int32Array, t: number): boolean {
    return !this.move(v, t).blocked;
  }

  enabledMask(v: Int32Array): number {
    let m = 0;
    for (let t = 0; t < this.n; t++) if (!this.move(v, t).blocked) m |= 1 << t;
    return m;
  }

  doneMask(v: Int32Array): number {
    let m = 0;
    for (let t = 0; t < this.n; t++) if (this.isDone(v, t)) m |= 1 << t;
    return m;
  }

  footprint(v: Int32Array, t: number): Footprint {
    return this.move(v, t).foot;
  }

  exec(v: Int32Array, t: number): Moved<Int32Array> {
    const w = this.alloc(v.length);
    const violation = this.apply(v, t, w);
    return violation ? { g: w, violation } : { g: w };
  }

  /** Thread t's step from v, its successor written into `w` (v's length); the BUG it raised, if any. */
  apply(v: Int32Array, t: number, w: Int32Array, m = this.move(v, t)): StepViolation | undefined {
    const at = this.enc.fields + 2 * t;
    w.set(v);
    if (m.violation) {
      if (!this.declared.has(m.violation.property))
        throw new ModelError(
          `model '${this.inst.model.name}' thread '${this.names[t]}' step '${m.label}' raised '${m.violation.property}', which the model does not declare as an assertion`,
          'bad-model',
        );
      w[at] = v[at] + 1;
      return m.violation;
    }
    if (m.blocked)
      throw new ModelError(
        `model '${this.inst.model.name}' thread '${this.names[t]}' step '${m.label}' ran while blocked`,
        'model-threw',
      );
    const writes = m.writes;
    for (let i = 0; i < writes.length; i += 2) w[writes[i]] = writes[i + 1];
    w[at] = m.pc;
    w[at + 1] = m.lid;
    return undefined;
  }

  /**
   * The additive fingerprint (fingerprintSum) of thread t's successor of v, from v's lanes
   * (`lanes[at]`, `lanes[at + 1]`), without building the successor: each slot the step changes
   * swaps its term. For a step that neither blocks nor raises (the naive search keys states so).
   * Lanes go in and out through typed arrays: a 32-bit lane passed as a number would be boxed.
   */
  successorSum(
    v: Int32Array,
    t: number,
    lanes: Int32Array,
    at: number,
    out: Int32Array,
    m = this.move(v, t),
  ): Int32Array {
    // The swaps of the slots whose old value the move knows are summed in (dA, dB).
    let a = (lanes[at] + m.dA) | 0;
    let b = (lanes[at + 1] + m.dB) | 0;
    const blind = m.blind;
    for (let i = 0; i < blind.length; i += 2) {
      const s = blind[i];
      const x = blind[i + 1];
      const old = v[s];
      if (x === old) continue;
      a = (a + termA(s, x) - termA(s, old)) | 0;
      b = (b + termB(s, x) - termB(s, old)) | 0;
    }
    out[0] = a;
    out[1] = b;
    return out;
  }

  key(v: Int32Array): Int32Array {
    return this.canon === null ? fingerprint(v, this.fp) : this.canon.key(v, this.fp);
  }

  fingerprint(v: Int32Array): Int32Array {
    return fingerprint(v, this.fp);
  }

  label(v: Int32Array, t: number): string {
    return this.steps[t][this.pc(v, t)]?.label ?? 'exit';
  }

  stepCost(v: Int32Array, t: number): string | undefined {
    return this.steps[t][this.pc(v, t)]?.cost;
  }

  hasGuard(v: Int32Array, t: number): boolean {
    const st = this.steps[t][this.pc(v, t)];
    return st === undefined || st.guard !== undefined;
  }

  /** The state decoded to the reference engine's view (for reports and tests). */
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

  /**
   * The slots thread t's step from v changes, into `changed` (returns how many): the written
   * slots whose value differs, its pc slot and its locals slot when they do.
   */
  changes(v: Int32Array, t: number, m = this.move(v, t)): number {
    const writes = m.writes;
    const out = this.changed;
    let n = 0;
    for (let i = 0; i < writes.length; i += 2) if (v[writes[i]] !== writes[i + 1]) out[n++] = writes[i];
    const at = this.enc.fields + 2 * t;
    if (v[at] !== m.pc) out[n++] = at;
    if (v[at + 1] !== m.lid) out[n++] = at + 1;
    return n;
  }

  /** The invariants' verdicts in the last state `check` looked at (with their memo leaves). */
  get invariantVerdicts(): Verdicts | undefined {
    return this.invariantMemo.last;
  }

  /**
   * `parent`: the invariants' verdicts in a state v differs from only in the slots
   * `slots[0..changed)` (by default `this.changed`, as `changes` left them; 0: in none), so each
   * invariant whose memo path reads none of those slots keeps its leaf (PropertyMemo.check).
   */
  check(v: Int32Array, enabled: number, parent?: Verdicts, changed = 0, slots = this.changed): readonly Found[] {
    const inv = this.invariantMemo.check(v, parent, slots, changed);
    if (enabled !== 0) return inv;
    if (this.doneMask(v) === this.allDone) {
      const end = this.endMemo.check(v);
      return end.length === 0 ? inv : inv.length === 0 ? end : [...inv, ...end];
    }
    if (!this.checkDeadlock) return inv;
    const waits: string[] = [];
    for (let t = 0; t < this.n; t++)
      if (!this.isDone(v, t)) waits.push(`${this.names[t]} blocked at '${this.label(v, t)}'`);
    return [...inv, { property: DEADLOCK_FREE, kind: 'deadlock', message: `deadlock: ${waits.join('; ')}` }];
  }

  /** Printed by the reference engine, as it prints its own traces (without dead-local resets). */
  trace(tids: readonly number[]): Trace {
    return this.ref.trace(tids);
  }

  /** Sizes of the memo tries and locals, for statistics. */
  memoStats(): { transitionNodes: number; bodyRuns: number; propertyNodes: number; locals: number } {
    return {
      transitionNodes: this.memos.reduce((a, m) => a + m.nodes, 0),
      bodyRuns: this.memos.reduce((a, m) => a + m.runs, 0),
      propertyNodes: this.invariantMemo.nodes + this.endMemo.nodes,
      locals: this.enc.localsCount,
    };
  }

  private footprintOf(acc: readonly Access[]): Footprint {
    const out: number[] = [];
    let visible = this.visibleAll;
    for (const a of acc) {
      const id = this.loc(a.loc);
      out.push(id * 2 + (a.write ? 1 : 0));
      if (a.write && this.locVisible[id]) visible = true;
    }
    if (visible) out.push(1);
    return out;
  }

  private loc(name: string): number {
    let id = this.locIds.get(name);
    if (id === undefined) {
      id = this.locIds.size;
      this.locIds.set(name, id);
      this.locVisible[id] = this.visiblePrefixes.some(
        (p) => name === p || name.startsWith(p.endsWith('.') ? p : p + '.') || name.startsWith(p + '['),
      );
    }
    return id;
  }
}
