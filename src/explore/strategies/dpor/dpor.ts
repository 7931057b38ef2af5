import { Budget } from '../../results/budget.js';
import { Recorder } from '../../system/check.js';
import { DporStack } from './dpor-stack.js';
import { SystemStates, type DporStates } from './states.js';
import { addEvent, renameMask, renaming, SummaryPoolFull, SummaryTable, type Renaming } from './events.js';
import { finish, guarded } from '../finish.js';
import type { IncompleteReason, SearchOptions, SearchResult } from '../../results/result.js';
import { System } from '../../system/system.js';
import type { Footprint, TransitionSystem } from '../../system/transition.js';
import { MemoTable } from '../../store/memo-table.js';

// What the visited table keeps of a state: one word, a tag in its low two bits and a value above.
/** On the stack: the value is its depth. */
const ON_STACK = 0;
/** Popped inside an unfinished cycle: the value is its entry in `tainted` (which holds what it stores). */
const TAINTED = 1;
/** Finished and complete: the value is what it stores, an id in `sums` (sleep set as head, then its summary). */
const COMPLETE = 2;
/** Fields of an entry of `tainted`: fingerprint lanes, permutation id, cycle root depth, what it stores. */
const TAINT_FIELDS = 5;
const MASKS = SummaryTable.MASKS;
/** No race candidate is left (earlierRaces). */
const NO_FLOOR = 0x7fffffff;
const EMPTY: Footprint = [];

const lowestBit = (m: number) => 31 - Math.clz32(m & -m);

function sameFootprint(a: Footprint, b: Footprint): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function mergeClock(c: Int32Array, o: Int32Array): void {
  for (let q = 0; q < c.length; q++) if (o[q] > c[q]) c[q] = o[q];
}

/**
 * The default search: stateful DFS with partial-order reduction.
 *
 * Persistent sets are computed dynamically, as in Flanagan–Godefroid DPOR: at each new state,
 * the next step of every unfinished thread p (blocked ones included, so a pending lock acquire
 * races with the holder's acquire) is checked against the last dependent transition i on the
 * stack that does not happen-before p (vector clocks); p — or, if p was not enabled there, every
 * enabled thread — is added to the backtrack set of the state before i. Sleep sets prune
 * transitions already covered by an explored sibling.
 *
 * State caching: each visited state keeps its sleep set and a summary (the set of next-step
 * events met anywhere below it). Revisiting a finished state replays its summary's races against
 * the current stack instead of re-exploring; revisiting with a sleep set that is not a superset
 * of the stored one explores the threads asleep before but awake now, under the current
 * sleep set (Godefroid), and replays the stored summary for the threads explored before. Cycle condition: a transition back
 * to a state on the stack fully expands every state of that cycle. A state popped inside an
 * unfinished cycle waits for the cycle's root: a revisit meanwhile is a back edge to that root
 * (plus a replay of what is known below the state), and when the root pops, its summary is
 * stored for every such state, which is then complete (they reach the same states).
 * Visibility: a step writing what an invariant reads also writes a shared virtual location, so
 * visible steps are never reordered; invariant, assertion, end-state and deadlock verdicts are
 * the naive search's.
 *
 * Symmetry (when the model declares it, see canon.ts): the visited table is keyed by the
 * canonical permutation π(g) of a state, so a state g' = σ(g) of a stored g is a revisit of g.
 * The stack keeps concrete states (traces stay real executions); what is stored per state id —
 * its sleep set and its summary, thread sets — is stored in canonical slots (renamed by the π of
 * the frame that stores it) and renamed back by the π' of the concrete state met on a revisit.
 * g and g' have isomorphic futures (the declaration's promise), with thread t of g playing
 * π'⁻¹(π(t)) of g', and footprints do not depend on thread ids, so the renamed sleep set and
 * summary say of g' exactly what the stored ones said of g: every argument above carries over
 * unchanged. A back edge to a stack state of the same orbit fully expands the cycle, as before.
 * docs/performance.md gives the full argument.
 */
export function searchDpor<S>(sys: TransitionSystem<S>, opts: SearchOptions = {}): SearchResult {
  return guarded(() => new Dpor(sys, new SystemStates(sys), opts).run());
}

/** The DPOR search over a system whose frame states `states` keeps (the compiled engine's own: src/engine/dpor-states.ts). */
export function searchDporWith<S>(
  sys: TransitionSystem<S>,
  states: DporStates,
  opts: SearchOptions = {},
): SearchResult {
  return guarded(() => new Dpor(sys, states, opts).run());
}

class Dpor<S> {
  private readonly n: number;
  private readonly budget: Budget;
  private readonly rec: Recorder;
  /** The visited set: per state one word (ON_STACK, TAINTED, COMPLETE); thread sets in canonical slots. */
  private readonly table = new MemoTable();
  private readonly sums = new SummaryTable();
  /** Length of a summary's masks: above every access code met so far. */
  private width = 2;
  /** The DFS stack, indexed by depth (dpor-stack.ts documents each field). */
  private readonly stack = new DporStack();
  /** States popped inside an unfinished cycle (TAINT_FIELDS each), waiting for their cycle's root. */
  private readonly tainted: number[] = [];
  /** Per thread: the depth of its last transition on the stack (0: none). */
  private readonly lastOf: Int32Array;
  /**
   * Per access code `acc` (a footprint entry): the transitions on the stack that conflict with
   * such an access, as depth * 2 + (1 if a write), ascending — for a read of location l (2l) the
   * writes of l, for a write (2l + 1) every access of l.
   */
  private readonly conflicts: number[][] = [];
  /** Per depth: itself while its frame may lack an enabled thread in its backtrack set, else a depth below (openBelow). */
  private readonly openLink: number[] = [];
  /** Scratch for reverse: per thread, the depth of its first transition in v (0: none). */
  private readonly firstNotdep: Int32Array;
  /** Scratch for earlierRaces: a cursor per access into its conflict list (and the depth there), and the clock of what is already raced. */
  private readonly raceCursor: number[] = [];
  private readonly raceDepth: number[] = [];
  private readonly raceClock: Int32Array;
  /** Per permutation id: its renamings of thread sets into canonical slots and back. */
  private readonly toRenaming: Renaming[] = [];
  private readonly fromRenaming: Renaming[] = [];
  private sleepBlocked = 0;
  private truncated = false;

  constructor(
    private readonly sys: TransitionSystem<S>,
    private readonly states: DporStates,
    opts: SearchOptions,
  ) {
    this.n = sys.n;
    this.budget = new Budget(opts, opts.onProgress);
    this.rec = new Recorder(sys, opts.stopAtFirst ?? true);
    this.lastOf = new Int32Array(sys.n);
    this.firstNotdep = new Int32Array(sys.n);
    this.raceClock = new Int32Array(sys.n);
  }

  run(): SearchResult {
    try {
      return this.search();
    } catch (e) {
      // Out of room for summaries: cut short like any memory bound, keeping what was found.
      if (e instanceof SummaryPoolFull) return this.result('memory');
      throw e;
    }
  }

  private search(): SearchResult {
    this.states.start();
    const fp = this.states.key();
    const a = fp[0];
    const b = fp[1];
    let stopped: IncompleteReason | null = null;
    if (this.pushFrame(0, this.table.insert(a, b), a, b, 0, false, this.states.keyPerm)) return this.result(null);
    let k = 0;
    while (k >= 0) {
      // At the depth limit a frame with a thread left to explore (a revisit's included) is cut.
      const atLimit = k >= this.budget.depthLimit;
      if (atLimit && (this.stack.enabled[k] & ~this.stack.skip[k]) !== 0) this.truncated = true;
      const avail = atLimit
        ? 0
        : this.stack.backtrack[k] &
          ~this.stack.done[k] &
          ~this.stack.sleep[k] &
          ~this.stack.skip[k] &
          this.stack.enabled[k];
      if (avail === 0) {
        this.popFrame(k);
        k--;
        continue;
      }
      stopped = this.budget.tick(this.table.size, k + 1, k);
      if (stopped) break;
      const p = lowestBit(avail);
      const outcome = this.step(k, p);
      if (outcome === 'stop') return this.result(null);
      if (outcome === 'max-states') {
        stopped = 'max-states';
        break;
      }
      if (outcome === 'push') k++;
    }
    return this.result(stopped ?? (this.truncated ? 'max-depth' : null));
  }

  private result(stopped: IncompleteReason | null): SearchResult {
    const bytes = this.table.bytes();
    return finish(
      this.rec,
      stopped,
      this.budget.stats('dfs', this.table.size, bytes, {
        sleepBlocked: this.sleepBlocked,
        ...this.sys.symmetryStats(),
      }),
    );
  }

  /** Explore thread p from frame k. */
  private step(k: number, p: number): 'push' | 'stay' | 'stop' | 'max-states' {
    const { states } = this;
    const bit = 1 << p;
    this.stack.done[k] |= bit;
    const F = this.stack.nextFootprint[k][p];
    const violation = states.successor(k, p);
    if (violation) {
      const stop = this.rec.record([{ ...violation, kind: 'assertion' }], () => [
        ...this.stack.thread.slice(1, k + 1),
        p,
      ]);
      if (!stop) this.raceAfterDeadEnd(k, p, F);
      return stop ? 'stop' : 'stay';
    }
    const sleep = this.childSleep(k, p, F);
    const fp = states.key();
    const a = fp[0];
    const b = fp[1];
    let slot = this.table.probe(a, b);
    if (slot < 0) {
      if (this.table.size >= this.budget.maxStates) return 'max-states';
      slot = this.table.insertAt(a, b, ~slot);
      this.pushTransition(k + 1, p, F);
      if (this.pushFrame(k + 1, slot, a, b, sleep, false, states.keyPerm)) return 'stop';
      return 'push';
    }
    const word = this.table.word(slot);
    const tag = word & 3;
    if (tag === ON_STACK) {
      this.backEdge(word >>> 2, k);
      return 'stay';
    }
    // The permutation of the key above (a back edge needs none).
    const perm = states.keyPerm;
    const complete = tag === COMPLETE;
    const kept = this.storedOf(word);
    const root = complete ? -1 : this.openCycleRoot(word >>> 2, k);
    if (root >= 0) {
      // A state of a cycle still open on the stack: like a back edge to the cycle's root (the
      // root's subtree explores what the state reaches), plus the races of what is known below it.
      this.backEdge(root, k);
      this.replayRevisit(k, p, F, kept, this.fromMap(perm));
      return 'stay';
    }
    const stored = this.sleepFrom(this.sums.head(kept), perm);
    if (complete && (stored & ~sleep) === 0) {
      this.replayRevisit(k, p, F, kept, this.fromMap(perm));
      return 'stay';
    }
    // Revisit that must explore more: threads asleep before but awake now, or a cycle-tainted
    // summary. Godefroid's revisit: explore the threads asleep before but awake now, under the
    // current sleep set. The threads the earlier visit explored are skipped (its summary replays
    // their races) but not put to sleep: that visit explored them with the now-awake threads
    // asleep, so sleeping them here would make each side skip the other's reorderings (found by
    // the soundness property test: a spin loop and two readers lost a terminal state).
    this.pushTransition(k + 1, p, F);
    if (complete) this.replaySummary(kept, this.fromMap(perm), k + 1);
    // Its stored summary joins the frame's when it pops (popFrame): frame summaries are read only then.
    this.pushFrame(k + 1, slot, a, b, sleep, true, perm, complete ? ~stored & this.sys.allDone : 0);
    return 'push';
  }

  /**
   * Thread p from frame k reaches a state whose stored subtree summary `set` (an id in `sums`,
   * threads renamed by `map`) stands for it: replay its races.
   */
  private replayRevisit(k: number, p: number, F: Footprint, set: number, map: Renaming | null): void {
    // The replay reads the stack by frame, not the conflict lists: the transition stays off them.
    this.pushTransition(k + 1, p, F, false);
    this.replaySummary(set, map, k + 1);
    this.popTransition(k + 1, false);
    this.orStored(k, set, map);
  }

  /** Add a stored summary (an id in `sums`, threads renamed by `map`) to frame k's. */
  private orStored(k: number, set: number, map: Renaming | null): void {
    this.orSummary(k, this.sums.pool, this.sums.start(set) + MASKS, this.sums.end(set), map);
  }

  /** Add the masks `src[from .. to)` to frame k's summary, threads renamed by `map` (null: none). */
  private orSummary(k: number, src: Int32Array, from: number, to: number, map: Renaming | null): void {
    let dst = this.stack.summary[k];
    if (dst.length < to - from) {
      dst = new Int32Array(this.width + 16);
      dst.set(this.stack.summary[k]);
      this.stack.summary[k] = dst;
    }
    if (map === null) for (let f = from; f < to; f++) dst[f - from] |= src[f];
    else
      for (let f = from; f < to; f++) {
        const m = src[f];
        if (m !== 0) dst[f - from] |= renameMask(m, map);
      }
  }

  /**
   * A step that raised an assertion ends its execution, so the later steps of other threads that
   * could change its outcome never race with it: expand the state fully (the asserting thread
   * then sleeps until a dependent step wakes it), and race it with the other threads' next steps.
   */
  private raceAfterDeadEnd(k: number, p: number, F: Footprint): void {
    this.stack.backtrack[k] |= this.stack.enabled[k];
    this.pushTransition(k + 1, p, F);
    for (let q = 0; q < this.n; q++) if (q !== p) this.race(q, this.stack.nextFootprint[k][q], k + 1);
    this.popTransition(k + 1);
  }

  /** What a finished state stores (its word's tag TAINTED or COMPLETE): an id in `sums`. */
  private storedOf(word: number): number {
    const tag = word & 3;
    if (tag === COMPLETE) return word >>> 2;
    if (tag === TAINTED) return this.tainted[(word >>> 2) + 4];
    throw new Error('internal: a state on the stack stores nothing yet');
  }

  /** Sleep set of the child reached by p: sleeping or already-explored threads independent of p. */
  private childSleep(k: number, p: number, F: Footprint): number {
    let cand = (this.stack.sleep[k] | this.stack.done[k]) & ~(1 << p);
    let out = 0;
    while (cand !== 0) {
      const q = lowestBit(cand);
      cand &= cand - 1;
      if (!System.dependent(this.stack.nextFootprint[k][q], F)) out |= 1 << q;
    }
    return out;
  }

  /**
   * Push frame k for the state `states` holds (fingerprint a, b in `slot`; for a revisit, what
   * the slot stores still there). Returns true when the search must stop on a violation.
   */
  private pushFrame(
    k: number,
    slot: number,
    a: number,
    b: number,
    sleep: number,
    revisit: boolean,
    perm: number,
    skip = 0,
  ): boolean {
    const { states } = this;
    const en = states.enter(k);
    this.stack.keyA[k] = a;
    this.stack.keyB[k] = b;
    this.stack.slot[k] = slot;
    this.stack.slotGrows[k] = this.table.grows;
    this.stack.perm[k] = perm;
    this.stack.enabled[k] = en;
    this.stack.done[k] = 0;
    this.stack.sleep[k] = sleep;
    this.stack.skip[k] = skip;
    this.stack.taintedAt[k] = this.tainted.length;
    const kept = revisit ? this.storedOf(this.table.word(slot)) : 0;
    this.stack.storedSleep[k] = revisit ? this.sleepFrom(this.sums.head(kept), perm) : -1;
    this.stack.lowLink[k] = k;
    this.openLink[k] = k;
    this.stack.revisit[k] = revisit;
    this.stack.storedSummary[k] = kept;
    this.table.setWord(slot, (k << 2) | ON_STACK);
    const nf: Footprint[] = (this.stack.nextFootprint[k] ??= []);
    // A thread whose next step is the parent frame's (same footprint) raced with the stack
    // 1..k-1 when the parent was pushed; what race() added to a backtrack set is still there,
    // and reverse() then finds nothing to do (v only grows, so an initial stays an initial).
    // Only the new transition k can give it a new race: race again only if it is dependent with k.
    const moved = k > 0 ? this.stack.thread[k] : -1;
    const parentNf = k > 0 ? this.stack.nextFootprint[k - 1] : null;
    const tf = k > 0 ? this.stack.footprint[k] : null;
    for (let q = 0; q < this.n; q++) {
      if (states.isDone(k, q)) {
        nf[q] = EMPTY;
        continue;
      }
      const f = states.footprint(k, q);
      nf[q] = f;
      for (let a = 0; a < f.length; a++) if (f[a] >= this.width) this.width = (f[a] | 1) + 1;
      if (q === moved || parentNf === null || !sameFootprint(parentNf[q], f) || System.dependent(f, tf!))
        this.race(q, f, k);
    }
    this.startSummary(k, nf);
    const free = en & ~sleep & ~skip;
    this.stack.backtrack[k] = free === 0 ? 0 : free & -free;
    if (en !== 0 && (en & ~sleep) === 0) this.sleepBlocked++;
    if (revisit) return false;
    const found = states.check(k, en);
    return found.length !== 0 && this.rec.record(found, () => this.stack.thread.slice(1, k + 1));
  }

  /** Frame k's summary starts as the threads' next steps, footprints `nf` (EMPTY: finished). */
  private startSummary(k: number, nf: readonly Footprint[]): void {
    let vec = this.stack.summary[k];
    if (vec === undefined || vec.length < this.width) vec = this.stack.summary[k] = new Int32Array(this.width + 16);
    else vec.fill(0);
    for (let q = 0; q < nf.length; q++) addEvent(vec, q, nf[q]);
  }

  private popFrame(k: number): void {
    const a = this.stack.keyA[k];
    const b = this.stack.keyB[k];
    const complete = this.stack.lowLink[k] >= k;
    let sleep = this.stack.sleep[k];
    const perm = this.stack.perm[k];
    if (this.stack.revisit[k]) {
      sleep &= this.stack.storedSleep[k];
      this.orStored(k, this.stack.storedSummary[k], this.fromMap(perm));
    }
    const sum = this.stack.summary[k];
    const slot = this.stack.slotGrows[k] === this.table.grows ? this.stack.slot[k] : this.table.find(a, b);
    const stored = this.sums.intern(this.sleepTo(sleep, perm), sum, this.toMap(perm), this.width);
    if (complete) {
      this.table.setWord(slot, (stored << 2) | COMPLETE);
      this.completeCycle(k, sum);
    } else {
      this.table.setWord(slot, (this.tainted.length << 2) | TAINTED);
      this.tainted.push(a, b, perm, this.stack.lowLink[k], stored);
    }
    if (k === 0) return;
    // A frame's masks past `width` are zero (no access code reaches them).
    this.orSummary(k - 1, sum, 0, Math.min(sum.length, this.width), null);
    if (this.stack.lowLink[k] < this.stack.lowLink[k - 1]) this.stack.lowLink[k - 1] = this.stack.lowLink[k];
    this.popTransition(k);
  }

  /**
   * Frame k is the root of the cycles its descendants closed (every back edge below it ends at
   * k or deeper): the states popped inside them reach k and k reaches them, so they reach the
   * same states, and k's summary — everything explored below k — covers what is explored below
   * each (a superset only replays more races). Store it for them and mark them complete, so a
   * later revisit replays instead of exploring the cycle again (which was exponential).
   */
  private completeCycle(k: number, sum: Int32Array): void {
    const from = this.stack.taintedAt[k];
    const t = this.tainted;
    // Most frames close no cycle (setting an array's length is a runtime call, even unchanged).
    if (t.length === from) return;
    for (let x = from; x < t.length; x += TAINT_FIELDS) {
      // The state keeps its latest stored sleep set (a later visit may have stored another).
      const slot = this.table.find(t[x], t[x + 1]);
      const sleep = this.sums.head(this.storedOf(this.table.word(slot)));
      this.table.setWord(slot, (this.sums.intern(sleep, sum, this.toMap(t[x + 2]), this.width) << 2) | COMPLETE);
    }
    t.length = from;
  }

  /** The depth of the open cycle root a tainted state (entry x of `tainted`) waits for, or -1. */
  private openCycleRoot(x: number, k: number): number {
    const root = this.tainted[x + 3];
    return root <= k && x >= this.stack.taintedAt[root] ? root : -1;
  }

  // Stored per-state thread sets are in canonical slots: `To` renames a frame's threads into
  // them, `From` renames them back into the threads of the concrete state with permutation id.
  private sleepTo(mask: number, perm: number): number {
    return perm === 0 ? mask : renameMask(mask, this.toMap(perm)!);
  }

  private sleepFrom(mask: number, perm: number): number {
    return perm === 0 ? mask : renameMask(mask, this.fromMap(perm)!);
  }

  private toMap(perm: number): Renaming | null {
    return perm === 0 ? null : (this.toRenaming[perm] ??= renaming(this.sys.canon!.to(perm)));
  }

  private fromMap(perm: number): Renaming | null {
    return perm === 0 ? null : (this.fromRenaming[perm] ??= renaming(this.sys.canon!.from(perm)));
  }

  /** A transition from frame k back to frame j on the stack: fully expand the cycle j..k. */
  private backEdge(j: number, k: number): void {
    for (let m = j; m <= k; m++) {
      this.stack.backtrack[m] |= this.stack.enabled[m];
      this.stack.sleep[m] &= ~this.stack.enabled[m];
    }
    if (j < this.stack.lowLink[k]) this.stack.lowLink[k] = j;
  }

  /**
   * The races each event of a revisited state's subtree has with the current stack 1..top. For
   * a summary event (p, F) the steps between the stack top and the event are not on the stack,
   * so happens-before is only partly known: every stack entry i on a location of F that
   * conflicts with it, is by another thread and does not happen-before p races, and every
   * enabled thread of the state before i is backtracked (a superset, still sound).
   * A frame whose backtrack set already holds every enabled thread needs no test, and most do:
   * the frames left open are walked (openBelow), each transition's accesses looked up in the
   * summary (events.ts keeps it by access code): it races when some thread of the summary
   * conflicts with it there (any access against a write, a write against a read) and passes those
   * two tests. Which frames gain their enabled threads does not depend on the order of the tests.
   */
  private replaySummary(set: number, map: Renaming | null, top: number): void {
    let m = this.openBelow(top - 1);
    if (m < 0) return;
    const { stack } = this;
    const pool = this.sums.pool;
    const base = this.sums.start(set) + MASKS;
    const len = this.sums.end(set) - base;
    const last = this.lastOf;
    while (m >= 0) {
      const i = m + 1;
      const F = stack.footprint[i];
      const ti = stack.thread[i];
      search: for (let a = 0; a < F.length; a++) {
        const acc = F[a];
        if (acc >= len || pool[base + acc] === 0) continue;
        let ps = (map === null ? pool[base + acc] : renameMask(pool[base + acc], map)) & ~(1 << ti);
        while (ps !== 0) {
          const lp = last[lowestBit(ps)];
          ps &= ps - 1;
          if (lp === 0 || stack.clock[lp][ti] < i) {
            stack.backtrack[m] |= stack.enabled[m];
            break search;
          }
        }
      }
      m = this.openBelow(m - 1);
    }
  }

  /**
   * The deepest frame at or below depth m whose backtrack set lacks an enabled thread (-1:
   * none). A frame once full stays full while on the stack, so a full frame links to the frame
   * below it (`openLink`, path-compressed; a pushed frame links to itself).
   */
  private openBelow(m: number): number {
    const { stack } = this;
    const link = this.openLink;
    let r = m;
    while (r >= 0) {
      const d = link[r];
      if (d !== r) {
        r = d;
        continue;
      }
      const en = stack.enabled[r];
      if ((stack.backtrack[r] & en) !== en) break;
      link[r] = r - 1;
      r--;
    }
    for (let x = m; x > r;) {
      const next = link[x];
      link[x] = r;
      x = next;
    }
    return r;
  }

  /**
   * Races of thread p's step (footprint F) with the stack 1..top: the last dependent transition i
   * of another thread that does not happen-before p, then the earlier ones that happen
   * immediately before p's step (earlierRaces). The reversal of each is explored from the state
   * before i by one of its initials (source-DPOR). (A summary event's races are replaySummary's.)
   */
  private race(p: number, F: Footprint, top: number): void {
    let best = 0;
    for (let a = 0; a < F.length; a++) {
      const list = this.conflicts[F[a]];
      if (!list) continue;
      for (let x = list.length - 1; x >= 0; x--) {
        const i = list[x] >> 1;
        if (i <= best) break;
        if (i > top) continue;
        if (this.stack.thread[i] === p || this.happensBefore(i, p)) continue;
        best = i;
        break;
      }
    }
    if (best === 0) return;
    this.reverse(best, p, F, top);
    this.earlierRaces(p, F, best, top);
  }

  /**
   * The races of p's step with transitions before `best` that happen immediately before it: a
   * dependent transition i of another thread that does not happen-before p's step, nor before a
   * transition already raced (walking back from `best`). Flanagan–Godefroid reverse the last race
   * only: in the execution that reverses it, p's step still conflicts with the earlier ones and
   * races with them there. Not when footprints depend on the state: moved before `best`, p's step
   * can touch other locations and no longer conflict (`if v2 == 1 then r = v1` reads v1 only
   * after the store to v2 it was reordered with), so each race is reversed here, as in source-DPOR
   * (Abdulla et al., JACM 2017, Algorithm 1). With footprints that do not depend on the state the
   * extra reversals were found later anyway, and they add nothing (the same states on every model).
   */
  private earlierRaces(p: number, F: Footprint, best: number, top: number): void {
    const { stack } = this;
    const last = this.lastOf[p];
    const c = this.raceClock;
    if (last > 0) c.set(stack.clock[last]);
    else c.fill(0);
    mergeClock(c, stack.clock[best]);
    // Every candidate at or below `floor` happens-before a raced transition: none is left.
    let floor = this.clockFloor(c, p);
    if (floor === NO_FLOOR) return;
    // The candidates, deepest first: a merge of F's conflict lists (each ascending by depth),
    // one cursor per access at its deepest entry below `best` (best <= top: all are on 1..top).
    const at = this.raceCursor;
    for (let a = 0; a < F.length; a++) {
      const list = this.conflicts[F[a]];
      let x = list === undefined ? -1 : list.length - 1;
      while (x >= 0 && list[x] >> 1 >= best) x--;
      at[a] = x;
    }
    const depth = this.raceDepth;
    for (;;) {
      let i = 0;
      for (let a = 0; a < F.length; a++) {
        let y = at[a];
        if (y < 0) continue;
        const list = this.conflicts[F[a]];
        // Skip p's own transitions, down to the floor.
        while (y >= 0 && list[y] >> 1 > floor && stack.thread[list[y] >> 1] === p) y--;
        if (y >= 0 && list[y] >> 1 <= floor) y = -1;
        at[a] = y;
        depth[a] = y < 0 ? 0 : list[y] >> 1;
        if (depth[a] > i) i = depth[a];
      }
      if (i <= floor) return;
      for (let a = 0; a < F.length; a++) if (depth[a] === i) at[a]--;
      if (c[stack.thread[i]] >= i) continue;
      this.reverse(i, p, F, top);
      mergeClock(c, stack.clock[i]);
      floor = this.clockFloor(c, p);
      if (floor === NO_FLOOR) return;
    }
  }

  /**
   * The lowest c[q] over the threads q other than p with a transition on the stack that clock c
   * does not hold (NO_FLOOR: none). A candidate at or below it happens-before c: of a thread
   * counted, it is at most c[q]; of another, at most its last transition, which c holds.
   */
  private clockFloor(c: Int32Array, p: number): number {
    let floor = NO_FLOOR;
    for (let q = 0; q < c.length; q++) if (q !== p && this.lastOf[q] > c[q] && c[q] < floor) floor = c[q];
    return floor;
  }

  /**
   * Make sure the state before transition i explores a thread that can start the reversed race:
   * the initials of v = (transitions after i not happening-after i) · p's step. Nothing to do if
   * one is already in the backtrack set; otherwise add an awake enabled initial, or, if every
   * initial sleeps or none is enabled, every enabled thread.
   */
  private reverse(i: number, p: number, _f: Footprint, top: number): void {
    const m = i - 1;
    const ti = this.stack.thread[i];
    const { clock, thread, footprint } = this.stack;
    const first = this.firstNotdep.fill(0);
    let initials = 0;
    // v's transitions before p's step: those after i that do not happen-after it.
    for (let j = i + 1; j <= top; j++) {
      const cj = clock[j];
      if (cj[ti] >= i) continue;
      const q = thread[j];
      // The first event of q in v is an initial when no earlier event of v happens-before it.
      if (first[q] === 0 && !this.hasPredecessorIn(cj, first)) initials |= 1 << q;
      if (first[q] === 0) first[q] = j;
    }
    if (first[p] === 0) {
      const last = this.lastOf[p];
      let initial = last === 0 || !this.hasPredecessorIn(clock[last], first);
      // p's step where v runs it: its footprint at m (F is the one after i, and footprints may
      // depend on the state). p is an initial of v iff that is independent of all of v's other
      // transitions: then they leave it unchanged; and if it depended on one, p's step after them would too.
      const Fm = this.stack.nextFootprint[m][p];
      for (let j = i + 1; initial && j <= top; j++)
        if (clock[j][ti] < i && System.dependent(footprint[j], Fm)) initial = false;
      if (initial) initials |= 1 << p;
    }
    if ((initials & this.stack.backtrack[m]) !== 0) return;
    const awake = initials & this.stack.enabled[m] & ~this.stack.sleep[m];
    this.stack.backtrack[m] |= awake !== 0 ? awake & -awake : this.stack.enabled[m];
  }

  /** Some event of v (thread r's first at `first[r]`) happens-before the event with clock c. */
  private hasPredecessorIn(c: Int32Array, first: Int32Array): boolean {
    for (let r = 0; r < this.n; r++) if (first[r] !== 0 && c[r] >= first[r]) return true;
    return false;
  }

  /** Transition i happens-before thread p's last transition on the stack. */
  private happensBefore(i: number, p: number): boolean {
    const last = this.lastOf[p];
    return last > 0 && this.stack.clock[last][this.stack.thread[i]] >= i;
  }

  /** Push transition k (thread p, footprint F), on the conflict lists unless `listed` is false. */
  private pushTransition(k: number, p: number, F: Footprint, listed = true): void {
    this.stack.thread[k] = p;
    this.stack.footprint[k] = F;
    const c = (this.stack.clock[k] ??= new Int32Array(this.n));
    const last = this.lastOf[p];
    if (last > 0) c.set(this.stack.clock[last]);
    else c.fill(0);
    // The conflicting transitions since the location's last write, and that write. A clock is
    // the join of its transitions' pasts, so one already holding transition j holds j's clock.
    const { thread, clock } = this.stack;
    for (let a = 0; a < F.length; a++) {
      const list = this.conflicts[F[a]];
      if (!list) continue;
      for (let x = list.length - 1; x >= 0; x--) {
        const j = list[x] >> 1;
        if (c[thread[j]] < j) mergeClock(c, clock[j]);
        if (list[x] & 1) break;
      }
    }
    c[p] = k;
    for (let a = 0; listed && a < F.length; a++) {
      const acc = F[a];
      (this.conflicts[acc | 1] ??= []).push(k * 2 + (acc & 1));
      if (acc & 1) (this.conflicts[acc - 1] ??= []).push(k * 2 + 1);
    }
    this.stack.previousLast[k] = last;
    this.lastOf[p] = k;
  }

  private popTransition(k: number, listed = true): void {
    const F = this.stack.footprint[k];
    for (let a = F.length - 1; listed && a >= 0; a--) {
      const acc = F[a];
      if (acc & 1) this.conflicts[acc - 1].pop();
      this.conflicts[acc | 1].pop();
    }
    this.lastOf[this.stack.thread[k]] = this.stack.previousLast[k];
  }
}
