/**
 * Promela text of a machine (machine.ts): one global per field slot and one control-state
 * global per thread; one proctype per thread, a `do` loop with one guarded `d_step` per
 * (control state, outcome) of its step; properties as asserts (src/bench/spin/generate/index.ts
 * documents the whole scheme).
 */
import { DEADLOCK_FREE, type Property } from '../../../src/core/property.js';
import type { Leaf } from './branch.js';
import { conditions, treeOf, type Slots } from './expr.js';
import type { Machine, Outcome, ThreadMachine } from './machine.js';
import type { Verdict } from './view.js';

/** The marker of a property (a `hidden` variable, always 0): pan's assert message names it. */
export const marker = (property: string) => `P_${property.replace(/[^A-Za-z0-9]/g, '_')}`;
/** The pseudo-property of a step or check that throws (a model error in mmcheck). */
export const MODEL_ERROR = 'model-error';

const ident = (s: string) => s.replace(/\[(\d+)\]/g, '_$1').replace(/[^A-Za-z0-9_]/g, '_');
const comment = (text: string) => `/* ${text.replace(/\*\//g, '* /').replace(/\n/g, ' ')} */`;

function typeOf(values: readonly number[]): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  if (lo >= 0 && hi <= 255) return 'byte';
  if (lo >= -32768 && hi <= 32767) return 'short';
  return 'int';
}

/**
 * Embedded C that appends the terminal state (every global slot) to TERMINAL_FILE, for the
 * end-state properties checked after the search (their names: see the header).
 */
function dumpCode(names: readonly string[]): string {
  const fmt = names.map(() => '%d').join(' ');
  const args = names.map((n) => `now.${n}`).join(', ');
  return `c_code { FILE *mm_f = fopen("${TERMINAL_FILE}", "a"); if (mm_f) { fprintf(mm_f, "${fmt}\\n", ${args}); fclose(mm_f); } }`;
}

/** An invariant: its asserts (a macro) and the slots it reads. */
interface Invariant {
  readonly macro: string;
  readonly asserts: readonly string[];
  readonly reads: ReadonlySet<number>;
}

export interface Compiled {
  readonly m: Machine;
  /** Per property in scope, the leaves of its check (invariants and end-state properties). */
  readonly checks: ReadonlyMap<Property, readonly Leaf<Verdict>[]>;
  /** The property the text is restricted to (a cross-check), if any. */
  readonly only?: string;
  /**
   * End-state properties too large to compile (more outcomes than the enumeration bound): each
   * terminal state is appended to TERMINAL_FILE by embedded C, and checked afterwards (terminal.ts).
   */
  readonly dumped: readonly Property[];
}

/** The file pan appends terminal states to (one line of slot values each) when some end-state property is dumped. */
export const TERMINAL_FILE = 'terminal-states.txt';

/** Names of the slots: fields by their layout path, threads' control states `cs_<thread>`. */
function slotNames(m: Machine): Slots & { readonly all: readonly string[]; kind(slot: number): string } {
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const all = [...m.fields.map((r) => unique(ident(r.name))), ...m.threads.map((t) => unique(`cs_${ident(t.name)}`))];
  return {
    all,
    name: (slot) => all[slot],
    values: (slot) => m.values[slot],
    kind: (slot) => (slot < m.fields.length ? m.fields[slot].domain.kind : 'values'),
  };
}

export function emitPromela(c: Compiled, header: string): string {
  const { m } = c;
  const slots = slotNames(m);
  const F = m.fields.length;
  const inScope = (p: string) => c.only === undefined || c.only === p;
  const props = m.inst.properties.filter((p) => inScope(p.name));
  const running = m.threads.filter((t) => t.firstDone > 0);
  const csName = (t: ThreadMachine) => slots.name(F + t.tid);
  const stop = (t: ThreadMachine) => t.states.length;
  const out: string[] = [`/*\n${header.trim().replace(/\*\//g, '* /')}\n*/`, ''];

  // Properties: invariants (after every step that writes what they read), end-state properties (END).
  const assertsOf = (p: Property, leaves: readonly Leaf<Verdict>[]) => {
    const conds = conditions(treeOf(leaves, `property '${p.name}'`), (v) => v, slots);
    const bad = conds.get('violated') ?? 'false';
    const err = conds.get('error') ?? 'false';
    return [
      ...(bad === 'false' ? [] : [`assert(${marker(p.name)} || !(${bad}))`]),
      ...(err === 'false' ? [] : [`assert(${marker(MODEL_ERROR)} || !(${err}))`]),
    ];
  };
  const invariants: Invariant[] = [...c.checks]
    .filter(([p]) => p.kind === 'invariant')
    .map(([p, leaves]) => ({
      macro: `INV_${ident(p.name)}`,
      asserts: assertsOf(p, leaves),
      reads: new Set(leaves.flatMap((lf) => lf.reads.map(([slot]) => slot))),
    }))
    .filter((x) => x.asserts.length > 0);
  const ends = [...c.checks].filter(([p]) => p.kind === 'end').flatMap(([p, leaves]) => assertsOf(p, leaves));
  const macro = (name: string, stmts: readonly string[]) =>
    `#define ${name} ${stmts.length ? stmts.join('; \\\n  ') : 'skip'}`;
  for (const x of invariants)
    out.push(
      comment(`${x.macro}: asserted after every step that writes a variable it reads`),
      macro(x.macro, x.asserts),
    );
  out.push(
    comment('END: the end-state properties, asserted once every thread has finished'),
    macro('END', [...ends, ...(c.dumped.length ? [dumpCode(slots.all)] : [])]),
    comment("STOP: a BUG ends the execution (as in mmcheck): every thread's control state to its stop value"),
    macro(
      'STOP',
      running.map((t) => `${csName(t)} = ${stop(t)}`),
    ),
    '',
    comment("property markers: never stored, always 0; an assert's message names its property"),
    ...[...props.map((p) => p.name), MODEL_ERROR].map((p) => `hidden byte ${marker(p)};`),
    '',
    comment("shared state: one global per field of the layout, as the engine's Int32 encoding"),
  );
  m.fields.forEach((r, i) => {
    const d = r.domain;
    const meaning =
      d.kind === 'values'
        ? m.values[i].map((x) => `${x} = ${JSON.stringify(d.values[x])}`).join(', ')
        : `${d.kind}, values ${m.values[i].join(', ')}`;
    out.push(`${typeOf(m.values[i])} ${slots.name(i)} = ${m.init[i]}; ${comment(`${r.name}: ${meaning}`)}`);
  });
  out.push('', comment('control states (see each proctype); a thread at its stop value has been stopped by a BUG'));
  for (const t of m.threads)
    out.push(
      `${typeOf([0, stop(t)])} ${csName(t)} = ${t.initial}; ${comment(`${t.name}: running 0..${t.firstDone - 1}, finished ${t.firstDone}..${t.states.length - 1}, stopped ${stop(t)}`)}`,
    );
  out.push('');
  for (const t of running) out.push(...procText(t, csName(t), slots, inScope, invariants, F + t.tid), '');
  out.push(...initText(running, csName, stop, inScope(DEADLOCK_FREE), invariants));
  return out.join('\n') + '\n';
}

const describe = (t: ThreadMachine, i: number): string => {
  const cs = t.states[i];
  const label = t.steps[cs.pc]?.label ?? 'exit';
  return `cs ${i}: ${cs.pc < t.steps.length ? `pc ${cs.pc} '${label}'` : 'finished'}, locals ${JSON.stringify(cs.l)}`;
};

/** A write as Promela: relative to the value read where the domain suggests it (x + 1, x | 4, x & ~4). */
function writeText(x: string, v: number, read: number | undefined, kind: string): string {
  if (read === undefined || kind === 'values' || kind === 'tid') return `${x} = ${v}`;
  if (kind === 'mask') {
    if ((read & ~v) === 0) return `${x} = ${x} | ${v & ~read}`;
    if ((v & ~read) === 0) return `${x} = ${x} & ~${read & ~v}`;
    return `${x} = ${v}`;
  }
  return v > read ? `${x} = ${x} + ${v - read}` : `${x} = ${x} - ${read - v}`;
}

/** A leaf's outcome as the Promela it runs (leaves with the same text are one option). */
function outcomeText(
  lf: Leaf<Outcome>,
  i: number,
  t: ThreadMachine,
  cs: string,
  slots: Slots & { kind(slot: number): string },
  inScope: (p: string) => boolean,
  invariants: readonly Invariant[],
  csSlot: number,
): { body: string; goto: string } | undefined {
  const o = lf.result;
  if (o.kind === 'blocked') return undefined;
  if (o.kind === 'go') {
    const read = new Map(lf.reads);
    const stmts = o.writes.map(([slot, v]) => writeText(slots.name(slot), v, read.get(slot), slots.kind(slot)));
    if (o.next !== i) stmts.push(`${cs} = ${o.next}`);
    const written = new Set(o.writes.map(([slot]) => slot));
    if (o.next !== i) written.add(csSlot);
    for (const x of invariants) if ([...written].some((slot) => x.reads.has(slot))) stmts.push(x.macro);
    const done = o.next >= t.firstDone;
    return { body: stmts.join('; ') || 'skip', goto: done ? 'end_done' : `end_c${o.next}` };
  }
  if (o.kind === 'bug')
    return {
      body: `${inScope(o.property) ? `assert(${marker(o.property)}); ` : ''}STOP ${comment(`BUG: ${o.message}`)}`,
      goto: 'end_done',
    };
  return { body: `assert(${marker(MODEL_ERROR)}); STOP ${comment(`model error: ${o.message}`)}`, goto: 'end_done' };
}

/**
 * A thread: one labelled `if` per unfinished control state, one option per outcome of its step,
 * each a `d_step` guarded by the outcome's condition and followed by a jump to the next control
 * state (a jump is an edge of SPIN's automaton, not a transition). Every label is an end label:
 * a blocked thread is a valid end state, and init's `timeout` decides deadlock.
 */
function procText(
  t: ThreadMachine,
  cs: string,
  slots: Slots & { kind(slot: number): string },
  inScope: (p: string) => boolean,
  invariants: readonly Invariant[],
  csSlot: number,
): string[] {
  const out = [comment(`thread ${t.name} (tid ${t.tid}): ${t.steps.length} steps, ${t.states.length} control states`)];
  out.push(`proctype p_${ident(t.name)}() {`);
  t.leaves.forEach((leaves, i) => {
    out.push(`  ${comment(describe(t, i))}`, `end_c${i}:`);
    const tree = treeOf(leaves, `thread '${t.name}' step '${t.steps[t.states[i].pc].label}'`);
    const texts = leaves.map((lf) => outcomeText(lf, i, t, cs, slots, inScope, invariants, csSlot));
    const keyOf = (x: { body: string; goto: string } | undefined) => (x ? `${x.body}\n${x.goto}` : '');
    const byLeaf = new Map(leaves.map((lf, k) => [lf.result, keyOf(texts[k])]));
    const conds = conditions(tree, (r) => byLeaf.get(r)!, slots);
    const groups = new Map<string, { body: string; goto: string }>();
    texts.forEach((x) => x && groups.set(keyOf(x), x));
    if (groups.size === 0) {
      out.push(`  false; ${comment('never enabled')}`);
      return;
    }
    out.push('  if');
    for (const [key, x] of groups) {
      const cond = conds.get(key)!;
      const guard = cond === 'true' ? `${cs} == ${i}` : `${cs} == ${i} && (${cond})`;
      out.push(`  :: d_step { ${guard} -> ${x.body} }; goto ${x.goto}`);
    }
    out.push('  fi;');
  });
  out.push('end_done:', '  false', '}');
  return out;
}

function initText(
  running: readonly ThreadMachine[],
  csName: (t: ThreadMachine) => string,
  stop: (t: ThreadMachine) => number,
  deadlock: boolean,
  invariants: readonly Invariant[],
): string[] {
  const allDone = running.map((t) => `${csName(t)} >= ${t.firstDone}`).join(' && ') || 'true';
  const stopped = running.length ? `${csName(running[0])} == ${stop(running[0])}` : 'false';
  return [
    'init {',
    `  atomic { ${invariants.map((x) => `${x.macro}; `).join('')}${running.map((t) => `run p_${ident(t.name)}()`).join('; ')} };`,
    `  ${comment('no thread can move (timeout): stopped by a BUG, finished (end-state properties) or a deadlock')}`,
    'end_init:',
    '  atomic {',
    '    timeout ->',
    '    if',
    `    :: ${stopped} -> skip`,
    `    :: else -> if :: ${allDone} -> END :: else -> ${deadlock ? `assert(${marker(DEADLOCK_FREE)})` : 'skip'} fi`,
    '    fi',
    '  }',
    '}',
  ];
}
