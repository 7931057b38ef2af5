import type { FJump, FNode } from './flatten.js';

/**
 * Static checks and naming on a flattened thread (src/lang/flatten.ts), run before any search.
 */

/** A label in front of a step names it (the pc name traces and Promela show). */
export function nameSteps<L>(nodes: FNode<L>[]): void {
  const used = new Set<string>();
  for (const n of nodes) {
    if (n.k !== 'jump' || n.label === undefined) continue;
    let t = n.next;
    for (let hops = 0; nodes[t].k === 'jump' && hops < nodes.length; hops++) t = (nodes[t] as FJump).next;
    const s = nodes[t];
    if (s.k === 'step' && s.name === undefined && !used.has(n.label)) {
      s.name = n.label;
      used.add(n.label);
    }
  }
}

/**
 * Refuse a loop of pure control flow (branches and jumps with no step and no local computation
 * in it: a thread entering it never leaves) and code no path reaches.
 */
export function checkDeadEnds<L>(
  nodes: readonly FNode<L>[],
  entry: number,
  err: (m: string, at: number, step?: string) => Error,
): void {
  const succ = (n: FNode<L>): number[] =>
    n.k === 'exit' ? [] : n.k === 'jump' ? [n.next] : n.alt >= 0 ? [n.next, n.alt] : [n.next];
  const control = (n: FNode<L>) => n.k === 'if' || n.k === 'jump';
  // Cycles among control nodes (colour DFS).
  const colour = new Uint8Array(nodes.length);
  const path: number[] = [];
  const visit = (i: number): void => {
    colour[i] = 1;
    path.push(i);
    for (const j of succ(nodes[i]))
      if (control(nodes[j])) {
        if (colour[j] === 1) {
          const cycle = path.slice(path.indexOf(j)).map((c) => nodes[c]);
          const lab = cycle.find((c): c is FJump => c.k === 'jump' && c.label !== undefined)?.label;
          const at = Math.min(...cycle.map((c) => ('at' in c && c.at !== undefined ? c.at : Infinity)));
          throw err(`dead end: a loop${lab ? ` at label '${lab}'` : ''} runs no step`, Number.isFinite(at) ? at : 0);
        }
        if (colour[j] === 0) visit(j);
      }
    path.pop();
    colour[i] = 2;
  };
  for (let i = 0; i < nodes.length; i++) if (control(nodes[i]) && colour[i] === 0) visit(i);
  // Reachability, ignoring the branch conditions.
  const seen = new Uint8Array(nodes.length);
  const stack = [entry];
  seen[entry] = 1;
  while (stack.length)
    for (const j of succ(nodes[stack.pop()!]))
      if (!seen[j]) {
        seen[j] = 1;
        stack.push(j);
      }
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if ((n.k === 'step' || n.k === 'local') && !seen[i])
      throw err('unreachable: no path reaches this step', 0, n.label);
  }
}
