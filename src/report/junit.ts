/**
 * JUnit XML for CI: one <testsuite> per model, one <testcase> per (variant, property). A case
 * fails when the outcome differs from the model's expectation; a search that failed with a
 * model error is an <error>; with --lock-order, the pass is one more case (failing when cut short).
 */
import { replayCommand } from './format.js';
import { meetsExpectation, type PropertyVerdict } from '../explore/verdicts.js';
import type { RunReport } from './run.js';
import { INCOMPLETE_REASONS } from './summary.js';

/** Escape text for XML content and attribute values; drops characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly time: number;
  readonly failure?: { readonly message: string; readonly body: string };
  readonly error?: { readonly message: string };
}

function cases(r: RunReport): Case[] {
  const res = r.result;
  const n = Math.max(1, r.verdicts.length);
  const time = res.kind === 'error' ? 0 : res.stats.timeMs / 1000 / n;
  const classname = `mmcheck.${r.ctx.model}.${r.ctx.variant}`;
  if (res.kind === 'error' && r.verdicts.length === 0)
    return [{ name: `${r.ctx.variant} › (build)`, classname, time, error: { message: res.message } }];
  return [...r.verdicts.map((v) => verdictCase(r, v, classname, time)), ...lockOrderCase(r, classname)];
}

/** With `--lock-order`, the pass is a case of its own: cut short by a limit, it fails (like an incomplete search). */
function lockOrderCase(r: RunReport, classname: string): Case[] {
  const lo = r.lockOrder;
  if (!lo) return [];
  const name = `${r.ctx.variant} › lock-order`;
  const time = lo.timeMs / 1000;
  if (lo.complete) return [{ name, classname, time }];
  return [
    {
      name,
      classname,
      time,
      failure: { message: `lock-order pass incomplete (${lo.reason} reached after ${lo.states} states)`, body: '' },
    },
  ];
}

function verdictCase(r: RunReport, v: PropertyVerdict, classname: string, time: number): Case {
  const res = r.result;
  const name = `${r.ctx.variant} › ${v.property}`;
  if (res.kind === 'error') return { name, classname, time, error: { message: res.message } };
  if (meetsExpectation(v)) return { name, classname, time };
  let message = `expected ${v.expected}, got ${v.outcome}`;
  const body: string[] = [];
  if (v.violation) {
    message += `: ${v.violation.message}`;
    const shortest = r.shortest?.[v.property] ?? v.violation;
    body.push(
      `schedule: ${shortest.trace.schedule}`,
      `replay: ${replayCommand(r.ctx, shortest.trace.schedule, v.property)}`,
    );
  } else if (res.kind === 'incomplete') {
    message += ` (search incomplete: ${INCOMPLETE_REASONS[res.reason]})`;
  }
  return { name, classname, time, failure: { message, body: body.join('\n') } };
}

/** The JUnit document for a set of runs (grouped by model in first-seen order). */
export function renderJunit(runs: readonly RunReport[], suiteName = 'mmcheck'): string {
  const byModel = new Map<string, RunReport[]>();
  for (const r of runs) {
    const list = byModel.get(r.ctx.model) ?? [];
    list.push(r);
    byModel.set(r.ctx.model, list);
  }
  const t = (x: number) => x.toFixed(3);
  const suites: string[] = [];
  let total = 0,
    failures = 0,
    errors = 0,
    time = 0;
  for (const [model, rs] of byModel) {
    const cs = rs.flatMap(cases);
    const f = cs.filter((c) => c.failure).length;
    const e = cs.filter((c) => c.error).length;
    const st = cs.reduce((a, c) => a + c.time, 0);
    total += cs.length;
    failures += f;
    errors += e;
    time += st;
    const body = cs.map((c) => {
      const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${t(c.time)}"`;
      if (c.failure)
        return `${open}>\n      <failure message="${xmlEscape(c.failure.message)}" type="expectation">${xmlEscape(c.failure.body)}</failure>\n    </testcase>`;
      if (c.error)
        return `${open}>\n      <error message="${xmlEscape(c.error.message)}" type="model-error"/>\n    </testcase>`;
      return `${open}/>`;
    });
    suites.push(
      `  <testsuite name="${xmlEscape(model)}" tests="${cs.length}" failures="${f}" errors="${e}" skipped="0" time="${t(st)}">\n${body.join('\n')}\n  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suiteName)}" tests="${total}" failures="${failures}" errors="${errors}" time="${t(time)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
