import { instantiate, type Instance } from '../core/instantiate.js';
import type { Model, Program } from '../core/model.js';
import type { Path } from '../core/path.js';
import { setPaths } from './paths.js';
import type { Property } from '../core/property.js';
import { permuteMask, permuteTid, type Symmetry } from '../core/symmetry.js';
import type { ThreadDef } from '../core/thread.js';
import { annotated, type Callers } from '../core/annotations.js';
import type { ShowRule } from '../core/show.js';
import type { Step, StepNote } from '../core/step.js';
import type { Block, Sub } from './ast.js';
import { ALL_REDUCTIONS, compileThread, NO_REDUCTIONS, type Reductions } from './compile.js';
import { Layout } from './layout.js';
import { prepass } from './prepass.js';

/** One thread of a language model: a name, its initial locals and its structured code. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- threads of one program have different locals
export interface LangThread<L = any> {
  readonly name: string;
  readonly locals: L;
  readonly body: Block<L> | Sub<L>;
}

export const thread = <L>(name: string, locals: L, body: Block<L> | Sub<L>): LangThread<L> => ({
  name,
  locals,
  body,
});

/** What a model built in the language returns for one variant and parameters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as core Program: properties of any state type
export interface LangProgram<S = any> {
  readonly layout: Layout;
  /** The initial shared state (default: the layout's defaults); build it with `layout.state(patch)`. */
  readonly init?: S;
  readonly threads: readonly LangThread[];
  readonly properties: readonly Property<S>[];
  /**
   * Interchangeable threads. The renaming of thread ids in the shared state is derived from the
   * layout (every `tid()` and `mask()` field); `threadKey` may sharpen the canonical order.
   */
  readonly symmetry?: {
    readonly groups: readonly (readonly number[])[];
    readonly threadKey?: Symmetry<S>['threadKey'];
  };
  /**
   * What the properties read of the threads besides `done`: the locals they read and whether
   * they read positions (`at`). Default: everything, which turns the local reductions off
   * (a reduction must not change what a property sees).
   */
  readonly observes?: { readonly locals?: readonly string[]; readonly at?: boolean };
  /** Report only: how traces name state paths (src/core/show.ts). */
  readonly show?: readonly ShowRule[];
  /**
   * Report only: call chains and notes by label for one thread (src/core/annotations.ts), for
   * steps whose chain the structured code does not already give. The searches never read them.
   */
  readonly annotate?: (thread: string) => ThreadAnnotations | undefined;
}

/** A thread's report-only annotations: who calls whom, and notes by step label. */
export interface ThreadAnnotations {
  readonly calls: Callers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- notes read the model's own state type
  readonly notes?: Readonly<Record<string, StepNote<any, any>>>;
}

/** A compiled program keeps its layout (the compiled engine encodes states with it). */
export type LangCompiled<S> = Program<S> & {
  readonly layout: Layout;
  /** The reductions it was compiled with (as asked; each applies only where `observes` allows). */
  readonly reductions: Reductions;
  /** The merges that apply (a trace prints each merged step's parts: src/lang/parts.ts). */
  readonly merges?: { readonly local: boolean; readonly locked: boolean };
};

export function isCompiled(p: Program): p is LangCompiled<unknown> {
  return (p as Partial<LangCompiled<unknown>>).layout instanceof Layout;
}

/**
 * Compile a language program to the step machine, with the given reductions (each applied only
 * where `observes` allows it: docs/lang-reductions.md).
 */
export function compileProgram<S>(
  p: LangProgram<S>,
  red: Reductions = ALL_REDUCTIONS,
  model?: string,
): LangCompiled<S> {
  const observed = p.observes ? (p.observes.locals ?? []) : undefined;
  const hidden = p.observes !== undefined && !p.observes.at && observed!.length === 0;
  const eff: Reductions = {
    mergeLocal: red.mergeLocal && hidden,
    resetDead: red.resetDead && observed !== undefined,
    // Sections are hidden from invariants by `mergeableLocks`; end states see no section.
    mergeLocked: (red.mergeLocked ?? false) && p.observes !== undefined && !p.observes.at,
    liveness: red.liveness ?? false,
  };
  const mergeable = eff.mergeLocked ? mergeableLocks(p.layout, p.properties) : new Set<string>();
  const keep = new Set(observed ?? []);
  const caches = new Map<unknown, Map<string, unknown>>();
  const threads: ThreadDef[] = p.threads.map((t, tid) => {
    const body: Block<unknown> = isSub(t.body) ? [{ k: 'call', sub: t.body }] : t.body;
    let cache = caches.get(t.body);
    if (!cache) caches.set(t.body, (cache = new Map<string, unknown>()));
    const c = compileThread<unknown>(p.layout, body, t.locals as unknown, eff, t.name, tid, cache, keep, {
      mergeable,
      model,
    });
    const notes = p.annotate?.(t.name);
    const steps = notes ? withSectionNotes(c.steps, annotated(c.steps, notes.calls, notes.notes)) : c.steps;
    return { name: t.name, locals: c.locals, steps };
  });
  const init = (p.init ?? p.layout.defaults) as S;
  const out: LangCompiled<S> = {
    layout: p.layout,
    reductions: red,
    merges: { local: eff.mergeLocal, locked: mergeable.size > 0 },
    init,
    threads,
    properties: p.properties,
    symmetry: p.symmetry ? { ...p.symmetry, permute: renamer<S>(p.layout) } : undefined,
    ...(p.show ? { show: p.show } : {}),
    // Each thread run alone before any search (src/lang/prepass.ts).
    precheck: () => void prepass(out),
  };
  sources.set(out, { lang: p, model });
  return out;
}

/**
 * The language program each compiled program was compiled from: a trace compiles it again with
 * other reductions (`recompiled`) instead of building the model again. A program changed after
 * it was built (a spread with other threads) is another object, absent here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- programs of every state type
const sources = new WeakMap<Program, { readonly lang: LangProgram<any>; readonly model?: string }>();

const isSub = <L>(b: Block<L> | Sub<L>): b is Sub<L> => !Array.isArray(b);

/**
 * The declared locks whose sections may be merged: no invariant reads the lock or a field it
 * guards (an invariant that names no locations reads everything), so none can tell a state
 * inside a section from the states at its ends (docs/lang-reductions.md).
 */
export function mergeableLocks(layout: Layout, properties: readonly Property<never>[]): Set<string> {
  const out = new Set<string>();
  const reads = properties.filter((q) => q.kind === 'invariant').map((q) => q.reads);
  if (reads.some((r) => r === undefined || r.includes('*'))) return out;
  const seen = (loc: string) =>
    reads.some((r) => r!.some((p) => loc === p || loc.startsWith(p + '.') || loc.startsWith(p + '[')));
  for (const k of layout.locks) {
    const guarded = [...layout.guards].filter(([, lock]) => lock === k).map(([loc]) => loc);
    if (!seen(k) && !guarded.some(seen)) out.add(k);
  }
  return out;
}

/** Model notes replace a step's note: keep the merged section's note beside them. */
function withSectionNotes(compiled: readonly Step[], steps: readonly Step[]): Step[] {
  return steps.map((st, i) => {
    const own = compiled[i].note;
    if (!own || st.note === own || !st.note) return st;
    const model = st.note;
    return {
      ...st,
      note: (s, l, tid, names) => [model(s, l, tid, names), own(s, l, tid, names)].filter((x) => x).join('; ') || null,
    };
  });
}

/** The symmetry renaming derived from the layout: thread-id and thread-id-set fields. */
function renamer<S>(layout: Layout): ((s: S, to: ArrayLike<number>) => S) | undefined {
  const ids = layout.leaves.filter((r) => r.domain.kind === 'tid' || r.domain.kind === 'mask');
  if (ids.length === 0) return undefined;
  return (s, to) => {
    const writes: [Path, number][] = [];
    for (const r of ids) {
      const v = r.get(s) as number;
      const w = r.domain.kind === 'tid' ? permuteTid(v, to) : permuteMask(v, to);
      if (w !== v) writes.push([r.path, w]);
    }
    return writes.length ? setPaths(s, writes) : s;
  };
}

/** A model written in the language: a core Model whose `build` compiles with the default reductions. */
export interface LangModel<O extends object = object> extends Model<O> {
  readonly lang: {
    readonly program: (options: O, params: Readonly<Record<string, number>>) => LangProgram;
    readonly reductions: Reductions;
  };
  readonly sources?: Readonly<Record<string, string>>;
}

export type LangModelSpec<O extends object> = Omit<Model<O>, 'build'> & {
  readonly build: (options: O, params: Readonly<Record<string, number>>) => LangProgram;
  /** Reductions applied by `build` (default: all). */
  readonly reductions?: Partial<Reductions>;
  /**
   * Traceability: kernel function → source file and version (`'mm/rmap.c @ v6.10'`) for every
   * function a step label or sub-path names (src/lang/sources.ts; every kernel model has one).
   */
  readonly sources?: Readonly<Record<string, string>>;
};

export function defineModel<O extends object>(spec: LangModelSpec<O>): LangModel<O> {
  const reductions = { ...ALL_REDUCTIONS, ...spec.reductions };
  return {
    ...spec,
    build: (o, p) => compileProgram(spec.build(o, p), reductions, spec.name),
    lang: { program: spec.build, reductions },
  };
}

export function isLangModel(m: Model): m is LangModel {
  return typeof (m as Partial<LangModel>).lang?.program === 'function';
}

/** The model with other reductions (a language model), or the model itself. */
export function withReductions(m: Model, red: Reductions): Model {
  if (!isLangModel(m)) return m;
  return { ...m, build: (o: object, p) => compileProgram(m.lang.program(o, p), red, m.name) };
}

/** Instantiate a model with the given reductions (off: the program's plain compilation). */
export function instantiateWith(
  m: Model,
  red: Reductions,
  variant?: string,
  params?: Readonly<Record<string, number>>,
): Instance {
  return instantiate(withReductions(m, red), variant, params);
}

/**
 * instantiateWith for printing a counterexample, without the pre-pass: the printer replays a
 * schedule the searched program ran, and the pre-pass checked that program before the search
 * (each rebuild ran it again, up to half a search's time on a kernel model with violations).
 */
export function printerWith(
  m: Model,
  red: Reductions,
  variant?: string,
  params?: Readonly<Record<string, number>>,
): Instance {
  const built = withReductions(m, red);
  return instantiate({ ...built, build: (o, p) => ({ ...built.build(o, p), precheck: undefined }) }, variant, params);
}

export { ALL_REDUCTIONS, NO_REDUCTIONS };

/**
 * The instance a counterexample is printed from: the same program without the dead-local resets
 * (scope and liveness), so a trace shows no bookkeeping change of a local nobody reads again. The
 * schedule is the same: a reset only changes values that no later step reads, never a step, its
 * enabledness or what it merges (docs/lang-reductions.md).
 */
export function traceInstance(inst: Instance): Instance {
  const p = inst.program;
  if (!isLangModel(inst.model) || !isCompiled(p) || !p.reductions.resetDead) return inst;
  const red = { ...p.reductions, resetDead: false, liveness: false };
  const again = recompiled(inst, red);
  if (again !== undefined) return again;
  const quiet = printerWith(inst.model, red, inst.variant, inst.params);
  // An instance whose program was changed after it was built (a test's other start locals) is printed as it is.
  const text = (q: Program) =>
    JSON.stringify([q.init, q.threads.map((t): unknown[] => [t.name, t.locals as unknown, t.steps.length])]);
  return text(quiet.program) === text(p) ? quiet : inst;
}

/** Whether the program is the one compiled from its language program, unchanged since (`recompiled`). */
export function isAsCompiled(p: Program): boolean {
  return sources.has(p);
}

/**
 * The instance with its program compiled again, with other reductions and without the pre-pass,
 * from the language program it was compiled from; undefined when that is not known (a program
 * changed after it was built, or not compiled by `compileProgram`). The same program as
 * `printerWith` builds, without building the model again (a kernel model's build costs more than
 * its compilation), and without a second `instantiate`: the properties are the same objects.
 */
export function recompiled(inst: Instance, red: Reductions): Instance | undefined {
  const src = sources.get(inst.program);
  if (src === undefined) return undefined;
  const program = { ...compileProgram(src.lang, red, src.model), precheck: undefined };
  sources.set(program, src);
  return { ...inst, program };
}
