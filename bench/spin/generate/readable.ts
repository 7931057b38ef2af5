/**
 * What a thread may read from a field at one of its control states (machine.ts): the initial
 * value, any value another thread writes, and a value the thread itself writes only if the
 * control state is reachable, in the thread's own control graph, from the control state that
 * write leads to (the thread must have made the write before getting there). A refinement of one
 * set per field that keeps a thread from reading back its own later writes: without it, indexer's
 * probing index sees its own message in a slot it has not written yet and walks every slot.
 * Sound by induction over executions: the value a thread reads was last written initially, by
 * another thread, or by itself on the path to where it reads.
 */
export class WriteLog {
  /** slot → value → writer thread → control states the writes lead to. */
  private readonly log: Map<number, Map<number, Set<number>>>[];
  /** Per thread, control state → successors. */
  private readonly edges: Map<number, Set<number>>[];
  private readonly reach: Map<number, Set<number>>[];

  constructor(
    private readonly init: readonly number[],
    threads: number,
  ) {
    this.log = init.map((v) => new Map([[v, new Map<number, Set<number>>()]]));
    this.edges = Array.from({ length: threads }, () => new Map());
    this.reach = Array.from({ length: threads }, () => new Map());
  }

  /** Record a write by `tid` leading to control state `target`; true when it is new. */
  write(tid: number, slot: number, value: number, target: number): boolean {
    let byTid = this.log[slot].get(value);
    if (!byTid) this.log[slot].set(value, (byTid = new Map()));
    let targets = byTid.get(tid);
    if (!targets) byTid.set(tid, (targets = new Set()));
    if (targets.has(target)) return false;
    targets.add(target);
    return true;
  }

  /** Record a step of `tid` from one control state to another; true when it is new. */
  edge(tid: number, from: number, to: number): boolean {
    let out = this.edges[tid].get(from);
    if (!out) this.edges[tid].set(from, (out = new Set()));
    if (out.has(to)) return false;
    out.add(to);
    this.reach[tid].clear();
    return true;
  }

  /** Every value of a slot (initial or written by anyone), sorted. */
  all(slot: number): number[] {
    return [...this.log[slot].keys()].sort((a, b) => a - b);
  }

  /** The values thread `tid` may read from `slot` at control state `cs`, sorted. */
  readable(tid: number, cs: number, slot: number): number[] {
    const out: number[] = [];
    for (const [v, byTid] of this.log[slot]) {
      let ok = v === this.init[slot];
      for (const [w, targets] of byTid) {
        if (ok) break;
        if (w !== tid) ok = true;
        else for (const target of targets) if ((ok = this.reachable(tid, target).has(cs))) break;
      }
      if (ok) out.push(v);
    }
    return out.sort((a, b) => a - b);
  }

  private reachable(tid: number, from: number): Set<number> {
    let seen = this.reach[tid].get(from);
    if (seen) return seen;
    seen = new Set([from]);
    const todo = [from];
    while (todo.length)
      for (const next of this.edges[tid].get(todo.pop()!) ?? [])
        if (!seen.has(next)) {
          seen.add(next);
          todo.push(next);
        }
    this.reach[tid].set(from, seen);
    return seen;
  }
}
