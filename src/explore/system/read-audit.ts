import type { Path } from '../../core/path.js';
import { segments } from '../../core/settle.js';
import type { Step, StepOutcome } from '../../core/step.js';

/**
 * The read audit (`--sanity`): does a step depend on a location its footprint does not declare?
 * Each location some footprint of the model names, that the step's own footprint neither
 * declares nor covers (no declared location equal to it, above it or below it), is changed to a
 * few other values in the state before the step (the number, boolean, string or null it holds,
 * or up to LEAVES of them under it when it holds an object), and the step is run again on the
 * changed state. If its guard, its locals, its jump, its violation or the state it leaves (the
 * changed values put back where the step left them as it found them) differ, the step read the
 * location: a pure step cannot behave differently otherwise. A value only copied along (a spread
 * of the parent object) is not a read. Steps are run, never trusted: the audit costs a few extra
 * runs per step, which is why it is part of `--sanity` and not of every search.
 */
export class ReadAudit {
  private readonly paths = new Map<string, Path>();

  /** A location some footprint names (its path into the state). */
  name(loc: string): void {
    if (!this.paths.has(loc)) this.paths.set(loc, segments(loc));
  }

  /**
   * The first location the step read outside its declared footprint `declared` (location names),
   * or null. `r` is the step's outcome on the real state `s`. Every unaudited location is changed
   * at once, in three rounds (a location holding a number gets v+1, then v-1, then a far value);
   * only when a round changes the outcome is each location tried alone, to name the one read.
   */
  check(
    st: Step,
    s: unknown,
    l: unknown,
    tid: number,
    declared: readonly string[],
    r: StepOutcome<unknown, unknown>,
  ): string | null {
    const open: [string, Path, unknown][] = [];
    for (const [loc, path] of this.paths) {
      if (declared.some((d) => related(d, loc))) continue;
      leaves(loc, path, peek(s, path), open);
    }
    if (open.length === 0) return null;
    const differs = (set: readonly [string, Path, unknown][], round: number): boolean => {
      const changes = set.map(([, path, v]) => [path, other(v, round), v] as const);
      const s2 = applyAll(s, changes);
      try {
        if (st.guard && st.guard(s2, l, tid) !== true) return true;
        return !sameOutcome(r, s, st.run(s2, l, tid), s2, l, changes);
      } catch {
        return true;
      }
    };
    for (let round = 0; round < 3; round++) {
      if (!differs(open, round)) continue;
      for (const one of open) if (differs([one], round)) return one[0];
    }
    return null;
  }
}

/** How many values under one location holding an object are changed, at most. */
const LEAVES = 32;

/** The number, boolean, string and null values at or under a location (an object's leaves, up to LEAVES). */
function leaves(loc: string, path: Path, v: unknown, out: [string, Path, unknown][], budget = { n: LEAVES }): void {
  if (budget.n <= 0) return;
  if (v === null || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') {
    budget.n--;
    out.push([loc, path, v]);
  } else if (typeof v === 'object' && !ArrayBuffer.isView(v))
    for (const k of Object.keys(v)) leaves(loc, [...path, k], (v as Record<string, unknown>)[k], out, budget);
}

/** One location equal to, above or below the other. */
function related(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return long.startsWith(short) && (long[short.length] === '.' || long[short.length] === '[');
}

/** Another value of a primitive, per round. */
function other(v: unknown, round: number): unknown {
  if (typeof v === 'number') return round === 0 ? v + 1 : round === 1 ? v - 1 : v + 1_000_003;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return `${v}′`;
  return round + 1;
}

/**
 * Whether the step did the same on the perturbed state: the same jump, violation and locals, and
 * the same state once each changed location is put back where the step left it as it found it.
 */
function sameOutcome(
  r: StepOutcome<unknown, unknown>,
  s: unknown,
  r2: StepOutcome<unknown, unknown>,
  s2: unknown,
  l: unknown,
  changes: readonly (readonly [Path, unknown, unknown])[],
): boolean {
  if (r.goto !== r2.goto || !same(r.violation, r2.violation)) return false;
  if (!same(r.l === undefined ? l : r.l, r2.l === undefined ? l : r2.l)) return false;
  const next2 = r2.s === undefined ? s2 : r2.s;
  const back = changes.filter(([path, w]) => peek(next2, path) === w).map(([path, , v]) => [path, v] as const);
  return same(r.s === undefined ? s : r.s, back.length > 0 ? applyAll(next2, back) : next2);
}

/** Deep equality, short-cut by identity. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const k of keys) if (!(k in y) || !same(x[k], y[k])) return false;
  return true;
}

/** `root` with each path set to its value, every container on the way copied once. */
function applyAll(root: unknown, changes: readonly (readonly [Path, unknown, ...unknown[]])[]): unknown {
  const copies = new Map<object, Record<string | number, unknown>>();
  const copy = (o: object) => {
    let c = copies.get(o);
    if (c === undefined) copies.set(o, (c = (Array.isArray(o) ? o.slice() : { ...o }) as Record<string, unknown>));
    return c;
  };
  const out = copy(root as object);
  for (const [path, value] of changes) {
    let src = root as Record<string | number, unknown>;
    let dst = out;
    for (let i = 0; i < path.length - 1; i++) {
      const k = path[i];
      const child = src[k] as object;
      dst[k] = copy(child);
      src = child as Record<string | number, unknown>;
      dst = dst[k] as Record<string | number, unknown>;
    }
    dst[path[path.length - 1]] = value;
  }
  return out;
}

/** The value at a path, or undefined when the path leaves the state. */
function peek(v: unknown, path: Path): unknown {
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}
