/**
 * Elementary cycles of a small directed graph (the lock-class graph: tens of nodes), each once,
 * rotated to start at its smallest node in `order`. Shortest first, then by name. At most `cap`.
 */
export function elementaryCycles(
  nodes: readonly string[],
  succ: ReadonlyMap<string, readonly string[]>,
  cap: number,
): { cycles: string[][]; truncated: boolean } {
  const order = [...nodes].sort();
  const rank = new Map(order.map((n, i) => [n, i]));
  const cycles: string[][] = [];
  let truncated = false;
  for (let i = 0; i < order.length && !truncated; i++) {
    const start = order[i];
    const path = [start];
    const onPath = new Set([start]);
    const walk = (v: string): void => {
      for (const w of succ.get(v) ?? []) {
        if (truncated) return;
        const r = rank.get(w)!;
        if (w === start) {
          if (cycles.length >= cap) truncated = true;
          else cycles.push([...path]);
        } else if (r > i && !onPath.has(w)) {
          path.push(w);
          onPath.add(w);
          walk(w);
          path.pop();
          onPath.delete(w);
        }
      }
    };
    walk(start);
  }
  cycles.sort((a, b) => a.length - b.length || a.join('\u0000').localeCompare(b.join('\u0000')));
  return { cycles, truncated };
}
