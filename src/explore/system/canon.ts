import { canonical, hashNode } from '../../core/fingerprint.js';
import { insertThread, renameSorted } from './thread-order.js';
import { PermutationIds } from './permutations.js';
import { ensureHashes, H1, H2, PH1, PH2, PK, sharedNode, stateFingerprint, ThreadLanes } from './statehash.js';
import { ModelError } from '../../core/errors.js';
import type { Instance } from '../../core/instantiate.js';
import type { Symmetry } from '../../core/symmetry.js';
import type { GState } from './system.js';

/**
 * Canonical representatives of states under a declared thread symmetry.
 *
 * The threads of each group are sorted by (pc, threadKey, hash of (pc, locals)), ties by thread
 * id, and the state is renamed by that permutation π: thread order[j] moves to slot group[j],
 * and `permute` renames the thread ids in the shared state. The key is the fingerprint of π(g)
 * (statehash.ts: the permuted shared state is hashed, the thread hashes are only re-summed).
 *
 * Soundness: π(g) is always a permutation of g, so two states with one key are in one orbit
 * (up to fingerprint collisions, as without symmetry): merging them is exact whenever the
 * declaration holds (src/core/symmetry.ts). The representative is not always the same for a
 * whole orbit (two threads equal in pc, key and locals but told apart by the shared state are
 * ordered by id): then an orbit may be stored more than once, which costs states, not soundness.
 *
 * `permId` names the permutation used for the last key (0 = identity); `to(id)` maps a thread
 * to its canonical slot and `from(id)` back. DPOR stores per-state thread sets in canonical
 * slots through these (see dpor.ts).
 */
export class Canonicalizer {
  private readonly n: number;
  private readonly groups: readonly Int32Array[];
  private readonly permute?: Symmetry['permute'];
  private readonly threadKey?: Symmetry['threadKey'];
  private readonly toBuf: Int32Array;
  private readonly fromBuf: Int32Array;
  private readonly k0: Float64Array;
  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly order: Int32Array;
  private readonly lanes: ThreadLanes;
  private readonly sh = new Uint32Array(2);
  private readonly ids: PermutationIds;
  /** Permutation of the last key, interned lazily (-1: not yet). */
  private last = 0;
  private lastDirty = false;
  /** States whose key needed a non-identity permutation. */
  permuted = 0;

  constructor(inst: Instance, sym: Symmetry) {
    const threads = inst.program.threads;
    this.n = threads.length;
    const seen = new Set<number>();
    this.groups = sym.groups.map((g) => {
      const ids = Int32Array.from(g).sort();
      for (const t of ids) {
        if (!Number.isInteger(t) || t < 0 || t >= this.n || seen.has(t))
          throw new ModelError(
            `model '${inst.model.name}' declares a symmetry group [${g.join(', ')}] with a bad or repeated thread index`,
            'bad-model',
          );
        seen.add(t);
        const a = threads[ids[0]];
        const b = threads[t];
        if (a.steps.length !== b.steps.length || canonical(a.locals) !== canonical(b.locals))
          throw new ModelError(
            `model '${inst.model.name}' declares threads '${a.name}' and '${b.name}' symmetric but their steps or initial locals differ`,
            'bad-model',
          );
      }
      return ids;
    });
    this.permute = sym.permute;
    this.threadKey = sym.threadKey;
    this.toBuf = new Int32Array(this.n);
    this.fromBuf = new Int32Array(this.n);
    this.k0 = new Float64Array(this.n);
    this.k1 = new Float64Array(this.n);
    this.k2 = new Float64Array(this.n);
    this.k3 = new Float64Array(this.n);
    this.order = new Int32Array(this.n);
    this.lanes = new ThreadLanes(this.n);
    this.ids = new PermutationIds(this.n);
  }

  get permId(): number {
    if (this.lastDirty) {
      this.last = this.ids.intern(this.toBuf);
      this.lastDirty = false;
    }
    return this.last;
  }

  /** Thread → canonical slot for permutation `id`. */
  to(id: number): Int32Array {
    return this.ids.to(id);
  }

  /** Canonical slot → thread for permutation `id`. */
  from(id: number): Int32Array {
    return this.ids.from(id);
  }

  get permutations(): number {
    return this.ids.count;
  }

  key(g: GState, out: Uint32Array): Uint32Array {
    const { toBuf: to, fromBuf: from } = this;
    ensureHashes(g);
    let identity = true;
    for (let t = 0; t < this.n; t++) to[t] = t;
    for (let gi = 0; gi < this.groups.length; gi++) if (!this.sortGroup(g, this.groups[gi])) identity = false;
    if (identity) {
      this.last = 0;
      this.lastDirty = false;
      return stateFingerprint(out, g, this.lanes);
    }
    this.permuted++;
    this.lastDirty = true;
    for (let t = 0; t < this.n; t++) from[to[t]] = t;
    if (this.permute) this.permutedShared(g);
    else {
      this.sh[0] = sharedNode(g).h1;
      this.sh[1] = sharedNode(g).h2;
    }
    return stateFingerprint(out, g, this.lanes, from, this.sh[0], this.sh[1]);
  }

  /** Hash lanes of `permute(g.s, toBuf)` into `sh`, reusing those cached on g for the same permutation. */
  private permutedShared(g: GState): void {
    let pk = -1;
    if (this.ids.radix > 0) {
      pk = this.ids.numericKey(this.toBuf);
      if (g[PK] === pk) {
        this.sh[0] = g[PH1]!;
        this.sh[1] = g[PH2]!;
        return;
      }
    }
    const node = hashNode(this.permute!(g.s, this.toBuf), sharedNode(g));
    this.sh[0] = node.h1;
    this.sh[1] = node.h2;
    if (pk < 0) return;
    g[PK] = pk;
    g[PH1] = this.sh[0];
    g[PH2] = this.sh[1];
  }

  /** Sort one group's threads into `toBuf`; returns true when the order is the identity. */
  private sortGroup(g: GState, group: Int32Array): boolean {
    const { k0, k1, k2, k3, order } = this;
    const m = group.length;
    for (let j = 0; j < m; j++) {
      const t = group[j];
      const ts = g.t[t];
      k0[t] = ts.pc;
      k1[t] = this.threadKey ? this.threadKey(g.s, t) : 0;
      k2[t] = ts[H1]!;
      k3[t] = ts[H2]!;
      insertThread(k0, k1, k2, k3, order, j, t);
    }
    return renameSorted(order, group, this.toBuf);
  }
}
