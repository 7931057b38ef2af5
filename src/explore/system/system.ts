import type { Access } from '../../core/access.js';
import { ModelError, StepError, errorMessage } from '../../core/errors.js';
import { deepFreeze, LocationTrie, settle, type LocationNode } from '../../core/settle.js';
import type { Instance } from '../../core/instantiate.js';
import type { Property, StateView } from '../../core/property.js';
import { pcIndex, type Step, type StepOutcome, type StepViolation } from '../../core/step.js';
import { ReadAudit } from './read-audit.js';
import { traceInstance } from '../../lang/model.js';
import { Canonicalizer } from './canon.js';
import type { HashNode } from '../../core/fingerprint.js';
import { ensureHashes, H1, H2, PH1, PH2, PK, SN, SR, stateFingerprint, ThreadLanes, tstate } from './statehash.js';
import { checkState, type Found } from './check.js';
import type { Trace } from '../results/result.js';
import { buildTrace } from './trace.js';
import type { Footprint, TransitionSystem } from './transition.js';

export type { Footprint } from './transition.js';

/** A global state: the shared state and each thread's pc and locals. Immutable. */
export interface GState {
  readonly s: any;
  readonly t: readonly TState[];
  /** Hash node of `s`, and the node to compute it against (statehash.ts; symbol keys, so views and JSON never see them). */
  [SN]?: HashNode;
  [SR]?: HashNode;
  /** Cached hash lanes of the permuted `s` under permutation key PK (statehash.ts, canon.ts). */
  [PK]?: number;
  [PH1]?: number;
  [PH2]?: number;
  /** Each thread's footprint in this state, once computed (for the write audit in `exec`). */
  [ACC]?: (Footprint | undefined)[];
}

const ACC: unique symbol = Symbol('acc');

export interface TState {
  readonly pc: number;
  readonly l: any;
  /** Cached hash lanes of (pc, l) (statehash.ts). */
  [H1]?: number;
  [H2]?: number;
}

export interface Executed {
  readonly g: GState;
  readonly violation?: StepViolation;
}

const VISIBLE = '⟨visible⟩';

/**
 * A step that leaves the shared state as it was needs no write audit; its footprint is still
 * computed its first SEED_RUNS times, so that the locations it names join the audited ones even
 * under the searches that compute no footprints (naive, bfs, random, preempt).
 */
const SEED_RUNS = 64;

export interface SystemOptions {
  /** Use the model's declared symmetry (default true; dfs, naive and bfs honour it). */
  readonly symmetry?: boolean;
  /** Check every step's writes against its footprint (default true; see src/core/settle.ts). */
  readonly auditWrites?: boolean;
  /** Check every step's reads against its footprint by re-running it (default false; read-audit.ts). */
  readonly auditReads?: boolean;
}

/**
 * The transition system of one model instance: enabledness, footprints (with visibility),
 * execution and property views. Every call into model code is wrapped so that a model that
 * throws becomes a ModelError naming the thread and step.
 *
 * States are frozen (the initial state and locals here, what each step builds in `exec`), so a
 * step that changes the state it is given, instead of returning a new one, fails at the change
 * (`state-mutated`); and each step's changes are audited against its footprint's writes
 * (`footprint-write`) and, with `auditReads`, its behaviour against its footprint's reads
 * (`footprint-read`, read-audit.ts). See docs/model-errors.md.
 */
export class System implements TransitionSystem<GState> {
  readonly n: number;
  readonly names: readonly string[];
  readonly allDone: number;
  private readonly steps: (readonly Step[])[];
  private readonly pcOf: Map<string, number>[];
  private readonly locIds = new Map<string, number>();
  private readonly locVisible: boolean[] = [];
  private readonly visibleAll: boolean;
  private readonly visiblePrefixes: readonly string[];
  readonly invariants: readonly Property[];
  readonly ends: readonly Property[];
  readonly assertions: ReadonlySet<string>;
  readonly checkDeadlock: boolean;
  private readonly fp = new Uint32Array(2);
  private readonly lanes: ThreadLanes;
  /** Symmetry reduction in use (the model declares symmetry and it was not turned off). */
  readonly canon: Canonicalizer | null;
  /** The write audit's locations (null when the audit is off), by location id. */
  private readonly audit: LocationTrie | null;
  private readonly locNode: LocationNode[] = [];
  private readonly locName: string[] = [];
  private readonly reads: ReadAudit | null;
  /** Per thread and pc: how many times the step ran without its footprint computed (SEED_RUNS). */
  private readonly unseeded: Uint8Array[];

  constructor(
    readonly inst: Instance,
    checked?: readonly string[],
    opts: SystemOptions = {},
  ) {
    const threads = inst.program.threads;
    this.n = threads.length;
    this.names = threads.map((t) => t.name);
    this.allDone = (1 << this.n) - 1;
    this.steps = threads.map((t) => t.steps);
    this.pcOf = threads.map((t) => {
      const m = new Map<string, number>();
      t.steps.forEach((s, i) => s.name && m.set(s.name, i));
      m.set('exit', t.steps.length);
      return m;
    });
    const props = selectProperties(inst, checked);
    this.invariants = props.filter((p) => p.kind === 'invariant');
    this.ends = props.filter((p) => p.kind === 'end');
    this.assertions = new Set(props.filter((p) => p.kind === 'assertion').map((p) => p.name));
    this.checkDeadlock = props.some((p) => p.kind === 'deadlock');
    this.visibleAll = this.invariants.some((p) => !p.reads || p.reads.includes('*'));
    this.visiblePrefixes = this.invariants.flatMap((p) => p.reads ?? []);
    this.audit = opts.auditWrites === false ? null : new LocationTrie();
    this.reads = opts.auditReads === true && this.audit !== null ? new ReadAudit() : null;
    this.unseeded = threads.map((t) => new Uint8Array(t.steps.length));
    this.loc(VISIBLE);
    this.lanes = new ThreadLanes(this.n);
    const sym = inst.program.symmetry;
    this.canon = sym && opts.symmetry !== false ? new Canonicalizer(inst, sym) : null;
    deepFreeze(inst.program.init);
    for (const t of threads) deepFreeze(t.locals);
  }

  /** Whether the model declares symmetry and the searches that support it use it. */
  get symmetric(): boolean {
    return this.canon !== null;
  }

  /**
   * The visited-set key of a state: its fingerprint or, under symmetry, that of its canonical
   * permutation; `keyPerm` is then the permutation's id (0: identity, see Canonicalizer).
   */
  key(g: GState): Uint32Array {
    if (this.canon === null) return this.fingerprint(g);
    return this.canon.key(g, this.fp);
  }

  /** The `symmetry` statistic: present when the model declares symmetry. */
  symmetryStats(): { symmetry?: boolean } {
    return this.inst.program.symmetry ? { symmetry: this.canon !== null } : {};
  }

  get keyPerm(): number {
    return this.canon === null ? 0 : this.canon.permId;
  }

  initial(): GState {
    return {
      s: this.inst.program.init,
      t: this.inst.program.threads.map((t) => tstate(0, t.locals)),
      [SN]: undefined,
      [SR]: undefined,
      [PK]: -1,
      [PH1]: 0,
      [PH2]: 0,
      [ACC]: undefined,
    };
  }

  isDone(g: GState, tid: number): boolean {
    return g.t[tid].pc >= this.steps[tid].length;
  }

  /** Bit mask of threads whose next step can run now. */
  enabledMask(g: GState): number {
    let m = 0;
    for (let tid = 0; tid < this.n; tid++) if (this.enabled(g, tid)) m |= 1 << tid;
    return m;
  }

  doneMask(g: GState): number {
    let m = 0;
    for (let tid = 0; tid < this.n; tid++) if (this.isDone(g, tid)) m |= 1 << tid;
    return m;
  }

  enabled(g: GState, tid: number): boolean {
    const ts = g.t[tid];
    const st = this.steps[tid][ts.pc];
    if (!st) return false;
    if (!st.guard) return true;
    try {
      return st.guard(g.s, ts.l, tid) === true;
    } catch (e) {
      throw this.threw(tid, st, 'guard', e);
    }
  }

  /** Footprint of the thread's next step (empty when done). */
  footprint(g: GState, tid: number): Footprint {
    const known = this.audit !== null ? g[ACC]?.[tid] : undefined;
    if (known !== undefined) return known;
    const ts = g.t[tid];
    const st = this.steps[tid][ts.pc];
    if (!st) return [];
    const acc = this.accesses(g, tid, st);
    const out: number[] = [];
    let visible = this.visibleAll;
    for (const a of acc) {
      const id = this.loc(a.loc);
      out.push(id * 2 + (a.write ? 1 : 0));
      if (a.write && this.locVisible[id]) visible = true;
    }
    if (visible) out.push(1);
    if (this.audit !== null) (g[ACC] ??= [])[tid] = out;
    return out;
  }

  /** The step's footprint as the model declares it. */
  private accesses(g: GState, tid: number, st: Step): readonly Access[] {
    try {
      return st.footprint(g.s, g.t[tid].l, tid);
    } catch (e) {
      throw this.threw(tid, st, 'footprint', e);
    }
  }

  exec(g: GState, tid: number): Executed {
    const ts = g.t[tid];
    const st = this.steps[tid][ts.pc];
    let r;
    try {
      r = st.run(g.s, ts.l, tid);
    } catch (e) {
      throw this.threw(tid, st, 'run', e);
    }
    if (!r || typeof r !== 'object') throw new ModelError(`${this.where(tid, st)} returned no outcome`, 'model-threw');
    let pc = ts.pc + 1;
    if (r.goto !== undefined) {
      const target = typeof r.goto === 'number' ? pcIndex(r.goto, this.steps[tid].length) : this.pcOf[tid].get(r.goto);
      if (target === undefined)
        throw new ModelError(`${this.where(tid, st)} jumps to unknown step '${r.goto}'`, 'bad-model');
      pc = target;
    }
    if (r.violation && !this.inst.properties.some((p) => p.kind === 'assertion' && p.name === r.violation!.property))
      throw new ModelError(
        `${this.where(tid, st)} raised '${r.violation.property}', which the model does not declare as an assertion`,
        'bad-model',
      );
    const t = g.t.slice();
    const l: unknown = r.l === undefined ? ts.l : r.l;
    if (l !== ts.l) settle(l, ts.l);
    t[tid] = tstate(pc, l);
    const s = r.s === undefined ? g.s : r.s;
    const same = s === g.s;
    const declared = this.audit !== null && (!same || this.reads !== null) ? this.footprint(g, tid) : null;
    if (!same) this.settleShared(s, g.s, tid, st, declared);
    else if (this.audit !== null && this.unseeded[tid][ts.pc] < SEED_RUNS) {
      this.unseeded[tid][ts.pc]++;
      this.footprint(g, tid);
    }
    if (this.reads !== null && declared !== null) this.auditReads(this.reads, g, tid, st, r, declared);
    const out: GState = same
      ? { s, t, [SN]: g[SN], [SR]: g[SR], [PK]: g[PK], [PH1]: g[PH1], [PH2]: g[PH2], [ACC]: undefined }
      : { s, t, [SN]: undefined, [SR]: g[SN] ?? g[SR], [PK]: -1, [PH1]: 0, [PH2]: 0, [ACC]: undefined };
    // A BUG ends the execution whether or not its property is being checked (the kernel stopped
    // there); the searches record it only when it is checked (see Recorder).
    return r.violation ? { g: out, violation: r.violation } : { g: out };
  }

  /** Freeze the new shared state; with the audit on, refuse a change outside the declared writes. */
  private settleShared(s: unknown, prev: unknown, tid: number, st: Step, declared: Footprint | null): void {
    const audit = this.audit;
    if (audit === null || declared === null) {
      settle(s, prev);
      return;
    }
    const stamp = ++audit.stamp;
    for (const x of declared) if ((x & 1) === 1) this.locNode[x >> 1].stamp = stamp;
    const bad = settle(s, prev, audit);
    if (bad === null) return;
    throw new ModelError(
      `${this.where(tid, st)} wrote '${bad.replace(/^\./, '')}', which its footprint does not declare (${this.declaredText(declared)})`,
      'footprint-write',
    );
  }

  /** With the read audit on, refuse a step that depends on a location outside its footprint. */
  private auditReads(
    reads: ReadAudit,
    g: GState,
    tid: number,
    st: Step,
    r: StepOutcome<unknown, unknown>,
    declared: Footprint,
  ): void {
    const names = declared.filter((x) => x !== 1).map((x) => this.locName[x >> 1]);
    const bad = reads.check(st, g.s, g.t[tid].l, tid, names, r);
    if (bad !== null)
      throw new ModelError(
        `${this.where(tid, st)} read '${bad}', which its footprint does not declare (${this.declaredText(declared)})`,
        'footprint-read',
      );
  }

  private declaredText(declared: Footprint): string {
    const list = (w: number) =>
      declared
        .filter((x) => (x & 1) === w && x !== 1)
        .map((x) => this.locName[x >> 1])
        .join(', ') || 'none';
    return `writes: ${list(1)}; reads: ${list(0)}`;
  }

  /** Fingerprint a state into the shared two-lane buffer. */
  fingerprint(g: GState): Uint32Array {
    ensureHashes(g);
    return stateFingerprint(this.fp, g, this.lanes);
  }

  check(g: GState, enabled: number): readonly Found[] {
    return checkState(this, g, enabled);
  }

  /** The schedule replayed and recorded step by step, printed without dead-local resets (`traceInstance`). */
  trace(tids: readonly number[]): Trace {
    if (this.printer === undefined) {
      const quiet = traceInstance(this.inst);
      this.printer = quiet === this.inst ? this : new System(quiet, [], { symmetry: false });
    }
    return buildTrace(this.printer, tids);
  }

  /** The system counterexamples are printed from (built once; `traceInstance`). */
  private printer?: System;

  hasGuard(g: GState, tid: number): boolean {
    const st = this.steps[tid][g.t[tid].pc];
    return st === undefined || st.guard !== undefined;
  }

  stepCost(g: GState, tid: number): string | undefined {
    return this.steps[tid][g.t[tid].pc]?.cost;
  }

  label(g: GState, tid: number): string {
    const st = this.steps[tid][g.t[tid].pc];
    return st ? st.label : 'exit';
  }

  view(g: GState): StateView {
    return {
      s: g.s,
      threads: g.t.map((ts, i) => ({ name: this.names[i], done: this.isDone(g, i), at: this.label(g, i), l: ts.l })),
    };
  }

  /** Dependent: some location touched by both, written by at least one. */
  static dependent(a: Footprint, b: Footprint): boolean {
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      for (let j = 0; j < b.length; j++) {
        const y = b[j];
        if (x >> 1 === y >> 1 && ((x | y) & 1) === 1) return true;
      }
    }
    return false;
  }

  private loc(name: string): number {
    let id = this.locIds.get(name);
    if (id === undefined) {
      id = this.locIds.size;
      this.locIds.set(name, id);
      this.locName[id] = name;
      if (this.audit !== null) this.locNode[id] = this.audit.insert(name);
      if (this.reads !== null && name !== VISIBLE) this.reads.name(name);
      this.locVisible[id] = this.visiblePrefixes.some(
        (p) => name === p || name.startsWith(p.endsWith('.') ? p : p + '.') || name.startsWith(p + '['),
      );
    }
    return id;
  }

  locationCount(): number {
    return this.locIds.size;
  }

  private where(tid: number, st: Step): string {
    return `model '${this.inst.model.name}' thread '${this.names[tid]}' step '${st.label}'`;
  }

  private threw(tid: number, st: Step, what: string, e: unknown): ModelError {
    if (e instanceof StepError) return e.ofThread(this.names[tid]);
    if (e instanceof ModelError) return e;
    if (isFrozenWrite(e))
      return new ModelError(
        `${this.where(tid, st)} changed the state or locals it was given, in ${what} (${errorMessage(e)}): return a new state (setIn, a spread, immer's produce) instead`,
        'state-mutated',
      );
    return new ModelError(`${this.where(tid, st)} threw in ${what}: ${errorMessage(e)}`, 'model-threw');
  }
}

function selectProperties(inst: Instance, checked?: readonly string[]): readonly Property[] {
  if (!checked) return inst.properties;
  for (const c of checked)
    if (!inst.properties.some((p) => p.name === c))
      throw new ModelError(
        `model '${inst.model.name}' has no property '${c}' (known: ${inst.properties.map((p) => p.name).join(', ')})`,
        'unknown-property',
      );
  return inst.properties.filter((p) => checked.includes(p.name));
}

/** The TypeError a write to a frozen object raises in strict code (every ES module is strict). */
export function isFrozenWrite(e: unknown): boolean {
  return (
    e instanceof TypeError &&
    /^Cannot (assign to read only property|add property|delete property|define property|redefine property)|object is not extensible/.test(
      e.message,
    )
  );
}
