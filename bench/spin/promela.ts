/**
 * A small Promela emitter for translating mmcheck models step for step.
 *
 * Every mmcheck step becomes exactly one Promela transition: an `if` whose options are `d_step`
 * blocks, one per outcome of the step (its branches, with mutually exclusive conditions), each
 * followed by a `goto` to the next step's label (a goto is a jump in SPIN's automaton, not a
 * transition). A step's guard is the first expression of each d_step, so a blocked step is an
 * unexecutable statement, exactly as in mmcheck.
 *
 * Properties:
 *  - invariants are asserted at the end of every d_step that touches shared state (a step that
 *    touches only locals cannot change them), i.e. in every reachable state after the first;
 *  - end-state properties are asserted by `init` once every thread has finished (`ndone == NT`);
 *  - assertions (kernel BUGs) are asserted in the branch where the primitive would BUG;
 *  - deadlock freedom is SPIN's invalid end state: a finished thread blocks at an `end_` label,
 *    a blocked thread anywhere else.
 * Each assert names its property with a `hidden` (not stored) variable `P_<name>` that is always
 * 0: `assert(cond || P_name)`, so pan's message `assertion violated (...||P_name)` names it.
 */

export interface Branch {
  /** Condition (Promela expression) under which this outcome happens, besides the guard. */
  readonly when?: string;
  /** Promela statements, `;`-separated, run atomically. */
  readonly body?: string;
  /** Name of the next step; `exit` finishes the thread; omitted: the next step in the list. */
  readonly goto?: string;
  /** This outcome is a kernel BUG: the assertion property of that name is violated. */
  readonly bug?: string;
  /** An unchecked BUG (see `emit(m, only)`): the thread stops here without an assert. */
  readonly park?: boolean;
}

export interface PStep {
  /** The mmcheck step's label (emitted as a comment). */
  readonly label: string;
  readonly name?: string;
  /** Enabledness (Promela expression); omitted: always enabled. */
  readonly guard?: string;
  /** Touches no shared variable (no invariant check, SPIN may treat it as safe). */
  readonly local?: boolean;
  readonly branches: readonly Branch[];
}

export interface Proc {
  readonly name: string;
  /** Parameters (`byte first; byte second`): per-thread constants passed by `run`. */
  readonly params?: string;
  /** Local variable declarations (`byte f = 0`). */
  readonly locals: readonly string[];
  readonly steps: readonly PStep[];
}

export interface PropertyCheck {
  /** The mmcheck property name. */
  readonly name: string;
  /** Promela statements computing scratch values (init's locals) before the assert, if any. */
  readonly pre?: string;
  /** Holds (Promela expression). */
  readonly holds: string;
}

export interface PromelaModel {
  /** Header comment: what this translates and how. */
  readonly comment: string;
  readonly defines: readonly string[];
  readonly globals: readonly string[];
  /** Statements of the initial d_step (array initialisation). */
  readonly init: string;
  /** Scratch locals of init for end-state checks. */
  readonly initLocals?: readonly string[];
  /** Process instances, in thread-id order (tid = _pid - 1: init is pid 0). */
  readonly threads: readonly { readonly proc: string; readonly args?: string }[];
  readonly procs: readonly Proc[];
  readonly invariants: readonly PropertyCheck[];
  readonly ends: readonly PropertyCheck[];
  readonly assertions: readonly string[];
}

/** The Promela identifier of a property's marker variable. */
export const marker = (property: string) => `P_${property.replace(/[^A-Za-z0-9]/g, '_')}`;
const labelOf = (name: string) => `L_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const comment = (text: string) => `/* ${text.replace(/\*\//g, '* /')} */`;

const assertOf = (p: PropertyCheck) => `${p.pre ? p.pre + '; ' : ''}assert((${p.holds}) || ${marker(p.name)})`;

function branchText(st: PStep, b: Branch, last: boolean, hasInv: boolean): string {
  const cond = [st.guard, b.when]
    .filter((c): c is string => !!c && c !== 'true')
    .map((c) => `(${c})`)
    .join(' && ');
  const target = b.goto ?? (last ? 'exit' : undefined);
  const stmts: string[] = [];
  if (b.bug) stmts.push(`assert(${marker(b.bug)})`);
  else if (!b.park) {
    if (b.body) stmts.push(b.body);
    if (!st.local && hasInv) stmts.push('INV');
    if (target === 'exit') stmts.push('ndone++');
  }
  if (stmts.length === 0) stmts.push('skip');
  const inner = cond ? `${cond} -> ${stmts.join('; ')}` : stmts.join('; ');
  const jump =
    b.bug || b.park ? 'goto end_bug' : target === 'exit' ? 'goto end_exit' : b.goto ? `goto ${labelOf(b.goto)}` : '';
  return `d_step { ${inner} }${jump ? '; ' + jump : ''}`;
}

function procText(p: Proc, hasInv: boolean): string {
  const out: string[] = [`proctype ${p.name}(${p.params ?? ''}) {`];
  for (const l of p.locals) out.push(`  ${l};`);
  p.steps.forEach((st, i) => {
    out.push(`  ${comment(st.label)}`);
    const label = st.name ? `${labelOf(st.name)}: ` : '';
    // Without a goto, control falls through to the next step (or, after the last, exits).
    const texts = st.branches.map((b) => branchText(st, b, i === p.steps.length - 1, hasInv));
    // A label cannot sit on a d_step (a jump into it): named steps are always an `if`.
    if (texts.length === 1 && !label) out.push(`  ${texts[0]};`);
    else {
      out.push(`  ${label}if`);
      for (const t of texts) out.push(`  :: ${t}`);
      out.push('  fi;');
    }
  });
  out.push('end_exit: false;', 'end_bug: false', '}');
  return out.join('\n');
}

/** Keep only the checks of one property (cross-checks); a BUG of another still ends its thread. */
function restrict(m: PromelaModel, only: string): PromelaModel {
  return {
    ...m,
    invariants: m.invariants.filter((p) => p.name === only),
    ends: m.ends.filter((p) => p.name === only),
    assertions: m.assertions.filter((p) => p === only),
    procs: m.procs.map((p) => ({
      ...p,
      steps: p.steps.map((st) => ({
        ...st,
        branches: st.branches.map((b) => (b.bug && b.bug !== only ? { ...b, bug: undefined, park: true } : b)),
      })),
    })),
  };
}

/** The complete Promela text of a model (with `only`, of that property's checks alone). */
export function emit(full: PromelaModel, only?: string): string {
  const m = only ? restrict(full, only) : full;
  const props = [...m.invariants.map((p) => p.name), ...m.ends.map((p) => p.name), ...m.assertions];
  const hasInv = m.invariants.length > 0;
  const lines: string[] = [`/*\n${m.comment.trim()}\n*/`, ''];
  lines.push(
    ...m.defines.map((d) => `#define ${d}`),
    `#define NT ${m.threads.length}`,
    '#define TID (_pid - 1)',
    '#define BIT(t) (1 << (t))',
  );
  if (hasInv) lines.push(`#define INV ${m.invariants.map(assertOf).join('; ')}`);
  lines.push('', "/* property markers: never stored, always 0; they name the property in pan's messages */");
  for (const p of props) lines.push(`hidden byte ${marker(p)};`);
  lines.push('', ...m.globals.map((g) => `${g};`), 'byte ndone;', '');
  for (const p of m.procs) lines.push(procText(p, hasInv), '');
  lines.push('init {');
  for (const l of m.initLocals ?? []) lines.push(`  ${l};`);
  if (m.init.trim()) lines.push(`  d_step { ${m.init} };`);
  lines.push(`  atomic { ${m.threads.map((t) => `run ${t.proc}(${t.args ?? ''})`).join('; ')} };`);
  const ends = m.ends.map(assertOf).join('; ');
  lines.push(
    `  /* end-state properties, once every thread has finished (a deadlock blocks here: invalid end state) */`,
  );
  lines.push(`  d_step { ndone == NT -> ${ends || 'skip'} }`);
  lines.push('}', '');
  return lines.join('\n');
}
