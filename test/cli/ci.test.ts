/**
 * CI (issue 14 §6): GitHub annotations pointing at the model's lines, JUnit that CI viewers read
 * right, and JSON for every command that validates against docs/schema/mmcheck.schema.json.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, run } from './spawn.js';

const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-ci-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const schema = JSON.parse(readFileSync(path.join(ROOT, 'docs/schema/mmcheck.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function valid(text: string): Record<string, unknown> {
  const doc = JSON.parse(text) as Record<string, unknown>;
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  return doc;
}

const lineOf = (file: string, needle: string) =>
  readFileSync(path.join(ROOT, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

/** A model that expects its property to hold, and it does not: a mismatch in verify/compare terms. */
const WRONG = path.join(TMP, 'wrong.mjs');
writeFileSync(
  WRONG,
  `import { defineModel } from ${JSON.stringify(path.join(ROOT, 'dist/src/core/model.js'))};
import { endState } from ${JSON.stringify(path.join(ROOT, 'dist/src/core/property.js'))};
import { writes } from ${JSON.stringify(path.join(ROOT, 'dist/src/core/access.js'))};
const read = { label: 'inc: v = n', footprint: () => writes('n'), run: (s) => ({ l: { v: s.n } }) };
const write = { label: 'inc: n = v + 1', footprint: () => writes('n'), run: (s, l) => ({ s: { ...s, n: l.v + 1 } }) };
const both = endState(
  'both-counted',
  'Both increments are counted.',
  (v) => (v.s.n === 2 ? null : 'lost update'),
);
export default defineModel({
  name: 'wrong', title: 't', story: 's', params: {}, options: {},
  variants: { 'v1.2': { doc: 'a dotted variant', options: {}, expect: {} } },
  build: () => ({ init: { n: 0 }, threads: [{ name: 'A', locals: { v: 0 }, steps: [read, write] }, { name: 'B', locals: { v: 0 }, steps: [read, write] }], properties: [both] }),
});
`,
);

describe('GitHub Actions annotations', () => {
  const gh = { GITHUB_ACTIONS: 'true' };

  test('a violated property: ::error at the property line of the model file, with the replay command', () => {
    const r = run(['check', 'peterson', '--variant', 'no-turn'], gh);
    expect(r.code).toBe(1);
    const line = lineOf('models/classic/peterson.ts', "'mutual-exclusion'");
    expect(r.out).toContain(
      `::error file=models/classic/peterson.ts,line=${line},title=mmcheck%3A peterson/no-turn%3A mutual-exclusion violated (expected)::both threads are in the critical section (incs = 2)%0Areplay: npx mmcheck replay peterson`,
    );
  });

  test('a mismatch in compare: ::error at the property of the model file given on the command line', () => {
    const r = run(['compare', 'wrong.mjs'], gh, TMP);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^::error file=wrong\.mjs,line=7,title=mmcheck%3A wrong\.mjs\/v1\.2%3A both-counted violated::lost update/m,
    );
  });

  test('an incomplete run: ::warning naming the reason; nothing without GITHUB_ACTIONS', () => {
    const r = run(['check', 'peterson', '--max-states', '5'], gh);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(
      /^::warning file=models\/classic\/peterson\.ts,line=\d+,title=mmcheck%3A peterson\/peterson%3A INCOMPLETE::the state limit \(--max-states\) was reached; not a proof \(unknown: mutual-exclusion, deadlock-free\)$/m,
    );
    expect(run(['check', 'peterson', '--max-states', '5']).out).not.toContain('::');
  });

  test('a model error in check: ::error too, as docs/cli.md says (there was none)', () => {
    const r = run(['check', 'peterson', '--variant', 'nope'], gh);
    expect(r.code).toBe(2);
    expect(r.err).toBe("mmcheck: error: model 'peterson' has no variant 'nope' (known: peterson, no-turn)\n");
    expect(r.out).toBe(
      "::error title=mmcheck%3A error::model 'peterson' has no variant 'nope' (known: peterson, no-turn)\n",
    );
    expect(run(['check', 'peterson', '--variant', 'nope']).out).toBe('');
  });

  test('with --json on stdout the annotations go to stderr, so the JSON stays parseable', () => {
    const r = run(['check', 'peterson', '--variant', 'no-turn', '--json'], gh);
    valid(r.out);
    expect(r.err).toMatch(/^::error file=models\/classic\/peterson\.ts/m);
  });
});

describe('JUnit for CI viewers', () => {
  test('no dots inside class-name segments, a timestamp, the model file; incomplete cases are skipped', () => {
    const file = path.join(TMP, 'c.xml');
    const r = run(['compare', 'wrong.mjs', '--junit', file], {}, TMP);
    expect(r.code).toBe(1);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('classname="mmcheck.wrong_mjs.v1_2"');
    expect(xml).toMatch(
      /<testsuite name="wrong\.mjs" [^>]*timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d" file="wrong\.mjs">/,
    );
    expect(xml).toContain('<property name="model-file" value="wrong.mjs"/>');
    const cut = path.join(TMP, 'cut.xml');
    expect(run(['check', 'peterson', '--max-states', '5', '--junit', cut]).code).toBe(3);
    const x = readFileSync(cut, 'utf8');
    expect(x).toMatch(/failures="0" errors="0" skipped="2"/);
    expect(x).toContain('<skipped message="search incomplete: the state limit (--max-states) was reached"/>');
    expect(x).toContain('file="models/classic/peterson.ts"');
  });
});

describe('JSON validates against docs/schema/mmcheck.schema.json', () => {
  test('check: pass, violation, incomplete', () => {
    for (const args of [
      ['check', 'peterson'],
      ['check', 'peterson', '--variant', 'no-turn'],
      ['check', 'peterson', '--max-states', '5', '--lock-order'],
      ['check', 'peterson', '--strategy', 'random', '--runs', '5'],
    ]) {
      const r = run([...args, '--json']);
      const doc = valid(r.out);
      expect(doc.exitCode).toBe(r.code);
    }
  });

  test('compare and replay have --json too', () => {
    const c = run(['compare', 'peterson', '--json']);
    expect(c.code).toBe(0);
    expect(valid(c.out)).toMatchObject({ command: 'compare', ok: true, exitCode: 0 });
    const v = run(['replay', 'peterson', '--variant', 'no-turn', '--schedule', '0,1,0*2,1*2', '--json']);
    expect(v.code).toBe(1);
    const doc = valid(v.out);
    expect(doc).toMatchObject({ command: 'replay', end: 'violation', exitCode: 1, ok: false, skipped: 0 });
    expect((doc.violation as { property: string }).property).toBe('mutual-exclusion');
    const ended = run(['replay', 'peterson', '--schedule', '0', '--json']);
    expect(valid(ended.out)).toMatchObject({ end: 'unfinished', exitCode: 0, violation: null });
  });

  test('verify, with variants not reached', () => {
    const r = run(['verify', '--time-limit', '0.000001', '--json', '--quiet']);
    expect(r.code).toBe(3);
    const doc = valid(r.out) as { runs: { notRun: string | null; strategy: string | null }[] };
    expect(doc.runs.filter((x) => x.notRun === 'time').length).toBeGreaterThan(30);
    // Named by the search verify runs on each variant (dfs), not by the default strategy (auto).
    expect([...new Set(doc.runs.map((x) => x.strategy))]).toEqual(['dfs']);
    const cmp = valid(run(['compare', 'peterson', '--time-limit', '0.000001', '--json', '--quiet']).out) as {
      runs: { notRun: string | null; strategy: string | null }[];
    };
    expect(cmp.runs.map((x) => [x.notRun, x.strategy])).toEqual([
      ['time', 'dfs'],
      ['time', 'dfs'],
    ]);
  });
});
