/**
 * Random small models for the soundness test: a plain-data description (what fast-check
 * generates and shrinks, and what a failure prints) and a builder that turns it into an Instance.
 *
 * Shared state: `{ v0, v1, v2, k0, k1 }` — variables holding values mod K and lock words
 * (-1 free, else the owner's tid). Locals: `[r0, r1]`, also mod K. Every value is bounded and
 * pcs are finite, so the state space is finite even when jumps make threads loop forever.
 *
 * Step labels are `T<tid>#<pc> <op>`: unique per thread, so a state view's `at` names the pc.
 */
import fc from 'fast-check';
import { reads, rmw, writes } from '../../src/core/access.js';
import type { Instance } from '../../src/core/instantiate.js';
import { awaitUntil, load, local, store } from '../../src/core/ops.js';
import { assertion, endState, invariant, type Property, type StateView } from '../../src/core/property.js';
import { step, type Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { spinLock, spinUnlock } from '../../src/kernel/spinlock.js';
import { program } from './program.js';

export type OpKind =
  'load' | 'storeC' | 'storeL' | 'inc' | 'lock' | 'unlock' | 'await' | 'jmp' | 'local' | 'assert' | StateDependentOp;

/**
 * Ops whose footprint depends on the state (genModelStateDependent): a conditional store or load
 * (`if va == c then vb = d`: reads va, writes vb only when the test holds), an indirect store or
 * load through a variable (`v[va] = c`: reads va, writes the variable va names), and a store
 * guarded by a local (`if r == c then v = d`: writes v only when the test holds). Footprints are
 * exact for the state they are computed in.
 */
export type StateDependentOp = 'cstore' | 'cload' | 'istore' | 'iload' | 'lstore';

/** Raw fields are normalised when built (v % nVars, r % 2, c % K, t % (len + 1), ...). */
export interface GenOp {
  readonly op: OpKind;
  readonly v: number;
  readonly r: number;
  readonly c: number;
  readonly t: number;
  readonly eq: boolean;
}

export interface GenInv {
  /** 0: no invariant; 1: v[a] != c1; 2: !(v[a] == c1 && v[b] == c2). */
  readonly kind: 0 | 1 | 2;
  readonly a: number;
  readonly b: number;
  readonly c1: number;
  readonly c2: number;
}

export interface GenEnd {
  /** 0: no end property; 1: v[a] != c; 2: sum of vars mod K != c; 3: T0.r0 != c. */
  readonly kind: 0 | 1 | 2 | 3;
  readonly a: number;
  readonly c: number;
}

export interface GenModel {
  readonly K: number;
  readonly nVars: number;
  readonly nLocks: number;
  readonly init: readonly number[];
  readonly threads: readonly (readonly GenOp[])[];
  readonly inv: GenInv;
  readonly end: GenEnd;
  /**
   * No step ever raises an assertion: `assert` becomes a load and `unlock` releases the lock
   * only if this thread holds it (else does nothing). Used to check the reduction on models
   * where no transition is cut short by a violation.
   */
  readonly noAssertions?: boolean;
}

const opKind: fc.Arbitrary<OpKind> = fc.oneof(
  { arbitrary: fc.constant<OpKind>('load'), weight: 3 },
  { arbitrary: fc.constant<OpKind>('storeC'), weight: 3 },
  { arbitrary: fc.constant<OpKind>('storeL'), weight: 2 },
  { arbitrary: fc.constant<OpKind>('inc'), weight: 2 },
  { arbitrary: fc.constant<OpKind>('lock'), weight: 2 },
  { arbitrary: fc.constant<OpKind>('unlock'), weight: 2 },
  { arbitrary: fc.constant<OpKind>('await'), weight: 1 },
  { arbitrary: fc.constant<OpKind>('jmp'), weight: 2 },
  { arbitrary: fc.constant<OpKind>('local'), weight: 1 },
  { arbitrary: fc.constant<OpKind>('assert'), weight: 1 },
);

/** The ops above plus the state-dependent ones, which make up about half of the steps. */
const opKindStateDependent: fc.Arbitrary<OpKind> = fc.oneof(
  { arbitrary: opKind, weight: 4 },
  { arbitrary: fc.constantFrom<OpKind>('cstore', 'cload', 'istore', 'iload', 'lstore'), weight: 3 },
);

const small = fc.nat({ max: 5 });

function genOpOf(kind: fc.Arbitrary<OpKind>): fc.Arbitrary<GenOp> {
  return fc.record({ op: kind, v: small, r: small, c: small, t: small, eq: fc.boolean() });
}

export const genOp: fc.Arbitrary<GenOp> = genOpOf(opKind);

export const genModel: fc.Arbitrary<GenModel> = fc.record({
  K: fc.integer({ min: 2, max: 3 }),
  nVars: fc.integer({ min: 1, max: 3 }),
  nLocks: fc.integer({ min: 0, max: 2 }),
  init: fc.array(small, { minLength: 3, maxLength: 3 }),
  threads: fc.array(fc.array(genOp, { minLength: 1, maxLength: 5 }), { minLength: 2, maxLength: 4 }),
  inv: fc.record({ kind: fc.constantFrom<0 | 1 | 2>(0, 1, 2), a: small, b: small, c1: small, c2: small }),
  end: fc.record({ kind: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3), a: small, c: small }),
});

/** Models none of whose steps raise an assertion (see `noAssertions`). */
export const genModelNoAssertions: fc.Arbitrary<GenModel> = genModel.map((m) => ({ ...m, noAssertions: true }));

/** Like genModel, with about 40% of the steps having state-dependent footprints (StateDependentOp). */
export const genModelStateDependent: fc.Arbitrary<GenModel> = fc.record({
  K: fc.integer({ min: 2, max: 3 }),
  nVars: fc.integer({ min: 2, max: 3 }),
  nLocks: fc.integer({ min: 0, max: 2 }),
  init: fc.array(small, { minLength: 3, maxLength: 3 }),
  threads: fc.array(fc.array(genOpOf(opKindStateDependent), { minLength: 1, maxLength: 5 }), {
    minLength: 2,
    maxLength: 4,
  }),
  inv: fc.record({ kind: fc.constantFrom<0 | 1 | 2>(0, 1, 2), a: small, b: small, c1: small, c2: small }),
  end: fc.record({ kind: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3), a: small, c: small }),
});

/** State-dependent models none of whose steps raise an assertion. */
export const genModelStateDependentNoAssertions: fc.Arbitrary<GenModel> = genModelStateDependent.map((m) => ({
  ...m,
  noAssertions: true,
}));

type S = Record<string, number>;
type L = readonly number[];

const setLocal = (l: L, r: number, x: number): L => {
  const out = l.slice();
  out[r] = x;
  return out;
};

/** The normalised meaning of one op: what `describe` prints and `build` builds. */
function norm(m: GenModel, o: GenOp, len: number) {
  let op: OpKind = (o.op === 'lock' || o.op === 'unlock') && m.nLocks === 0 ? 'inc' : o.op;
  if (m.noAssertions && op === 'assert') op = 'load';
  return {
    op,
    v: `v${o.v % m.nVars}`,
    k: `k${o.v % Math.max(1, m.nLocks)}`,
    r: o.r % 2,
    c: o.c % m.K,
    target: o.t % (len + 1),
    eq: o.eq,
    /** The second variable of a conditional op, and the value a conditional store writes. */
    w: `v${o.t % m.nVars}`,
    d: o.r % m.K,
  };
}

function opText(m: GenModel, o: GenOp, len: number): string {
  const n = norm(m, o, len);
  const tgt = n.target === len ? 'exit' : `#${n.target}`;
  switch (n.op) {
    case 'load':
      return `r${n.r} = ${n.v}`;
    case 'storeC':
      return `${n.v} = ${n.c}`;
    case 'storeL':
      return `${n.v} = (r${n.r} + ${n.c}) % ${m.K}`;
    case 'inc':
      return `${n.v} = (${n.v} + 1) % ${m.K} (atomic)`;
    case 'lock':
      return `lock ${n.k}`;
    case 'unlock':
      return m.noAssertions ? `unlock ${n.k} if held (else no-op)` : `unlock ${n.k}`;
    case 'await':
      return `await ${n.v} == ${n.c}`;
    case 'jmp':
      return `if r${n.r} ${n.eq ? '==' : '!='} ${n.c} goto ${tgt}`;
    case 'local':
      return `r${n.r} = (r${n.r} + ${n.c}) % ${m.K}`;
    case 'assert':
      return `assert ${n.v} != ${n.c}`;
    case 'cstore':
      return `if ${n.v} ${n.eq ? '==' : '!='} ${n.c} then ${n.w} = ${n.d}`;
    case 'cload':
      return `if ${n.v} ${n.eq ? '==' : '!='} ${n.c} then r${n.r} = ${n.w}`;
    case 'istore':
      return `v[${n.v} % ${m.nVars}] = ${n.c}`;
    case 'iload':
      return `r${n.r} = v[${n.v} % ${m.nVars}]`;
    case 'lstore':
      return `if r${n.r} ${n.eq ? '==' : '!='} ${n.c} then ${n.v} = ${o.t % m.K}`;
  }
}

function invText(m: GenModel): string {
  const i = m.inv;
  if (i.kind === 0) return 'none';
  const a = `v${i.a % m.nVars}`;
  const b = `v${i.b % m.nVars}`;
  if (i.kind === 1) return `${a} != ${i.c1 % m.K}  (reads ${a})`;
  return `!(${a} == ${i.c1 % m.K} && ${b} == ${i.c2 % m.K})  (reads ${a === b ? a : `${a}, ${b}`})`;
}

function endText(m: GenModel): string {
  const e = m.end;
  const vars = Array.from({ length: m.nVars }, (_, i) => `v${i}`);
  switch (e.kind) {
    case 0:
      return 'none';
    case 1:
      return `at the end v${e.a % m.nVars} != ${e.c % m.K}`;
    case 2:
      return `at the end (${vars.join(' + ')}) % ${m.K} != ${e.c % m.K}`;
    case 3:
      return `at the end T0.r0 != ${e.c % m.K}`;
  }
}

/** Human-readable program text, for failure messages and the report. */
export function describe(m: GenModel): string {
  const vars = Array.from({ length: m.nVars }, (_, i) => `v${i}=${m.init[i] % m.K}`);
  const locks = Array.from({ length: m.nLocks }, (_, i) => `k${i}=free`);
  const lines = [
    `${m.noAssertions ? '(noAssertions) ' : ''}K=${m.K}  init: ${[...vars, ...locks].join(' ')}  locals r0=r1=0`,
  ];
  m.threads.forEach((ops, tid) => {
    lines.push(`T${tid}:`);
    ops.forEach((o, pc) => lines.push(`  #${pc} ${opText(m, o, ops.length)}`));
  });
  lines.push(`invariant: ${invText(m)}`);
  lines.push(`end: ${endText(m)}`);
  return lines.join('\n');
}

/** Watches the states a search visits (see `observer`). */
export interface Sink {
  observe: ((v: StateView) => void) | null;
  /** Told of every footprint a search asks for: the thread, its pc and locals, the shared state. */
  footprint?: ((tid: number, pc: number, s: unknown, l: unknown) => void) | null;
}

export const OBSERVE = 'observe';

export function buildStep(m: GenModel, tid: number, pc: number, o: GenOp, len: number): Step<S, L> {
  const n = norm(m, o, len);
  const label = `T${tid}#${pc} ${opText(m, o, len)}`;
  const name = `p${pc}`;
  const K = m.K;
  const v = n.v;
  switch (n.op) {
    case 'load':
      return load<L>(label, [v], (l, x) => ({ l: setLocal(l, n.r, x as number) }), name) as Step<S, L>;
    case 'storeC':
      return store<L>(label, [v], () => n.c, name) as Step<S, L>;
    case 'storeL':
      return store<L>(label, [v], (l) => (l[n.r] + n.c) % K, name) as Step<S, L>;
    case 'inc':
      return { label, name, footprint: () => rmw(v), run: (s) => ({ s: { ...s, [v]: (s[v] + 1) % K } }) };
    case 'lock':
      return step(label, spinLock<L>([n.k]), name) as Step<S, L>;
    case 'unlock':
      if (m.noAssertions)
        return {
          label,
          name,
          footprint: () => rmw(n.k),
          run: (s, _l, tid) => (s[n.k] === tid ? { s: { ...s, [n.k]: -1 } } : {}),
        };
      return step(label, spinUnlock<L>([n.k]), name) as Step<S, L>;
    case 'await':
      return awaitUntil<L>(label, [v], (x) => x === n.c, name) as Step<S, L>;
    case 'jmp': {
      const target = n.target === len ? 'exit' : `p${n.target}`;
      return local<L>(label, (l) => ((l[n.r] === n.c) === n.eq ? { goto: target } : {}), name) as Step<S, L>;
    }
    case 'local':
      return local<L>(label, (l) => ({ l: setLocal(l, n.r, (l[n.r] + n.c) % K) }), name) as Step<S, L>;
    case 'assert':
      return {
        label,
        name,
        footprint: () => reads(v),
        run: (s) =>
          s[v] === n.c ? { violation: { property: 'bad-value', message: `${v} == ${n.c} at ${label}` } } : {},
      };
    case 'cstore': {
      const holds = (s: S) => (s[v] === n.c) === n.eq;
      return {
        label,
        name,
        footprint: (s) => (holds(s) ? [...reads(v), ...writes(n.w)] : reads(v)),
        run: (s) => (holds(s) ? { s: { ...s, [n.w]: n.d } } : {}),
      };
    }
    case 'cload': {
      const holds = (s: S) => (s[v] === n.c) === n.eq;
      return {
        label,
        name,
        footprint: (s) => (holds(s) ? reads(v, n.w) : reads(v)),
        run: (s, l) => (holds(s) ? { l: setLocal(l, n.r, s[n.w]) } : {}),
      };
    }
    case 'istore': {
      const at = (s: S) => `v${s[v] % m.nVars}`;
      return {
        label,
        name,
        footprint: (s) => [...reads(v), ...writes(at(s))],
        run: (s) => ({ s: { ...s, [at(s)]: n.c } }),
      };
    }
    case 'iload': {
      const at = (s: S) => `v${s[v] % m.nVars}`;
      return {
        label,
        name,
        footprint: (s) => reads(v, at(s)),
        run: (s, l) => ({ l: setLocal(l, n.r, s[at(s)]) }),
      };
    }
    case 'lstore': {
      const holds = (l: L) => (l[n.r] === n.c) === n.eq;
      const d = o.t % K;
      return {
        label,
        name,
        footprint: (_s, l) => (holds(l) ? writes(v) : []),
        run: (s, l) => (holds(l) ? { s: { ...s, [v]: d } } : {}),
      };
    }
  }
}

/** The step, telling the sink of every footprint asked of it. */
function reporting(sink: Sink | undefined, tid: number, pc: number, st: Step<S, L>): Step<S, L> {
  if (sink === undefined) return st;
  const footprint = st.footprint;
  return { ...st, footprint: (s, l, t) => (sink.footprint?.(tid, pc, s, l), footprint(s, l, t)) };
}

/**
 * Build the instance. Properties: `inv` (if any), `end` (if any), the assertions `bad-value` and
 * `lock-misuse`, and an `observe` invariant that reads no shared location (so it never makes a
 * step visible and does not change the reduction) and reports every state it is shown to the sink.
 */
export function build(m: GenModel, sink?: Sink): Instance {
  const init: S = {};
  for (let i = 0; i < m.nVars; i++) init[`v${i}`] = m.init[i] % m.K;
  for (let i = 0; i < m.nLocks; i++) init[`k${i}`] = -1;
  const threads = m.threads.map((ops, tid) =>
    thread<S, L>(
      `T${tid}`,
      [0, 0],
      ops.map((o, pc) => reporting(sink, tid, pc, buildStep(m, tid, pc, o, ops.length))),
    ),
  );
  const props: Property[] = [];
  const inv = m.inv;
  if (inv.kind !== 0) {
    const a = `v${inv.a % m.nVars}`;
    const b = `v${inv.b % m.nVars}`;
    const c1 = inv.c1 % m.K;
    const c2 = inv.c2 % m.K;
    if (inv.kind === 1)
      props.push(invariant<S>('inv', invText(m), [a], (x) => (x.s[a] === c1 ? `${a} == ${c1}` : null)));
    else
      props.push(
        invariant<S>('inv', invText(m), [a, b], (x) =>
          x.s[a] === c1 && x.s[b] === c2 ? `${a} == ${c1} && ${b} == ${c2}` : null,
        ),
      );
  }
  const e = m.end;
  if (e.kind !== 0) {
    const a = `v${e.a % m.nVars}`;
    const c = e.c % m.K;
    const check = (x: StateView<S>): string | null => {
      if (e.kind === 1) return x.s[a] === c ? `${a} == ${c} at the end` : null;
      if (e.kind === 2) {
        let sum = 0;
        for (let i = 0; i < m.nVars; i++) sum += x.s[`v${i}`];
        return sum % m.K === c ? `sum == ${c} at the end` : null;
      }
      return (x.threads[0].l as L)[0] === c ? `T0.r0 == ${c} at the end` : null;
    };
    props.push(endState<S>('end', endText(m), check));
  }
  props.push(assertion('bad-value', 'an assert step saw the forbidden value'));
  props.push(assertion('lock-misuse', 'unlock of a lock the thread does not hold'));
  if (sink)
    props.push(
      invariant<S>(OBSERVE, 'records every visited state; never fails', [], (x) => {
        sink.observe?.(x);
        return null;
      }),
    );
  return program({ name: 'gen', init, threads, properties: props });
}

/** The pc of a thread in a view, from its `T<tid>#<pc>` label (`exit`: the step count). */
export function pcOf(m: GenModel, tid: number, at: string): number {
  if (at === 'exit') return m.threads[tid].length;
  const hash = at.indexOf('#');
  return Number(at.slice(hash + 1, at.indexOf(' ', hash)));
}
