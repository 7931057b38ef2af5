import { StepError } from '../core/errors.js';
import type { LockOp, Step, StepOutcome } from '../core/step.js';
import type { ThreadDef } from '../core/thread.js';
import type { Block } from './ast.js';
import { commit, evaluateWith, type Body, type Ctx, type Evaluation } from './context.js';
import { EXIT, flatten, type Flat, type FLocal, type FNode, type FStep } from './flatten.js';
import type { Layout, Ref } from './layout.js';
import { LockDisciplineError } from './discipline.js';
import { LayoutError } from './domain.js';
import { liveness, type Liveness } from './liveness.js';
import { lockedSection, type Read, type Section, type SectionCode } from './section.js';

/**
 * Compilation of a thread's structured code to the step machine the explorer runs
 * (src/core/step.ts): one `Step` per atomic step, in document order, the control flow between
 * steps evaluated when a step finishes (a numeric `goto`). Guard, footprint and lock annotation
 * of a step all come from one evaluation of its body on the state (src/lang/context.ts), cached
 * per thread, so the searches' enabled → footprint → run sequence runs the body once.
 */
export interface Reductions {
  /** Thread-local computations (`local`) run as part of the control flow, not as steps. */
  readonly mergeLocal: boolean;
  /** Scoped locals are reset to their declared values wherever they are dead. */
  readonly resetDead: boolean;
  /**
   * A section under a declared lock (acquire, movers, at most one non-mover, release) runs as one
   * step (src/lang/section.ts). Optional for callers written before it: absent means off.
   */
  readonly mergeLocked?: boolean;
  /**
   * With `resetDead`: also reset the locals the liveness analysis finds dead (src/lang/liveness.ts),
   * not only the scoped ones. Optional for callers written before it: absent means off.
   */
  readonly liveness?: boolean;
}
export const ALL_REDUCTIONS: Reductions = { mergeLocal: true, resetDead: true, mergeLocked: true, liveness: true };
export const NO_REDUCTIONS: Reductions = { mergeLocal: false, resetDead: false, mergeLocked: false, liveness: false };

/** What the program allows beyond the reductions' switches (src/lang/model.ts). */
export interface CompileOptions {
  /** Locks whose sections may be merged (no property sees inside them). */
  readonly mergeable?: ReadonlySet<string>;
  /** The model's name, for errors found while the search runs. */
  readonly model?: string;
}

/**
 * A compiled step keeps its sub-path call chain (outermost first), and gives other engines its
 * body and control flow: `evaluate` runs the body with fields read through `read`, `after` the
 * next pc (the thread's length for exit) and locals once it ran.
 */
export type LangStep<L> = Step<unknown, L> & {
  readonly chain: readonly string[];
  /** A thread-local computation run as a step of its own (`mergeLocal` off; src/lang/parts.ts). */
  readonly local?: true;
  readonly evaluate: (read: (r: Ref<unknown>) => unknown, l: L, tid: number) => Evaluation<L>;
  readonly after: (e: Evaluation<L>, tid: number) => { readonly pc: number; readonly l: L };
};

export interface CompiledThread<L> {
  readonly steps: readonly LangStep<L>[];
  /** The locals the thread starts with (after any merged local computation at its start). */
  readonly locals: L;
}

const WALK_LIMIT = 1_000_000;

/** Compile one thread. `thread` (its name) names it in errors. */
export function compileThread<L>(
  layout: Layout,
  body: Block<L>,
  locals: L,
  red: Reductions,
  thread: string,
  tid: number,
  cache?: Map<string, unknown>,
  keep: ReadonlySet<string> = new Set(),
  opts: CompileOptions = {},
): ThreadDef<unknown, L> & CompiledThread<L> {
  const flat = flatten(body, thread);
  const prog = new CompiledCode(layout, flat, red, thread, keep, opts, locals);
  const start = prog.walk(flat.entry, locals, tid, 0);
  // A dead local is reset to this thread's initial value: threads that start from different
  // locals do not share their compiled steps.
  const key = red.liveness ? `${start.node} ${JSON.stringify(locals)}` : String(start.node);
  let steps = cache?.get(key) as LangStep<L>[] | undefined;
  if (!steps) {
    steps = prog.steps(start.node);
    cache?.set(key, steps);
  }
  return { name: '', locals: start.l, steps };
}

class CompiledCode<L> {
  /** Step nodes in pc order (filled by `steps`). */
  private pcOf = new Map<number, number>();
  private count = 0;
  private readonly resets = new Map<number, readonly [string, unknown][]>();

  constructor(
    private readonly layout: Layout,
    private readonly flat: Flat<L>,
    private readonly red: Reductions,
    private readonly thread: string,
    private readonly keep: ReadonlySet<string>,
    private readonly opts: CompileOptions,
    /** The thread's initial locals: a dead local is reset to its initial value. */
    private readonly initial: L,
  ) {}

  private live?: Liveness;

  private get mergeable(): ReadonlySet<string> | undefined {
    const m = this.opts.mergeable;
    return this.red.mergeLocked && m && m.size > 0 ? m : undefined;
  }

  private isStep(n: FNode<L>): boolean {
    return n.k === 'step' || (n.k === 'local' && !this.red.mergeLocal);
  }

  /** Follow control flow from node `i` to the next step (or exit); locals change on the way. */
  walk(i: number, l: L, tid: number, from: number): { node: number; l: L } {
    const nodes = this.flat.nodes;
    for (let hops = 0; hops < WALK_LIMIT; hops++) {
      const n = nodes[i];
      switch (n.k) {
        case 'exit':
          return { node: EXIT, l: this.reset(EXIT, l) };
        case 'step':
          return { node: i, l: this.reset(i, l) };
        case 'local':
          if (!this.red.mergeLocal) return { node: i, l: this.reset(i, l) };
          if (n.branches) {
            const [patch, then] = n.fn(l, tid);
            l = { ...l, ...patch };
            i = then ? n.next : n.alt;
          } else {
            l = { ...l, ...n.fn(l, tid) };
            i = n.next;
          }
          break;
        case 'if':
          i = n.pred(l, tid) ? n.next : n.alt;
          break;
        case 'jump':
          i = n.next;
          break;
      }
    }
    const after = nodes[from];
    const step = after && 'label' in after && (after.k === 'step' || after.k === 'local') ? after.label : undefined;
    throw new StepError(
      this.thread,
      step,
      `dead end: control flow ${step === undefined ? 'from the start' : 'after it'} loops without reaching a step`,
      'bad-model',
      this.opts.model,
    );
  }

  /** Reset the scoped locals that are dead at node i (outside their scope). */
  private reset(i: number, l: L): L {
    if (!this.red.resetDead) return l;
    const rs = this.resets.get(i) ?? this.resetsAt(i);
    let out = l;
    for (const [k, v] of rs)
      if ((out as Record<string, unknown>)[k] !== v) {
        if (out === l) out = { ...l };
        (out as Record<string, unknown>)[k] = v;
      }
    return out;
  }

  /** The locals dead at node i with the values they are reset to (computed once a node). */
  private resetsAt(i: number): readonly [string, unknown][] {
    const n = this.flat.nodes[i];
    const inside = new Set(n && (n.k === 'step' || n.k === 'local') ? n.scopes : []);
    const out = new Map(Object.entries(this.flat.scoped).filter(([k]) => !inside.has(k)));
    // Dead by the analysis of the code: reset to the initial value (a scope's value wins).
    if (this.red.liveness) {
      this.live ??= liveness(this.flat.nodes, Object.keys(this.initial as object));
      for (const k of this.live.deadAt(i)) if (!out.has(k)) out.set(k, (this.initial as Record<string, unknown>)[k]);
    }
    const rs = [...out].filter(([k]) => !this.keep.has(k));
    this.resets.set(i, rs);
    return rs;
  }

  steps(entry: number): LangStep<L>[] {
    const nodes = this.flat.nodes;
    const ids = nodes.map((_n, i) => i).filter((i) => this.isStep(nodes[i]));
    // The resets are part of compiling: computed here, not on the search's first visit of a node.
    if (this.red.resetDead) for (const i of [...ids, EXIT]) if (!this.resets.has(i)) this.resetsAt(i);
    ids.sort((a, b) => order(nodes[a]) - order(nodes[b]));
    if (entry !== EXIT) ids.splice(0, 0, ...ids.splice(ids.indexOf(entry), 1));
    ids.forEach((id, pc) => this.pcOf.set(id, pc));
    this.count = ids.length;
    return ids.map((id) => this.step(id));
  }

  private target(node: number): number {
    return node === EXIT ? this.count : this.pcOf.get(node)!;
  }

  private step(id: number): LangStep<L> {
    return this.fromBody(id, this.flat.nodes[id] as FStep<L> | FLocal<L>);
  }

  /** The body of a step node, or of a local computation run as a step. */
  private bodyOf(n: FStep<L> | FLocal<L>): Body<L> {
    if (n.k === 'step') return n.body;
    const local = n;
    return local.branches
      ? (c: Ctx<L>) => {
          const [patch, then] = local.fn(c.l, c.tid);
          c.let(patch);
          return then;
        }
      : (c: Ctx<L>) => c.let(local.fn(c.l, c.tid));
  }

  /** Run the step at node `id` with fields read through `read`; a broken lock discipline names it. */
  private evalAt(id: number, read: Read, l: L, tid: number): Evaluation<L> {
    const n = this.flat.nodes[id] as FStep<L> | FLocal<L>;
    const body = n.k === 'step' && n.uses ? checkUses(n.body, n.uses) : this.bodyOf(n);
    try {
      return evaluateWith(this.layout, body, read, l, tid);
    } catch (e) {
      // A field the layout lacks or a value outside its domain is the model's mistake, named like a broken discipline.
      if (!(e instanceof LockDisciplineError) && !(e instanceof UndeclaredUse) && !(e instanceof LayoutError)) throw e;
      const code = e instanceof LockDisciplineError ? 'lock-discipline' : 'bad-model';
      throw new StepError(this.thread, n.label, e.message, code, this.opts.model);
    }
  }

  /** Control flow after the step at node `id` ran: the next step node and the locals there. */
  private nextAfter(id: number, e: Evaluation<L>, tid: number): { node: number; l: L } {
    const n = this.flat.nodes[id] as FStep<L> | FLocal<L>;
    return this.walk(n.alt < 0 || e.value ? n.next : n.alt, e.l, tid, id);
  }

  private readonly code: SectionCode<L> = {
    evalAt: (id, read, l, tid) => this.evalAt(id, read, l, tid),
    next: (id, e, tid) => this.nextAfter(id, e, tid),
    isExit: (id) => id === EXIT,
    label: (id) => (this.flat.nodes[id] as FStep<L> | FLocal<L>).label,
  };

  /** The step at `id`, with a locked section starting there merged into it when allowed. */
  private evalMerged(id: number, read: Read, l: L, tid: number): Evaluation<L> | Section<L> {
    const e = this.evalAt(id, read, l, tid);
    const m = this.mergeable;
    return (m && lockedSection(this.layout, m, this.code, id, e, read, tid)) || e;
  }

  private fromBody(id: number, n: FStep<L> | FLocal<L>): LangStep<L> {
    const cacheS: unknown[] = [];
    const cacheL: unknown[] = [];
    const cacheE: (Evaluation<L> | Section<L>)[] = [];
    const ev = (s: unknown, l: L, tid: number): Evaluation<L> | Section<L> => {
      if (cacheS[tid] === s && cacheL[tid] === l && cacheE[tid]) return cacheE[tid];
      const e = this.evalMerged(id, (r) => r.get(s), l, tid);
      cacheS[tid] = s;
      cacheL[tid] = l;
      cacheE[tid] = e;
      return e;
    };
    const here = this.pcOf.get(id)!;
    const after = (e: Evaluation<L> | Section<L>, tid: number) => {
      const w = this.nextAfter('last' in e ? e.last : id, e, tid);
      return { pc: this.target(w.node), l: w.l };
    };
    const run = (s: unknown, l: L, tid: number): StepOutcome<unknown, L> => {
      const e = ev(s, l, tid);
      if (e.violation) return { violation: e.violation };
      if (e.blocked) throw new StepError(this.thread, n.label, 'ran while blocked', 'model-threw', this.opts.model);
      const a = after(e, tid);
      const out: { s?: unknown; l?: L; goto?: number } = {};
      if (e.writes.length) out.s = commit(s, e as Evaluation<unknown>);
      if (a.l !== l) out.l = a.l;
      if (a.pc !== here + 1) out.goto = a.pc;
      return out;
    };
    const lock = (s: unknown, l: L, tid: number): readonly LockOp[] | null => {
      const ops = ev(s, l, tid).lockOps;
      return ops.length ? ops : null;
    };
    const merged = this.mergeable
      ? {
          note: (s: unknown, l: L, tid: number) => {
            const e = ev(s, l, tid);
            return 'parts' in e ? `one step with the rest of its locked section: ${e.parts.slice(1).join('; ')}` : null;
          },
        }
      : {};
    return {
      label: n.label,
      name: n.k === 'step' ? n.name : undefined,
      cost: n.k === 'step' ? n.cost : undefined,
      chain: n.chain,
      ...(n.k === 'local' ? { local: true as const } : {}),
      evaluate: (read, l, tid) => this.evalMerged(id, read, l, tid),
      after,
      guard: (s, l, tid) => !ev(s, l, tid).blocked,
      footprint: (s, l, tid) => ev(s, l, tid).footprint,
      run,
      lock,
      ...merged,
    };
  }
}

/** A local read outside a step's declared `uses`. */
class UndeclaredUse extends Error {}

/** A body whose reads of locals are checked against its declared `uses`. */
function checkUses<L>(body: Body<L>, uses: readonly string[]): Body<L> {
  return (c) => {
    const ok = new Set(uses); // and what the body wrote itself
    return body(usesContext(c, ok, uses));
  };
}

function usesContext<L>(c: Ctx<L>, ok: Set<string>, uses: readonly string[]): Ctx<L> {
  const guard = (l: L): L =>
    new Proxy(l as object, {
      get(t, k) {
        if (typeof k === 'string' && k in t && !ok.has(k))
          throw new UndeclaredUse(`read local '${k}', which its uses [${uses.join(', ')}] does not list`);
        return Reflect.get(t, k) as unknown;
      },
    }) as L;
  return new Proxy(c, {
    get(t, k) {
      if (k === 'l') return guard(t.l);
      if (k === 'let')
        return (patch: Partial<L>) => {
          for (const key of Object.keys(patch)) ok.add(key);
          t.let(patch);
        };
      const v = Reflect.get(t, k) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

const order = <L>(n: FNode<L>): number => (n.k === 'step' || n.k === 'local' ? n.order : 0);
