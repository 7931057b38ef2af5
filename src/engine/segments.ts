import { seed, term } from './hash.js';
import { leafOf, objects, type TrieLeaf } from './trie.js';

/** Before the first insert: no root yet. */
const EMPTY = 0x7fffffff;
/** A lookup that found no edge for the state's values. */
const MISS = -0x80000000;

/**
 * A ReadTrie (src/engine/trie.ts) with its chains compressed: a node reads a segment of slots,
 * the longest run every path through it has read in the same order so far, and its edges are
 * keyed by the values of the whole segment (one hash and one probe, then the values compared).
 * A property reads long runs in a fixed order (every PTE of a table, then the lock of each page
 * it found an entry for): a lookup is a few probes where the plain trie takes one a slot, each
 * a cache miss. A run that reads another slot after the same values as another run's prefix
 * splits the segment there.
 *
 * Nodes and edges are typed-array records: a node's segment is a range of `slotPool`, an edge's
 * values a range of `valPool`; edges are found through `table` ([edge + 1, hash] pairs, linear
 * probing, -1 a removed entry) and listed per node (for a split).
 */
export class SegmentTrie<T> {
  /** The root: a node (>= 0), a leaf (-1 - index), or EMPTY. */
  private root = EMPTY;
  private segOff: Int32Array = new Int32Array(16);
  private segLen: Int32Array = new Int32Array(16);
  private firstEdge: Int32Array = new Int32Array(16);
  private slotPool: Int32Array = new Int32Array(64);
  private slotTop = 0;
  private eNode: Int32Array = new Int32Array(16);
  private eChild: Int32Array = new Int32Array(16);
  private eVal: Int32Array = new Int32Array(16);
  private eHash: Int32Array = new Int32Array(16);
  private eNext: Int32Array = new Int32Array(16);
  private edgeCount = 0;
  private valPool: Int32Array = new Int32Array(64);
  private valTop = 0;
  private table: Int32Array = new Int32Array(2 * 64);
  private mask = 63;
  /** Table entries in use, removed ones included. */
  private used = 0;
  private readonly leaves: TrieLeaf<T>[] = objects();
  /** Nodes (segments), for statistics. */
  nodes = 0;

  /** The memoised outcome for state `v`, or undefined when no run read these values yet. */
  find(v: Int32Array): T | undefined {
    return this.findLeaf(v)?.leaf;
  }

  /** The leaf for state `v` (its outcome and the slots on its path), or undefined. */
  findLeaf(v: Int32Array): TrieLeaf<T> | undefined {
    let c = this.root;
    if (c === EMPTY) return undefined;
    while (c >= 0) {
      c = this.next(c, v);
      if (c === MISS) return undefined;
    }
    return this.leaves[-1 - c];
  }

  /** Where node c's edge for v's values in its segment leads (MISS: no such edge). */
  private next(c: number, v: Int32Array): number {
    const { slotPool, table, eNode, eVal, valPool } = this;
    const mask = this.mask;
    const off = this.segOff[c];
    const len = this.segLen[c];
    let h = seed(c);
    for (let j = 0; j < len; j++) h = (h + term(j, v[slotPool[off + j]])) | 0;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[2 * i] - 1;
      if (e === -1) return MISS;
      if (e < 0 || table[2 * i + 1] !== h || eNode[e] !== c) continue;
      const at = eVal[e];
      let j = 0;
      while (j < len && valPool[at + j] === v[slotPool[off + j]]) j++;
      if (j === len) return this.eChild[e];
    }
  }

  /** Record a run: the (slot, value) pairs it read, in order, and its outcome. */
  insert(reads: readonly number[], leaf: T): TrieLeaf<T> {
    const L = reads.length >> 1;
    if (this.root === EMPTY) {
      this.root = L === 0 ? -1 - this.leaves.length : this.node(reads, 0, L);
    }
    let c = this.root;
    let i = 0;
    while (c >= 0) {
      const off = this.segOff[c];
      const len = this.segLen[c];
      let j = 0;
      while (j < len && i + j < L && reads[2 * (i + j)] === this.slotPool[off + j]) j++;
      if (j === 0) throw new Error(notDeterministic(i < L ? reads[2 * i] : -1, this.slotPool[off]));
      if (j < len) this.split(c, j);
      const e = this.edge(c, reads, i);
      i += j;
      if (e >= 0) {
        c = this.eChild[e];
        continue;
      }
      const child = i === L ? -1 - this.leaves.length : this.node(reads, i, L);
      this.link(c, reads, i - j, child);
      c = child;
    }
    if (i < L) throw new Error(notDeterministic(reads[2 * i], -1));
    const id = -1 - c;
    const made = leafOf(reads, leaf, id);
    this.leaves[id] = made;
    return made;
  }

  /** A new node reading the slots of reads[from..to) (pairs). */
  private node(reads: readonly number[], from: number, to: number): number {
    while (this.slotTop + to - from > this.slotPool.length) this.slotPool = grown(this.slotPool);
    const n = this.segment(this.slotTop, to - from);
    for (let i = from; i < to; i++) this.slotPool[this.slotTop++] = reads[2 * i];
    return n;
  }

  /** A new node reading slotPool[off..off + len). */
  private segment(off: number, len: number): number {
    const n = this.nodes++;
    if (n === this.segOff.length) {
      this.segOff = grown(this.segOff);
      this.segLen = grown(this.segLen);
      this.firstEdge = grown(this.firstEdge);
    }
    this.segOff[n] = off;
    this.segLen[n] = len;
    this.firstEdge[n] = -1;
    return n;
  }

  /** A new edge, to `child` (not yet in the table). */
  private newEdge(child: number): number {
    const e = this.edgeCount++;
    if (e === this.eNode.length) {
      this.eNode = grown(this.eNode);
      this.eChild = grown(this.eChild);
      this.eVal = grown(this.eVal);
      this.eHash = grown(this.eHash);
      this.eNext = grown(this.eNext);
    }
    this.eChild[e] = child;
    return e;
  }

  /** The edge from node c for the values of reads' pairs from `from` on (its segment's length), or -1. */
  private edge(c: number, reads: readonly number[], from: number): number {
    const len = this.segLen[c];
    let h = seed(c);
    for (let j = 0; j < len; j++) h = (h + term(j, reads[2 * (from + j) + 1])) | 0;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = this.table[2 * i] - 1;
      if (e === -1) return -1;
      if (e < 0 || this.table[2 * i + 1] !== h || this.eNode[e] !== c) continue;
      let j = 0;
      while (j < len && this.valPool[this.eVal[e] + j] === reads[2 * (from + j) + 1]) j++;
      if (j === len) return e;
    }
  }

  /** A new edge from node c, for the values of reads' pairs from `from` on, to `child`. */
  private link(c: number, reads: readonly number[], from: number, child: number): void {
    const len = this.segLen[c];
    while (this.valTop + len > this.valPool.length) this.valPool = grown(this.valPool);
    const at = this.valTop;
    for (let j = 0; j < len; j++) this.valPool[at + j] = reads[2 * (from + j) + 1];
    this.valTop += len;
    this.attach(this.newEdge(child), c, at);
  }

  /** Make edge e node c's, for the values at valPool[at..): hashed, listed and put in the table. */
  private attach(e: number, c: number, at: number): void {
    this.eNode[e] = c;
    this.eVal[e] = at;
    let h = seed(c);
    for (let j = 0; j < this.segLen[c]; j++) h = (h + term(j, this.valPool[at + j])) | 0;
    this.eHash[e] = h;
    this.eNext[e] = this.firstEdge[c];
    this.firstEdge[c] = e;
    if (2 * (this.used + 1) > this.mask + 1) this.rehash();
    let i = h & this.mask;
    while (this.table[2 * i] !== 0) i = (i + 1) & this.mask;
    this.table[2 * i] = e + 1;
    this.table[2 * i + 1] = h;
    this.used++;
  }

  /** Take edge e out of the table (a removed entry keeps later probes going). */
  private detach(e: number): void {
    let i = this.eHash[e] & this.mask;
    while (this.table[2 * i] !== e + 1) i = (i + 1) & this.mask;
    this.table[2 * i] = -1;
  }

  /**
   * Cut node c's segment after its first j slots: each edge of c goes on from a node reading the
   * rest, one such node per distinct value of the first j slots (a new edge of c leads to it).
   */
  private split(c: number, j: number): void {
    const old: number[] = [];
    for (let e = this.firstEdge[c]; e >= 0; e = this.eNext[e]) old.push(e);
    const off = this.segOff[c];
    const len = this.segLen[c];
    this.segLen[c] = j;
    this.firstEdge[c] = -1;
    // Out of the table first: an edge of the old segment would match the values of a prefix.
    for (const e of old) this.detach(e);
    for (const e of old) {
      const at = this.eVal[e];
      const prefix = this.edgeAt(c, at);
      let rest: number;
      if (prefix >= 0) rest = this.eChild[prefix];
      else {
        // The rest of the segment stays where it is in the pool; the prefix's values are the
        // first j of e's.
        rest = this.segment(off + j, len - j);
        this.attach(this.newEdge(rest), c, at);
      }
      this.attach(e, rest, at + j);
    }
  }

  /** Node c's edge for the values at valPool[at..) (its segment's length), or -1. */
  private edgeAt(c: number, at: number): number {
    const len = this.segLen[c];
    let h = seed(c);
    for (let j = 0; j < len; j++) h = (h + term(j, this.valPool[at + j])) | 0;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const e = this.table[2 * i] - 1;
      if (e === -1) return -1;
      if (e < 0 || this.table[2 * i + 1] !== h || this.eNode[e] !== c) continue;
      let k = 0;
      while (k < len && this.valPool[this.eVal[e] + k] === this.valPool[at + k]) k++;
      if (k === len) return e;
    }
  }

  /** A table twice as large when more than half full (or the same size without removed entries). */
  private rehash(): void {
    let live = 0;
    for (let i = 0; i <= this.mask; i++) if (this.table[2 * i] > 0) live++;
    const size = 4 * (live + 1) > this.mask + 1 ? 2 * (this.mask + 1) : this.mask + 1;
    const old = this.table;
    this.table = new Int32Array(2 * size);
    this.mask = size - 1;
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) {
      const e = old[i] - 1;
      if (e < 0) continue;
      let k = old[i + 1] & this.mask;
      while (this.table[2 * k] !== 0) k = (k + 1) & this.mask;
      this.table[2 * k] = e + 1;
      this.table[2 * k + 1] = old[i + 1];
      this.used++;
    }
  }
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  return b;
}

function notDeterministic(slot: number, other: number): string {
  return slot < 0 || other < 0
    ? 'trie: a run stopped where another read on: not deterministic'
    : `trie: a run read slot ${slot} where another read slot ${other}: not deterministic`;
}
