import type { Symmetry } from '../core/symmetry.js';
import { ModelError } from '../core/errors.js';
import { renameSorted } from '../explore/system/thread-order.js';
import { PermutationIds } from '../explore/system/permutations.js';
import { H1, H2, tstate } from '../explore/system/statehash.js';
import type { Encoding } from './encoding.js';
import { fingerprint, fingerprintPermuted, MASK, TID } from './fingerprint.js';
import { ReadTrie, readsAny, type TrieLeaf } from './trie.js';
import type { LazyView } from './view.js';

/** More than the (pc, locals) pairs a search hashes: `pc * RANKS + rank` orders by pc, then rank. */
const RANKS = 2 ** 26;

/**
 * Symmetry reduction on state vectors: the canonical permutation of a state, the same algorithm
 * as the reference engine's Canonicalizer (src/explore/system/canon.ts) so that both store the same
 * states: the threads of each group are sorted by (pc, threadKey, hash of (pc, locals)) — the
 * reference's own hash lanes, computed once per (pc, locals id) — ties by thread id; thread
 * order[j]'s (pc, locals id) block moves to slot group[j], and every `tid()` field is renamed
 * by `to` and every `mask()` field bit by bit (the layout's renaming, src/lang/model.ts). The key
 * is the fingerprint of that permuted vector. threadKey runs on a LazyView, memoised per thread
 * in a ReadTrie over the shared slots it reads.
 */
export class VecCanon {
  private readonly n: number;
  private readonly toBuf: Int32Array;
  private readonly order: Int32Array;
  private readonly k0: Float64Array;
  private readonly k1: Float64Array;
  private readonly fromBuf: Int32Array;
  /** Per field slot: PLAIN, TID or MASK (fingerprint.ts). */
  private readonly kinds: Uint8Array;
  /** Per group: the threadKey of each of its threads, memoised together. */
  private readonly keyTries: ReadTrie<Float64Array>[];
  /** Index into h1/h2 by `lid * stride + pc` (-1: not yet hashed). */
  private hashAt = new Int32Array(1024).fill(-1);
  private readonly h1: number[] = [];
  private readonly h2: number[] = [];
  private readonly pcOf: number[] = [];
  /**
   * Per hash index: `pc * RANKS + rank`, the rank of its lanes (h1, h2) among all hashed
   * (pc, locals) (equal lanes, equal rank): comparing it is comparing (pc, h1, h2).
   */
  private pcRank = new Float64Array(64);
  private readonly stride: number;
  private readonly ids: PermutationIds;
  private last = 0;
  private lastDirty = false;
  /** Per group: a leaf of its key trie the next `key` is known to reach (`hint`). */
  private readonly hints: (TrieLeaf<Float64Array> | undefined)[];
  /** Per group: the key trie's leaf the last `key` used (undefined: none, or not memoised). */
  readonly used: (TrieLeaf<Float64Array> | undefined)[];
  permuted = 0;
  /** Times every hashed (pc, locals) was ranked again (`rerank`). */
  private reranks = 0;

  constructor(
    private readonly enc: Encoding,
    private readonly groups: readonly Int32Array[],
    private readonly threadKey: Symmetry['threadKey'] | undefined,
    private readonly lazy: LazyView,
    private readonly tids: Int32Array,
    private readonly masks: Int32Array,
    lengths: readonly number[],
  ) {
    this.n = lengths.length;
    this.stride = Math.max(...lengths, 0) + 1;
    this.toBuf = new Int32Array(this.n);
    this.order = new Int32Array(this.n);
    this.k0 = new Float64Array(this.n);
    this.k1 = new Float64Array(this.n);
    this.fromBuf = new Int32Array(this.n);
    this.kinds = new Uint8Array(enc.fields);
    for (const i of tids) this.kinds[i] = TID;
    for (const i of masks) this.kinds[i] = MASK;
    this.keyTries = groups.map(() => new ReadTrie<Float64Array>());
    this.hints = groups.map(() => undefined);
    this.used = groups.map(() => undefined);
    this.ids = new PermutationIds(this.n);
  }

  get permId(): number {
    if (this.lastDirty) {
      this.last = this.ids.intern(this.toBuf);
      this.lastDirty = false;
    }
    return this.last;
  }

  to(id: number): Int32Array {
    return this.ids.to(id);
  }

  from(id: number): Int32Array {
    return this.ids.from(id);
  }

  /**
   * Before a `key` of a successor: `leaves[at + gi]` are group gi's key leaves of its parent,
   * which differs from it only in `changed[0..n)`; a leaf whose path reads none of them is the
   * successor's too (its threadKeys are the parent's), so `key` skips the walk.
   */
  hint(leaves: readonly (TrieLeaf<Float64Array> | undefined)[], at: number, changed: Int32Array, n: number): void {
    for (let gi = 0; gi < this.groups.length; gi++) {
      const leaf = leaves[at + gi];
      this.hints[gi] = leaf !== undefined && !readsAny(leaf.reads, changed, n) ? leaf : undefined;
    }
  }

  /** The fingerprint of the canonical permutation of v, into `out`. */
  key(v: Int32Array, out: Int32Array): Int32Array {
    const to = this.toBuf;
    let identity;
    let reranks;
    do {
      // A (pc, locals) hashed for the first time re-ranks all: the ranks of the threads looked
      // at before it are stale, and the order made of them may not be the canonical one.
      reranks = this.reranks;
      for (let t = 0; t < this.n; t++) to[t] = t;
      identity = true;
      for (let gi = 0; gi < this.groups.length; gi++) {
        this.used[gi] = undefined;
        if (!this.sortGroup(v, gi)) identity = false;
      }
    } while (this.reranks !== reranks);
    for (let gi = 0; gi < this.groups.length; gi++) this.hints[gi] = undefined;
    if (identity) {
      this.last = 0;
      this.lastDirty = false;
      return fingerprint(v, out);
    }
    this.permuted++;
    this.lastDirty = true;
    const from = this.fromBuf;
    for (let t = 0; t < this.n; t++) from[to[t]] = t;
    return fingerprintPermuted(v, this.enc.fields, this.kinds, to, from, out);
  }

  /** v with thread t renamed to `to[t]`, into `w`. */
  permute(v: Int32Array, to: ArrayLike<number>, w: Int32Array): Int32Array {
    const f = this.enc.fields;
    for (let i = 0; i < f; i++) w[i] = v[i];
    for (let t = 0; t < this.n; t++) {
      w[f + 2 * to[t]] = v[f + 2 * t];
      w[f + 2 * to[t] + 1] = v[f + 2 * t + 1];
    }
    for (let i = 0; i < this.tids.length; i++) {
      const x = v[this.tids[i]];
      if (x >= 0) w[this.tids[i]] = to[x];
    }
    for (let i = 0; i < this.masks.length; i++) {
      let m = v[this.masks[i]];
      let o = 0;
      while (m !== 0) {
        const t = 31 - Math.clz32(m & -m);
        m &= m - 1;
        o |= 1 << to[t];
      }
      w[this.masks[i]] = o;
    }
    return w;
  }

  /**
   * The group's threads sorted by (pc, threadKey, h1, h2), ties in thread order — the order of
   * src/explore/system/thread-order.ts, compared through ranks: (pc, h1, h2) is one number when no
   * threadKey is needed, else (pc, threadKey, rank). Insertion sort (groups are small; stable).
   */
  private sortGroup(v: Int32Array, gi: number): boolean {
    const { k0, k1, order } = this;
    const group = this.groups[gi];
    const f = this.enc.fields;
    const m = group.length;
    // First (pc, rank) of each thread, as one number, and whether two threads share a pc.
    let tie = false;
    let lo = 0;
    let hi = 0;
    for (let j = 0; j < m; j++) {
      const t = group[j];
      const pc = v[f + 2 * t];
      const lid = v[f + 2 * t + 1];
      const at = lid * this.stride + pc;
      let h = at < this.hashAt.length ? this.hashAt[at] : -1;
      if (h < 0) h = this.hashOf(pc, lid);
      k0[t] = this.pcRank[h];
      if (pc < 32) {
        if ((lo & (1 << pc)) !== 0) tie = true;
        lo |= 1 << pc;
      } else if (pc < 64) {
        if ((hi & (1 << (pc - 32))) !== 0) tie = true;
        hi |= 1 << (pc - 32);
      } else if (!tie) tie = this.pcTie(v, group);
    }
    // threadKey only orders threads at the same pc: without a tie it cannot change the order.
    const keys = tie && this.threadKey ? this.keysOf(v, gi) : null;
    for (let j = 0; j < m; j++) {
      const t = group[j];
      const c = k0[t];
      let x = j;
      if (keys === null) {
        while (x > 0 && k0[order[x - 1]] > c) {
          order[x] = order[x - 1];
          x--;
        }
      } else {
        // (pc, threadKey, rank): pc is c's high part, and c orders by rank within a pc.
        const pc = Math.floor(c / RANKS);
        const key = keys[j];
        k1[t] = key;
        while (x > 0) {
          const u = order[x - 1];
          const pu = Math.floor(k0[u] / RANKS);
          if (pu < pc || (pu === pc && (k1[u] < key || (k1[u] === key && k0[u] <= c)))) break;
          order[x] = u;
          x--;
        }
      }
      order[x] = t;
    }
    return renameSorted(order, group, this.toBuf);
  }

  private pcTie(v: Int32Array, group: Int32Array): boolean {
    const f = this.enc.fields;
    for (let j = 1; j < group.length; j++) {
      const pc = v[f + 2 * group[j]];
      for (let i = 0; i < j; i++) if (v[f + 2 * group[i]] === pc) return true;
    }
    return false;
  }

  /** The reference engine's hash lanes of a thread's (pc, locals), by (pc, locals id). */
  private hashOf(pc: number, lid: number): number {
    const k = lid * this.stride + pc;
    if (k >= this.hashAt.length) {
      const a = new Int32Array(Math.max(k + 1, 2 * this.hashAt.length)).fill(-1);
      a.set(this.hashAt);
      this.hashAt = a;
    }
    let i = this.hashAt[k];
    if (i < 0) {
      const ts = tstate(pc, this.enc.locals(lid));
      i = this.h1.length;
      this.h1.push(ts[H1]!);
      this.h2.push(ts[H2]!);
      this.hashAt[k] = i;
      this.pcOf.push(pc);
      this.rerank();
      this.reranks++;
    }
    return i;
  }

  /** Rank every hashed (pc, locals) by its lanes again (a new one was hashed: rare). */
  private rerank(): void {
    const count = this.h1.length;
    if (count >= RANKS) throw new ModelError(`more than ${RANKS} thread states hashed for symmetry`, 'internal');
    if (count > this.pcRank.length) this.pcRank = new Float64Array(2 * count);
    const { h1, h2 } = this;
    const ids = Array.from({ length: count }, (_, i) => i).sort((a, b) => h1[a] - h1[b] || h2[a] - h2[b]);
    let r = 0;
    for (let j = 0; j < count; j++) {
      const i = ids[j];
      if (j > 0 && (h1[i] !== h1[ids[j - 1]] || h2[i] !== h2[ids[j - 1]])) r++;
      this.pcRank[i] = this.pcOf[i] * RANKS + r;
    }
  }

  /** threadKey of each thread of group gi, in group order (one trie walk for the group). */
  private keysOf(v: Int32Array, gi: number): Float64Array {
    const trie = this.keyTries[gi];
    const hit = this.hints[gi] ?? trie.findLeaf(v);
    if (hit !== undefined) {
      this.used[gi] = hit;
      return hit.leaf;
    }
    return this.runKeys(v, gi);
  }

  /** threadKey of each thread of group gi, run (a miss of the key trie) and memoised. */
  private runKeys(v: Int32Array, gi: number): Float64Array {
    const group = this.groups[gi];
    const threadKey = this.threadKey!;
    const keys = new Float64Array(group.length);
    try {
      const s: unknown = this.lazy.bind(v).s;
      for (let j = 0; j < group.length; j++) keys[j] = threadKey(s, group[j]);
    } catch {
      // A key the proxies cannot serve runs on the decoded state (not memoised), as on the
      // reference engine, which gives its value or its error.
      const s = this.enc.shared(v);
      for (let j = 0; j < group.length; j++) keys[j] = threadKey(s, group[j]);
      return keys;
    }
    this.used[gi] = this.keyTries[gi].insert(this.lazy.log.pairs, keys);
    return keys;
  }
}
