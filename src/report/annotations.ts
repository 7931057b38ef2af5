/**
 * GitHub Actions workflow commands (`::error file=…,line=…::…`) for what a CI run must see:
 * violated properties, verdicts that differ from their expectation, incomplete runs, model
 * errors. Each points at the model file and, where it can be found, the line of the property
 * (or of the step the counterexample ended on).
 */
import { INCOMPLETE_REASONS } from './summary.js';
import { instanceName, replayCommand } from './format.js';
import type { RunReport } from './run.js';
import { mismatched, runStatus, type StatusPolicy } from './status.js';

/** Where a name (a property, a step label) is written in the model's source. */
export interface SourceLocator {
  readonly file: string;
  /** The 1-based line of the first occurrence of the name as a string literal, if any. */
  readonly lineOf: (name: string) => number | undefined;
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function annotation(
  level: 'error' | 'warning',
  where: { file?: string; line?: number },
  title: string,
  message: string,
): string {
  const props = [
    ...(where.file ? [`file=${escapeProperty(where.file)}`] : []),
    ...(where.line ? [`line=${where.line}`] : []),
    `title=${escapeProperty(title)}`,
  ];
  return `::${level} ${props.join(',')}::${escapeData(message)}`;
}

/** The annotations of a command's runs; `locate` finds a run's model source (undefined: no file). */
export function renderAnnotations(
  runs: readonly RunReport[],
  policy: StatusPolicy,
  locate: (r: RunReport) => SourceLocator | undefined,
): string[] {
  const out: string[] = [];
  for (const r of runs) {
    const status = runStatus(r, policy);
    if (status === 'ok') continue;
    const src = locate(r);
    const name = instanceName(r.ctx);
    const at = (...names: (string | undefined)[]) => {
      for (const n of names) {
        const line = n === undefined ? undefined : src?.lineOf(n);
        if (line) return { file: src?.file, line };
      }
      return { file: src?.file, line: src?.lineOf(r.ctx.model) };
    };
    const res = r.result;
    if (res.kind === 'error') {
      out.push(annotation('error', at(), `mmcheck: ${name}: model error`, res.message));
      continue;
    }
    for (const v of r.verdicts) {
      const unexpected = v.outcome === 'violated' && (policy.anyViolationFails || v.expected !== 'violated');
      if (v.outcome === 'violated' && unexpected && v.violation) {
        const steps = v.violation.trace.steps;
        const last = steps.length ? steps[steps.length - 1].label : undefined;
        const shortest = r.shortest?.[v.property] ?? v.violation;
        out.push(
          annotation(
            'error',
            at(v.property, last),
            `mmcheck: ${name}: ${v.property} violated${v.expected === 'violated' ? ' (expected)' : ''}`,
            `${v.violation.message}\nreplay: ${replayCommand(r.ctx, shortest.trace.schedule, v.property)}`,
          ),
        );
      } else if (mismatched(v))
        out.push(
          annotation(
            'error',
            at(v.property),
            `mmcheck: ${name}: ${v.property} ${v.outcome}, expected ${v.expected}`,
            `the model expects ${v.property} to be ${v.expected}; the complete search found it ${v.outcome}`,
          ),
        );
    }
    if (res.kind === 'incomplete') {
      const why = r.notRun
        ? `not run: ${INCOMPLETE_REASONS[r.notRun]} before it started`
        : INCOMPLETE_REASONS[res.reason];
      const unknown = r.verdicts.filter((v) => v.outcome === 'unknown').map((v) => v.property);
      out.push(
        annotation(
          'warning',
          at(),
          `mmcheck: ${name}: INCOMPLETE`,
          `${why}; not a proof${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
        ),
      );
    } else if (r.lockOrder && !r.lockOrder.complete)
      out.push(
        annotation(
          'warning',
          at(),
          `mmcheck: ${name}: lock order INCOMPLETE`,
          `lock-order pass: ${r.lockOrder.reason}`,
        ),
      );
  }
  return out;
}
