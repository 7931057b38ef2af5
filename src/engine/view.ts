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
 * (ReadLog): the shared state is a tree of proxies mirroring the layout, a thread's `done` and
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
    const s = this.proxyOf(enc.layout.spec, { next: 0 })();
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
   * The lazy tree for `spec`: plain objects and arrays whose fields are getters (V8 runs a
   * getter far faster than a Proxy trap), each leaf decoding its slot when read.
   */
  private proxyOf(spec: Spec, at: { next: number }): () => unknown {
    const k = (spec as { kind?: unknown }).kind;
    if (k === 'int' || k === 'tid' || k === 'mask' || k === 'values') {
      const i = at.next++;
      return () => this.enc.decode(i, this.read(i));
    }
    if (k === 'array') {
      const a = spec as { length: number; of: Spec };
      const items = Array.from({ length: a.length }, () => this.proxyOf(a.of, at));
      const p = new Array<unknown>(a.length);
      items.forEach((get, i) => Object.defineProperty(p, i, { get, enumerable: true }));
      return () => p;
    }
    const rec = (k === 'unit' ? (spec as { of: Record<string, Spec> }).of : spec) as Record<string, Spec>;
    const p: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(rec))
      Object.defineProperty(p, name, { get: this.proxyOf(sub, at), enumerable: true });
    return () => p;
  }
}
