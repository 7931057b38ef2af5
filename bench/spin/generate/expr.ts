/**
 * Decision trees as Promela conditions. The leaves `branch` enumerates share prefixes; they form
 * a tree whose inner nodes read one slot and branch on its value. `condition` gives the Promela
 * boolean expression that holds exactly on the paths to leaves satisfying a predicate: values of
 * a slot leading to the same sub-condition are grouped (`x == 1 || x == 3`, or the complement
 * within the slot's possible values when shorter), and a slot whose every possible value leads
 * to the same sub-condition is not tested at all.
 */
import type { Leaf } from './branch.js';

export type Tree<R> = { readonly leaf: R } | { readonly slot: number; readonly kids: Map<number, Tree<R>> };

const isLeaf = <R>(t: Tree<R>): t is { readonly leaf: R } => 'leaf' in t;

/** The decision tree of a list of leaves (a deterministic function: one slot read per node). */
export function treeOf<R>(leaves: readonly Leaf<R>[], where: string): Tree<R> {
  if (leaves.length === 1 && leaves[0].reads.length === 0) return { leaf: leaves[0].result };
  const root: { slot: number; kids: Map<number, Tree<R>> } = { slot: leaves[0]?.reads[0]?.[0] ?? -1, kids: new Map() };
  for (const lf of leaves) {
    let node = root;
    lf.reads.forEach(([slot, value], k) => {
      if (node.slot !== slot) throw new Error(`${where}: not deterministic (reads differ after the same values)`);
      if (k === lf.reads.length - 1) {
        node.kids.set(value, { leaf: lf.result });
        return;
      }
      let next = node.kids.get(value);
      if (!next) node.kids.set(value, (next = { slot: lf.reads[k + 1][0], kids: new Map() }));
      if (isLeaf(next)) throw new Error(`${where}: not deterministic (reads differ after the same values)`);
      node = next;
    });
  }
  return root;
}

export interface Slots {
  /** The Promela expression of a slot (a global variable). */
  name(slot: number): string;
  /** Every value the slot can hold (sorted). */
  values(slot: number): readonly number[];
}

const paren = (s: string) => (/^[\w\s=!<>]+$/.test(s) && !/&&|\|\|/.test(s) ? s : `(${s})`);

/** The test `slot ∈ vals`, given that the slot holds one of `all`. */
function membership(x: string, vals: readonly number[], all: readonly number[]): string {
  const others = all.filter((v) => !vals.includes(v));
  if (others.length < vals.length) return others.map((v) => `${x} != ${v}`).join(' && ');
  const lo = vals[0];
  const hi = vals[vals.length - 1];
  if (vals.length >= 3 && hi - lo + 1 === vals.length) return `${x} >= ${lo} && ${x} <= ${hi}`;
  return vals.map((v) => `${x} == ${v}`).join(' || ');
}

/**
 * For every label the tree's leaves carry, the condition (Promela, or 'true' / 'false') under
 * which the tree reaches a leaf with that label; one bottom-up pass over the tree.
 */
export function conditions<R>(t: Tree<R>, label: (r: R) => string, slots: Slots): Map<string, string> {
  if (isLeaf(t)) return new Map([[label(t.leaf), 'true']]);
  const kids = [...t.kids].map(([v, kid]) => [v, conditions(kid, label, slots)] as const);
  const labels = new Set(kids.flatMap(([, m]) => [...m.keys()]));
  const x = slots.name(t.slot);
  const all = slots.values(t.slot);
  const out = new Map<string, string>();
  for (const want of labels) {
    const groups = new Map<string, number[]>();
    for (const [v, m] of kids) {
      const c = m.get(want) ?? 'false';
      const g = groups.get(c);
      if (g) g.push(v);
      else groups.set(c, [v]);
    }
    if (groups.size === 1) {
      out.set(want, [...groups.keys()][0]);
      continue;
    }
    const parts: string[] = [];
    for (const [c, vals] of groups) {
      if (c === 'false') continue;
      vals.sort((a, b) => a - b);
      const test = membership(x, vals, all);
      parts.push(c === 'true' ? test : `${paren(test)} && ${paren(c)}`);
    }
    out.set(want, parts.length === 1 ? parts[0] : parts.map(paren).join(' || '));
  }
  return out;
}
