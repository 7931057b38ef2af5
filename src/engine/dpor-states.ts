import type { StepViolation } from '../core/step.js';
import type { Found } from '../explore/system/check.js';
import type { Verdicts } from './properties.js';
import type { Footprint } from '../explore/system/transition.js';
import type { SearchOptions, SearchResult } from '../explore/results/result.js';
import { searchDporWith } from '../explore/strategies/dpor/dpor.js';
import type { DporStates } from '../explore/strategies/dpor/states.js';
import type { VecSystem } from './system.js';
import type { Move } from './transitions.js';
import type { TrieLeaf } from './trie.js';

/** The DPOR search (dfs) on the compiled engine, its frame states kept by VecStates. */
export function searchVecDpor(sys: VecSystem, opts: SearchOptions = {}): SearchResult {
  return searchDporWith(sys, new VecStates(sys), opts);
}

/**
 * The DPOR search's frame states on the compiled engine, as the naive search keeps its own
 * (naive.ts): a successor is built in a scratch vector, and copied into the vector kept for its
 * depth only when the search enters it (most successors are states seen before). Each frame
 * keeps what every thread does in its state (its moves); a successor's thread whose move read
 * none of the slots the step changed does the same there (its move is kept, not looked up),
 * and likewise for the symmetry key's leaves (`hint`) and each invariant whose reads the step
 * left alone (its parent's verdicts and the changed slots go to VecSystem.check).
 */
export class VecStates implements DporStates {
  private readonly n: number;
  /** Symmetry groups (KEYS holds G leaves a frame). */
  private readonly G: number;
  private readonly V: Int32Array[] = [];
  /** What each thread does in V[k]: MOVES[k * n + t]. */
  private readonly MOVES: Move[] = [];
  /** V[k]'s key leaves per symmetry group, and its invariants' verdicts (undefined: not known). */
  private readonly KEYS: (TrieLeaf<Float64Array> | undefined)[] = [];
  private readonly INV: (Verdicts | undefined)[] = [];
  /** The entered frame whose check is still to come, its parent's verdicts and changed slots. */
  private pending = -1;
  private pendingParent: Verdicts | undefined;
  private pendingChanged = 0;
  private readonly changedSlots: Int32Array;
  private scratch: Int32Array;
  /** The held successor: frame `from`'s state stepped by thread `via` (from -1: the initial state). */
  private from = -1;
  private via = -1;
  /** How many slots of sys.changed the held step changes (-1: not computed). */
  private changed = -1;

  constructor(private readonly sys: VecSystem) {
    this.n = sys.n;
    this.G = sys.canon === null ? 0 : sys.canon.used.length;
    this.scratch = new Int32Array(0);
    this.changedSlots = new Int32Array(sys.changed.length);
  }

  start(): void {
    this.scratch = this.sys.initial();
    this.from = -1;
  }

  successor(k: number, p: number): StepViolation | undefined {
    const { sys } = this;
    const v = this.V[k];
    const m = this.MOVES[k * this.n + p];
    const bug = sys.apply(v, p, this.scratch, m);
    if (bug) return bug;
    this.from = k;
    this.via = p;
    this.changed = -1;
    if (sys.canon !== null) {
      this.changed = sys.changes(v, p, m);
      sys.canon.hint(this.KEYS, k * this.G, sys.changed, this.changed);
    }
    return undefined;
  }

  key(): ArrayLike<number> {
    return this.sys.key(this.scratch);
  }

  get keyPerm(): number {
    return this.sys.keyPerm;
  }

  enter(k: number): number {
    const { sys, n, MOVES } = this;
    const w = (this.V[k] ??= new Int32Array(this.scratch.length));
    w.set(this.scratch);
    for (let gi = 0; gi < this.G; gi++) this.KEYS[k * this.G + gi] = sys.canon!.used[gi];
    this.INV[k] = undefined;
    this.pending = k;
    this.pendingParent = undefined;
    this.pendingChanged = 0;
    const parent = this.from;
    let en = 0;
    if (parent < 0) {
      for (let t = 0; t < n; t++) MOVES[k * n + t] = sys.lookup(w, t);
    } else {
      const p = this.via;
      const changed = this.changed >= 0 ? this.changed : sys.changes(this.V[parent], p, MOVES[parent * n + p]);
      this.pendingParent = this.INV[parent];
      this.pendingChanged = changed;
      // A loop, not set(subarray()): a subarray is a new object at every frame entered.
      for (let i = 0; i < changed; i++) this.changedSlots[i] = sys.changed[i];
      for (let t = 0; t < n; t++) MOVES[k * n + t] = sys.moveAfter(MOVES[parent * n + t], t, p, w, changed);
    }
    for (let t = 0; t < n; t++) if (!MOVES[k * n + t].blocked) en |= 1 << t;
    return en;
  }

  isDone(k: number, q: number): boolean {
    return this.sys.isDone(this.V[k], q);
  }

  footprint(k: number, q: number): Footprint {
    return this.MOVES[k * this.n + q].foot;
  }

  check(k: number, enabled: number): readonly Found[] {
    const { sys } = this;
    let found;
    if (k === this.pending && this.pendingParent !== undefined)
      // The changed slots as enter() found them (sys.changed may have been used since).
      found = sys.check(this.V[k], enabled, this.pendingParent, this.pendingChanged, this.changedSlots);
    else found = sys.check(this.V[k], enabled);
    this.pending = -1;
    this.INV[k] = sys.invariantVerdicts;
    return found;
  }
}
