/**
 * Structural diff of two immutable values: the leaf paths whose values differ. Subtrees shared
 * by identity (immer's structural sharing) are skipped without being read.
 */
export interface Delta {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export function diff(a: unknown, b: unknown, path = '', out: Delta[] = []): Delta[] {
  if (a === b) return out;
  if (isRecord(a) && isRecord(b) && Array.isArray(a) === Array.isArray(b)) {
    // a's keys, then b's that a lacks; a key whose values are one object or value costs no path.
    const index = Array.isArray(a);
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    for (const k of ka) if (a[k] !== b[k]) diff(a[k], b[k], join(path, k, index), out);
    if (sameKeys(ka, kb)) return out; // the usual case: one shape
    for (const k of kb) if (!isOwnKey(a, k) && a[k] !== b[k]) diff(a[k], b[k], join(path, k, index), out);
    return out;
  }
  out.push({ path, before: a, after: b });
  return out;
}

function sameKeys(ka: readonly string[], kb: readonly string[]): boolean {
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return false;
  return true;
}

/** Whether `k` is among `Object.keys(v)`: an own enumerable property. */
function isOwnKey(v: object, k: string): boolean {
  return Object.prototype.propertyIsEnumerable.call(v, k);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function join(path: string, key: string, index: boolean): string {
  if (index) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
