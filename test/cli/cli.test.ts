import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JsonReport } from '../../src/report/json.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');
const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-cli-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // No CI annotations mixed into the output under test when the suite itself runs on GitHub Actions.
    env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '' },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A usage or model error: exit 2, one line on stderr naming the problem, no stack frames. */
function expectUsageError(r: ReturnType<typeof run>, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.err.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mmcheck: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
  expect(r.err).not.toMatch(/^\s+at /m);
}

const dist = (p: string) => pathToFileURL(path.join(ROOT, 'dist', p)).href;

describe('list', () => {
  test('shows models, params, variants with docs', () => {
    const r = run('list', '--width', '200');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^peterson — Peterson's mutual exclusion/m);
    expect(r.out).toMatch(/peterson \(default\)/);
    expect(r.out).toMatch(/no-turn\s+mutual-exclusion\s+flag\[me\] = 1; if flag\[other\] is clear/);
    expect(r.out).toMatch(/mutual-exclusion\s+invariant/);
    expect(r.err).toBe('');
  });
});

describe('check', () => {
  test('peterson holds: exit 0', () => {
    const r = run('check', 'peterson');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS\s+peterson\/peterson/);
    expect(r.out).toMatch(/mutual-exclusion\s+invariant\s+holds\s+holds\s+ok/);
    expect(r.out).toMatch(/deadlock-free\s+deadlock\s+holds\s+holds\s+ok/);
    // The default, auto: peterson's 42 states fit its first naive run.
    expect(r.out).toMatch(/states 42 /);
    expect(r.out).toMatch(/· auto: naive$/m);
    expect(r.out).not.toContain('\x1b[');
  });

  test('--compare-naive: the ratio, or n/a when the naive search hit a limit (was silently left out)', () => {
    // mremap 3.1: dfs stores 199 states, the naive search more than 300.
    const dfs = ['--strategy', 'dfs', '--compare-naive'];
    expect(run('check', 'mremap-vs-rmap-walk', ...dfs).out).toMatch(/^ {2}reduction ×\d+\.\d\d vs naive/m);
    const r = run('check', 'mremap-vs-rmap-walk', ...dfs, '--max-states', '300');
    expect(r.out).toMatch(/states 199 /);
    expect(r.out).not.toMatch(/reduction ×/);
    expect(r.out).toMatch(/^ {2}reduction vs naive: n\/a \(a search hit a limit/m);
  });

  test('peterson no-turn: exit 1, swimlanes, replay command', () => {
    const r = run('check', 'peterson', '--variant', 'no-turn', '--width', '400');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^VIOLATED\s+peterson\/no-turn: mutual-exclusion/);
    expect(r.out).toMatch(/mutual-exclusion\s+invariant\s+VIOLATED\s+violated\s+ok/);
    expect(r.out).toMatch(/shortest counterexample for mutual-exclusion \(6 steps, bfs/);
    expect(r.out).toMatch(/^#\s+│ P0\s+│ P1\s+│ changes$/m);
    expect(r.out).toMatch(/^6 │\s+│ critical: enter\s+│ incs 1→2$/m);
    expect(r.out).toContain('✗ mutual-exclusion (invariant) violated after step 6');
    expect(r.out).toMatch(
      /replay:\s+npx mmcheck replay peterson --variant no-turn --property mutual-exclusion --schedule '[0-9*,]+'/,
    );
  });

  test('the printed replay command runs as printed (npx mmcheck, in the repository) to the same violation', () => {
    const r = run('check', 'peterson', '--variant', 'no-turn', '--width', '400');
    const cmd = /replay:\s+(npx mmcheck replay .*)$/m.exec(r.out)![1];
    const sh = spawnSync('sh', ['-c', `${cmd} --width 400`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, npm_config_yes: 'false' },
    });
    expect(sh.status).toBe(1);
    expect(sh.stdout).toContain(
      '✗ mutual-exclusion (invariant) violated after step 6: both threads are in the critical section (incs = 2)',
    );
    expect(sh.stdout).toMatch(/ended: violation of mutual-exclusion after 6 steps/);
  });

  test('--json gives verdicts, stats and violations with replay commands', () => {
    const r = run('check', 'peterson', '--variant', 'no-turn', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as JsonReport;
    const runJ = doc.runs[0];
    expect(runJ).toMatchObject({
      model: 'peterson',
      variant: 'no-turn',
      // The search that gave the result: auto's first naive run.
      strategy: 'naive',
      result: 'violation',
      complete: true,
    });
    expect(runJ.verdicts.map((v: { property: string; outcome: string }) => [v.property, v.outcome])).toEqual([
      ['mutual-exclusion', 'violated'],
      ['deadlock-free', 'holds'],
    ]);
    expect(runJ.violations[0].shortest?.steps).toBe(6);
    expect(runJ.violations[0].replay).toMatch(
      /^npx mmcheck replay peterson --variant no-turn --property mutual-exclusion --schedule '/,
    );
  });

  test('--junit writes a report', () => {
    const file = path.join(TMP, 'check.xml');
    const r = run('check', 'peterson', '--variant', 'no-turn', '--junit', file);
    expect(r.code).toBe(1);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('<testsuite name="peterson" tests="2" failures="0"');
  });

  test('other strategies', () => {
    const bfs = run('check', 'peterson', '--variant', 'no-turn', '--strategy', 'bfs');
    expect(bfs.code).toBe(1);
    expect(bfs.out).toMatch(/counterexample for mutual-exclusion \(6 steps, bfs\)/);
    const rnd = run('check', 'peterson', '--strategy', 'random', '--seed', '7', '--runs', '20');
    expect(rnd.code).toBe(3);
    expect(rnd.out).toMatch(/^INCOMPLETE/);
    const limited = run('check', 'peterson', '--max-states', '5');
    expect(limited.code).toBe(3);
    expect(limited.out).toMatch(/^INCOMPLETE.*max-states/);
    expect(limited.out).toMatch(/unknown/);
    const restricted = run('check', 'peterson', '--variant', 'no-turn', '--property', 'deadlock-free');
    expect(restricted.code).toBe(0);
    expect(restricted.out).not.toMatch(/mutual-exclusion\s+invariant/);
  });

  test('a model file: .mjs and .ts outside the repository', () => {
    const src = (ext: string) => `
import { defineModel } from '${dist('src/core/model.js')}';
import { store } from '${dist('src/core/ops.js')}';
import { thread } from '${dist('src/core/thread.js')}';
import { endState } from '${dist('src/core/property.js')}';
export default defineModel({
  name: 'tiny-${ext}', title: 'tiny', story: 'two stores race', params: {}, options: {},
  variants: { base: { doc: 'd', options: {}, expect: { 'x-is-2': 'violated' } } },
  build: () => ({
    init: { x: 0 }${ext === 'ts' ? ' as { x: number }' : ''},
    threads: [thread('A', {}, [store('a: x = 1', ['x'], () => 1)]), thread('B', {}, [store('b: x = 2', ['x'], () => 2)])],
    properties: [endState('x-is-2', 'x ends 2', (v${ext === 'ts' ? ': { s: { x: number } }' : ''}) => (v.s.x === 2 ? null : 'x = ' + v.s.x))],
  }),
});`;
    for (const ext of ['mjs', 'ts']) {
      const file = path.join(TMP, `tiny.${ext}`);
      writeFileSync(file, src(ext));
      const r = run('check', file, '--width', '400');
      expect(r.err).toBe('');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/x-is-2\s+end\s+VIOLATED\s+violated\s+ok/);
      expect(r.out).toContain(`mmcheck replay ${file} --variant base --property x-is-2 --schedule '1,0'`);
      // A model on 0.1's step API runs on the reference engine by default; the compiled one refuses it.
      expect(r.out).toMatch(/^ {2}reference engine · auto: naive$/m);
      expectUsageError(run('check', file, '--engine', 'compiled'), /is not written in the model language/);
    }
  });

  test('--engine: auto (the default) runs a model-language model on the compiled engine; the report says which', () => {
    const args = ['check', 'migration-vs-fault', '--variant', 'opt3-freeze-first', '--param', 'readers=2'];
    const auto = run(...args, '--width', '400');
    const ref = run(...args, '--width', '400', '--engine', 'reference');
    expect([auto.code, ref.code]).toEqual([0, 0]);
    expect(auto.out).toMatch(/· compiled engine · auto: naive$/m);
    expect(ref.out).toMatch(/· reference engine · auto: naive$/m);
    // The same search on either engine: the same states and transitions.
    const counts = (out: string) => /states [\d,]+ · transitions [\d,]+/.exec(out)?.[0];
    // auto's first naive run (dfs: 928 states, 1,772 transitions).
    expect(counts(auto.out)).toMatch(/^states 994 · transitions 2,500$/);
    expect(counts(ref.out)).toBe(counts(auto.out));
    const doc = JSON.parse(run(...args, '--json').out) as JsonReport;
    expect(doc.runs[0].stats?.engine).toBe('compiled');
    expectUsageError(run(...args, '--engine', 'vectors'), /engine/);
  });
});

describe('compare', () => {
  test('every variant × every property', () => {
    const r = run('compare', 'peterson');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/variant\s+mutual-exclusion\s+deadlock-free\s+states\s+time/);
    expect(r.out).toMatch(/^peterson\s+holds\s+holds\s+34\s/m);
    expect(r.out).toMatch(/^no-turn\s+VIOLATED \(6 steps\)\s+holds\s+\d+\s/m);
    // --engine as check takes it: the same table on the reference engine (times aside).
    const ref = run('compare', 'peterson', '--engine', 'reference');
    expect(ref.code).toBe(0);
    expect(ref.out).toMatch(/^peterson\s+holds\s+holds\s+34\s/m);
  });
});

describe('replay', () => {
  test('a schedule that ends without a violation', () => {
    const r = run('replay', 'peterson', '--variant', 'no-turn', '--schedule', '0*2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ended: unfinished after 2 steps/);
  });
  test('a schedule ending in a deadlock is a violation of deadlock-free (exit 1, as check), naming the blocked threads', () => {
    for (const only of [[], ['--property', 'deadlock-free']]) {
      const r = run('replay', 'philosophers', '--variant', 'naive', '--schedule', '0,1,2', ...only, '--width', '400');
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        /✗ deadlock-free \(deadlock\) violated after step 3: deadlock: phil0 blocked at 'philosopher: lock second fork'; phil1 blocked at .*; phil2 blocked at /,
      );
      expect(r.out).toMatch(/ended: violation of deadlock-free after 3 steps$/m);
    }
    expect(run('check', 'philosophers', '--variant', 'naive').code).toBe(1);
  });
  test('a deadlock with deadlock-free not among the --property ones ends the replay, exit 0, blocked threads named', () => {
    const r = run(
      'replay',
      'philosophers',
      '--variant',
      'naive',
      '--schedule',
      '0,1,2',
      '--property',
      'lock-misuse',
      '--width',
      '400',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /ended: deadlock after 3 steps — no thread can move and some have not finished \(deadlock-free is not among the checked properties\)\n {2}deadlock: phil0 blocked at 'philosopher: lock second fork'; /,
    );
  });
  test('a schedule running past an unchecked deadlock ends there, as past a BUG: the skipped steps are named, exit 0 (was: thread blocked, exit 2)', () => {
    const r = run('replay', 'philosophers', '--variant', 'naive', '--schedule', '0,1,2,0', '--property', 'lock-misuse');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ended: deadlock after 3 steps/);
    expect(r.out).toMatch(/the last 1 step of the schedule was not run/);
  });
  test('a BUG of a property not among the --property ones stops the replay but is no violation of a checked one: exit 0', () => {
    // opt3-freeze-first-put's migrator alone puts the page at a zero count (refcount) at step 8.
    const args = ['replay', 'migration-vs-fault', '--variant', 'opt3-freeze-first-put', '--schedule', '0*8,1'];
    const r = run(...args, '--property', 'deadlock-free', '--width', '400');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ended: BUG of refcount \(not checked\) after 8 steps — a BUG ends the execution/);
    expect(r.out).toMatch(/^ {2}BUG: refcount: VM_BUG_ON_PAGE/m);
    expect(r.out).toMatch(/the last 1 step of the schedule was not run: the execution stopped after step 8/);
    const all = run(...args);
    expect(all.code).toBe(1);
    expect(all.out).toMatch(
      /ended: violation of refcount after 8 steps\n.*the last 1 step of the schedule was not run/,
    );
  });
  test('--engine compiled runs the schedule on state vectors and prints the very same trace', () => {
    // The upstream counterexample of migration-succeeds (seed 002): the reader's reference makes
    // every freeze pass fail. Both engines end in the same violation after the same 47 steps.
    const args = ['replay', 'migration-vs-fault', '--variant', 'upstream', '--property', 'migration-succeeds'];
    const schedule = ['--schedule', '0*4,1*2,0*6,1*2,0*25,1*7,2', '--width', '120'];
    const ref = run(...args, ...schedule, '--engine', 'reference');
    const vec = run(...args, ...schedule, '--engine', 'compiled');
    expect([vec.code, ref.code]).toEqual([1, 1]);
    expect(vec.out).toMatch(/ended: violation of migration-succeeds after 47 steps/);
    expect(vec.out).toBe(ref.out);
  });
  test('--property: a counterexample whose schedule violates another property first replays to its own', () => {
    // mremap's shortest no-dangling-migration-entry trace passes through a remove-walk-complete violation a step earlier.
    const doc = JSON.parse(run('check', 'mremap-vs-rmap-walk', '--json').out) as JsonReport;
    const v = doc.runs[0].violations.find((x) => x.property === 'no-dangling-migration-entry')!.shortest!;
    const cmd = v.replay;
    expect(cmd).toContain('--property no-dangling-migration-entry');
    const args = ['replay', 'mremap-vs-rmap-walk', '--variant', 'after-486cf46f', '--schedule', v.schedule];
    expect(run(...args).out).toMatch(/ended: violation of remove-walk-complete after \d+ steps/);
    const r = run(...args, '--property', 'no-dangling-migration-entry');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`ended: violation of no-dangling-migration-entry after ${v.steps} steps`));
    expect(run(...args, '--property', 'nope').code).toBe(2);
  });
});

describe('verify', () => {
  test('peterson rows meet their expectations', () => {
    const r = run('verify');
    expect(r.out).toMatch(/^peterson\n {2}peterson\s+ok\s+2\/2\s+34\s/m);
    expect(r.out).toMatch(/^ {2}no-turn\s+ok\s+1\/2\s+32\s.*\n {6}violated: mutual-exclusion$/m);
    expect([0, 1]).toContain(r.code);
    if (r.code === 0) expect(r.out).toMatch(/all \d+ model variants meet their expectations/);
  });

  test('--json and --junit', () => {
    const file = path.join(TMP, 'verify.xml');
    const r = run('verify', '--json', '--junit', file);
    const doc = JSON.parse(r.out) as JsonReport;
    const pet = doc.runs.filter((x: { model: string }) => x.model === 'peterson');
    expect(pet.map((x: { variant: string; ok: boolean }) => [x.variant, x.ok])).toEqual([
      ['peterson', true],
      ['no-turn', true],
    ]);
    const xml = readFileSync(file, 'utf8');
    expect(xml).toMatch(/<testsuite name="peterson" tests="4" failures="0" errors="0"/);
    expect(xml).toContain('<testcase name="no-turn › mutual-exclusion" classname="mmcheck.peterson.no-turn"');
  });
});

describe('bad input: exit 2, one line, no stack', () => {
  const throwing = path.join(TMP, 'throws.mjs');
  writeFileSync(throwing, "throw new Error('boom at import\\nwith a second line');\n");
  const notModel = path.join(TMP, 'not-model.mjs');
  writeFileSync(notModel, 'export default 42;\n');
  const runThrows = path.join(TMP, 'run-throws.mjs');
  writeFileSync(
    runThrows,
    `export default { name: 'rt', title: 't', story: '', params: {}, options: {}, variants: { v: { doc: '', options: {}, expect: {} } },
      build: () => ({ init: {}, threads: [{ name: 'A', locals: {}, steps: [{ label: 'x', footprint: () => [], run: () => { throw new Error('kaboom'); } }] }], properties: [] }) };\n`,
  );
  const badTs = path.join(TMP, 'bad.ts');
  writeFileSync(badTs, 'const x: number = ;\n');

  const cases: [string, string[], RegExp][] = [
    ['no command', [], /no command/],
    ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['unknown option', ['check', 'peterson', '--frob'], /Unknown argument: frob/],
    ['missing model', ['check'], /Not enough non-option arguments/],
    ['unknown model', ['check', 'nosuchmodel'], /unknown model 'nosuchmodel'/],
    ['missing model file', ['check', './nowhere/model.js'], /not found/],
    ['unknown variant', ['check', 'peterson', '--variant', 'nope'], /no variant 'nope'/],
    ['bad --param syntax', ['check', 'peterson', '--param', 'n'], /bad --param 'n'/],
    ['unknown param', ['check', 'peterson', '--param', 'n=2'], /no parameter 'n'/],
    ['param out of range', ['check', 'philosophers', '--param', 'n=999'], /n=999 .* must be an integer in/],
    ['unknown property', ['check', 'peterson', '--property', 'nope'], /no property 'nope'/],
    ['bad strategy', ['check', 'peterson', '--strategy', 'psychic'], /Invalid values/],
    ['bad number', ['check', 'peterson', '--max-states', 'lots'], /--max-states must be an integer/],
    // yargs' number type turned the text into NaN: the line named NaN, not what was given.
    ['bad number, named as given', ['check', 'peterson', '--max-states', 'lots'], /\(got lots\)$/],
    ['bad seconds, named as given', ['check', 'peterson', '--time-limit', 'soon'], /\(got soon\)$/],
    ['bad width, named as given', ['list', '--width', 'wide'], /\(got wide\)$/],
    [
      'flag without its value (a usage error, not an internal one)',
      ['check', 'peterson', '--junit'],
      /error: Not enough arguments following: junit/,
    ],
    ['--seed without random', ['check', 'peterson', '--seed', '3'], /--seed needs --strategy random/],
    ['--runs without random', ['check', 'peterson', '--runs', '3'], /--runs needs --strategy random/],
    [
      '--preemption-bound without preempt',
      ['check', 'peterson', '--preemption-bound', '2'],
      /--preemption-bound needs --strategy preempt/,
    ],
    [
      '--compare-naive with bfs',
      ['check', 'peterson', '--strategy', 'bfs', '--compare-naive'],
      /--compare-naive needs --strategy dfs/,
    ],
    [
      '--max-states with odpor (was ignored: PASS after 46 states with a limit of 5)',
      ['check', 'peterson', '--strategy', 'odpor', '--max-states', '5'],
      /--max-states does not apply to --strategy odpor/,
    ],
    [
      '--max-states with random (was ignored)',
      ['check', 'peterson', '--strategy', 'random', '--max-states', '5'],
      /--max-states does not apply to --strategy random/,
    ],
    [
      '--max-depth with preempt (was ignored)',
      ['check', 'peterson', '--strategy', 'preempt', '--max-depth', '3'],
      /--max-depth does not apply to --strategy preempt/,
    ],
    ['malformed schedule', ['replay', 'peterson', '--schedule', '0,x'], /malformed schedule/],
    ['schedule past the threads', ['replay', 'peterson', '--schedule', '5'], /thread 5 does not exist/],
    ['schedule running a finished thread', ['replay', 'peterson', '--schedule', '0*7'], /has already finished/],
    ['missing schedule', ['replay', 'peterson'], /Missing required argument: schedule/],
    [
      '--schedule given twice (was replayed as a garbled schedule, exit 0)',
      ['replay', 'peterson', '--schedule', '0', '--schedule', '1'],
      /--schedule given 2 times \(0, 1\); it takes one value/,
    ],
    [
      '--strategy given twice (was an internal error)',
      ['check', 'peterson', '--strategy', 'dfs', '--strategy', 'bfs'],
      /--strategy given 2 times/,
    ],
    [
      '--variant given twice',
      ['check', 'peterson', '--variant', 'peterson', '--variant', 'no-turn'],
      /--variant given 2 times/,
    ],
    [
      '--junit given twice',
      ['check', 'peterson', '--junit', path.join(TMP, 'a.xml'), '--junit', path.join(TMP, 'b.xml')],
      /--junit given 2 times/,
    ],
    [
      '--max-states given twice',
      ['compare', 'peterson', '--max-states', '3', '--max-states', '4'],
      /--max-states given 2 times/,
    ],
    ['model file that throws on import', ['check', throwing], /cannot load model file .*boom at import/],
    ['default export not a model', ['check', notModel], /no default export|not a model/],
    ['model step that throws', ['check', runThrows], /threw in run: kaboom/],
    [
      'ts model that does not compile',
      ['check', badTs],
      /cannot load model file .*bad\.ts.*Unexpected token .*bad\.ts:1:18/,
    ],
  ];
  test.each(cases)('%s', (_name, args, pattern) => {
    const r = run(...args);
    expectUsageError(r, pattern);
    expect(r.out).toBe('');
  });
});
