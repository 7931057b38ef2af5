import type { Body } from './context.js';
import type { Block, LocalBranchFn, LocalFn, Node, Pred, Sub } from './ast.js';
import type { StepCost } from '../core/step.js';
import { StepError } from '../core/errors.js';
import { checkDeadEnds, nameSteps } from './checks.js';

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
  /** The locals the body may read, as declared (`StepOptions.uses`). */
  readonly uses?: readonly string[];
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
  /** Document position: the number of steps and locals before it (errors name the one before). */
  readonly at?: number;
}
export interface FJump {
  readonly k: 'jump';
  next: number;
  /** The label this jump stands for, if any. */
  readonly label?: string;
  readonly at?: number;
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
  readonly gotos: { node: FJump; name: string; at: number }[];
  readonly chain: readonly string[];
  readonly scopes: readonly string[];
  readonly active: ReadonlySet<Sub<unknown>>;
}

/**
 * Flatten a thread's body; a bad jump, a bad break, recursion or a dead end is a StepError
 * naming the thread (`thread`) and the step at or before the problem.
 */
export function flatten<L>(body: Block<L>, thread: string): Flat<L> {
  const f = new Flattener<L>(thread);
  f.labels = docLabels(body, new Set(), (m) => f.err(m, -1));
  const top = frame(EXIT, [], [], new Set());
  const entry = f.block(body, EXIT, top, 0);
  f.resolve(top);
  nameSteps(f.nodes);
  checkDeadEnds(f.nodes, entry, (m, at, step) => f.err(m, at, step));
  return { nodes: f.nodes, entry, scoped: f.scoped };
}

/** The labels of the steps and local computations in document order (sub-paths inlined): `order` indexes it. */
function docLabels<L>(b: Block<L>, stack: ReadonlySet<Sub<unknown>>, err: (m: string) => Error): string[] {
  const out: string[] = [];
  const visit = (b: Block<L>, stack: ReadonlySet<Sub<unknown>>): void => {
    for (const n of b)
      switch (n.k) {
        case 'step':
        case 'local':
          out.push(n.label);
          if (n.branch) {
            visit(n.branch.then, stack);
            visit(n.branch.else, stack);
          }
          break;
        case 'if':
          visit(n.then, stack);
          visit(n.else, stack);
          break;
        case 'while':
        case 'loop':
        case 'scope':
          visit(n.body, stack);
          break;
        case 'call':
          if (stack.has(n.sub as Sub<unknown>))
            throw err(`sub-path '${n.sub.name}' calls itself (recursion is not supported)`);
          visit(n.sub.body, new Set([...stack, n.sub as Sub<unknown>]));
          break;
        default:
          break;
      }
  };
  visit(b, stack);
  return out;
}

const frame = (
  ret: number,
  chain: readonly string[],
  scopes: readonly string[],
  active: ReadonlySet<Sub<unknown>>,
): Frame => ({ brk: -1, cont: -1, ret, labels: new Map(), gotos: [], chain, scopes, active });

/**
 * Builds the graph backwards: a block's nodes are placed last to first, each given the entry of
 * what follows it. `order` is a node's position among the steps in document order (the pc order
 * of the compiled thread), counted ahead with `count`.
 */
class Flattener<L> {
  readonly nodes: FNode<L>[] = [{ k: 'exit' }];
  readonly scoped: Record<string, unknown> = {};

  /** Step labels in document order (`docLabels`). */
  labels: readonly string[] = [];

  constructor(private readonly thread: string) {}

  /**
   * An error at document position `at` (the number of steps before it): it names the step just
   * before (`… after it`), or `step` itself when given; -1: the thread as a whole.
   */
  err(msg: string, at: number, step?: string): StepError {
    if (step !== undefined || at < 0) return new StepError(this.thread, step, msg);
    const before = at > 0 ? this.labels[at - 1] : undefined;
    return new StepError(this.thread, before, before !== undefined ? `after it, ${msg}` : `at its start, ${msg}`);
  }

  private add(n: FNode<L>): number {
    return this.nodes.push(n) - 1;
  }

  /** Steps and local computations in a block (sub-paths inlined). */
  count(b: Block<L>, stack: ReadonlySet<Sub<unknown>>): number {
    let c = 0;
    for (const n of b) c += this.countNode(n, stack);
    return c;
  }

  private countNode(n: Node<L>, stack: ReadonlySet<Sub<unknown>>): number {
    switch (n.k) {
      case 'step':
      case 'local':
        return 1 + (n.branch ? this.count(n.branch.then, stack) + this.count(n.branch.else, stack) : 0);
      case 'if':
        return this.count(n.then, stack) + this.count(n.else, stack);
      case 'while':
      case 'loop':
      case 'scope':
        return this.count(n.body, stack);
      case 'call':
        if (stack.has(n.sub as Sub<unknown>))
          throw this.err(`sub-path '${n.sub.name}' calls itself (recursion is not supported)`, -1);
        return this.count(n.sub.body, new Set([...stack, n.sub as Sub<unknown>]));
      case 'break':
      case 'continue':
      case 'exit':
      case 'goto':
      case 'label':
      case 'return':
        return 0;
    }
  }

  /** Place a block whose successor is `next`; returns its entry node. */
  block(b: Block<L>, next: number, f: Frame, base: number): number {
    const starts: number[] = [];
    let at = base;
    for (const n of b) {
      starts.push(at);
      at += this.countNode(n, f.active);
    }
    let entry = next;
    for (let i = b.length - 1; i >= 0; i--) entry = this.node(b[i], entry, f, starts[i]);
    return entry;
  }

  private node(n: Node<L>, next: number, f: Frame, order: number): number {
    switch (n.k) {
      case 'step':
      case 'local':
        return this.action(n, next, f, order);
      case 'if': {
        const id = this.add({ k: 'if', pred: n.pred, next: -1, alt: -1, at: order });
        const node = this.nodes[id] as FIf<L>;
        node.next = this.block(n.then, next, f, order);
        node.alt = this.block(n.else, next, f, order + this.count(n.then, f.active));
        return id;
      }
      case 'while': {
        const id = this.add({ k: 'if', pred: n.pred, next: -1, alt: next, at: order });
        (this.nodes[id] as FIf<L>).next = this.block(n.body, id, { ...f, brk: next, cont: id }, order);
        return id;
      }
      case 'loop': {
        const id = this.add({ k: 'jump', next: -1, at: order });
        (this.nodes[id] as FJump).next = this.block(n.body, id, { ...f, brk: next, cont: id }, order);
        return id;
      }
      case 'break':
        if (f.brk < 0) throw this.err('break_() outside a loop', order);
        return this.add({ k: 'jump', next: f.brk });
      case 'continue':
        if (f.cont < 0) throw this.err('continue_() outside a loop', order);
        return this.add({ k: 'jump', next: f.cont });
      case 'label':
        return this.label(n.name, next, f, order);
      case 'goto': {
        const j: FJump = { k: 'jump', next: -1, at: order };
        f.gotos.push({ node: j, name: n.name, at: order });
        return this.add(j);
      }
      case 'return':
        return this.add({ k: 'jump', next: f.ret });
      case 'exit':
        return EXIT;
      case 'scope':
        return this.scope(n.locals, n.body, next, f, order);
      case 'call':
        return this.call(n.sub, next, f, order);
    }
  }

  /** A step or a local computation, with its branches when it decides one. */
  private action(n: Node<L> & { k: 'step' | 'local' }, next: number, f: Frame, order: number): number {
    const placed = { label: n.label, next, alt: -1, chain: f.chain, scopes: f.scopes, order };
    const node: FStep<L> | FLocal<L> =
      n.k === 'step'
        ? { k: 'step', body: n.body, cost: n.cost, ...(n.uses ? { uses: n.uses } : {}), ...placed }
        : n.branch
          ? { k: 'local', fn: n.fn as LocalBranchFn<L>, branches: true, ...placed }
          : { k: 'local', fn: n.fn as LocalFn<L>, branches: false, ...placed, alt: -1 };
    const id = this.add(node);
    if (n.branch) {
      node.next = this.block(n.branch.then, next, f, order + 1);
      node.alt = this.block(n.branch.else, next, f, order + 1 + this.count(n.branch.then, f.active));
    }
    return id;
  }

  private label(name: string, next: number, f: Frame, order: number): number {
    if (f.labels.has(name)) throw this.err(`label '${name}' is defined twice`, order);
    const id = this.add({ k: 'jump', next, label: name, at: order });
    f.labels.set(name, id);
    return id;
  }

  private scope(locals: Partial<L>, body: Block<L>, next: number, f: Frame, order: number): number {
    for (const [k, v] of Object.entries(locals)) {
      if (k in this.scoped && this.scoped[k] !== v)
        throw this.err(`local '${k}' is scoped twice with different reset values`, order);
      this.scoped[k] = v;
    }
    return this.block(body, next, { ...f, scopes: [...f.scopes, ...Object.keys(locals)] }, order);
  }

  /** A sub-path, inlined in a frame of its own (its labels, its return). */
  private call(s: Sub<L>, next: number, f: Frame, order: number): number {
    const inner = frame(next, [...f.chain, s.name], f.scopes, new Set([...f.active, s as Sub<unknown>]));
    const entry = this.block(s.body, next, inner, order);
    this.resolve(inner);
    return entry;
  }

  /** Point the frame's gotos at its labels. */
  resolve(f: Frame): void {
    for (const g of f.gotos) {
      const target = f.labels.get(g.name);
      if (target === undefined)
        throw this.err(
          `goto_('${g.name}'): no such label${f.chain.length ? ` in sub-path '${f.chain[f.chain.length - 1]}'` : ''}`,
          g.at,
        );
      g.node.next = target;
    }
  }
}
