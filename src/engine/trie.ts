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
}

const SMALL = 32;

const node = <T>(slot: number): TrieNode<T> => ({ slot, small: [], big: null, leaf: undefined });

export class ReadTrie<T> {
  private root: TrieNode<T> | undefined;
  /** Nodes in the trie (its size, for statistics). */
  nodes = 0;

  /** The memoised outcome for state `v`, or undefined when no run read these values yet. */
  find(v: Int32Array): T | undefined {
    let n = this.root;
    if (n === undefined) return undefined;
    for (;;) {
      const slot: number = n.slot;
      if (slot < 0) return n.leaf;
      const x: number = v[slot];
      n = x >= 0 && x < SMALL ? n.small[x] : (n.big?.get(x) ?? undefined);
      if (n === undefined) return undefined;
    }
  }

  /** Record a run: the (slot, value) pairs it read, in order, and its outcome. */
  insert(reads: readonly number[], leaf: T): void {
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
