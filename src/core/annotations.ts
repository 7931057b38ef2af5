/**
 * Report-only annotations a model adds to its steps, in one block apart from its behaviour: call
 * chains (`withCalls`) and notes by label (`withNotes`). The searches never read them.
 *
 * Call chains: a model declares, per thread, who calls whom —
 * `{ filemap_get_entry: 'shmem_get_folio_gfp', shmem_get_folio_gfp: 'shmem_fault', … }` — and
 * `withCalls` gives every step whose label's function is in the table its chain, outermost
 * first: `do_pte_missing → do_fault → … → filemap_get_entry`. A key may also be a whole label,
 * for a function reached from two callers in one thread.
 */
import type { Step, StepNote } from './step.js';

/**
 * Function → its caller (`''` for the outermost frame), or whole label → its caller or the whole
 * chain above it (outermost first). `label#2` names the label's second step in the thread, for a
 * label reached from two callers.
 */
export type Callers = Readonly<Record<string, string | readonly string[]>>;

/** The function a label names: the last word before its first colon (`option 5 do_fault: …` → `do_fault`). */
export function labelFunction(label: string): string | undefined {
  const i = label.indexOf(':');
  if (i < 0) return undefined;
  const words = label.slice(0, i).trim().split(/\s+/);
  const fn = words[words.length - 1].replace(/\(.*$/, '');
  return /^[A-Za-z_]\w*$/.test(fn) ? fn : undefined;
}

/** The chain of a label, outermost first; undefined when the table does not know its function. */
export function callChain(label: string, callers: Callers, key = label): string[] | undefined {
  const fn = labelFunction(label);
  if (fn === undefined) return undefined;
  const first = callers[key] ?? callers[label] ?? callers[fn];
  if (first === undefined) return undefined;
  if (typeof first !== 'string') return [...first, fn];
  const chain = [fn];
  for (let f = first; f && !chain.includes(f);) {
    chain.unshift(f);
    const up: string | readonly string[] | undefined = callers[f];
    if (typeof up !== 'string') return up ? [...up, ...chain] : chain;
    f = up;
  }
  return chain;
}

/** The steps with their call chains filled in from `callers` (steps that already have one keep it). */
export function withCalls<S, L>(steps: readonly Step<S, L>[], callers: Callers): Step<S, L>[] {
  const seen = new Map<string, number>();
  return steps.map((st) => {
    const nth = (seen.get(st.label) ?? 0) + 1;
    seen.set(st.label, nth);
    if (st.chain?.length) return st;
    const chain = callChain(st.label, callers, `${st.label}#${nth}`);
    return chain ? { ...st, chain } : st;
  });
}

/** Notes by step label (`label#n` for the n-th step of that label), for steps a model wrote itself. */
export function withNotes<S, L>(
  steps: readonly Step<S, L>[],
  notes: Readonly<Record<string, StepNote<S, L>>>,
): Step<S, L>[] {
  const seen = new Map<string, number>();
  return steps.map((st) => {
    const nth = (seen.get(st.label) ?? 0) + 1;
    seen.set(st.label, nth);
    const key = `${st.label}#${nth}` in notes ? `${st.label}#${nth}` : st.label;
    return key in notes ? { ...st, note: notes[key] } : st;
  });
}

/** Both: the thread's steps with their chains and notes. */
export function annotated<S, L>(
  steps: readonly Step<S, L>[],
  callers: Callers,
  notes: Readonly<Record<string, StepNote<S, L>>> = {},
): Step<S, L>[] {
  return withNotes(withCalls(steps, callers), notes);
}

/**
 * Callers from call paths, outermost first, one per argument or per line: `'a b c'` says b calls
 * c and a calls b. A path may start at a function an earlier path placed (`'b d'`: b also calls
 * d); otherwise its first function is an outermost frame.
 */
export function callPaths(...paths: readonly string[]): Callers {
  const up: Record<string, string> = {};
  for (const path of paths.flatMap((p) => p.split('\n')).filter((p) => p.trim())) {
    const fns = path.trim().split(/\s+/);
    fns.forEach((f, i) => {
      if (i > 0) up[f] = fns[i - 1];
      else if (!(f in up)) up[f] = '';
    });
  }
  return up;
}
