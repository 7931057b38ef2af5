/**
 * What a run writes and loads is checked before the search: output paths, option values, the
 * model file (issue 11 §3, last item), and TypeScript models loaded by jiti (issue 13 item 9).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, type Ran } from './spawn.js';

const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-outputs-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function expectOneLineError(r: Ran, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mmcheck: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.err).not.toMatch(/^\s+at /m);
  expect(r.err).not.toContain('data:');
  expect(r.out).toBe('');
}

/** lastzero n=16 would search for hours: an error reported at once proves it came before the search. */
const LONG = ['check', 'lastzero', '--param', 'n=16'];

describe('outputs checked before the search', () => {
  const aFile = path.join(TMP, 'plain-file');
  writeFileSync(aFile, 'x');
  const cases: [string, string[], RegExp][] = [
    [
      '--junit into a missing directory',
      ['--junit', path.join(TMP, 'nowhere', 'r.xml')],
      /cannot write --junit file .*does not exist/,
    ],
    ['--json under a plain file', ['--json', path.join(aFile, 'r.json')], /cannot write --json file .*not writable/],
    ['--junit naming a directory', ['--junit', TMP], /--junit '.*' is a directory/],
    ["--junit ''", ['--junit', ''], /--junit needs a file name/],
  ];
  test.each(cases)('%s: exit 2 before searching', (_name, extra, pattern) => {
    expectOneLineError(run([...LONG, ...extra]), pattern);
  });

  // Root may write anywhere by the mode bits, yet cannot create a file in /proc nor write
  // /proc/version: the check tries to open the file rather than ask access(2). (On a short run:
  // were the check missed, the search would run and only the final write fail.)
  test.each([
    ['json', '/proc/mmcheck-out.json'],
    ['junit', '/proc/version'],
  ])('--%s %s, a file that cannot be written: exit 2 before searching', (option, file) => {
    expectOneLineError(
      run(['check', 'peterson', `--${option}`, file]),
      new RegExp(`^mmcheck: error: cannot write --${option} file '${file}': not writable`),
    );
  });

  test('--schedule without its value (exited 0)', () => {
    expectOneLineError(run(['replay', 'peterson', '--schedule']), /Not enough arguments following: schedule/);
  });

  test('--json FILE writes the document and keeps the text on stdout', () => {
    const file = path.join(TMP, 'out.json');
    const r = run(['check', 'peterson', '--json', file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS/);
    expect((JSON.parse(readFileSync(file, 'utf8')) as { command: string }).command).toBe('check');
  });
});

describe('model files', () => {
  test('a directory', () => {
    expectOneLineError(run(['check', TMP]), /model file '.*' is a directory/);
  });

  test('a CommonJS module (was "not a model (missing or bad: …)")', () => {
    const cjs = path.join(TMP, 'cjs-model.js');
    writeFileSync(cjs, 'module.exports = { notAModel: true };\n');
    expectOneLineError(run(['check', cjs]), /is a CommonJS module whose exports are not a model/);
  });

  test('an import that cannot be resolved: named, no data: URL (a .ts one embedded the whole module)', () => {
    const ts = path.join(TMP, 'unresolved.ts');
    writeFileSync(ts, "import x from 'no-such-package-xyz';\nexport default x;\n");
    expectOneLineError(run(['check', ts]), /it imports 'no-such-package-xyz', which cannot be resolved from /);
    const mjs = path.join(TMP, 'unresolved.mjs');
    writeFileSync(mjs, "import x from 'no-such-package-xyz';\nexport default x;\n");
    expectOneLineError(run(['check', mjs]), /it imports 'no-such-package-xyz', which cannot be resolved/);
  });

  test('a TypeScript model outside the repository, importing mmcheck/… and a TypeScript-only neighbour', () => {
    const dir = path.join(TMP, 'ext');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'helper.ts'),
      `import { writes } from 'mmcheck/core/access.js';
import type { Step } from 'mmcheck/core/step.js';
export interface S { readonly n: number }
export const read: Step<S, { v: number }> = { label: 'inc: v = n', footprint: () => writes('n'), run: (s) => ({ l: { v: s.n } }) };
export const write: Step<S, { v: number }> = {
  label: 'inc: n = v + 1',
  footprint: () => writes('n'),
  run: (s, l) => ({ s: { ...s, n: l.v + 1 } }),
};
`,
    );
    writeFileSync(
      path.join(dir, 'model.ts'),
      `import { defineModel } from 'mmcheck/core/model.js';
import { endState } from 'mmcheck/core/property.js';
import { thread } from 'mmcheck/core/thread.js';
import { read, write, type S } from './helper.js';
const both = endState<S>('both-counted', 'Both increments are counted.', (v) => (v.s.n === 2 ? null : \`lost update: n = \${v.s.n}\`));
export default defineModel({
  name: 'lost-update', title: 'Two non-atomic increments', story: 'Each thread reads n, then writes n + 1.',
  params: {}, options: {},
  variants: { racy: { doc: 'read then write', options: {}, expect: { 'both-counted': 'violated' } } },
  build: () => ({ init: { n: 0 } as S, threads: [thread('A', { v: 0 }, [read, write]), thread('B', { v: 0 }, [read, write])], properties: [both] }),
});
`,
    );
    const r = run(['check', 'model.ts'], {}, dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^VIOLATED\s+model\.ts\/racy: both-counted/);
    expect(r.out).toContain('lost update: n = 1');
    const replay = run(['replay', 'model.ts', '--schedule', '0,1,0,1'], {}, dir);
    expect(replay.code).toBe(1);
  });
});

describe('--json on stdout keeps the other output files', () => {
  test('compare --json --html writes the page (the page was written only with the text)', () => {
    const page = path.join(TMP, 'compare-json.html');
    const r = run(['compare', 'peterson', '--json', '--html', page]);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as { command: string }).command).toBe('compare');
    expect(readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>[\s\S]*no-turn/);
  });

  test('replay --json --itf writes the ITF file (it was skipped with the text)', () => {
    const itf = path.join(TMP, 'replay-json.itf.json');
    const r = run(['replay', 'peterson', '--variant', 'no-turn', '--schedule', '0,1,0*2,1*2', '--json', '--itf', itf]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as { end: string }).end).toBe('violation');
    expect((JSON.parse(readFileSync(itf, 'utf8')) as { states: unknown[] }).states).toHaveLength(7);
  });
});
