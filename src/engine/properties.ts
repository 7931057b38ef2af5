import { ModelError } from '../core/errors.js';
import { verdictOf, type Property, type PropertyKind, type StateView } from '../core/property.js';
import type { Found } from '../explore/system/check.js';
import type { LazyView } from './view.js';
import { ReadTrie, type TrieLeaf } from './trie.js';

const NONE: readonly Found[] = [];

/**
 * The verdicts of a list of properties (all invariants, or all end-state properties) on state
 * vectors, memoised: the properties run together on a LazyView, and what they found is stored in
 * a ReadTrie over the slots they read. A property is a deterministic function of the view (as
 * the reference engine assumes), so a later state with the same values in those slots gets the
 * same messages without decoding anything.
 */
export class PropertyMemo {
  private readonly trie = new ReadTrie<readonly Found[]>();
  /** The leaf the last `check` ended at (undefined: not memoised), for `check`'s `same`. */
  last: TrieLeaf<readonly Found[]> | undefined;

  constructor(
    private readonly model: string,
    private readonly props: readonly Property[],
    private readonly kind: PropertyKind,
    private readonly lazy: LazyView,
    /** The state decoded to objects: the fallback for a property the lazy view cannot serve. */
    private readonly decoded: (v: Int32Array) => StateView,
  ) {}

  /**
   * What the properties find in state v (an empty list when all hold). `same`: a leaf the
   * caller knows v reaches (another state's, which differs from v in no slot on its path).
   */
  check(v: Int32Array, same?: TrieLeaf<readonly Found[]>): readonly Found[] {
    if (this.props.length === 0) return NONE;
    const hit = same ?? this.trie.findLeaf(v);
    this.last = hit;
    if (hit !== undefined) return hit.leaf;
    let found;
    try {
      found = this.run(this.lazy.bind(v));
    } catch (e) {
      // A property that fails on the proxies (a structuredClone, an identity test) runs on the
      // decoded state, as on the reference engine, which gives its verdict or its error; such a
      // state is not memoised.
      if (e instanceof ModelError && e.code === 'property-threw') return this.run(this.decoded(v));
      throw e;
    }
    this.last = this.trie.insert(this.lazy.log.pairs, found);
    return found;
  }

  private run(view: StateView): readonly Found[] {
    let out: Found[] | undefined;
    for (const p of this.props) {
      const msg = verdictOf(this.model, p, view);
      if (msg !== null) (out ??= []).push({ property: p.name, kind: this.kind, message: msg });
    }
    return out ?? NONE;
  }

  get nodes(): number {
    return this.trie.nodes;
  }
}
