import { getIn, locOf, setIn, type Path } from '../core/path.js';
import { checkValue, LayoutError, type Domain, type ValuesDomain } from './domain.js';

/**
 * The declared shape of a model's shared state: records and arrays of fields, each field with a
 * small finite domain (src/lang/domain.ts). The layout gives
 *  - the initial state (a plain object, the reference engine's `s`, that properties read),
 *  - a tree of references (`refs`) mirroring the state, one `Ref` per field, through which every
 *    step reads and writes: footprints are derived from those accesses (src/lang/context.ts);
 *  - the list of fields (`leaves`), for the symmetry renaming and a flat encoding.
 *
 * A field's location (the unit of dependency) is its path, `flag[1]` or `folios.A.ref`; a record
 * declared with `unit()` is one location for all its fields (fields that always change together,
 * e.g. a refcount and its holder bits).
 */
export interface ArraySpec<E extends Spec = Spec> {
  readonly kind: 'array';
  readonly length: number;
  readonly of: E;
}
export interface UnitSpec<R extends RecordSpec = RecordSpec> {
  readonly kind: 'unit';
  readonly of: R;
}
export interface RecordSpec {
  readonly [field: string]: Spec;
}
export type Spec = Domain | ArraySpec | UnitSpec | RecordSpec;

/** A fixed-length array of fields. */
export const array = <E extends Spec>(length: number, of: E): ArraySpec<E> => {
  if (!Number.isInteger(length) || length < 0) throw new Error(`array(${length}): not a length`);
  return { kind: 'array', length, of };
};

/**
 * A field that shares a location with its record's other fields of the same group: the
 * location is `<record>.<group>` (a refcount and its holder bits at `folio.ref`).
 */
export const grouped = <D extends Domain>(group: string, d: D): D => ({ ...d, group });

/** A record whose fields form one location (they always change together). */
export const unit = <R extends RecordSpec>(of: R): UnitSpec<R> => ({ kind: 'unit', of });

/**
 * Fields protected by a lock, as the kernel documents them (`pte` under the PTL): a step that
 * reads or writes one without holding the lock (the lock field holding its thread id) is a model
 * error naming the step. Declaring it lets the compiler merge lock-protected sections into one
 * step (docs/lang-reductions.md); the lock becomes a declared lock (see `spinlock()`).
 */
export const guardedBy = <E extends Spec>(lock: string, of: E): E => guard(of, lock) as E;

/** Every field of a spec marked with the path of its lock (`lock`), like `grouped` marks a group. */
function guard(s: Spec, lock: string): Spec {
  if (isDomain(s)) return Object.assign({ guard: lock }, s);
  if (isArray(s)) return { ...s, of: guard(s.of, lock) };
  if (isUnit(s)) return { ...s, of: guard(s.of, lock) as RecordSpec };
  const out: Record<string, Spec> = {};
  for (const [k, v] of Object.entries(s)) out[k] = guard(v, lock);
  return out;
}

/** One field of the shared state, holding values of type V. */
export class Ref<V = unknown> {
  /** Phantom: the type of the field's values. */
  declare readonly value?: V;
  constructor(
    readonly path: Path,
    readonly loc: string,
    readonly domain: Domain,
    /** Index in the layout's `leaves`. */
    readonly id: number,
    /** The path of the lock that protects the field (`guardedBy`), if any. */
    readonly guard?: string,
  ) {}
  /** The lock field protecting this one (resolved from `guard` when the layout is built). */
  lock?: Ref;
  /** A declared lock (`spinlock()` or the target of a `guardedBy`): taken only by spinLock/spinUnlock. */
  isLock = false;
  get(s: unknown): unknown {
    return getIn(s, this.path);
  }
  toString(): string {
    return this.name;
  }
  get name(): string {
    return locOf(this.path);
  }
}

export interface ArrayRef<E> {
  readonly length: number;
  /** The element at index i; an index outside the array is a model error. */
  at(i: number): E;
  readonly items: readonly E[];
  readonly loc: string;
}

export type RefsOf<T> =
  T extends ValuesDomain<infer V>
    ? Ref<V>
    : T extends Domain
      ? Ref<number>
      : T extends ArraySpec<infer E>
        ? ArrayRef<RefsOf<E>>
        : T extends UnitSpec<infer R>
          ? RefsOf<R>
          : { readonly [K in keyof T]: RefsOf<T[K]> };

export type StateOf<T> =
  T extends ValuesDomain<infer V>
    ? V
    : T extends Domain
      ? number
      : T extends ArraySpec<infer E>
        ? readonly StateOf<E>[]
        : T extends UnitSpec<infer R>
          ? StateOf<R>
          : { readonly [K in keyof T]: StateOf<T[K]> };

const isDomain = (s: Spec): s is Domain =>
  typeof (s as { kind?: unknown }).kind === 'string' && ['int', 'tid', 'mask', 'values'].includes((s as Domain).kind);
const isArray = (s: Spec): s is ArraySpec => (s as { kind?: unknown }).kind === 'array';
const isUnit = (s: Spec): s is UnitSpec => (s as { kind?: unknown }).kind === 'unit';

export class Layout<T extends RecordSpec = RecordSpec> {
  readonly refs: RefsOf<T>;
  readonly leaves: Ref[] = [];
  private readonly byPath = new Map<string, Ref>();
  /** The initial state: every field at its domain's initial value. */
  readonly defaults: StateOf<T>;

  /** Location → the location of the lock that guards it (`guardedBy`). */
  readonly guards = new Map<string, string>();
  /** Locations of the declared locks (`spinlock()` fields and `guardedBy` targets). */
  readonly locks = new Set<string>();

  constructor(readonly spec: T) {
    this.refs = this.build(spec, [], undefined) as RefsOf<T>;
    this.defaults = this.initial(spec) as StateOf<T>;
    this.resolveLocks();
  }

  /** Resolve `guardedBy` paths to lock fields; a location's fields share one guard. */
  private resolveLocks(): void {
    for (const r of this.leaves) if ((r.domain as { lock?: boolean }).lock) this.markLock(r);
    for (const r of this.leaves) {
      if (r.guard === undefined) continue;
      const lock = this.byPath.get(r.guard);
      if (!lock) throw new Error(`guardedBy('${r.guard}') on ${r.name}: the layout has no such field`);
      if (lock.domain.kind !== 'tid')
        throw new Error(`guardedBy('${r.guard}') on ${r.name}: the lock must be a spinlock() or tid() field`);
      if (lock.guard !== undefined) throw new Error(`guardedBy('${r.guard}') on ${r.name}: the lock is itself guarded`);
      this.markLock(lock);
      r.lock = lock;
      const other = this.guards.get(r.loc);
      if (other !== undefined && other !== lock.loc)
        throw new Error(`location ${r.loc}: its fields are guarded by different locks (${other}, ${lock.loc})`);
      this.guards.set(r.loc, lock.loc);
    }
    for (const r of this.leaves)
      if (this.guards.has(r.loc) && !r.lock)
        throw new Error(`location ${r.loc}: ${r.name} shares it with a guarded field but is not guarded itself`);
  }

  private markLock(r: Ref): void {
    if (r.loc !== locOf(r.path)) throw new Error(`lock ${r.name}: a lock must be a location of its own`);
    r.isLock = true;
    this.locks.add(r.loc);
  }

  /** The field at a path, if any. */
  field(path: Path): Ref | undefined {
    return this.byPath.get(locOf(path));
  }

  /**
   * An initial state: the defaults with some fields replaced (`patch` mirrors the state; arrays
   * replace whole arrays or, given as an object of index → value, single elements). Every field
   * is checked against its domain; a field the layout does not declare is an error.
   */
  state(patch: unknown = {}): StateOf<T> {
    const s = merge(this.spec, this.defaults, patch, '');
    checkShape(s, this.spec, '');
    for (const r of this.leaves) checkValue(r.domain, r.get(s), `initial ${r.name}`);
    return s as StateOf<T>;
  }

  private build(spec: Spec, path: (string | number)[], group: string | undefined): unknown {
    if (isDomain(spec)) {
      const own = (spec as { group?: string }).group;
      const loc = group ?? (own !== undefined ? `${locOf(path.slice(0, -1))}.${own}` : locOf(path));
      const r = new Ref(path.slice(), loc, spec, this.leaves.length, (spec as { guard?: string }).guard);
      this.leaves.push(r);
      this.byPath.set(locOf(path), r);
      return r;
    }
    if (isArray(spec)) {
      const items = Array.from({ length: spec.length }, (_, i) => this.build(spec.of, [...path, i], group));
      const loc = locOf(path);
      return {
        length: spec.length,
        items,
        loc,
        at(i: number) {
          if (!Number.isInteger(i) || i < 0 || i >= items.length)
            throw new LayoutError(`index ${i} outside ${loc}[0..${items.length - 1}]`);
          return items[i];
        },
      };
    }
    if (isUnit(spec)) return this.build(spec.of, path, group ?? locOf(path));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(spec)) out[k] = this.build(v, [...path, k], group);
    return out;
  }

  private initial(spec: Spec): unknown {
    if (isDomain(spec)) return spec.init;
    if (isArray(spec)) return Array.from({ length: spec.length }, () => this.initial(spec.of));
    if (isUnit(spec)) return this.initial(spec.of);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(spec)) out[k] = this.initial(v);
    return out;
  }
}

export const layout = <T extends RecordSpec>(spec: T): Layout<T> => new Layout(spec);

function merge(spec: Spec, base: unknown, patch: unknown, where: string): unknown {
  if (patch === undefined || isDomain(spec)) return patch === undefined ? base : patch;
  if (isArray(spec)) {
    const arr = base as readonly unknown[];
    if (Array.isArray(patch)) {
      if (patch.length !== arr.length)
        throw new Error(`initial ${where}: ${patch.length} elements, expected ${arr.length}`);
      return arr.map((b, i) => merge(spec.of, b, patch[i], `${where}[${i}]`));
    }
    if (typeof patch !== 'object' || patch === null) throw new Error(`initial ${where}: expected an array`);
    let out = arr;
    for (const [k, v] of Object.entries(patch)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0 || i >= arr.length) throw new Error(`initial ${where}[${k}]: no such element`);
      out = setIn(out, [i], merge(spec.of, arr[i], v, `${where}[${i}]`));
    }
    return out;
  }
  const rec = isUnit(spec) ? spec.of : spec;
  if (typeof patch !== 'object' || patch === null) throw new Error(`initial ${where}: expected a record`);
  const out: Record<string, unknown> = { ...(base as object) };
  for (const [k, v] of Object.entries(patch)) {
    const name = where ? `${where}.${k}` : k;
    if (!(k in rec)) throw new Error(`initial ${name}: the layout has no such field`);
    out[k] = merge(rec[k], out[k], v, name);
  }
  return out;
}

function checkShape(s: unknown, spec: Spec, where: string): void {
  if (isDomain(spec)) return;
  if (isArray(spec)) {
    if (!Array.isArray(s) || s.length !== spec.length)
      throw new Error(`initial ${where}: not an array of ${spec.length}`);
    s.forEach((x, i) => checkShape(x, spec.of, `${where}[${i}]`));
    return;
  }
  const rec = isUnit(spec) ? spec.of : spec;
  for (const k of Object.keys(rec)) checkShape((s as Record<string, unknown>)[k], rec[k], where ? `${where}.${k}` : k);
}
