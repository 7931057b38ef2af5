/**
 * JUnit XML for CI: one <testsuite> per model (with a timestamp and the model file), one
 * <testcase> per (variant, property). A case fails when a known outcome differs from the model's
 * expectation; a search that failed with a model error is an <error>; a property left unknown
 * by an incomplete search (a limit, a signal, the memory bound, a variant not reached) is
 * <skipped> with the reason, not a failure; with --lock-order, the pass is one more case
 * (skipped when cut short). Class names have no dots but the `mmcheck.model.variant` ones, so
 * viewers do not split `v2.6.34-rc` into packages.
 */
import { replayCommand } from './format.js';
import { meetsExpectation, type PropertyVerdict } from '../explore/results/verdicts.js';
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
  readonly skipped?: { readonly message: string };
}

/** A class-name segment: dots (and path separators of a model file) would split it in CI viewers. */
export const classSegment = (s: string): string => s.replace(/[./\\]/g, '_');

/** Why a run's unknown verdicts are unknown. */
function incompleteWhy(r: RunReport): string | undefined {
  if (r.notRun) return `not reached: ${INCOMPLETE_REASONS[r.notRun]} before this variant started`;
  if (r.result.kind === 'incomplete') return `search incomplete: ${INCOMPLETE_REASONS[r.result.reason]}`;
  return undefined;
}

function cases(r: RunReport): Case[] {
  const res = r.result;
  const n = Math.max(1, r.verdicts.length);
  const time = res.kind === 'error' ? 0 : res.stats.timeMs / 1000 / n;
  const classname = `mmcheck.${classSegment(r.ctx.model)}.${classSegment(r.ctx.variant)}`;
  if (res.kind === 'error' && r.verdicts.length === 0)
    return [{ name: `${r.ctx.variant} › (build)`, classname, time, error: { message: res.message } }];
  return [...r.verdicts.map((v) => verdictCase(r, v, classname, time)), ...lockOrderCase(r, classname)];
}

/** With `--lock-order`, the pass is a case of its own: cut short by a limit, it is skipped with the reason. */
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
      skipped: { message: `lock-order pass incomplete (${lo.reason} reached after ${lo.states} states)` },
    },
  ];
}

function verdictCase(r: RunReport, v: PropertyVerdict, classname: string, time: number): Case {
  const res = r.result;
  const name = `${r.ctx.variant} › ${v.property}`;
  if (res.kind === 'error') return { name, classname, time, error: { message: res.message } };
  if (meetsExpectation(v)) return { name, classname, time };
  const why = incompleteWhy(r);
  if (v.outcome === 'unknown' && why) return { name, classname, time, skipped: { message: why } };
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

/** The JUnit document for a set of runs (grouped by model in first-seen order); `now` stamps the suites (UTC). */
export function renderJunit(runs: readonly RunReport[], suiteName = 'mmcheck', now = new Date()): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '');
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
    skipped = 0,
    time = 0;
  for (const [model, rs] of byModel) {
    const cs = rs.flatMap(cases);
    const f = cs.filter((c) => c.failure).length;
    const e = cs.filter((c) => c.error).length;
    const sk = cs.filter((c) => c.skipped).length;
    const file = rs.find((r) => r.file)?.file;
    const st = cs.reduce((a, c) => a + c.time, 0);
    total += cs.length;
    failures += f;
    errors += e;
    skipped += sk;
    time += st;
    const body = cs.map((c) => {
      const fileAttr = file ? ` file="${xmlEscape(file)}"` : '';
      const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}"${fileAttr} time="${t(c.time)}"`;
      if (c.failure)
        return `${open}>\n      <failure message="${xmlEscape(c.failure.message)}" type="expectation">${xmlEscape(c.failure.body)}</failure>\n    </testcase>`;
      if (c.error)
        return `${open}>\n      <error message="${xmlEscape(c.error.message)}" type="model-error"/>\n    </testcase>`;
      if (c.skipped) return `${open}>\n      <skipped message="${xmlEscape(c.skipped.message)}"/>\n    </testcase>`;
      return `${open}/>`;
    });
    const props = file
      ? `    <properties>\n      <property name="model-file" value="${xmlEscape(file)}"/>\n    </properties>\n`
      : '';
    suites.push(
      `  <testsuite name="${xmlEscape(model)}" tests="${cs.length}" failures="${f}" errors="${e}" skipped="${sk}" time="${t(st)}" timestamp="${stamp}"${file ? ` file="${xmlEscape(file)}"` : ''}>\n${props}${body.join('\n')}\n  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suiteName)}" tests="${total}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${t(time)}" timestamp="${stamp}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
