/**
 * Paths into the shared state and the location names they give footprints:
 * `['array', 3]` is location `array[3]`, `['folio', 'ref']` is `folio.ref`.
 * `setIn` copies only the objects on the path (structural sharing, as immer does).
 */
export type Path = readonly (string | number)[];

export function locOf(path: Path): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${k}` : k;
  return out;
}

export function getIn(v: any, path: Path): any {
  for (let i = 0; i < path.length; i++) v = v[path[i]];
  return v;
}

export function setIn<T>(v: T, path: Path, value: unknown, i = 0): T {
  if (i === path.length) return value as T;
  const k = path[i];
  const cur = (v as any)[k];
  const next = setIn(cur, path, value, i + 1);
  if (next === cur) return v;
  if (Array.isArray(v)) {
    const copy = v.slice();
    copy[k as number] = next;
    return copy as T;
  }
  return { ...(v as object), [k]: next } as T;
}
