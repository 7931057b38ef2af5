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
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diff(a[k], b[k], join(path, k, Array.isArray(a)), out);
    return out;
  }
  out.push({ path, before: a, after: b });
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function join(path: string, key: string, index: boolean): string {
  if (index) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
