/** `mmcheck replay`: run one schedule and show it. */
import { ModelError, errorMessage } from '../core/errors.js';
import { DEADLOCK_FREE } from '../core/property.js';
import { instantiate } from '../core/instantiate.js';
import { NO_REDUCTIONS, withReductions } from '../lang/model.js';
import { replay } from '../explore/strategies/replay.js';
import { engineFor } from '../explore/explore.js';
import { System } from '../explore/system/system.js';
import type { TransitionSystem } from '../explore/system/transition.js';
import { VecSystem } from '../engine/system.js';
import { renderCounterexample, renderSwimlanes } from '../report/swimlanes.js';
import { wrapIndented } from '../report/wrap.js';
import { choosePalette, outputWidth, type Io } from './io.js';
import { renderMail } from '../report/mail.js';
import { writeTraceFiles } from './trace-files.js';
import { loadModel } from './load.js';
import { checkedProperties, engineChoice, parseParams } from './options.js';
import { renderReplayJson } from '../report/json.js';
import { checkOutputs, emitJson, jsonOnStdout, type OutputArgs } from './outputs.js';
import { EXIT_FAIL, EXIT_OK } from './shared.js';

export interface ReplayArgs extends OutputArgs {
  readonly model: string;
  readonly variant?: string;
  readonly param?: unknown;
  readonly schedule: string;
  readonly property?: unknown;
  readonly color?: boolean;
  readonly width?: unknown;
  /** The model-language compiler's reductions (`--no-reductions`: off, as the run that found the schedule). */
  readonly reductions?: boolean;
  /** `compiled` (or `auto` on a model-language model): run the schedule on state vectors (the trace is still printed by the reference engine). */
  readonly engine?: string;
}

const ENDS = {
  terminal: 'every thread finished; no property violated',
  deadlock: `no thread can move and some have not finished (${DEADLOCK_FREE} is not among the checked properties)`,
  bug: 'a BUG ends the execution; its property is not among the checked ones, none of which was violated',
  unfinished: 'the schedule ran out with threads still runnable; no property violated so far',
} as const;

/**
 * Exit code: 1 when the schedule ends in a violation of a checked property (every property, or
 * the `--property` ones) — a deadlock when deadlock-free is checked is one — as `check` exits 1
 * on a violation; 0 otherwise.
 */
export async function replayCommand(a: ReplayArgs, io: Io): Promise<number> {
  const params = parseParams(a.param);
  checkOutputs(io, a);
  const { model, ref } = await loadModel(a.model, io.cwd);
  const noReductions = a.reductions === false;
  const inst = instantiate(noReductions ? withReductions(model, NO_REDUCTIONS) : model, a.variant, params);
  const ctx = { model: ref, variant: inst.variant, params: inst.params, noReductions };
  const only = checkedProperties(inst, a.property);
  let sys: TransitionSystem<unknown>;
  try {
    sys = engineFor(inst, engineChoice(a.engine)) === 'compiled' ? new VecSystem(inst, only) : new System(inst, only);
  } catch (e) {
    throw e instanceof ModelError ? e : new ModelError(errorMessage(e), 'internal');
  }
  const r = replay(sys, a.schedule);
  if (r.kind === 'error') throw new ModelError(r.message, r.code);
  const violated = r.end === 'violation' && r.violation !== undefined;
  const violations = r.end === 'violation' && r.violation ? [r.violation] : [];
  writeTraceFiles(io, a, { ctx, inst, violations, summary: `replay of ${a.schedule}` });
  emitJson(
    io,
    a,
    renderReplayJson({
      ctx,
      schedule: a.schedule,
      end: r.end === 'violation' && !r.violation ? 'unfinished' : r.end,
      skipped: r.skipped,
      trace: r.trace,
      ...(violated ? { violation: r.violation } : {}),
      ...(r.end === 'deadlock' && r.blocked ? { detail: r.blocked } : {}),
      ...(r.end === 'bug' && r.bug ? { detail: `BUG: ${r.bug.property}: ${r.bug.message}` } : {}),
      exitCode: violated ? EXIT_FAIL : EXIT_OK,
    }),
  );
  if (jsonOnStdout(a)) return violated ? EXIT_FAIL : EXIT_OK;
  const p = choosePalette(io, a.color !== false);
  const opts = { palette: p, width: outputWidth(io, a.width), inst };
  const n = r.trace.steps.length;
  const skipped =
    r.skipped > 0
      ? `\n${p.dim(`  the last ${r.skipped} step${r.skipped === 1 ? '' : 's'} of the schedule ${r.skipped === 1 ? 'was' : 'were'} not run: the execution stopped after step ${n}`)}`
      : '';
  if (r.end === 'violation' && r.violation) {
    if (a.format === 'mail') {
      io.out(renderMail(r.violation, ctx, inst) + '\n');
      return EXIT_FAIL;
    }
    const ended = `${p.bold('ended:')} violation of ${r.violation.property} after ${n} steps${skipped}`;
    io.out(`${renderCounterexample(r.violation, ctx, opts)}\n${wrapIndented(ended, opts.width)}\n`);
    return EXIT_FAIL;
  }
  const detail =
    r.end === 'deadlock'
      ? `\n  ${r.blocked}`
      : r.end === 'bug' && r.bug
        ? `\n  BUG: ${r.bug.property}: ${r.bug.message}`
        : '';
  const what = r.end === 'bug' && r.bug ? `BUG of ${r.bug.property} (not checked)` : r.end;
  const ended = `${p.bold('ended:')} ${what} after ${n} steps — ${ENDS[r.end as keyof typeof ENDS]}${detail}${skipped}`;
  io.out(`${renderSwimlanes(r.trace, opts)}\n\n${wrapIndented(ended, opts.width)}\n`);
  return EXIT_OK;
}
