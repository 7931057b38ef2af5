import { Budget } from '../explore/results/budget.js';
import { Recorder, type Found } from '../explore/system/check.js';
import { finish, guarded } from '../explore/strategies/finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../explore/results/result.js';
import { fingerprintSum } from './fingerprint.js';
import type { VecSystem } from './system.js';
import type { VecCanon } from './symmetry.js';
import { DONE, type Move } from './transitions.js';
import { KeyCache } from './keycache.js';
import { FingerprintSet } from './table.js';
import type { TrieLeaf } from './trie.js';
import type { Verdicts } from './properties.js';

/**
 * Transitions between two looks at the clock, the memory and the stop flag (Budget.poll): a
 * poll reads the process's memory figures, which costs as much as a few hundred transitions
 * here, so this search polls 16× less often than Budget.tick (every 50–300 ms still).
 */
const POLL_MASK = 65535;

/** At most this many findings remembered as recorded (a list made anew each time is not memoised). */
const REPORTED = 4096;

/** Depths the per-depth arrays first hold (then twice the depth reached). */
const DEPTHS = 64;

/** Lengthen `a` to `len` in place, the new elements `fill`. */
function lengthen<T>(a: T[], len: number, fill: T): void {
  const old = a.length;
  a.length = len;
  a.fill(fill, old);
}

/**
 * Naive exhaustive search on the compiled engine: stateful DFS over every enabled thread at
 * every state, the visited set an 8-byte-a-slot fingerprint set (FingerprintSet, at most 16
 * bytes a state). The same states as the generic naive search (src/explore/strategies/naive.ts) on the same
 * system. Without symmetry a state's key is its additive fingerprint (fingerprintSum), and a
 * successor's key comes from its parent's by swapping the terms of the slots the step changes
 * (VecSystem.successorSum): a successor already visited — most of them — is never built.
 * Under symmetry the key is that of the canonical permutation; the successor's additive
 * fingerprint finds it in a KeyCache when that vector was keyed a little earlier (about half
 * the time), else it is computed on the successor, built in the vector kept for its depth
 * (free: a popped state is never looked at again), where a new successor is built anyway.
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
  /**
   * What the search passed to the recorder and did not stop at: a memoised list of findings (a
   * property memo's leaf) or a step's violation. The recorder keeps the first violation of each
   * property, so passing one again records nothing: it is skipped, without a record call.
   */
  private readonly reported = new Set<object>();
  private readonly table = new FingerprintSet();
  /** Under symmetry: the orbit keys of vectors by their additive fingerprint. */
  private readonly cache = new KeyCache();
  private readonly canon: VecCanon | null;
  /** Symmetry groups (KEYS holds G leaves a depth). */
  private readonly G: number;
  private readonly n: number;
  /**
   * Per depth: the state, its enabled set, the next thread to try, the step that reached it.
   * The per-depth arrays are lengthened ahead (`reserve`), in place and filled: the search's
   * loop, optimised by V8 in an earlier search, then never meets a store past an array's end
   * or an array whose elements kind (V8's small integers, objects) changes, which would throw
   * that code away at the next search's start.
   */
  private readonly V: (Int32Array | undefined)[] = [];
  private readonly EN: number[] = [];
  private readonly NEXT: number[] = [];
  private readonly VIA: number[] = [];
  /** Depths the per-depth arrays hold. */
  private depths = 0;
  /**
   * The additive fingerprint's lanes of V[k] at 2k, 2k + 1 (with symmetry too: KeyCache's key),
   * in a typed array: lanes never pass as numbers (a 32-bit one would be boxed).
   */
  private FP = new Int32Array(0);
  /** The invariants' verdicts in V[k] (with their memo leaves), and its key leaves per symmetry group. */
  private readonly INV: (Verdicts | undefined)[] = [];
  private readonly KEYS: (TrieLeaf<Float64Array> | undefined)[] = [];
  /** What each thread does in V[k]: MOVES[k * n + t] (set before V[k] is pushed). */
  private readonly MOVES: Move[] = [];
  private transitions = 0;

  constructor(
    private readonly sys: VecSystem,
    opts: SearchOptions,
  ) {
    this.budget = new Budget(opts, opts.onProgress);
    this.rec = new Recorder(sys, opts.stopAtFirst ?? true);
    this.canon = sys.canon;
    this.G = sys.canon === null ? 0 : sys.canon.used.length;
    this.n = sys.n;
    this.reserve(0);
  }

  /** Room in the per-depth arrays for depths up to k + 1. */
  private reserve(k: number): void {
    const d = Math.max(DEPTHS, 2 * (k + 2));
    lengthen(this.V, d, undefined);
    lengthen(this.EN, d, 0);
    lengthen(this.NEXT, d, 0);
    lengthen(this.VIA, d, 0);
    lengthen(this.INV, d, undefined);
    lengthen(this.KEYS, d * this.G, undefined);
    lengthen(this.MOVES, d * this.n, DONE);
    const fp = new Int32Array(2 * d);
    fp.set(this.FP);
    this.FP = fp;
    this.depths = d;
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
   * Enter state v at depth k, its additive fingerprint `fp`; true when what its check found
   * stops the search. `keyed`: the last VecCanon.key was v's (its key leaves are v's).
   * `parent`: the invariants' verdicts in a state v differs from only in
   * `sys.changed[0..changed)`.
   */
  private push(k: number, v: Int32Array, via: number, fp: Int32Array, keyed: boolean, parent?: Verdicts, changed = 0) {
    if (k + 2 > this.depths) this.reserve(k);
    const { sys, n, MOVES } = this;
    // sys.enabledMask, from the moves the caller put in MOVES.
    let en = 0;
    for (let t = 0; t < n; t++) if (!MOVES[k * n + t].blocked) en |= 1 << t;
    this.V[k] = v;
    this.EN[k] = en;
    this.NEXT[k] = 0;
    this.VIA[k] = via;
    this.FP[2 * k] = fp[0];
    this.FP[2 * k + 1] = fp[1];
    for (let gi = 0; gi < this.G; gi++) this.KEYS[k * this.G + gi] = keyed ? this.canon!.used[gi] : undefined;
    const found = sys.check(v, en, parent, changed);
    this.INV[k] = sys.invariantVerdicts;
    return found.length > 0 && this.report(found, k);
  }

  /**
   * Record what a check or a step found, the path to depth k (then step `last`) its schedule;
   * true when the search stops. Its own method: a function that makes a closure over its
   * parameters allocates their context at every call, even when it makes no closure.
   */
  private report(found: readonly Found[], k: number, last?: number, what: object = found): boolean {
    if (this.reported.has(what)) return false;
    if (this.rec.record(found, () => this.path(k, last))) return true;
    // Only what can come again: a step's violation, or the invariants' shared list of findings
    // (a deadlock's or an end state's list is made anew at each state).
    const shared = what !== found || found === this.sys.invariantVerdicts?.found;
    if (shared && this.reported.size < REPORTED) this.reported.add(what);
    return false;
  }

  run(): SearchResult {
    const { sys, table, canon, n } = this;
    const v0 = sys.initial();
    const sum = fingerprintSum(v0, new Int32Array(2));
    table.add(canon === null ? sum : sys.key(v0));
    for (let t = 0; t < n; t++) this.MOVES[t] = sys.lookup(v0, t);
    if (this.push(0, v0, -1, sum, true)) return finish(this.rec, null, this.stats());
    return finish(this.rec, this.dfs(v0.length), this.stats());
  }

  /**
   * The search from the state pushed at depth 0 (vectors of `len` slots): why it stopped short,
   * or null. Only the loop: code after it would run once a search, so the loop's optimised code
   * (compiled while it runs) would have no feedback there and be thrown away at every search's end.
   */
  private dfs(len: number): IncompleteReason | null {
    const { sys, budget, table, canon, cache, n, G, V, EN, NEXT, INV, KEYS, MOVES } = this;
    const scratch = new Int32Array(len);
    const out = new Int32Array(2);
    const keyOut = new Int32Array(2);
    let stopped: IncompleteReason | null = null;
    let truncated = false;
    let k = 0;
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
      // From the first transition on: the poll then has type feedback before V8 optimises the
      // loop, whose code would otherwise be thrown away at the first poll of every search.
      if ((transitions & POLL_MASK) === 1) {
        budget.transitions = transitions;
        stopped = budget.poll(table.size, k + 1, k);
      }
      const v = V[k]!;
      const m = MOVES[k * n + p];
      if (m.violation) {
        if (this.reported.has(m.violation)) continue;
        const bug = sys.apply(v, p, scratch, m)!;
        if (this.report([{ ...bug, kind: 'assertion' }], k, p, m.violation)) break;
        continue;
      }
      // The vector kept for depth k + 1 is free: a popped state is never looked at again.
      const w = (V[k + 1] ??= new Int32Array(len));
      const raw = sys.successorSum(v, p, this.FP, 2 * k, out, m);
      let fp = raw;
      let changed = -1;
      let built = false;
      let keyed = false;
      if (canon !== null) {
        const hit = cache.get(raw, keyOut);
        if (hit !== null) fp = hit;
        else {
          sys.apply(v, p, w, m);
          built = true;
          changed = sys.changes(v, p, m);
          canon.hint(KEYS, k * G, sys.changed, changed);
          fp = sys.key(w);
          keyed = true;
          cache.set(raw, fp);
        }
      }
      if (table.size >= budget.maxStates) {
        // Only a new state is over the limit.
        if (!table.has(fp)) {
          stopped = 'max-states';
          break;
        }
        continue;
      }
      if (!table.add(fp)) continue;
      if (changed < 0) changed = sys.changes(v, p, m);
      if (!built) sys.apply(v, p, w, m);
      for (let t = 0; t < n; t++) MOVES[(k + 1) * n + t] = sys.moveAfter(MOVES[k * n + t], t, p, w, changed);
      if (this.push(k + 1, w, p, raw, keyed, INV[k], changed)) break;
      if (k + 1 >= budget.depthLimit) {
        if (EN[k + 1] !== 0) truncated = true;
        continue;
      }
      k++;
    }
    return stopped ?? (truncated ? 'max-depth' : null);
  }
}
