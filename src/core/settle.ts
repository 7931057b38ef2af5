/**
 * Settling a step's result: the parts of the new state that the step built are frozen, so that a
 * later step (or property) that changes the state it is given fails at once instead of corrupting
 * the states the search has stored; and each location the step changed is checked against the
 * writes its footprint declares.
 *
 * Both walk only what changed: a subtree the new state shares with the old one by identity (the
 * structural sharing of `setIn`, spreads and immer) was frozen when it was built, and was not
 * written.
 *
 * The write audit reads location names as paths into the state (`folios.A.ref`, `pte[0]`; see
 * `locOf`), kept in a trie. A changed path is covered when it, or a path above it, is a location
 * the step's footprint declares written. A changed path that no location of the model names (no
 * footprint seen so far used it or a path above it: e.g. a field a primitive files under a
 * location of another name) cannot be checked and is let through; the first named one that is
 * not covered is the answer.
 */
export class LocationNode {
  kids: Map<string, LocationNode> | null = null;
  /** Some footprint names this path as a location. */
  named = false;
  /** Equal to the audit's stamp while this location is declared written by the step being settled. */
  stamp = 0;

  child(key: string): LocationNode | undefined {
    return this.kids?.get(key);
  }
}

/** The locations of a model's footprints, as paths into its state. */
export class LocationTrie {
  readonly root = new LocationNode();
  /** Bumped per audited step: a node whose stamp equals it is declared written. */
  stamp = 0;

  /** The node of a location name (`a.b[3]` → a, b, 3), created and marked named if new. */
  insert(loc: string): LocationNode {
    let node = this.root;
    for (const key of segments(loc)) {
      const kids = (node.kids ??= new Map<string, LocationNode>());
      let next = kids.get(key);
      if (next === undefined) kids.set(key, (next = new LocationNode()));
      node = next;
    }
    node.named = true;
    return node;
  }
}

/** `folios.A.ref` → folios, A, ref; `pte[0].kind` → pte, 0, kind. */
export function segments(loc: string): string[] {
  return loc.split(/\.|\[|\]\.?/).filter((k) => k !== '');
}

/**
 * Freeze what `next` does not share with `prev`; with an audit (whose stamp marks the declared
 * writes), return the first changed path no declared write covers, spelled as `locOf` spells it.
 */
export function settle(next: unknown, prev: unknown, audit: LocationTrie | null = null): string | null {
  if (audit === null) {
    freezeNew(next, prev);
    return null;
  }
  return walk(next, prev, audit.root, false, audit.stamp);
}

/** Deep-freeze a value (its frozen subtrees are taken as frozen all through). */
export function deepFreeze<T>(v: T): T {
  freezeNew(v, undefined);
  return v;
}

function freezeNew(next: unknown, prev: unknown): void {
  // Typed arrays cannot be frozen (nor walked usefully): they are left as they are.
  if (next === prev || typeof next !== 'object' || next === null || ArrayBuffer.isView(next)) return;
  const was = typeof prev === 'object' && prev !== null ? (prev as Record<string, unknown>) : undefined;
  if (Object.isFrozen(next) && was === undefined) return;
  Object.freeze(next);
  const o = next as Record<string, unknown>;
  for (const k in o) freezeNew(o[k], was?.[k]);
}

/** '' when this very path is the uncovered change, a path suffix (`.ref`, `[0].kind`) below it, or null. */
function walk(
  next: unknown,
  prev: unknown,
  node: LocationNode | undefined,
  named: boolean,
  stamp: number,
): string | null {
  if (next === prev) return null;
  if (node !== undefined) {
    if (node.stamp === stamp) {
      freezeNew(next, prev);
      return null;
    }
    named ||= node.named;
  } else if (!named) {
    // Off the trie and under no named location: nothing below can be checked.
    freezeNew(next, prev);
    return null;
  }
  const n = isRecord(next) ? next : undefined;
  const p = isRecord(prev) ? prev : undefined;
  if (n === undefined && p === undefined) return named ? '' : null;
  if (n !== undefined && !ArrayBuffer.isView(n)) Object.freeze(n);
  const index = Array.isArray(n ?? p);
  // The first uncovered path ends the search (a model error): the rest need not be frozen.
  for (const k in n) {
    const bad = walk(n[k], p?.[k], node?.child(k), named, stamp);
    if (bad !== null) return (index ? `[${k}]` : `.${k}`) + bad;
  }
  if (p !== undefined)
    for (const k in p)
      if (n === undefined || !(k in n)) {
        const bad = walk(undefined, p[k], node?.child(k), named, stamp);
        if (bad !== null) return (index ? `[${k}]` : `.${k}`) + bad;
      }
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
