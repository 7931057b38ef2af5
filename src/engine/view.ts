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
  readonly log: ReadLog;
  readonly view: StateView;
  /** What the nodes read through, complete before any node points to it. */
  private readonly slots: Slots;

  constructor(enc: Encoding, shape: ThreadShape) {
    const fields = enc.fields;
    this.log = new ReadLog(fields + 2 * shape.names.length);
    this.slots = new Slots(enc, shape, this.log);
    const s = this.treeOf(enc.layout.spec, { next: 0 });
    const threads: ThreadView[] = shape.names.map((name, t) => {
      const tv = { name };
      hide(tv, this.slots, fields + 2 * t);
      Object.defineProperty(tv, 'done', { get: threadDone, enumerable: true });
      Object.defineProperty(tv, 'at', { get: threadAt, enumerable: true });
      Object.defineProperty(tv, 'l', { get: threadLocals, enumerable: true });
      return tv as unknown as ThreadView;
    });
    this.view = { s: 'node' in s ? s.node : undefined, threads };
  }

  /** Point the view at state `v` and start a new read log. */
  bind(v: Int32Array): StateView {
    this.slots.v = v;
    this.log.reset();
    return this.view;
  }

  /**
   * The lazy tree for `spec`: plain objects and arrays mirroring the layout. Only a leaf (one
   * slot) is a getter, decoding its slot when read (V8 runs a getter far faster than a Proxy
   * trap); an inner node is a plain data property, so `Object.entries` and array methods over
   * records stay on V8's fast paths. The getters are shared (LEAF_GETTERS: the k-th slot of the
   * node, from its hidden first slot and view), so nodes of the same spec, in every view, have
   * the same hidden class and the properties' property loads stay monomorphic. An array of
   * leaves has getter elements, which V8 keeps in a dictionary that its array builtins walk
   * slowly: it gets LEAF_ARRAY's methods instead.
   */
  private treeOf(spec: Spec, at: { next: number }): { leaf: number } | { node: unknown } {
    const k = (spec as { kind?: unknown }).kind;
    if (k === 'int' || k === 'tid' || k === 'mask' || k === 'values') return { leaf: at.next++ };
    const base = at.next;
    if (k === 'array') {
      const a = spec as { length: number; of: Spec };
      const items = Array.from({ length: a.length }, () => this.treeOf(a.of, at));
      const p = new Array<unknown>(a.length);
      if (items.every((x) => 'node' in x)) {
        items.forEach((x, i) => (p[i] = x.node));
        return { node: Object.freeze(p) };
      }
      hide(p, this.slots, base);
      items.forEach((_, i) => Object.defineProperty(p, i, { get: leafGetter(i), enumerable: true }));
      Object.setPrototypeOf(p, LEAF_ARRAY);
      return { node: p };
    }
    const rec = (k === 'unit' ? (spec as { of: Record<string, Spec> }).of : spec) as Record<string, Spec>;
    const p: Record<string, unknown> = {};
    hide(p, this.slots, base);
    for (const [name, sub] of Object.entries(rec)) {
      const x = this.treeOf(sub, at);
      Object.defineProperty(
        p,
        name,
        'leaf' in x ? { get: leafGetter(x.leaf - base), enumerable: true } : { value: x.node, enumerable: true },
      );
    }
    return { node: p };
  }
}

/**
 * The state a LazyView is bound to, as its nodes read it: a field slot decoded, a thread's pc
 * and locals, each read logged. Its own object, built before the nodes, so that the nodes'
 * hidden field holds an object whose class never changes (a LazyView gains fields after).
 */
class Slots {
  v: Int32Array = new Int32Array(0);

  constructor(
    private readonly enc: Encoding,
    private readonly shape: ThreadShape,
    private readonly log: ReadLog,
  ) {}

  private read(slot: number): number {
    const x = this.v[slot];
    this.log.note(slot, x);
    return x;
  }

  /** The value of field slot i, logged. */
  leaf(i: number): unknown {
    return this.enc.decode(i, this.read(i));
  }

  /** Whether the thread whose pc is in slot `pcSlot` is done. */
  done(pcSlot: number): boolean {
    return this.read(pcSlot) >= this.shape.lengths[(pcSlot - this.enc.fields) >> 1];
  }

  /** The label of the next step of the thread whose pc is in slot `pcSlot`. */
  at(pcSlot: number): string {
    return this.shape.label((pcSlot - this.enc.fields) >> 1, this.read(pcSlot));
  }

  /** The locals of the thread whose pc is in slot `pcSlot`. */
  locals(pcSlot: number): unknown {
    return this.enc.locals(this.read(pcSlot + 1));
  }
}

/** A node's view and first slot (a thread view's pc slot): hidden, not enumerable. */
const VIEW = Symbol('view');
const BASE = Symbol('base');

interface Node {
  readonly [VIEW]: Slots;
  readonly [BASE]: number;
}

function hide(p: object, view: Slots, base: number): void {
  Object.defineProperty(p, VIEW, { value: view });
  Object.defineProperty(p, BASE, { value: base });
}

/** The getter of a node's k-th slot, one for every node (so they share hidden classes). */
const LEAF_GETTERS: ((this: Node) => unknown)[] = [];

function leafGetter(k: number): (this: Node) => unknown {
  return (LEAF_GETTERS[k] ??= function (this: Node) {
    return this[VIEW].leaf(this[BASE] + k);
  });
}

/** A thread view's getters (its BASE is its pc slot). */
function threadDone(this: Node): boolean {
  return this[VIEW].done(this[BASE]);
}

function threadAt(this: Node): string {
  return this[VIEW].at(this[BASE]);
}

function threadLocals(this: Node): unknown {
  return this[VIEW].locals(this[BASE]);
}

type Each = (x: unknown, i: number, a: unknown[]) => unknown;

/** An array of getter elements: its elements are the slots from its BASE on. */
interface LeafArray extends Array<unknown>, Node {}

/** Element i of a leaf array, logged. */
function elem(a: LeafArray, i: number): unknown {
  return a[VIEW].leaf(a[BASE] + i);
}

/**
 * Array methods for an array of getter elements, in plain JS reading its slots (`elem`) instead of the builtins' walk over dictionary elements, one runtime lookup an element. Each
 * reads the elements in index order, as the builtin does, so the slots logged are the same; the
 * arrays are never holey or written.
 */
const LEAF_ARRAY = Object.create(Array.prototype, {
  flatMap: {
    value(this: LeafArray, f: Each): unknown[] {
      const out: unknown[] = [];
      for (let i = 0; i < this.length; i++) {
        const r = f(elem(this, i), i, this);
        if (Array.isArray(r)) for (const y of r as unknown[]) out.push(y);
        else out.push(r);
      }
      return out;
    },
  },
  map: {
    value(this: LeafArray, f: Each): unknown[] {
      const out = new Array<unknown>(this.length);
      for (let i = 0; i < this.length; i++) out[i] = f(elem(this, i), i, this);
      return out;
    },
  },
  filter: {
    value(this: LeafArray, f: Each): unknown[] {
      const out: unknown[] = [];
      for (let i = 0; i < this.length; i++) {
        const x = elem(this, i);
        if (f(x, i, this)) out.push(x);
      }
      return out;
    },
  },
  forEach: {
    value(this: LeafArray, f: Each): void {
      for (let i = 0; i < this.length; i++) f(elem(this, i), i, this);
    },
  },
  some: {
    value(this: LeafArray, f: Each): boolean {
      for (let i = 0; i < this.length; i++) if (f(elem(this, i), i, this)) return true;
      return false;
    },
  },
  every: {
    value(this: LeafArray, f: Each): boolean {
      for (let i = 0; i < this.length; i++) if (!f(elem(this, i), i, this)) return false;
      return true;
    },
  },
  [Symbol.iterator]: {
    *value(this: LeafArray): Generator<unknown> {
      for (let i = 0; i < this.length; i++) yield elem(this, i);
    },
  },
}) as object;
