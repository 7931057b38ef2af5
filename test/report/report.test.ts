import { describe, expect, test } from '@jest/globals';
import peterson from '../../models/classic/peterson.js';
import { instantiate } from '../../src/core/instantiate.js';
import { explore } from '../../src/explore/explore.js';
import type { SearchResult, Trace, Violation } from '../../src/explore/results/result.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { formatChanges, formatValue, replayCommand } from '../../src/report/format.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit, xmlEscape } from '../../src/report/junit.js';
import { chalkPalette, plainPalette, visibleWidth } from '../../src/report/palette.js';
import type { RunReport } from '../../src/report/run.js';
import { renderStats, renderSummary } from '../../src/report/summary.js';
import { renderCounterexample, renderSwimlanes } from '../../src/report/swimlanes.js';
import { renderTable } from '../../src/report/table.js';
import type { JsonReport } from '../../src/report/json.js';

const inst = instantiate(peterson, 'no-turn');
// DPOR's result: the fields below name dfs, and peterson's dfs count is 34.
const result = explore(inst, { strategy: 'dfs', stopAtFirst: false });
const ctx = { model: 'peterson', variant: 'no-turn', params: {} };

function violation(r: SearchResult): Violation {
  if (r.kind !== 'violation') throw new Error(`expected a violation, got ${r.kind}`);
  return r.violation;
}

describe('swimlanes', () => {
  const v = violation(result);
  const text = renderCounterexample(v, ctx);
  const lines = text.split('\n');

  test('one column per thread, one row per step, labels in the stepping thread column', () => {
    expect(lines[0]).toMatch(/^#\s+│ P0\s+│ P1\s+│ changes$/);
    for (const [i, st] of v.trace.steps.entries()) {
      const row = lines.find((l) => l.startsWith(`${i + 1} │`))!;
      expect(row).toBeDefined();
      const cells = row.split('│');
      expect(cells[1 + st.tid].trim()).toBe(st.label);
      expect(cells[2 - st.tid].trim()).toBe('');
    }
  });

  test('shows the shared state each step changed', () => {
    expect(text).toMatch(/incs 1→2/);
    expect(text).toMatch(/flag\[0\] 0→1/);
  });

  test('ends with the property, schedule and replay command', () => {
    expect(text).toContain(`✗ mutual-exclusion (invariant) violated after step ${v.trace.steps.length}: ${v.message}`);
    expect(text).toContain(`schedule: ${v.trace.schedule}`);
    expect(lines[lines.length - 1]).toBe(
      `  replay:   npx mmcheck replay peterson --variant no-turn --property mutual-exclusion --schedule '${v.trace.schedule}'`,
    );
  });

  test('columns stay aligned', () => {
    const table = renderSwimlanes(v.trace).split('\n');
    const bars = (l: string) => [...l].map((c, i) => (c === '│' || c === '┼' ? i : -1)).filter((i) => i >= 0);
    const first = bars(table[0]);
    for (const l of table) expect(bars(l)).toEqual(first);
  });

  test('long labels wrap within 160 columns for 2–6 threads, aligned', () => {
    for (let n = 2; n <= 6; n++) {
      const trace: Trace = {
        threads: Array.from({ length: n }, (_x, i) => `thread_number_${i}`),
        schedule: '',
        steps: Array.from({ length: n * 2 }, (_x, i) => ({
          tid: i % n,
          thread: `thread_number_${i % n}`,
          label: 'try_to_migrate_one: ptep_get_and_clear(vma->vm_mm, address, pvmw.pte) then set_pte_at',
          changes: [
            { path: 'pte[0].kind', before: 'present', after: 'none' },
            { path: 'pte[0].pfn', before: 5, after: undefined },
            { path: 'h', before: 5, after: 6, local: true },
          ],
        })),
      };
      const out = renderSwimlanes(trace, { width: 160 }).split('\n');
      const bars = (l: string) => [...l].map((c, i) => (c === '│' || c === '┼' ? i : -1)).filter((i) => i >= 0);
      for (const l of out) {
        expect([...l].length).toBeLessThanOrEqual(160);
        expect(bars(l)).toEqual(bars(out[0]));
      }
      const joined = out.join('\n');
      expect(joined).toContain('pte[0] present→none');
      expect(joined).toContain('(thread_number_0) h 5→6');
      expect(joined).not.toContain('pfn');
    }
  });

  test('colour changes no visible width', () => {
    const plain = renderSwimlanes(v.trace, { palette: plainPalette }).split('\n');
    const coloured = renderSwimlanes(v.trace, { palette: chalkPalette }).split('\n');
    expect(coloured.join('\n')).toContain('\x1b[');
    expect(coloured.map(visibleWidth)).toEqual(plain.map(visibleWidth));
  });
});

describe('values', () => {
  test('compact rendering', () => {
    expect(formatValue(3)).toBe('3');
    expect(formatValue({ kind: 'present', pfn: 4 })).toBe('present');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue(undefined)).toBe('∅');
    expect(formatValue('x'.repeat(100)).length).toBeLessThanOrEqual(102);
    expect(formatChanges([{ path: 'folio.ref', before: 2, after: 3 }], 'T')).toEqual(['folio.ref 2→3']);
  });

  test('replay command quotes and lists params', () => {
    expect(replayCommand({ model: 'm', variant: 'v', params: { n: 2 } }, '0*2,1')).toBe(
      "npx mmcheck replay m --variant v --param n=2 --schedule '0*2,1'",
    );
    expect(replayCommand({ model: "my dir/it's.ts", variant: 'v', params: {} }, '0')).toBe(
      `npx mmcheck replay 'my dir/it'\\''s.ts' --variant v --schedule '0'`,
    );
    expect(replayCommand({ model: 'm', variant: 'v', params: {} }, '0', 'p')).toBe(
      "npx mmcheck replay m --variant v --property p --schedule '0'",
    );
  });
});

describe('summary', () => {
  test('violation and pass', () => {
    expect(renderSummary(result, ctx)).toMatch(/^VIOLATED\s+peterson\/no-turn: mutual-exclusion/);
    const pass = explore(instantiate(peterson), { strategy: 'dfs', stopAtFirst: false });
    const s = renderSummary(pass, { ...ctx, variant: 'peterson' });
    expect(s).toMatch(/^PASS/);
    expect(s).toMatch(/states 34/);
    expect(s).toMatch(/states\/s/);
    expect(s).toMatch(/peak heap/);
  });

  test('incomplete says INCOMPLETE with the reason, never looks like a pass', () => {
    const r = explore(instantiate(peterson), { maxStates: 3, stopAtFirst: false });
    expect(r.kind).toBe('incomplete');
    const s = renderSummary(r, ctx);
    expect(s).toMatch(/^INCOMPLETE/);
    expect(s).toMatch(/max-states/);
    expect(s).not.toMatch(/PASS/);
  });

  test('reduction ratio when present', () => {
    const r = explore(instantiate(peterson), { strategy: 'dfs', compareNaive: true, stopAtFirst: false });
    expect(renderSummary(r, ctx)).toMatch(/reduction ×\d/);
  });

  test('auto: the search that finished, after the runs cut first', () => {
    const last = (r: SearchResult) => (r.kind === 'error' ? r.message : renderStats(r.stats).at(-1));
    const inst = instantiate(peterson);
    expect(last(explore(inst, { stopAtFirst: false }))).toMatch(/ · auto: naive$/);
    // peterson's 42 naive states from a first budget of 10: naive 10 and dfs 3 cut, then naive 80.
    expect(last(explore(inst, { stopAtFirst: false, autoFirstBudget: 10 }))).toMatch(
      / · auto: naive, after runs cut at their state budgets \(naive 10, dfs 3\)$/,
    );
  });
});

describe('table', () => {
  test('aligns columns', () => {
    const t = renderTable(
      [{ header: 'a' }, { header: 'num', align: 'right' }],
      [
        ['xx', 1],
        ['y', 100],
      ],
    ).split('\n');
    expect(t).toEqual(['a   num', '──  ───', 'xx    1', 'y   100']);
  });
});

const report: RunReport = { ctx, result, verdicts: verdicts(inst, result) };

describe('json', () => {
  test('stable fields, verdicts, violations with trace, schedule and replay command', () => {
    const doc = JSON.parse(renderJson('check', [report], { anyViolationFails: true })) as JsonReport;
    expect(doc.command).toBe('check');
    // check exits 1 on any violation, expected or not: ok says the same as the exit code.
    expect(doc).toMatchObject({ ok: false, exitCode: 1, status: 'violated', mmcheck: 2 });
    const run = doc.runs[0];
    expect(run).toMatchObject({
      model: 'peterson',
      variant: 'no-turn',
      params: {},
      strategy: 'dfs',
      result: 'violation',
      complete: true,
      ok: true,
      status: 'violated',
      notRun: null,
    });
    expect(run.verdicts).toEqual([
      { property: 'mutual-exclusion', kind: 'invariant', outcome: 'violated', expected: 'violated', ok: true },
      { property: 'deadlock-free', kind: null, outcome: 'holds', expected: 'holds', ok: true },
    ]);
    expect(run.stats?.states).toBeGreaterThan(0);
    const v = run.violations[0];
    const sv = violation(result);
    expect(v.property).toBe('mutual-exclusion');
    expect(v.schedule).toBe(sv.trace.schedule);
    expect(v.replay).toBe(
      `npx mmcheck replay peterson --variant no-turn --property mutual-exclusion --schedule '${sv.trace.schedule}'`,
    );
    expect(v.trace.steps.length).toBe(sv.trace.steps.length);
    expect(v.trace.steps[0]).toMatchObject({ step: 1, tid: sv.trace.steps[0].tid, label: sv.trace.steps[0].label });
  });
});

describe('junit', () => {
  test('one suite per model, one case per (variant, property), failures on mismatch', () => {
    const good = renderJunit([report]);
    expect(good).toContain('<testsuite name="peterson" tests="2" failures="0"');
    expect(good.match(/<testcase /g)!.length).toBe(2);
    const wrong: RunReport = {
      ...report,
      verdicts: report.verdicts.map((v) => ({ ...v, expected: 'holds' as const })),
    };
    const bad = renderJunit([wrong]);
    expect(bad).toContain('failures="1"');
    expect(bad).toMatch(
      /<failure message="expected holds, got violated: both threads are in the critical section \(incs = 2\)"/,
    );
    expect(bad).toContain('mmcheck replay peterson --variant no-turn --property mutual-exclusion --schedule &apos;');
  });

  test('escapes XML', () => {
    expect(xmlEscape(`a<b>&"c'\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    const odd: RunReport = { ...report, ctx: { ...ctx, model: 'a<&>"' } };
    expect(renderJunit([odd])).toContain('<testsuite name="a&lt;&amp;&gt;&quot;"');
  });
});

describe('junit lock order', () => {
  test('an incomplete lock-order pass is a skipped case with its reason; a complete one a passing case', () => {
    const lo = {
      edges: [],
      classes: [],
      cycles: [],
      cyclesTruncated: false,
      states: 7,
      transitions: 9,
      timeMs: 1,
      complete: false,
      reason: 'max-states' as const,
    };
    const cut = renderJunit([{ ...report, lockOrder: lo }]);
    expect(cut).toContain('failures="0" errors="0" skipped="1"');
    expect(cut).toMatch(
      /<testcase name="no-turn › lock-order"[^>]*>\n\s*<skipped message="lock-order pass incomplete \(max-states reached after 7 states\)"/,
    );
    const whole = renderJunit([{ ...report, lockOrder: { ...lo, complete: true, reason: null } }]);
    expect(whole).toContain('tests="3" failures="0"');
  });
});

describe('junit errors', () => {
  test('a model that could not be built is an <error> case', () => {
    const broken: RunReport = {
      ctx,
      result: { kind: 'error', message: 'model threw <x>', code: 'model-threw' },
      verdicts: [],
    };
    const xml = renderJunit([broken]);
    expect(xml).toContain('errors="1"');
    expect(xml).toContain('<error message="model threw &lt;x&gt;" type="model-error"/>');
  });
});
