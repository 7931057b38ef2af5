/** Small step builders over a flat shared state `{ [name]: value }` for hand-written tests. */
import { reads, rmw } from '../../src/core/access.js';
import { canonical } from '../../src/core/fingerprint.js';
import type { Instance } from '../../src/core/instantiate.js';
import { awaitUntil, load, local, store } from '../../src/core/ops.js';
import { step, type Step } from '../../src/core/step.js';
import { parseSchedule } from '../../src/explore/results/schedule.js';
import { System } from '../../src/explore/system/system.js';
import { spinLock, spinUnlock } from '../../src/kernel/spinlock.js';

type S = Record<string, number>;

export const put = (v: string, c: number, name?: string): Step => store(`${v} = ${c}`, [v], () => c, name);
export const inc = (v: string, name?: string): Step => ({
  label: `${v}++`,
  name,
  footprint: () => rmw(v),
  run: (s: S) => ({ s: { ...s, [v]: s[v] + 1 } }),
});
export const lock = (k: string): Step => step(`lock ${k}`, spinLock([k]));
export const unlock = (k: string): Step => step(`unlock ${k}`, spinUnlock([k]));
export const waitFor = (v: string, c: number): Step => awaitUntil(`await ${v} == ${c}`, [v], (x) => x === c);
/** `r = v` into locals `{ r }`. */
export const read = (v: string, name?: string): Step =>
  load(`r = ${v}`, [v], (l: any, x) => ({ l: { ...l, r: x } }), name);
/** `v = r` from locals `{ r }`. */
export const write = (v: string): Step => store(`${v} = r`, [v], (l: any) => l.r);
export const ifGoto = (label: string, cond: (l: any) => boolean, target: string): Step =>
  local(label, (l) => (cond(l) ? { goto: target } : {}));
export const check = (v: string, bad: number, property = 'bad-value'): Step => ({
  label: `assert ${v} != ${bad}`,
  footprint: () => reads(v),
  run: (s: S) => (s[v] === bad ? { violation: { property, message: `${v} == ${bad}` } } : {}),
});

/** Canonical text of the state a schedule leads to (thread pcs, locals and shared state). */
export function stateAfter(inst: Instance, schedule: string): string {
  const sys = new System(inst);
  let g = sys.initial();
  for (const tid of parseSchedule(schedule, sys.n)) g = sys.exec(g, tid).g;
  return canonical(g);
}

/** Preemptions of a schedule: switches away from a thread that could have continued. */
export function preemptions(inst: Instance, schedule: string): number {
  const sys = new System(inst);
  let g = sys.initial();
  let last = -1;
  let n = 0;
  for (const tid of parseSchedule(schedule, sys.n)) {
    if (last >= 0 && tid !== last && sys.enabled(g, last)) n++;
    g = sys.exec(g, tid).g;
    last = tid;
  }
  return n;
}
