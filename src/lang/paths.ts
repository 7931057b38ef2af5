import { getIn, setIn, type Path } from '../core/path.js';

/**
 * Several fields of an immutable state replaced at once: every object on the written paths is
 * copied once (a step's writes, a symmetry renaming), the rest is shared. Returns `s` itself
 * when every write stores the value already there.
 */
export function setPaths<S>(s: S, writes: readonly (readonly [Path, unknown])[]): S {
  let changed = 0;
  for (const [p, v] of writes) if (getIn(s, p) !== v) changed++;
  if (changed === 0) return s;
  if (writes.length === 1) return setIn(s, writes[0][0], writes[0][1]);
  const fresh = new Set<object>();
  const copy = (o: object): Record<string | number, unknown> => {
    const c = (Array.isArray(o) ? o.slice() : { ...o }) as Record<string | number, unknown>;
    fresh.add(c);
    return c;
  };
  const root = copy(s as object);
  for (const [p, v] of writes) {
    let node = root;
    for (let i = 0; i < p.length - 1; i++) {
      let child = node[p[i]] as Record<string | number, unknown>;
      if (!fresh.has(child)) node[p[i]] = child = copy(child);
      node = child;
    }
    node[p[p.length - 1]] = v;
  }
  return root as S;
}
