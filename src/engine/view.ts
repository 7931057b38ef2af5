import type { StateView, ThreadView } from '../core/property.js';
import type { Spec } from '../lang/layout.js';
import type { Encoding } from './encoding.js';
import { ReadLog } from './trie.js';

/** What a view needs to know of the threads: names, step counts and labels. */
export interface ThreadShape {
  readonly names: readonly string[];
  readonly lengths: readonly number[];
  label(t: number, pc: number): string;
}

/**
 * A StateView over a state vector that decodes only what is read, and logs every slot read
 * (ReadLog): the shared state is a tree of getters mirroring the layout, a thread's `done` and
 * `at` read its pc slot, its `l` its locals-id slot. Properties and symmetry keys run on it, so
 * their outcome can be memoised in a ReadTrie over the slots they read. One view serves every
 * state: `bind` points it at a vector.
 */
export class LazyView {
  private v: Int32Array = new Int32Array(0);
  readonly log: ReadLog;
  readonly view: StateView;

  constructor(
    private readonly enc: Encoding,
    shape: ThreadShape,
  ) {
    const fields = enc.fields;
    this.log = new ReadLog(fields + 2 * shape.names.length);
    const s = valueOf(this.treeOf(enc.layout.spec, { next: 0 }));
    const threads: ThreadView[] = shape.names.map((name, t) => {
      const pcSlot = fields + 2 * t;
      const lidSlot = pcSlot + 1;
      const read = (i: number) => this.read(i);
      return {
        name,
        get done() {
          return read(pcSlot) >= shape.lengths[t];
        },
        get at() {
          return shape.label(t, read(pcSlot));
        },
        get l() {
          return enc.locals(read(lidSlot));
        },
      };
    });
    this.view = { s, threads };
  }

  /** Point the view at state `v` and start a new read log. */
  bind(v: Int32Array): StateView {
    this.v = v;
    this.log.reset();
    return this.view;
  }

  private read(slot: number): number {
    const x = this.v[slot];
    this.log.note(slot, x);
    return x;
  }

  /**
   * The lazy tree for `spec`: plain objects and arrays mirroring the layout. Only a leaf (one
   * slot) is a getter, decoding its slot when read (V8 runs a getter far faster than a Proxy
   * trap); an inner node is a plain data property, so `Object.entries` and array methods over
   * records stay on V8's fast paths. An array of leaves has getter elements, which V8 keeps in
   * a dictionary that its array builtins walk slowly: it gets LEAF_ARRAY's methods instead.
   */
  private treeOf(spec: Spec, at: { next: number }): { leaf: () => unknown } | { node: unknown } {
    const k = (spec as { kind?: unknown }).kind;
    if (k === 'int' || k === 'tid' || k === 'mask' || k === 'values') {
      const i = at.next++;
      return { leaf: () => this.enc.decode(i, this.read(i)) };
    }
    if (k === 'array') {
      const a = spec as { length: number; of: Spec };
      const items = Array.from({ length: a.length }, () => this.treeOf(a.of, at));
      const p = new Array<unknown>(a.length);
      if (items.every((x) => 'node' in x)) {
        items.forEach((x, i) => (p[i] = x.node));
        return { node: Object.freeze(p) };
      }
      items.forEach((x, i) => Object.defineProperty(p, i, { ...descriptor(x), enumerable: true }));
      Object.defineProperty(p, ELEMENTS, { value: items.map((x) => () => valueOf(x)) });
      Object.setPrototypeOf(p, LEAF_ARRAY);
      return { node: p };
    }
    const rec = (k === 'unit' ? (spec as { of: Record<string, Spec> }).of : spec) as Record<string, Spec>;
    const p: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(rec))
      Object.defineProperty(p, name, { ...descriptor(this.treeOf(sub, at)), enumerable: true });
    return { node: p };
  }
}

function descriptor(x: { leaf: () => unknown } | { node: unknown }): PropertyDescriptor {
  return 'leaf' in x ? { get: x.leaf } : { value: x.node };
}

function valueOf(x: { leaf: () => unknown } | { node: unknown }): unknown {
  return 'leaf' in x ? x.leaf() : x.node;
}

type Each = (x: unknown, i: number, a: unknown[]) => unknown;

/** An array of getter elements keeps its getters here, for LEAF_ARRAY's methods. */
const ELEMENTS = Symbol('elements');

interface LeafArray extends Array<unknown> {
  readonly [ELEMENTS]: readonly (() => unknown)[];
}

/**
 * Array methods for an array of getter elements, in plain JS calling the getters (`[ELEMENTS]`)
 * instead of the builtins' walk over dictionary elements, one runtime lookup an element. Each
 * reads the elements in index order, as the builtin does, so the slots logged are the same; the
 * arrays are never holey or written.
 */
const LEAF_ARRAY = Object.create(Array.prototype, {
  flatMap: {
    value(this: LeafArray, f: Each): unknown[] {
      const get = this[ELEMENTS];
      const out: unknown[] = [];
      for (let i = 0; i < get.length; i++) {
        const r = f(get[i](), i, this);
        if (Array.isArray(r)) for (const y of r as unknown[]) out.push(y);
        else out.push(r);
      }
      return out;
    },
  },
  map: {
    value(this: LeafArray, f: Each): unknown[] {
      const get = this[ELEMENTS];
      const out = new Array<unknown>(get.length);
      for (let i = 0; i < get.length; i++) out[i] = f(get[i](), i, this);
      return out;
    },
  },
  filter: {
    value(this: LeafArray, f: Each): unknown[] {
      const get = this[ELEMENTS];
      const out: unknown[] = [];
      for (let i = 0; i < get.length; i++) {
        const x = get[i]();
        if (f(x, i, this)) out.push(x);
      }
      return out;
    },
  },
  forEach: {
    value(this: LeafArray, f: Each): void {
      const get = this[ELEMENTS];
      for (let i = 0; i < get.length; i++) f(get[i](), i, this);
    },
  },
  some: {
    value(this: LeafArray, f: Each): boolean {
      const get = this[ELEMENTS];
      for (let i = 0; i < get.length; i++) if (f(get[i](), i, this)) return true;
      return false;
    },
  },
  every: {
    value(this: LeafArray, f: Each): boolean {
      const get = this[ELEMENTS];
      for (let i = 0; i < get.length; i++) if (!f(get[i](), i, this)) return false;
      return true;
    },
  },
  [Symbol.iterator]: {
    *value(this: LeafArray): Generator<unknown> {
      const get = this[ELEMENTS];
      for (let i = 0; i < get.length; i++) yield get[i]();
    },
  },
}) as object;
