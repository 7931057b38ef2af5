import type { Body } from './context.js';
import type { Block, LocalBranchFn, LocalFn, Node, Pred, Sub } from './ast.js';
import type { StepCost } from '../core/step.js';

/**
 * Structured code flattened to a control-flow graph: step nodes (the atomic steps), local
 * computations, branches on locals and jumps. Sub-path calls are inlined (the call chain is
 * kept on every node), labels resolved per call frame. Node 0 is the thread's exit.
 */
export type FNode<L> = FStep<L> | FLocal<L> | FIf<L> | FJump | FExit;

interface Placed {
  /** Sub-paths on the call chain, outermost first. */
  readonly chain: readonly string[];
  /** Names of the scoped locals whose block contains this node. */
  readonly scopes: readonly string[];
  /** Document order among steps and locals. */
  readonly order: number;
}
export interface FStep<L> extends Placed {
  readonly k: 'step';
  readonly label: string;
  readonly body: Body<L>;
  readonly cost?: StepCost;
  next: number;
  /** The else successor of a branch step; -1 for a plain step. */
  alt: number;
  name?: string;
}
export type FLocal<L> = Placed & {
  readonly k: 'local';
  readonly label: string;
  next: number;
} & (
    | { readonly fn: LocalFn<L>; readonly branches: false; alt: -1 }
    | { readonly fn: LocalBranchFn<L>; readonly branches: true; alt: number }
  );
export interface FIf<L> {
  readonly k: 'if';
  readonly pred: Pred<L>;
  next: number;
  alt: number;
}
export interface FJump {
  readonly k: 'jump';
  next: number;
  /** The label this jump stands for, if any. */
  readonly label?: string;
}
export interface FExit {
  readonly k: 'exit';
}

export interface Flat<L> {
  readonly nodes: readonly FNode<L>[];
  readonly entry: number;
  /** Every scoped local with its reset value. */
  readonly scoped: Readonly<Record<string, unknown>>;
}

export const EXIT = 0;

interface Frame {
  readonly brk: number;
  readonly cont: number;
  readonly ret: number;
  readonly labels: Map<string, number>;
  readonly gotos: { node: FJump; name: string }[];
  readonly chain: readonly string[];
  readonly scopes: readonly string[];
  readonly active: ReadonlySet<Sub<unknown>>;
}

/** Flatten a thread's body; throws a one-line error on a bad jump, a bad break or recursion. */
export function flatten<L>(body: Block<L>, where: string): Flat<L> {
  const nodes: FNode<L>[] = [{ k: 'exit' }];
  const scoped: Record<string, unknown> = {};
  const err = (msg: string) => new Error(`${where}: ${msg}`);

  const add = <N extends FNode<L>>(n: N): number => nodes.push(n) - 1;

  const count = (b: Block<L>, stack: ReadonlySet<Sub<L>>): number => {
    let c = 0;
    for (const n of b) c += countNode(n, stack);
    return c;
  };
  const countNode = (n: Node<L>, stack: ReadonlySet<Sub<L>>): number => {
    switch (n.k) {
      case 'step':
        return 1 + (n.branch ? count(n.branch.then, stack) + count(n.branch.else, stack) : 0);
      case 'local':
        return 1 + (n.branch ? count(n.branch.then, stack) + count(n.branch.else, stack) : 0);
      case 'if':
        return count(n.then, stack) + count(n.else, stack);
      case 'break':
      case 'continue':
      case 'exit':
      case 'goto':
      case 'label':
      case 'return':
        return 0;
      case 'while':
      case 'loop':
      case 'scope':
        return count(n.body, stack);
      case 'call':
        if (stack.has(n.sub)) throw err(`sub-path '${n.sub.name}' calls itself (recursion is not supported)`);
        return count(n.sub.body, new Set([...stack, n.sub]));
    }
  };

  const block = (b: Block<L>, next: number, f: Frame, base: number): number => {
    const starts: number[] = [];
    let at = base;
    for (const n of b) {
      starts.push(at);
      at += countNode(n, f.active);
    }
    let entry = next;
    for (let i = b.length - 1; i >= 0; i--) entry = node(b[i], entry, f, starts[i]);
    return entry;
  };

  const node = (n: Node<L>, next: number, f: Frame, order: number): number => {
    const placed = { chain: f.chain, scopes: f.scopes, order };
    switch (n.k) {
      case 'step': {
        const s: FStep<L> = { k: 'step', label: n.label, body: n.body, cost: n.cost, next, alt: -1, ...placed };
        const id = add(s);
        if (n.branch) {
          const thenOrder = order + 1;
          s.next = block(n.branch.then, next, f, thenOrder);
          s.alt = block(n.branch.else, next, f, thenOrder + count(n.branch.then, f.active));
        }
        return id;
      }
      case 'local': {
        if (!n.branch)
          return add({ k: 'local', label: n.label, fn: n.fn as LocalFn<L>, branches: false, next, alt: -1, ...placed });
        const loc: FLocal<L> = {
          k: 'local',
          label: n.label,
          fn: n.fn as LocalBranchFn<L>,
          branches: true,
          next,
          alt: -1,
          ...placed,
        };
        const id = add(loc);
        loc.next = block(n.branch.then, next, f, order + 1);
        loc.alt = block(n.branch.else, next, f, order + 1 + count(n.branch.then, f.active));
        return id;
      }
      case 'if': {
        const id = add({ k: 'if', pred: n.pred, next: -1, alt: -1 });
        const ifNode = nodes[id] as FIf<L>;
        ifNode.next = block(n.then, next, f, order);
        ifNode.alt = block(n.else, next, f, order + count(n.then, f.active));
        return id;
      }
      case 'while': {
        const id = add({ k: 'if', pred: n.pred, next: -1, alt: next });
        (nodes[id] as FIf<L>).next = block(n.body, id, { ...f, brk: next, cont: id }, order);
        return id;
      }
      case 'loop': {
        const id = add({ k: 'jump', next: -1 });
        (nodes[id] as FJump).next = block(n.body, id, { ...f, brk: next, cont: id }, order);
        return id;
      }
      case 'break':
        if (f.brk < 0) throw err('break_() outside a loop');
        return add({ k: 'jump', next: f.brk });
      case 'continue':
        if (f.cont < 0) throw err('continue_() outside a loop');
        return add({ k: 'jump', next: f.cont });
      case 'label': {
        if (f.labels.has(n.name)) throw err(`label '${n.name}' is defined twice`);
        const id = add({ k: 'jump', next, label: n.name });
        f.labels.set(n.name, id);
        return id;
      }
      case 'goto': {
        const j: FJump = { k: 'jump', next: -1 };
        f.gotos.push({ node: j, name: n.name });
        return add(j);
      }
      case 'return':
        return add({ k: 'jump', next: f.ret });
      case 'exit':
        return EXIT;
      case 'scope': {
        for (const [k, v] of Object.entries(n.locals)) {
          if (k in scoped && scoped[k] !== v) throw err(`local '${k}' is scoped twice with different reset values`);
          scoped[k] = v;
        }
        return block(n.body, next, { ...f, scopes: [...f.scopes, ...Object.keys(n.locals)] }, order);
      }
      case 'call': {
        const frame: Frame = {
          brk: -1,
          cont: -1,
          ret: next,
          labels: new Map(),
          gotos: [],
          chain: [...f.chain, n.sub.name],
          scopes: f.scopes,
          active: new Set([...f.active, n.sub as Sub<unknown>]),
        };
        const entry = block(n.sub.body, next, frame, order);
        resolve(frame);
        return entry;
      }
    }
  };

  const resolve = (f: Frame) => {
    for (const g of f.gotos) {
      const target = f.labels.get(g.name);
      if (target === undefined)
        throw err(
          `goto_('${g.name}'): no such label${f.chain.length ? ` in sub-path '${f.chain[f.chain.length - 1]}'` : ''}`,
        );
      g.node.next = target;
    }
  };

  const top: Frame = {
    brk: -1,
    cont: -1,
    ret: EXIT,
    labels: new Map(),
    gotos: [],
    chain: [],
    scopes: [],
    active: new Set(),
  };
  const entry = block(body, EXIT, top, 0);
  resolve(top);
  nameSteps(nodes);
  checkDeadEnds(nodes, entry, err);
  return { nodes, entry, scoped };
}

/** A label in front of a step names it (the pc name traces and Promela show). */
function nameSteps<L>(nodes: FNode<L>[]): void {
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
function checkDeadEnds<L>(nodes: readonly FNode<L>[], entry: number, err: (m: string) => Error): void {
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
          throw err(`dead end: a loop${lab ? ` at label '${lab}'` : ''} runs no step`);
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
    if ((n.k === 'step' || n.k === 'local') && !seen[i]) throw err(`step '${n.label}' is unreachable`);
  }
}
