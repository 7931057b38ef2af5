/** `mmcheck verify`: the CI mode — every shipped model and variant against its expectations. */
import { errorMessage } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import type { SearchResult } from '../explore/result.js';
import { renderJson } from '../report/json.js';
import { renderJunit } from '../report/junit.js';
import { runOk, type RunReport } from '../report/run.js';
import { verifyFooter, verifyTable } from '../report/verify.js';
import { lockOrder } from '../analysis/lock-order.js';
import { choosePalette, outputWidth, type Io } from './io.js';
import { registry } from './load.js';
import { limits, type SearchArgs } from './options.js';
import { verdicts } from '../explore/verdicts.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE, kindsOf, search, writeOutput } from './shared.js';

export interface VerifyArgs extends SearchArgs {
  readonly json?: boolean;
  readonly junit?: string;
  readonly color?: boolean;
  readonly 'lock-order'?: boolean;
  readonly verbose?: boolean;
  readonly width?: unknown;
}

/**
 * Exit code: 2 when some model cannot be built or throws, else 1 when some expectation is not
 * met or some search (or lock-order pass) is incomplete, else 0. Every model is checked and shown either way.
 */
export async function verifyCommand(a: VerifyArgs, io: Io): Promise<number> {
  const lim = limits(a);
  const runs: RunReport[] = [];
  const p = choosePalette(io, a.color !== false);
  const width = outputWidth(io, a.width);
  // Text rows are printed as each variant finishes (the table's widths are fixed up front).
  const variants = registry().flatMap((m) => Object.keys(m.variants));
  const view = a.json ? undefined : verifyTable(variants, { palette: p, width, verbose: a.verbose });
  if (view) io.out(view.header + '\n');
  for (const model of registry()) {
    for (const variant of Object.keys(model.variants)) {
      let result: SearchResult;
      let report: RunReport;
      try {
        const inst = instantiate(model, variant);
        result = search(io, inst, { ...lim, strategy: 'dfs', stopAtFirst: false });
        const lo = a['lock-order'] ? lockOrder(inst, lim) : undefined;
        report = {
          ctx: { model: model.name, variant, params: inst.params },
          result,
          verdicts: verdicts(inst, result),
          kinds: kindsOf(inst),
          ...(lo ? { lockOrder: lo } : {}),
        };
      } catch (e) {
        result = { kind: 'error', message: errorMessage(e), code: 'model-error' };
        report = { ctx: { model: model.name, variant, params: {} }, result, verdicts: [] };
      }
      runs.push(report);
      if (view) io.out(view.row(report) + '\n');
    }
  }
  if (a.junit) writeOutput(io, a.junit, renderJunit(runs), 'JUnit');
  const errors = runs.filter((r) => r.result.kind === 'error');
  const allOk = runs.every(runOk);
  if (a.json) io.out(renderJson('verify', runs));
  else io.out('\n' + verifyFooter(runs, p, width) + '\n');
  for (const r of errors)
    io.err(`mmcheck: error: ${r.ctx.model}/${r.ctx.variant}: ${r.result.kind === 'error' ? r.result.message : ''}\n`);
  return errors.length ? EXIT_USAGE : allOk ? EXIT_OK : EXIT_FAIL;
}
