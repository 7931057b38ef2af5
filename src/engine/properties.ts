import { ModelError } from '../core/errors.js';
import { verdictOf, type Property, type PropertyKind, type StateView } from '../core/property.js';
import type { Found } from '../explore/system/check.js';
import { LeafSteps } from './leafsteps.js';
import { SegmentTrie } from './segments.js';
import { objects, readsAny, type TrieLeaf } from './trie.js';
import type { LazyView } from './view.js';

const NONE: readonly Found[] = [];

/** A property's memo leaf: what it found (null: it holds). */
export type PropertyLeaf = TrieLeaf<Found | null>;

/**
 * What a list of properties found in a state, and the memo leaf each reached there: a state
 * that differs from this one in no slot on a property's path reaches the same leaf for it.
 */
export interface Verdicts {
  readonly found: readonly Found[];
  /** Per property (in order), its leaf; undefined when its outcome could not be memoised. */
  readonly leaves: readonly (PropertyLeaf | undefined)[];
  /** The slots on any of the leaves' paths, as a bit set (readsAny); undefined: not memoised. */
  readonly reads: Uint32Array | undefined;
}

/**
 * The verdicts of a list of properties (all invariants, or all end-state properties) on state
 * vectors, memoised per property: each runs alone on a LazyView, and what it found is stored in
 * its own SegmentTrie over the slots it read. A property is a deterministic function of the view (as
 * the reference engine assumes), so a later state with the same values in those slots gets the
 * same message without decoding anything. One trie per property keeps each path to the slots
 * that property reads: a step that writes none of them keeps the parent's leaf (`check`'s
 * `parent`), and a new combination of values in one property's slots runs that property only.
 * The combinations of leaves are interned, so a state's Verdicts is shared, never allocated.
 */
export class PropertyMemo {
  private readonly tries: SegmentTrie<Found | null>[];
  /** Per property, the leaf a successor reaches from its parent's (in front of its trie). */
  private readonly steps: LeafSteps<Found | null>[];
  /** The leaves of the state being checked. */
  private readonly scratch: (PropertyLeaf | undefined)[];
  /** What the properties that could not be memoised found in that state (on `decoded`). */
  private readonly fallback: (Found | null)[];
  private readonly interned = new LeafTuples();
  /** The verdicts of the last `check` (for `check`'s `parent`). */
  last: Verdicts | undefined;

  constructor(
    private readonly model: string,
    private readonly props: readonly Property[],
    private readonly kind: PropertyKind,
    private readonly lazy: LazyView,
    /** The state decoded to objects: the fallback for a property the lazy view cannot serve. */
    private readonly decoded: (v: Int32Array) => StateView,
  ) {
    this.tries = props.map(() => new SegmentTrie<Found | null>());
    this.steps = props.map(() => new LeafSteps<Found | null>());
    this.scratch = props.map(() => undefined);
    this.fallback = props.map(() => null);
  }

  /**
   * What the properties find in state v (an empty list when all hold). `parent`: the verdicts of
   * a state that differs from v only in `changed[0..n)` (n = 0: v reaches all of its leaves).
   */
  check(v: Int32Array, parent?: Verdicts, changed?: Int32Array, n = 0): readonly Found[] {
    const props = this.props;
    if (props.length === 0) return NONE;
    // A step that wrote none of the slots any leaf read: all the parent's verdicts hold.
    if (parent?.reads !== undefined && (n === 0 || !readsAny(parent.reads, changed!, n)))
      return (this.last = parent).found;
    const scratch = this.scratch;
    let same = parent !== undefined;
    let memoised = true;
    let view: StateView | undefined;
    for (let i = 0; i < props.length; i++) {
      let leaf = parent?.leaves[i];
      if (leaf === undefined || (n > 0 && readsAny(leaf.reads, changed!, n))) {
        same = false;
        leaf = leaf === undefined ? this.find(i, v) : this.after(i, leaf, v, changed!, n);
        if (leaf === undefined) {
          memoised = false;
          this.fallback[i] = this.verdict(i, (view ??= this.decoded(v)));
        }
      }
      scratch[i] = leaf;
    }
    if (same) return (this.last = parent!).found;
    this.last = memoised ? this.interned.intern(scratch) : this.unmemoised();
    return this.last.found;
  }

  /** Property i's leaf for v: found in its trie, else a new one (undefined: not memoised). */
  private find(i: number, v: Int32Array): PropertyLeaf | undefined {
    return this.tries[i].findLeaf(v) ?? this.run(i, v);
  }

  /** Property i's leaf for v, which differs from a state at leaf `from` in `changed[0..n)`. */
  private after(i: number, from: PropertyLeaf, v: Int32Array, changed: Int32Array, n: number) {
    const steps = this.steps[i];
    let leaf = steps.get(from, v, changed, n);
    if (leaf === undefined) {
      leaf = this.find(i, v);
      if (leaf !== undefined) steps.put(from, v, changed, n, leaf);
    }
    return leaf;
  }

  /** Run property i on v; its new leaf (undefined: it ran on the decoded state, not memoised). */
  private run(i: number, v: Int32Array): PropertyLeaf | undefined {
    let found;
    try {
      found = this.verdict(i, this.lazy.bind(v));
    } catch (e) {
      // A property that fails on the proxies (a structuredClone, an identity test) runs on the
      // decoded state, as on the reference engine, which gives its verdict or its error.
      if (e instanceof ModelError && e.code === 'property-threw') return undefined;
      throw e;
    }
    return this.tries[i].insert(this.lazy.log.pairs, found);
  }

  private verdict(i: number, view: StateView): Found | null {
    const p = this.props[i];
    const msg = verdictOf(this.model, p, view);
    return msg === null ? null : { property: p.name, kind: this.kind, message: msg };
  }

  /** The verdicts of a state some property could not be memoised in (`fallback`), not interned. */
  private unmemoised(): Verdicts {
    const leaves = [...this.scratch];
    const found: Found[] = [];
    leaves.forEach((leaf, i) => {
      const f = leaf !== undefined ? leaf.leaf : this.fallback[i];
      if (f !== null) found.push(f);
    });
    return { found, leaves, reads: undefined };
  }

  /** Nodes in the properties' tries (statistics). */
  get nodes(): number {
    return this.tries.reduce((a, t) => a + t.nodes, 0);
  }
}

/**
 * Interned tuples of leaves (one per property, each its trie's): the tuple's Verdicts, with the
 * messages of its leaves in property order. Open addressing over the hash of the leaves' ids.
 */
class LeafTuples {
  private readonly tuples: Verdicts[] = objects();
  /** A tuple's index + 1 (0: empty), linear probing, at most half full. */
  private table = new Int32Array(64);

  intern(leaves: readonly (PropertyLeaf | undefined)[]): Verdicts {
    const mask = this.table.length - 1;
    for (let i = hashOf(leaves) & mask; ; i = (i + 1) & mask) {
      const at = this.table[i] - 1;
      if (at < 0) return this.add(leaves, i);
      const t = this.tuples[at];
      if (sameLeaves(t.leaves, leaves)) return t;
    }
  }

  private add(leaves: readonly (PropertyLeaf | undefined)[], i: number): Verdicts {
    let found: Found[] | undefined;
    for (const leaf of leaves) if (leaf!.leaf !== null) (found ??= []).push(leaf!.leaf);
    const t: Verdicts = { found: found ?? NONE, leaves: [...leaves], reads: union(leaves) };
    this.tuples.push(t);
    this.table[i] = this.tuples.length;
    if (2 * this.tuples.length > this.table.length) this.grow();
    return t;
  }

  private grow(): void {
    const table = new Int32Array(2 * this.table.length);
    const mask = table.length - 1;
    this.tuples.forEach((t, at) => {
      let i = hashOf(t.leaves) & mask;
      while (table[i] !== 0) i = (i + 1) & mask;
      table[i] = at + 1;
    });
    this.table = table;
  }
}

/** The union of the leaves' read sets. */
function union(leaves: readonly (PropertyLeaf | undefined)[]): Uint32Array {
  const bits = new Uint32Array(Math.max(...leaves.map((l) => l!.reads.length)));
  for (const leaf of leaves) leaf!.reads.forEach((w, i) => (bits[i] |= w));
  return bits;
}

function hashOf(leaves: readonly (PropertyLeaf | undefined)[]): number {
  let h = 0x2545f491;
  for (let i = 0; i < leaves.length; i++) {
    h = Math.imul(h ^ leaves[i]!.id, 0x9e3779b1);
    h ^= h >>> 15;
  }
  return h;
}

function sameLeaves(a: readonly (PropertyLeaf | undefined)[], b: readonly (PropertyLeaf | undefined)[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
