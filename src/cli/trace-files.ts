/** `--itf FILE` and `--html FILE` for check and replay: the counterexamples written to files. */
import type { Instance } from '../core/instantiate.js';
import type { Violation } from '../explore/results/result.js';
import type { PropertyVerdict } from '../explore/results/verdicts.js';
import type { RunContext } from '../report/format.js';
import { renderHtml } from '../report/html.js';
import { renderItf } from '../report/itf.js';
import type { Io } from './io.js';
import { writeOutput } from './shared.js';

export interface TraceFiles {
  readonly ctx: RunContext;
  readonly inst: Instance;
  /** The counterexamples to write, the one for --itf first. */
  readonly violations: readonly Violation[];
  readonly verdicts?: readonly PropertyVerdict[];
  /** The verdict line, for the HTML page's heading. */
  readonly summary: string;
}

export function writeTraceFiles(io: Io, a: { readonly itf?: string; readonly html?: string }, t: TraceFiles): void {
  if (a.itf !== undefined) {
    if (t.violations.length > 0) writeOutput(io, a.itf, renderItf(t.violations[0], t.ctx, t.inst), 'ITF');
    else io.err(`mmcheck: no counterexample: the ITF file '${a.itf}' was not written\n`);
  }
  if (a.html !== undefined)
    writeOutput(
      io,
      a.html,
      renderHtml({
        title: `mmcheck: ${t.summary.split('\n')[0].replace(/\s+/g, ' ')}`,
        ...(t.verdicts ? { verdicts: t.verdicts } : {}),
        counterexamples: t.violations.map((v) => ({ violation: v, ctx: t.ctx, inst: t.inst })),
      }),
      'HTML',
    );
}
