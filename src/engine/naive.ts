import { Budget } from '../explore/results/budget.js';
import { Recorder } from '../explore/system/check.js';
import { finish, guarded } from '../explore/strategies/finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../explore/results/result.js';
import { fingerprintSum } from './fingerprint.js';
import type { VecSystem } from './system.js';
import type { VecCanon } from './symmetry.js';
import { DONE, type Move } from './transitions.js';
import { FingerprintSet } from './table.js';
import { readsAny, type TrieLeaf } from './trie.js';
import type { Verdicts } from './properties.js';

/**
 * Transitions between two looks at the clock, the memory and the stop flag (Budget.poll): a
 * poll reads the process's memory figures, which costs as much as a few hundred transitions
 * here, so this search polls 16× less often than Budget.tick (every 50–300 ms still).
 */
const POLL_MASK = 65535;

/**
 * Naive exhaustive search on the compiled engine: stateful DFS over every enabled thread at
 * every state, the visited set an 8-byte-a-slot fingerprint set (FingerprintSet, at most 16
 * bytes a state). The same states as the generic naive search (src/explore/strategies/naive.ts) on the same
 * system. Without symmetry a state's key is its additive fingerprint (fingerprintSum), and a
 * successor's key comes from its parent's by swapping the terms of the slots the step changes
 * (VecSystem.successorSum): a successor already visited — most of them — is never built.
 * Under symmetry the key is that of the canonical permutation, computed on the successor built
 * in a scratch vector. A new successor is built in the vector kept for its depth.
 */
export function searchVecNaive(sys: VecSystem, opts: SearchOptions = {}): SearchResult {
  return guarded(() => new VecNaive(sys, opts).run());
}

/**
 * The search's state, a class rather than closures: V8 then keeps one optimised copy of its
 * loop for every search (a closure made anew each search would be a new call target, and the
 * optimised loop would be thrown away at the next search's first call).
 */
class VecNaive {
  private readonly budget: Budget;
  private readonly rec: Recorder;
  private readonly table = new FingerprintSet();
  private readonly incremental: boolean;
  private readonly canon: VecCanon | null;
  /** Symmetry groups (KEYS holds G leaves a depth). */
  private readonly G: number;
  private readonly n: number;
  private readonly V: Int32Array[] = [];
  private readonly EN: number[] = [];
  private readonly NEXT: number[] = [];
  private readonly VIA: number[] = [];
  /** The additive fingerprint's lanes of V[k] (without symmetry). */
  private readonly FA: number[] = [];
  private readonly FB: number[] = [];
  /** The invariants' verdicts in V[k] (with their memo leaves), and its key leaves per symmetry group. */
  private readonly INV: (Verdicts | undefined)[] = [];
  private readonly KEYS: (TrieLeaf<Float64Array> | undefined)[] = [];
  /** What each thread does in V[k]: MOVES[k * n + t]. */
  private readonly MOVES: Move[] = [];
  private transitions = 0;

  constructor(
    private readonly sys: VecSystem,
    opts: SearchOptions,
  ) {
    this.budget = new Budget(opts, opts.onProgress);
    this.rec = new Recorder(sys, opts.stopAtFirst ?? true);
    this.canon = sys.canon;
    this.incremental = sys.canon === null;
    this.G = sys.canon === null ? 0 : sys.canon.used.length;
    this.n = sys.n;
  }

  private path(k: number, last?: number): number[] {
    const s = this.VIA.slice(1, k + 1);
    if (last !== undefined) s.push(last);
    return s;
  }

  private stats() {
    this.budget.transitions = this.transitions;
    return this.budget.stats('naive', this.table.size, this.table.bytes(), this.sys.symmetryStats());
  }

  /**
   * Enter state v at depth k; true when what its check found stops the search. `parent`: the
   * invariants' verdicts in a state v differs from only in `sys.changed[0..changed)`.
   */
  private push(k: number, v: Int32Array, via: number, fp: Int32Array, parent?: Verdicts, changed = 0) {
    const { sys, n } = this;
    // sys.enabledMask, from the moves kept for the loop.
    let en = 0;
    for (let t = 0; t < n; t++) {
      const m = sys.move(v, t);
      this.MOVES[k * n + t] = m;
      if (!m.blocked) en |= 1 << t;
    }
    this.V[k] = v;
    this.EN[k] = en;
    this.NEXT[k] = 0;
    this.VIA[k] = via;
    this.FA[k] = fp[0];
    this.FB[k] = fp[1];
    for (let gi = 0; gi < this.G; gi++) this.KEYS[k * this.G + gi] = this.canon!.used[gi];
    const found = sys.check(v, en, parent, changed);
    this.INV[k] = sys.invariantVerdicts;
    return found.length > 0 && this.rec.record(found, () => this.path(k));
  }

  run(): SearchResult {
    const { sys, budget, table, rec, canon, incremental, n, G, V, EN, NEXT, FA, FB, INV, KEYS, MOVES } = this;
    const v0 = sys.initial();
    const fp0 = incremental ? fingerprintSum(v0, new Int32Array(2)) : sys.key(v0);
    table.add(fp0[0], fp0[1]);
    const scratch = new Int32Array(v0.length);
    const out = new Int32Array(2);
    let stopped: IncompleteReason | null = null;
    let truncated = false;
    let k = 0;
    if (this.push(0, v0, -1, fp0)) return finish(rec, null, this.stats());
    while (k >= 0 && !stopped) {
      let p = NEXT[k];
      while (p < n && (EN[k] & (1 << p)) === 0) p++;
      if (p >= n) {
        k--;
        continue;
      }
      NEXT[k] = p + 1;
      const transitions = ++this.transitions;
      if (k + 1 > budget.maxDepth) budget.maxDepth = k + 1;
      if ((transitions & POLL_MASK) === 0) {
        budget.transitions = transitions;
        stopped = budget.poll(table.size, k + 1, k);
      }
      const v = V[k];
      const m = MOVES[k * n + p];
      let fp: Int32Array;
      let changed = -1;
      if (incremental && !m.violation) fp = sys.successorSum(v, p, FA[k], FB[k], out, m);
      else {
        const bug = sys.apply(v, p, scratch, m);
        if (bug) {
          const at = k;
          const via = p;
          if (rec.record([{ ...bug, kind: 'assertion' }], () => this.path(at, via))) break;
          continue;
        }
        if (canon !== null) {
          changed = sys.changes(v, p, m);
          canon.hint(KEYS, k * G, sys.changed, changed);
        }
        fp = sys.key(scratch);
      }
      if (table.size >= budget.maxStates) {
        // Only a new state is over the limit.
        if (!table.has(fp[0], fp[1])) {
          stopped = 'max-states';
          break;
        }
        continue;
      }
      if (!table.add(fp[0], fp[1])) continue;
      // One vector per depth: a popped state is never looked at again.
      const w = (V[k + 1] ??= new Int32Array(v0.length));
      if (changed < 0) changed = sys.changes(v, p, m);
      if (incremental) sys.apply(v, p, w, m);
      else w.set(scratch);
      sys.forget();
      // Another thread whose next step read none of the changed slots does the same in w.
      for (let t = 0; t < n; t++) {
        const mt = MOVES[k * n + t];
        if (t !== p && (mt === DONE || !readsAny(mt.reads, sys.changed, changed))) sys.seed(w, t, mt);
      }
      if (this.push(k + 1, w, p, fp, INV[k], changed)) break;
      if (k + 1 >= budget.depthLimit) {
        if (EN[k + 1] !== 0) truncated = true;
        continue;
      }
      k++;
    }
    return finish(rec, stopped ?? (truncated ? 'max-depth' : null), this.stats());
  }
}
