/** `mmcheck replay`: run one schedule and show it. */
import { ModelError, errorMessage } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import { replay } from '../explore/replay.js';
import { System } from '../explore/system.js';
import { renderCounterexample, renderSwimlanes } from '../report/swimlanes.js';
import { choosePalette, reportWidth, type Io } from './io.js';
import { loadModel } from './load.js';
import { checkedProperties, parseParams } from './options.js';
import { EXIT_FAIL, EXIT_OK } from './shared.js';

export interface ReplayArgs {
  readonly model: string;
  readonly variant?: string;
  readonly param?: unknown;
  readonly schedule: string;
  readonly property?: unknown;
  readonly color?: boolean;
}

const ENDS = {
  terminal: 'every thread finished; no property violated',
  deadlock: 'no thread can move and some have not finished',
  unfinished: 'the schedule ran out with threads still runnable; no property violated so far',
} as const;

/** Exit code: 1 when the schedule ends in a violation (of a `--property` one, when given), 0 otherwise. */
export async function replayCommand(a: ReplayArgs, io: Io): Promise<number> {
  const params = parseParams(a.param);
  const { model, ref } = await loadModel(a.model, io.cwd);
  const inst = instantiate(model, a.variant, params);
  const ctx = { model: ref, variant: inst.variant, params: inst.params };
  const only = checkedProperties(inst, a.property);
  let sys: System;
  try {
    sys = new System(inst, only);
  } catch (e) {
    throw e instanceof ModelError ? e : new ModelError(errorMessage(e), 'internal');
  }
  const r = replay(sys, a.schedule);
  if (r.kind === 'error') throw new ModelError(r.message, r.code);
  const p = choosePalette(io, a.color !== false);
  const opts = { palette: p, width: reportWidth(io) };
  if (r.end === 'violation' && r.violation) {
    io.out(`${renderCounterexample(r.violation, ctx, opts)}\n${p.bold('ended:')} violation of ${r.violation.property} after ${r.trace.steps.length} steps\n`);
    return EXIT_FAIL;
  }
  io.out(`${renderSwimlanes(r.trace, opts)}\n\n${p.bold('ended:')} ${r.end} after ${r.trace.steps.length} steps — ${ENDS[r.end as keyof typeof ENDS]}\n`);
  return EXIT_OK;
}
