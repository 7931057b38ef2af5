import type { FNode } from './flatten.js';
import { scanLocals, type LocalUse } from './scan.js';

/**
 * Dead locals computed from the structured code: a backward liveness analysis over a thread's
 * flattened control-flow graph (src/lang/flatten.ts). A local is live at a node if some path from
 * it reads the local before writing it; dead otherwise. What each node reads and definitely
 * writes comes from its source (src/lang/scan.ts) or, for a step, its declared `uses`:
 *   live(n) = reads(n) ∪ (∪ live(successors of n) − writes(n)),  live(exit) = ∅.
 * Reads are over-approximated and writes under-approximated, so the fixpoint over-approximates
 * every execution's live locals: a local the analysis calls dead at a step is never read before
 * being written again, on any path, in any state (docs/lang-reductions.md).
 */
export interface Liveness {
  /** The locals dead on arrival at node `i` (a step, a local step, or the exit). */
  deadAt(i: number): readonly string[];
}

/** The analysis of one thread: `locals` are the thread's locals (the keys of its initial locals). */
export function liveness<L>(nodes: readonly FNode<L>[], locals: readonly string[]): Liveness {
  const index = new Map(locals.map((k, i) => [k, i]));
  const all = (1n << BigInt(locals.length)) - 1n;
  const mask = (names: readonly string[] | null): bigint => {
    if (names === null) return all;
    let m = 0n;
    for (const k of names) {
      const i = index.get(k);
      if (i !== undefined) m |= 1n << BigInt(i);
    }
    return m;
  };
  const gen: bigint[] = [];
  const kill: bigint[] = [];
  const succ: number[][] = [];
  nodes.forEach((n, i) => {
    const u = useOf(n);
    gen[i] = mask(u.reads);
    kill[i] = mask(u.writes);
    succ[i] = n.k === 'exit' ? [] : n.k === 'jump' ? [n.next] : n.alt >= 0 ? [n.next, n.alt] : [n.next];
  });
  const live = nodes.map(() => 0n);
  for (let changed = true; changed;) {
    changed = false;
    for (let i = nodes.length - 1; i >= 0; i--) {
      let out = 0n;
      for (const j of succ[i]) out |= live[j];
      const v = gen[i] | (out & ~kill[i]);
      if (v !== live[i]) {
        live[i] = v;
        changed = true;
      }
    }
  }
  return { deadAt: (i) => locals.filter((_k, b) => !((live[i] >> BigInt(b)) & 1n)) };
}

function useOf<L>(n: FNode<L>): LocalUse {
  switch (n.k) {
    case 'step':
      return n.uses ? { reads: n.uses, writes: scanLocals(n.body, 'ctx').writes } : scanLocals(n.body, 'ctx');
    case 'local':
      return n.branches ? { reads: scanLocals(n.fn, 'locals').reads, writes: [] } : scanLocals(n.fn, 'locals');
    case 'if':
      return { reads: scanLocals(n.pred, 'locals').reads, writes: [] };
    case 'jump':
    case 'exit':
      return { reads: [], writes: [] };
  }
}
