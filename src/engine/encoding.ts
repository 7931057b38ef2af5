import { ModelError } from '../core/errors.js';
import type { Domain } from '../lang/domain.js';
import type { Layout, Ref, Spec } from '../lang/layout.js';

/**
 * A state as a flat Int32Array: one slot per field of the layout (a `oneOf` field stores the
 * index of its value), then per thread its pc and the id of its locals (locals are interned:
 * equal locals, equal id). Fields are decoded back to the reference engine's nested object for
 * properties and traces.
 */
export class Encoding {
  /** Number of field slots; thread t's pc is at `fields + 2t`, its locals id at `fields + 2t + 1`. */
  readonly fields: number;
  private readonly enc: ((v: unknown) => number)[];
  private readonly dec: ((x: number) => unknown)[];
  private readonly localsIds = new Map<string, number>();
  private readonly localsById: unknown[] = [];
  private readonly byIdentity = new WeakMap<object, number>();

  constructor(readonly layout: Layout) {
    this.fields = layout.leaves.length;
    this.enc = layout.leaves.map((r) => encoder(r));
    this.dec = layout.leaves.map((r) => decoder(r.domain));
    this.decodeAll = this.decoderOf(layout.spec, { next: 0 });
  }

  /** The vector of a shared state and threads' (pc, locals). */
  vector(s: unknown, threads: readonly { pc: number; l: unknown }[]): Int32Array {
    const v = new Int32Array(this.fields + 2 * threads.length);
    this.layout.leaves.forEach((r, i) => (v[i] = this.enc[i](r.get(s))));
    threads.forEach((t, i) => {
      v[this.fields + 2 * i] = t.pc;
      v[this.fields + 2 * i + 1] = this.intern(t.l);
    });
    return v;
  }

  encode(r: Ref<unknown>, value: unknown): number {
    return this.enc[r.id](value);
  }

  read(v: Int32Array, r: Ref<unknown>): unknown {
    return this.dec[r.id](v[r.id]);
  }

  /** The value of field slot `i` holding `x`. */
  decode(i: number, x: number): unknown {
    return this.dec[i](x);
  }

  /** The slot value of `value` in field slot `i` (a model error outside its domain). */
  encodeAt(i: number, value: unknown): number {
    return this.enc[i](value);
  }

  /** Number of distinct locals interned so far. */
  get localsCount(): number {
    return this.localsById.length;
  }

  /** The id of a locals object (equal objects, equal ids). */
  intern(l: unknown): number {
    if (typeof l === 'object' && l !== null) {
      const hit = this.byIdentity.get(l);
      if (hit !== undefined) return hit;
    }
    const key = JSON.stringify(l) ?? 'undefined';
    let id = this.localsIds.get(key);
    if (id === undefined) {
      id = this.localsById.length;
      this.localsIds.set(key, id);
      this.localsById.push(l);
    }
    if (typeof l === 'object' && l !== null) this.byIdentity.set(l, id);
    return id;
  }

  locals(id: number): unknown {
    return this.localsById[id];
  }

  /** The shared state as the reference engine's nested object. */
  shared(v: Int32Array): unknown {
    return this.decodeAll(v);
  }

  /** The decoder of the whole shared state, built once from the layout's shape. */
  private readonly decodeAll: (v: Int32Array) => unknown;

  private decoderOf(spec: Spec, at: { next: number }): (v: Int32Array) => unknown {
    const k = (spec as { kind?: unknown }).kind;
    if (k === 'int' || k === 'tid' || k === 'mask' || k === 'values') {
      const i = at.next++;
      const dec = this.dec[i];
      return (v) => dec(v[i]);
    }
    if (k === 'array') {
      const a = spec as { length: number; of: Spec };
      const items = Array.from({ length: a.length }, () => this.decoderOf(a.of, at));
      return (v) => items.map((d) => d(v));
    }
    const rec = (k === 'unit' ? (spec as { of: Record<string, Spec> }).of : spec) as Record<string, Spec>;
    const fields = Object.entries(rec).map(([name, s]) => [name, this.decoderOf(s, at)] as const);
    return (v) => {
      const out: Record<string, unknown> = {};
      for (const [name, d] of fields) out[name] = d(v);
      return out;
    };
  }
}

function encoder(r: Ref<unknown>): (v: unknown) => number {
  const d = r.domain;
  if (d.kind !== 'values') return (v) => v as number;
  // Primitives by value, records (a PTE) by identity, else by their JSON text.
  const byValue = new Map<unknown, number>();
  const byText = new Map<string, number>();
  d.values.forEach((x, i) => {
    if (typeof x === 'object' && x !== null) byText.set(JSON.stringify(x), i);
    byValue.set(x, i);
  });
  return (v) => {
    let i = byValue.get(v);
    if (i === undefined && typeof v === 'object' && v !== null) {
      i = byText.get(JSON.stringify(v));
      if (i !== undefined) byValue.set(v, i);
    }
    if (i === undefined) throw new ModelError(`field ${r.name}: value ${JSON.stringify(v)} outside its domain`);
    return i;
  };
}

function decoder(d: Domain): (x: number) => unknown {
  if (d.kind !== 'values') return (x) => x;
  const values = d.values;
  return (x) => values[x];
}
