import { verdictOf, type Property, type PropertyKind } from '../core/property.js';
import type { Found } from '../explore/check.js';
import type { LazyView } from './view.js';
import { ReadTrie } from './trie.js';

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

  constructor(
    private readonly model: string,
    private readonly props: readonly Property[],
    private readonly kind: PropertyKind,
    private readonly lazy: LazyView,
  ) {}

  /** What the properties find in state v (an empty list when all hold). */
  check(v: Int32Array): readonly Found[] {
    if (this.props.length === 0) return NONE;
    const hit = this.trie.find(v);
    if (hit !== undefined) return hit;
    const view = this.lazy.bind(v);
    let out: Found[] | undefined;
    for (const p of this.props) {
      const msg = verdictOf(this.model, p, view);
      if (msg !== null) (out ??= []).push({ property: p.name, kind: this.kind, message: msg });
    }
    const found = out ?? NONE;
    this.trie.insert(this.lazy.log.pairs, found);
    return found;
  }

  get nodes(): number {
    return this.trie.nodes;
  }
}
