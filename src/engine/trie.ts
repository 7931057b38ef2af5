/**
 * A decision trie over the slots of a state vector: the memo of a deterministic function of the
 * slots it reads (a step body, a property, a symmetry key). The function is run once, recording
 * the sequence of (slot, value) pairs it read; since the function is deterministic, which slot
 * it reads next depends only on the values read before, so the recorded sequences of all runs
 * form a tree. Looking a state up walks the tree, reading one slot per node and branching on
 * its value, to the leaf that holds the outcome — with no call into the function.
 */
import { edgeHash } from './hash.js';

export interface TrieLeaf<T> {
  readonly leaf: T;
  /** The slots on its path, as a bit set (readsAny). */
  readonly reads: Uint32Array;
  /** Its path: (slot, value) pairs. */
  readonly pairs: Int32Array;
  readonly id: number;
}

/**
 * Whether any of `slots[0..n)` is in the bit set `reads` (a leaf's path): when none is, a
 * state that differs from another only in those slots reaches the same leaf, without a walk.
 */
export function readsAny(reads: Uint32Array, slots: Int32Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (hasSlot(reads, slots[i])) return true;
  return false;
}

/** Whether slot s is in the bit set `reads`. */
export function hasSlot(reads: Uint32Array, s: number): boolean {
  const w = s >>> 5;
  return w < reads.length && (reads[w] & (1 << (s & 31))) !== 0;
}

/**
 * An empty array of objects whose V8 elements kind is already that of objects: an empty literal
 * starts as small integers and changes kind at its first push, so code optimised on one
 * search's memo would deoptimise on the next search's new, empty one.
 */
export function objects<T>(): T[] {
  const a = [undefined] as unknown as T[];
  a.pop();
  return a;
}

/** The leaf of a run that read `reads` ((slot, value) pairs) with outcome `leaf`. */
export function leafOf<T>(reads: readonly number[], leaf: T, id: number): TrieLeaf<T> {
  let top = 0;
  for (let i = 0; i < reads.length; i += 2) top = Math.max(top, reads[i]);
  const bits = new Uint32Array((top >>> 5) + 1);
  for (let i = 0; i < reads.length; i += 2) bits[reads[i] >>> 5] |= 1 << (reads[i] & 31);
  return { leaf, reads: bits, pairs: new Int32Array(reads), id };
}

/** The slot of a node just made at the end of a path, before its leaf is stored. */
const PENDING = -0x80000000;

/** Paths of at least this many slots get a direct-mapped cache in front of the walk. */
const DEEP = 8;
const CACHE_SIZE = 1 << 16;
/** A trie caches another shape when its walks reach that many more deep leaves of other shapes. */
const RESHAPE = 256;

/** Whether state v has the value of every (slot, value) pair of a path. */
function matches(pairs: Int32Array, v: Int32Array): boolean {
  for (let i = 0; i < pairs.length; i += 2) if (v[pairs[i]] !== pairs[i + 1]) return false;
  return true;
}

/** Whether a path reads exactly the slots of `shape`, in order. */
function sameSlots(pairs: Int32Array, shape: Int32Array): boolean {
  if (pairs.length !== 2 * shape.length) return false;
  for (let i = 0; i < shape.length; i++) if (pairs[2 * i] !== shape[i]) return false;
  return true;
}

/**
 * The trie, flat: per node the slot it reads (`-1 - i` at the leaf of index i), and its edges
 * (node, value) → child in one open-addressing table of 4-int entries, so a walk touches a few
 * cache lines of typed arrays instead of a chain of objects.
 */
export class ReadTrie<T> {
  private slot = new Int32Array(64);
  /** Edges: [node + 1 (0: empty), value, child, unused], linear probing, at most half full. */
  private table = new Int32Array(4 * 64);
  private mask = 63;
  private edges = 0;
  private readonly leaves: TrieLeaf<T>[] = objects();
  private shape: Int32Array | null = null;
  /** By hash of a state's values in `shape`: a leaf's index + 1 (0: none). */
  private cache = new Int32Array(0);
  /** Walks that reached a deep leaf of another shape, less those that reached one of it. */
  private others = 0;
  /** Nodes in the trie (its size, for statistics). */
  nodes = 0;

  /** The memoised outcome for state `v`, or undefined when no run read these values yet. */
  find(v: Int32Array): T | undefined {
    return this.findLeaf(v)?.leaf;
  }

  /**
   * The leaf for state `v` (its outcome and the slots on its path), or undefined. A deep trie
   * (DEEP) keeps the slots of its first deep path, its `shape`, and a direct-mapped cache from
   * the hash of v's values in those slots to a leaf of that shape: a leaf whose whole path
   * matches v is the one the walk reaches (the trie is deterministic), so a checked hit skips
   * the walk — one hash and two cache lines instead of a cache miss a level.
   */
  findLeaf(v: Int32Array): TrieLeaf<T> | undefined {
    const shape = this.shape;
    if (shape === null) return this.walk(v);
    let h = 0x2545f491;
    for (let i = 0; i < shape.length; i++) {
      h = Math.imul(h + v[shape[i]], 0x9e3779b1);
      h ^= h >>> 13;
    }
    const at = (h ^ (h >>> 16)) & (CACHE_SIZE - 1);
    const cached = this.cache[at] - 1;
    if (cached >= 0) {
      const leaf = this.leaves[cached];
      if (matches(leaf.pairs, v)) return leaf;
    }
    const leaf = this.walk(v);
    if (leaf === undefined) return leaf;
    if (sameSlots(leaf.pairs, shape)) {
      this.cache[at] = leaf.id + 1;
      if (this.others > 0) this.others--;
    } else if (leaf.pairs.length >= 2 * DEEP && ++this.others > RESHAPE) {
      // Most deep leaves have another shape: cache that one instead.
      this.reshape(leaf.pairs);
    }
    return leaf;
  }

  private reshape(pairs: ArrayLike<number>): void {
    this.shape = Int32Array.from({ length: pairs.length / 2 }, (_, i) => pairs[2 * i]);
    this.cache = new Int32Array(CACHE_SIZE);
    this.others = 0;
  }

  private walk(v: Int32Array): TrieLeaf<T> | undefined {
    if (this.nodes === 0) return undefined;
    const slots = this.slot;
    const table = this.table;
    const mask = this.mask;
    let n = 0;
    for (;;) {
      const s = slots[n];
      if (s < 0) return this.leaves[-1 - s];
      const x = v[s];
      let i = edgeHash(n, x) & mask;
      for (;;) {
        const e = 4 * i;
        const key = table[e];
        if (key === 0) return undefined;
        if (key === n + 1 && table[e + 1] === x) {
          n = table[e + 2];
          break;
        }
        i = (i + 1) & mask;
      }
    }
  }

  /** Record a run: the (slot, value) pairs it read, in order, and its outcome. */
  insert(reads: readonly number[], leaf: T): TrieLeaf<T> {
    if (this.nodes === 0) this.node(reads.length > 0 ? reads[0] : PENDING);
    let n = 0;
    for (let i = 0; i < reads.length; i += 2) {
      const at = this.slot[n];
      if (at !== reads[i])
        throw new Error(
          `trie: a run read slot ${reads[i]} where another read slot ${at < 0 ? -1 : at}: not deterministic`,
        );
      const x = reads[i + 1];
      let c = this.child(n, x);
      if (c < 0) {
        c = this.node(i + 2 < reads.length ? reads[i + 2] : PENDING);
        this.link(n, x, c);
      }
      n = c;
    }
    const at = this.slot[n];
    if (at >= 0) throw new Error('trie: a run stopped where another read on: not deterministic');
    const id = at === PENDING ? this.leaves.length : -1 - at;
    const made = leafOf(reads, leaf, id);
    if (this.shape === null && reads.length >= 2 * DEEP) this.reshape(reads);
    this.leaves[id] = made;
    this.slot[n] = -1 - id;
    return made;
  }

  private node(slot: number): number {
    if (this.nodes === this.slot.length) {
      const a = new Int32Array(2 * this.slot.length);
      a.set(this.slot);
      this.slot = a;
    }
    this.slot[this.nodes] = slot;
    return this.nodes++;
  }

  private child(n: number, x: number): number {
    const table = this.table;
    for (let i = edgeHash(n, x) & this.mask; ; i = (i + 1) & this.mask) {
      const e = 4 * i;
      if (table[e] === 0) return -1;
      if (table[e] === n + 1 && table[e + 1] === x) return table[e + 2];
    }
  }

  private link(n: number, x: number, c: number): void {
    if (2 * (this.edges + 1) > this.mask + 1) this.grow();
    this.put(this.table, this.mask, n, x, c);
    this.edges++;
  }

  private put(table: Int32Array, mask: number, n: number, x: number, c: number): void {
    let i = edgeHash(n, x) & mask;
    while (table[4 * i] !== 0) i = (i + 1) & mask;
    table[4 * i] = n + 1;
    table[4 * i + 1] = x;
    table[4 * i + 2] = c;
  }

  private grow(): void {
    const old = this.table;
    const mask = 2 * (this.mask + 1) - 1;
    const table = new Int32Array(4 * (mask + 1));
    for (let e = 0; e < old.length; e += 4) if (old[e] !== 0) this.put(table, mask, old[e] - 1, old[e + 1], old[e + 2]);
    this.table = table;
    this.mask = mask;
  }
}

/**
 * The reads of one run, each slot once (a second read of a slot gives the value of the first: the
 * trie needs it only once).
 */
export class ReadLog {
  readonly pairs: number[] = [];
  private stamp = 1;
  private readonly seen: Int32Array;

  constructor(slots: number) {
    this.seen = new Int32Array(slots);
  }

  reset(): void {
    this.pairs.length = 0;
    this.stamp++;
  }

  note(slot: number, x: number): void {
    if (this.seen[slot] === this.stamp) return;
    this.seen[slot] = this.stamp;
    this.pairs.push(slot, x);
  }
}
