/**
 * A decision trie over the slots of a state vector: the memo of a deterministic function of the
 * slots it reads (a step body, a property, a symmetry key). The function is run once, recording
 * the sequence of (slot, value) pairs it read; since the function is deterministic, which slot
 * it reads next depends only on the values read before, so the recorded sequences of all runs
 * form a tree. Looking a state up walks the tree, reading one slot per node and branching on
 * its value, to the leaf that holds the outcome — with no call into the function.
 */
export interface TrieNode<T> {
  /** The slot this node reads (-1: a leaf). */
  readonly slot: number;
  /** Children by value for values 0..SMALL-1; other values in `big`. */
  readonly small: (TrieNode<T> | undefined)[];
  big: Map<number, TrieNode<T>> | null;
  leaf: T | undefined;
  /** At a leaf: the slots on its path, as a bit set (readsAny). */
  reads: Uint32Array | null;
}

const SMALL = 32;

const node = <T>(slot: number): TrieNode<T> => ({ slot, small: [], big: null, leaf: undefined, reads: null });

/**
 * Whether any of `slots[0..n)` is in the bit set `reads` (a leaf's path): when none is, a
 * state that differs from another only in those slots reaches the same leaf, without a walk.
 */
export function readsAny(reads: Uint32Array, slots: Int32Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const s = slots[i];
    const w = s >>> 5;
    if (w < reads.length && (reads[w] & (1 << (s & 31))) !== 0) return true;
  }
  return false;
}

export class ReadTrie<T> {
  private root: TrieNode<T> | undefined;
  /** Nodes in the trie (its size, for statistics). */
  nodes = 0;

  /** The memoised outcome for state `v`, or undefined when no run read these values yet. */
  find(v: Int32Array): T | undefined {
    return this.findLeaf(v)?.leaf;
  }

  /** The leaf for state `v` (its outcome and the slots on its path), or undefined. */
  findLeaf(v: Int32Array): TrieNode<T> | undefined {
    let n = this.root;
    if (n === undefined) return undefined;
    for (;;) {
      const slot: number = n.slot;
      if (slot < 0) return n;
      const x: number = v[slot];
      n = x >= 0 && x < SMALL ? n.small[x] : (n.big?.get(x) ?? undefined);
      if (n === undefined) return undefined;
    }
  }

  /** Record a run: the (slot, value) pairs it read, in order, and its outcome. */
  insert(reads: readonly number[], leaf: T): TrieNode<T> {
    if (this.root === undefined) {
      this.root = node<T>(reads.length > 0 ? reads[0] : -1);
      this.nodes++;
    }
    let n = this.root;
    for (let i = 0; i < reads.length; i += 2) {
      if (n.slot !== reads[i])
        throw new Error(`trie: a run read slot ${reads[i]} where another read slot ${n.slot}: not deterministic`);
      const x = reads[i + 1];
      const nextSlot = i + 2 < reads.length ? reads[i + 2] : -1;
      let c = x >= 0 && x < SMALL ? n.small[x] : n.big?.get(x);
      if (c === undefined) {
        c = node<T>(nextSlot);
        this.nodes++;
        if (x >= 0 && x < SMALL) n.small[x] = c;
        else (n.big ??= new Map()).set(x, c);
      }
      n = c;
    }
    if (n.slot >= 0) throw new Error('trie: a run stopped where another read on: not deterministic');
    n.leaf = leaf;
    let top = 0;
    for (let i = 0; i < reads.length; i += 2) top = Math.max(top, reads[i]);
    const bits = new Uint32Array((top >>> 5) + 1);
    for (let i = 0; i < reads.length; i += 2) bits[reads[i] >>> 5] |= 1 << (reads[i] & 31);
    n.reads = bits;
    return n;
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
