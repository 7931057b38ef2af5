import type { Access } from '../core/access.js';
import type { LockOp } from '../core/step.js';
import type { Evaluation } from './context.js';
import type { Layout, Ref } from './layout.js';

/**
 * Merging of a lock-protected section into one step (Lipton reduction; the soundness argument is
 * in docs/lang-reductions.md). After a step that acquires a declared lock K (`spinLock` on a
 * `spinlock()` or `guardedBy` target) the thread's next steps run in the same step while they are
 *  - enabled, raise no BUG and take no lock (a blocked or failing part runs as a step of its own),
 *  - movers: they touch only fields guarded by K (both movers: no other thread can touch them
 *    while K is held) and K itself by releasing it (a left mover),
 *  - except for at most one part touching anything else, unguarded shared data: the single
 *    non-mover. A second such part ends the merged step before it, so two unguarded accesses
 *    (a PTE cleared and then set under the PTL, read locklessly elsewhere) keep their window.
 * The release of K ends the merged step. Acquire is a right mover because the discipline
 * (src/lang/discipline.ts) lets no other thread observe K except by waiting for it.
 */
export type Read = (r: Ref<unknown>) => unknown;

/**
 * A merged section: the evaluation of all its parts, the last part's node, and the parts' labels.
 * Its footprint also holds what the part that ended it read: how far the step goes depends on it.
 */
export type Section<L> = Evaluation<L> & { readonly last: number; readonly parts: readonly string[] };

export interface SectionCode<L> {
  /** Run the step at a node (a step node, or a local step when those are not merged) on `read`. */
  evalAt(node: number, read: Read, l: L, tid: number): Evaluation<L>;
  /** Control flow after a node's evaluation, to the next step node (or exit) and its locals. */
  next(node: number, e: Evaluation<L>, tid: number): { readonly node: number; readonly l: L };
  isExit(node: number): boolean;
  label(node: number): string;
}

/** At most this many parts in one merged step (a loop inside a section stops it). */
const MAX_PARTS = 64;

/**
 * The section starting with the evaluation `e0` of the step at `first`; null when `e0` takes no
 * mergeable lock. When no part joins, `e0` with the footprint of the part that was tried.
 */
export function lockedSection<L>(
  layout: Layout,
  mergeable: ReadonlySet<string>,
  code: SectionCode<L>,
  first: number,
  e0: Evaluation<L>,
  read: Read,
  tid: number,
): Section<L> | Evaluation<L> | null {
  if (e0.blocked || e0.violation) return null;
  const k = acquired(e0.lockOps, mergeable);
  if (k === undefined) return null;
  const writes = [...e0.writes];
  const overlay: Read = (r) => {
    for (let i = writes.length - 1; i >= 0; i--) if (writes[i][0] === r) return writes[i][1];
    return read(r);
  };
  const acc = new Map<string, boolean>();
  const lockOps: LockOp[] = [...e0.lockOps];
  const parts = [code.label(first)];
  addAccesses(acc, e0.footprint);
  let nonMover = others(layout, k, e0.footprint).length > 0;
  let last = first;
  let e = e0;
  let probed = false;
  for (let n = 0; n < MAX_PARTS; n++) {
    const w = code.next(last, e, tid);
    if (code.isExit(w.node)) break;
    let p: Evaluation<L>;
    try {
      p = code.evalAt(w.node, overlay, w.l, tid);
    } catch {
      break; // it fails again, with its own name, when it runs as a step of its own
    }
    // Whether the part joins depends on what it read: that is part of the merged step's footprint.
    addAccesses(acc, p.footprint);
    probed = true;
    if (p.blocked || p.violation) break;
    const releases = p.lockOps.length === 1 && p.lockOps[0].op === 'release' && p.lockOps[0].inst === k;
    if (p.lockOps.length > 0 && !releases) break;
    if (others(layout, k, p.footprint).length > 0) {
      if (nonMover) break;
      nonMover = true;
    }
    writes.push(...p.writes);
    lockOps.push(...p.lockOps);
    parts.push(code.label(w.node));
    last = w.node;
    e = p;
    if (releases) break;
  }
  const footprint: Access[] = [];
  for (const [loc, write] of acc) footprint.push({ loc, write });
  if (last === first) return probed ? { ...e0, footprint } : null;
  return {
    before: e0.before,
    blocked: false,
    footprint,
    writes,
    l: e.l,
    value: e.value,
    lockOps,
    last,
    parts,
  };
}

/** The mergeable lock a step acquires (a plain spin_lock, its only lock operation). */
function acquired(ops: readonly LockOp[], mergeable: ReadonlySet<string>): string | undefined {
  if (ops.length !== 1 || ops[0].op !== 'acquire' || ops[0].trylock || ops[0].read) return undefined;
  const inst = ops[0].inst ?? ops[0].cls;
  return mergeable.has(inst) ? inst : undefined;
}

/**
 * The locations of a footprint that are neither lock `k` nor guarded by it. (A part touches `k`
 * only by releasing it: anything else broke the discipline and threw.)
 */
function others(layout: Layout, k: string, fp: readonly Access[]): string[] {
  return fp.map((a) => a.loc).filter((loc) => loc !== k && layout.guards.get(loc) !== k);
}

function addAccesses(acc: Map<string, boolean>, fp: readonly Access[]): void {
  for (const a of fp) acc.set(a.loc, (acc.get(a.loc) ?? false) || a.write);
}
