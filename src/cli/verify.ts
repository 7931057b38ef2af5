/** `mmcheck verify`: the CI mode — every shipped model and variant against its expectations. */
import { errorMessage } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import type { SearchResult } from '../explore/results/result.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import type { RunReport } from '../report/run.js';
import { exitCodeOf, overallStatus, runStatus } from '../report/status.js';
import { annotate, modelFile } from './annotate.js';
import { exhausted, lockOrderLimits } from './control.js';
import { checkOutputs, emitJson, jsonOnStdout, type OutputArgs } from './outputs.js';
import { verifyFooter, verifyTable } from '../report/verify.js';
import { lockOrder } from '../analysis/lock-order.js';
import { choosePalette, outputWidth, type Io } from './io.js';
import { registry } from './load.js';
import type { SearchArgs } from './options.js';
import { verdicts } from '../explore/results/verdicts.js';
import { kindsOf, notRunReport, search, session, VARIANT_SEARCH, withFile, writeOutput } from './shared.js';

/** `verify` judges each variant against its expectations: an expected violation is no failure. */
const POLICY = { anyViolationFails: false } as const;

export interface VerifyArgs extends SearchArgs, OutputArgs {
  readonly color?: boolean;
  readonly 'lock-order'?: boolean;
  readonly verbose?: boolean;
  readonly width?: unknown;
}

/**
 * Exit code: 2 when some model cannot be built or throws, else 1 when some verdict differs from
 * its expectation, else 3 when some search (or lock-order pass) is incomplete or was not reached
 * (`--time-limit` is for the whole run; Ctrl-C), else 0. Every model is shown either way.
 */
export function verifyCommand(a: VerifyArgs, io: Io): Promise<number> {
  return Promise.resolve().then(() => verifyAll(a, io));
}

function verifyAll(a: VerifyArgs, io: Io): number {
  const s = session(io, a);
  checkOutputs(io, a);
  const runs: RunReport[] = [];
  const total = registry().reduce((n, m) => n + Object.keys(m.variants).length, 0);
  const p = choosePalette(io, a.color !== false);
  const width = outputWidth(io, a.width);
  // Text rows are printed as each variant finishes (the table's widths are fixed up front).
  const variants = registry().flatMap((m) => Object.keys(m.variants));
  const view = jsonOnStdout(a) ? undefined : verifyTable(variants, { palette: p, width, verbose: a.verbose });
  if (view) io.out(view.header + '\n');
  const emit = (report: RunReport) => {
    runs.push(report);
    if (!view) return;
    s.progress.clear();
    io.out(view.row(report) + '\n');
  };
  for (const model of registry()) {
    for (const variant of Object.keys(model.variants)) {
      s.progress.step(`verify: ${runs.length} of ${total} variants done; next ${model.name}/${variant}`);
      let result: SearchResult;
      let report: RunReport;
      try {
        const inst = instantiate(model, variant);
        const late = exhausted(s.control);
        if (late) {
          report = {
            ...notRunReport({ model: model.name, variant, params: inst.params }, inst, late, VARIANT_SEARCH),
            ...withFile(modelFile(io, model.name)),
          };
          emit(report);
          continue;
        }
        result = search(s, inst, { strategy: VARIANT_SEARCH, stopAtFirst: false });
        const lo = a['lock-order'] ? lockOrder(inst, lockOrderLimits(s.control)) : undefined;
        report = {
          ctx: { model: model.name, variant, params: inst.params },
          result,
          verdicts: verdicts(inst, result),
          kinds: kindsOf(inst),
          ...(lo ? { lockOrder: lo } : {}),
          ...withFile(modelFile(io, model.name)),
        };
      } catch (e) {
        result = { kind: 'error', message: errorMessage(e), code: 'model-error' };
        report = {
          ctx: { model: model.name, variant, params: {} },
          result,
          verdicts: [],
          ...withFile(modelFile(io, model.name)),
        };
      }
      emit(report);
    }
  }
  s.progress.clear();
  if (a.junit) writeOutput(io, a.junit, renderJunit(runs), 'JUnit');
  const errors = runs.filter((r) => r.result.kind === 'error');
  emitJson(io, a, renderJson('verify', runs, POLICY));
  if (view) io.out('\n' + verifyFooter(runs, p, width) + '\n');
  annotate(io, runs, POLICY, jsonOnStdout(a));
  for (const r of errors)
    io.err(`mmcheck: error: ${r.ctx.model}/${r.ctx.variant}: ${r.result.kind === 'error' ? r.result.message : ''}\n`);
  return exitCodeOf(overallStatus(runs.map((r) => runStatus(r, POLICY))));
}
