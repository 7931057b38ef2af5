import type { Instance } from '../../core/instantiate.js';
import { ModelError } from '../../core/errors.js';
import { System } from './system.js';

/** The work one kernel path does when it runs alone: lock acquisitions and atomic RMWs. */
export interface PathCost {
  readonly steps: number;
  readonly locks: number;
  readonly atomics: number;
}

const MAX_SOLO_STEPS = 10_000;

/**
 * Run one thread alone from the initial state (no other thread moves) and count its steps by
 * the cost their primitives declare. Releases are not counted. Throws ModelError if the thread
 * blocks or does not finish: a solo path must be able to complete.
 */
export function soloCost(inst: Instance, threadName: string): PathCost {
  const sys = new System(inst, []);
  const tid = sys.names.indexOf(threadName);
  if (tid < 0) throw new ModelError(`model '${inst.model.name}' has no thread '${threadName}' to cost`, 'bad-model');
  let g = sys.initial();
  let steps = 0;
  let locks = 0;
  let atomics = 0;
  while (!sys.isDone(g, tid)) {
    if (!sys.enabled(g, tid) || steps >= MAX_SOLO_STEPS)
      throw new ModelError(
        `thread '${threadName}' of '${inst.model.name}' cannot finish alone (at '${sys.label(g, tid)}')`,
        'bad-model',
      );
    const cost = sys.stepCost(g, tid);
    if (cost === 'lock') locks++;
    else if (cost === 'atomic') atomics++;
    g = sys.exec(g, tid).g;
    steps++;
  }
  return { steps, locks, atomics };
}
