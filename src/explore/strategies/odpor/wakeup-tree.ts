import { System, type Footprint } from '../../system/system.js';

/** One event of a sequence: a thread and the footprint of its step at that point. */
export interface Ev {
  readonly tid: number;
  readonly foot: Footprint;
  /** The step raises an assertion: nothing runs after it, so it commutes with nothing after it. */
  halts?: boolean;
}

/**
 * A wakeup tree (Abdulla et al., JACM 2017, §6): an ordered tree of event sequences still to be
 * explored from one state. A node is the event of its thread after the sequence of its
 * ancestors; children are ordered by insertion (the first child is the next to explore).
 */
export interface WakeupNode extends Ev {
  readonly children: WakeupNode[];
}

export const wakeupRoot = (): WakeupNode => ({ tid: -1, foot: [], children: [] });

const dependent = (a: Ev, b: Ev) => a.tid === b.tid || System.dependent(a.foot, b.foot);

/**
 * Whether `e` (the next event of its thread) is a weak initial of `w`: either its thread's first
 * event in `w` has no dependent predecessor in `w` (an initial), or its thread is absent from
 * `w` and `e` is independent of every event of `w`. A halting step is a weak initial only of
 * itself. Returns `w` without that first event (an
 * initial), `w` itself (independent of all of it), or null (not a weak initial).
 */
export function afterWeakInitial(e: Ev, w: readonly Ev[]): readonly Ev[] | null {
  if (e.halts) return w.length === 1 && w[0].tid === e.tid ? [] : null;
  for (let x = 0; x < w.length; x++) {
    if (w[x].tid !== e.tid) continue;
    for (let y = 0; y < x; y++) if (System.dependent(w[y].foot, w[x].foot)) return null;
    return w.slice(0, x).concat(w.slice(x + 1));
  }
  for (let y = 0; y < w.length; y++) if (dependent(e, w[y])) return null;
  return w;
}

/**
 * insert[E](v, W): find the leftmost node u of the tree whose sequence is a weak prefix of v
 * (walking down, at each level the first child that is a weak initial of what is left of v).
 * If that walk ends at a leaf, v is already covered; otherwise the rest of v is added as a new
 * rightmost branch under the last node reached.
 */
export function insertSequence(root: WakeupNode, v: readonly Ev[]): boolean {
  let node = root;
  let w = v;
  for (;;) {
    if (node !== root && node.children.length === 0) return false;
    let next: WakeupNode | null = null;
    for (const c of node.children) {
      const rest = afterWeakInitial(c, w);
      if (rest !== null) {
        next = c;
        w = rest;
        break;
      }
    }
    if (next === null) {
      node.children.push(chain(w));
      return true;
    }
    node = next;
  }
}

function chain(w: readonly Ev[]): WakeupNode {
  let node: WakeupNode | null = null;
  for (let i = w.length - 1; i >= 0; i--)
    node = { tid: w[i].tid, foot: w[i].foot, halts: w[i].halts, children: node ? [node] : [] };
  return node!;
}
