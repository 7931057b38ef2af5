import { seed, term } from './hash.js';
import { hasSlot, objects, type TrieLeaf } from './trie.js';

/** Entries at most (some 100 bytes each): past that, lookups go to the trie. */
const MAX_ENTRIES = 1 << 20;

/**
 * The leaf a state reaches in a read trie, from the leaf its parent reached and the new values
 * of the slots on that leaf's path that the step changed: a memo in front of the trie's lookup,
 * which reads every slot of the path (48 PTEs for a property over a page table) where this
 * reads the few the step changed. A state differs from its parent only in the changed slots, so
 * on the parent leaf's path it has the parent's values there and these new values: an entry
 * (parent leaf, new values) → leaf holds for v when v also has the leaf's values in the slots of
 * the leaf's path off the parent's (its `extra` pairs, checked).
 */
export class LeafSteps<T> {
  /** [entry + 1 (0: empty), hash] pairs, linear probing, at most half full. */
  private table = new Int32Array(2 * 256);
  private mask = 255;
  private readonly from: number[] = [];
  private readonly to: TrieLeaf<T>[] = objects();
  /** Entry e's key: its changed (slot, value) pairs, pairs[at[e]..key[e]); then its extra pairs to at[e + 1]. */
  private readonly at: number[] = [0];
  private readonly key: number[] = [];
  private readonly pairs: number[] = [];

  /** The leaf state v reaches, known from `from`'s and v's changed slots `changed[0..n)`; or undefined. */
  get(from: TrieLeaf<T>, v: Int32Array, changed: Int32Array, n: number): TrieLeaf<T> | undefined {
    const h = hashOf(from, v, changed, n);
    const k = 2 * countOf(from, changed, n);
    const { table, mask, pairs } = this;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[2 * i] - 1;
      if (e < 0) return undefined;
      if (table[2 * i + 1] !== h || this.from[e] !== from.id) continue;
      const start = this.at[e];
      if (this.key[e] - start !== k) continue;
      // A key slot holds a value its parent did not, so it matching v means v changed it too.
      const end = this.at[e + 1];
      let j = start;
      while (j < end && v[pairs[j]] === pairs[j + 1]) j += 2;
      if (j === end) return this.to[e];
    }
  }

  /** Record that state v, changed from a state at `from` in `changed[0..n)`, reaches `to`. */
  put(from: TrieLeaf<T>, v: Int32Array, changed: Int32Array, n: number, to: TrieLeaf<T>): void {
    const e = this.to.length;
    if (e === MAX_ENTRIES) return;
    this.from.push(from.id);
    this.to.push(to);
    for (let i = 0; i < n; i++) if (hasSlot(from.reads, changed[i])) this.pairs.push(changed[i], v[changed[i]]);
    this.key.push(this.pairs.length);
    const path = to.pairs;
    for (let i = 0; i < path.length; i += 2) if (!hasSlot(from.reads, path[i])) this.pairs.push(path[i], path[i + 1]);
    this.at.push(this.pairs.length);
    if (2 * (e + 1) > this.mask + 1) this.grow();
    this.place(this.table, this.mask, e, hashOf(from, v, changed, n));
  }

  private place(table: Int32Array, mask: number, e: number, h: number): void {
    let i = h & mask;
    while (table[2 * i] !== 0) i = (i + 1) & mask;
    table[2 * i] = e + 1;
    table[2 * i + 1] = h;
  }

  private grow(): void {
    const old = this.table;
    const mask = 2 * (this.mask + 1) - 1;
    const table = new Int32Array(2 * (mask + 1));
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.place(table, mask, old[i] - 1, old[i + 1]);
    this.table = table;
    this.mask = mask;
  }
}

function countOf<T>(from: TrieLeaf<T>, changed: Int32Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (hasSlot(from.reads, changed[i])) k++;
  return k;
}

/** The hash of `from` and v's values in the changed slots on its path (in any order). */
function hashOf<T>(from: TrieLeaf<T>, v: Int32Array, changed: Int32Array, n: number): number {
  let h = seed(from.id);
  for (let i = 0; i < n; i++) {
    const s = changed[i];
    if (hasSlot(from.reads, s)) h = (h + term(s, v[s])) | 0;
  }
  return h ^ (h >>> 15);
}
