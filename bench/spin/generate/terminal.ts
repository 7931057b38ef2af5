/**
 * End-state properties too large to compile into Promela are checked on the terminal states
 * SPIN reached: the generated init appends each terminal state's slots to a file (emit.ts,
 * TERMINAL_FILE), and here each line is decoded to the StateView mmcheck gives the property
 * (the shared state, each thread's done / at / locals from its control state) and checked.
 */
import { verdictOf, type Property, type StateView } from '../../../src/core/property.js';
import { Encoding } from '../../../src/engine/encoding.js';
import type { Machine } from './machine.js';

/** The dumped properties violated in some terminal state listed in `text` (one line per state). */
export function checkTerminalStates(m: Machine, props: readonly Property[], text: string): string[] {
  const enc = new Encoding(m.layout);
  const F = m.fields.length;
  const violated = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const xs = line.trim().split(/\s+/).map(Number);
    if (xs.length !== F + m.threads.length || xs.some((x) => !Number.isInteger(x)))
      throw new Error(`terminal state line '${line.slice(0, 80)}': expected ${F + m.threads.length} integers`);
    const view: StateView = {
      s: enc.shared(Int32Array.from(xs.slice(0, F))),
      threads: m.threads.map((t, i) => {
        const cs = t.states[xs[F + i]];
        return { name: t.name, done: cs.pc >= t.steps.length, at: t.steps[cs.pc]?.label ?? 'exit', l: cs.l };
      }),
    };
    for (const p of props) if (verdictOf(m.inst.model.name, p, view) !== null) violated.add(p.name);
  }
  return [...violated];
}
