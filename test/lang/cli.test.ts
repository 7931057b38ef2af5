/**
 * The model language through the CLI: a language model file runs on both engines, the
 * compiler's reductions can be turned off (and replays say so), and a model the compiler
 * refuses is one line on stderr with exit 2.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');
const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-lang-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));
const LANG = pathToFileURL(path.join(ROOT, 'dist/src/lang/index.js')).href;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
function oneLineError(r: ReturnType<typeof run>, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}
/** A model file with one thread whose body is `body` (JavaScript over the language's exports). */
function modelFile(name: string, body: string): string {
  const file = path.join(TMP, `${name}.mjs`);
  writeFileSync(
    file,
    `import { defineModel, layout, int, step, goto_, thread } from '${LANG}';\n` +
      `const shared = layout({ x: int(0, 1) });\nconst { x } = shared.refs;\n` +
      `export default defineModel({ name: '${name}', title: 't', story: 's', params: {}, options: {},\n` +
      `  variants: { v: { doc: 'v', options: {}, expect: {} } },\n` +
      `  build: () => ({ layout: shared, threads: [thread('t0', {}, ${body})], properties: [] }) });\n`,
  );
  return file;
}

describe('the model language on the command line', () => {
  test('the template runs on the compiled engine and finds the lost update', () => {
    const r = run('check', 'models/template.ts', '--variant', 'racy', '--strategy', 'naive', '--engine', 'compiled');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/VIOLATED\s+models\/template\.ts\/racy: refcount-balanced/);
    // 12: `seen` is dead after each CPU's store (reset by the liveness analysis), so the two
    // end states that differ only in it are one.
    expect(r.out).toMatch(/states 12 · transitions 14/);
  });

  test('the compiled engine runs the default search (dfs) too', () => {
    const r = run('check', 'models/template.ts', '--variant', 'racy', '--engine', 'compiled');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/VIOLATED\s+models\/template\.ts\/racy: refcount-balanced/);
  });

  test('--no-reductions: the replay command it prints says so, and replays', () => {
    const r = run('check', 'models/template.ts', '--no-reductions', '--width', '400');
    expect(r.out).toMatch(/npx mmcheck replay models\/template\.ts --variant racy --no-reductions --property/);
    const again = run(
      'replay',
      'models/template.ts',
      '--variant',
      'racy',
      '--no-reductions',
      '--property',
      'refcount-balanced',
      '--schedule',
      '0,1,0,1',
    );
    expect(again.out).toMatch(/ended: violation of refcount-balanced after 4 steps/);
  });

  test('a jump to an unknown label is refused before the search', () => {
    const file = modelFile('badjump', `[step('x = 1', (c) => c.set(x, 1)), goto_('again')]`);
    oneLineError(
      run('check', file),
      /^mmcheck: error: model 'badjump' variant 'v' thread 't0' step 'x = 1': after it, goto_\('again'\): no such label$/,
    );
  });

  test('a store outside the domain is refused before the search, naming the step', () => {
    const file = modelFile('baddomain', `[step('x = 2', (c) => c.set(x, 2))]`);
    oneLineError(
      run('check', file),
      /^mmcheck: error: model 'baddomain' variant 'v' thread 't0' step 'x = 2': set x = 2 is outside its domain \(0\.\.1\)$/,
    );
  });
});
