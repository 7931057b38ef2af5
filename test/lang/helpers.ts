/** A one-variant language model around a fixed program, instantiated with chosen reductions. */
import type { Instance } from '../../src/core/instantiate.js';
import { System, type GState } from '../../src/explore/system/system.js';
import type { Verdict } from '../../src/core/model.js';
import {
  ALL_REDUCTIONS,
  defineModel,
  instantiateWith,
  type LangProgram,
  type Reductions,
} from '../../src/lang/index.js';

export function langProgram(
  build: () => LangProgram,
  red: Reductions = ALL_REDUCTIONS,
  expect: Readonly<Record<string, Verdict>> = {},
): Instance {
  const model = defineModel({
    name: 'test',
    title: 'test',
    story: 'test program',
    params: {},
    options: {},
    variants: { default: { doc: 'the only variant', options: {}, expect } },
    build,
  });
  return instantiateWith(model, red);
}

/** Reachable and terminal shared states, by a plain breadth-first walk over the system. */
export function sharedStates(inst: Instance): { reach: Set<string>; terminal: Set<string>; deadlock: boolean } {
  const sys = new System(inst, undefined, { symmetry: false });
  const key = (g: GState) => JSON.stringify([g.s, g.t.map((t): unknown[] => [t.pc, t.l])]);
  const seen = new Set<string>();
  const reach = new Set<string>();
  const terminal = new Set<string>();
  let deadlock = false;
  const queue = [sys.initial()];
  seen.add(key(queue[0]));
  while (queue.length) {
    const g = queue.shift()!;
    reach.add(JSON.stringify(g.s));
    const en = sys.enabledMask(g);
    if (sys.doneMask(g) === sys.allDone) terminal.add(JSON.stringify(g.s));
    else if (en === 0) deadlock = true;
    for (let t = 0; t < sys.n; t++) {
      if (!(en & (1 << t))) continue;
      const e = sys.exec(g, t);
      if (e.violation) continue;
      const k = key(e.g);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(e.g);
      }
    }
  }
  return { reach, terminal, deadlock };
}
