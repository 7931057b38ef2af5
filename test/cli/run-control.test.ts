/**
 * A run that is stopped or runs out keeps what it found: Ctrl-C / SIGTERM, the memory bound,
 * the time limit of the whole command, and exit codes that say which (issue 11 §3).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JsonReport } from '../../src/report/json.js';
import { spawnSync } from 'node:child_process';
import { MAIN, ROOT, run, runSignalled } from './spawn.js';

const parse = (text: string) => JSON.parse(text) as JsonReport;

const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-runctl-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** lastzero with 16 writers: hours of search, so any run of it ends by a limit or a signal. */
const LONG = ['check', 'lastzero', '--param', 'n=16', '--width', '400'];
const HEARTBEAT = /mmcheck: running: lastzero\/lastzero: [\d,]+ states/;

describe('signals', () => {
  test.each([['SIGINT' as const], ['SIGTERM' as const]])(
    '%s: statistics so far, INCOMPLETE naming the signal, JSON and JUnit written, exit 3',
    async (signal) => {
      const json = path.join(TMP, `${signal}.json`);
      const junit = path.join(TMP, `${signal}.xml`);
      // dfs: auto may be a few states into a new run when the signal lands (test/explore/strategies/auto.test.ts).
      const args = [...LONG, '--strategy', 'dfs', '--json', json, '--junit', junit];
      const r = await runSignalled(args, HEARTBEAT, [{ signal }]);
      expect(r.code).toBe(3);
      expect(r.err).toContain(`mmcheck: ${signal}: stopping the search`);
      expect(r.out).toMatch(/^INCOMPLETE\s+lastzero\/lastzero\(n=16\): the run was interrupted .*\(signal\)/);
      expect(r.out).toMatch(/states [\d,]+ · transitions [\d,]+ .* peak rss [\d.]+ MiB/);
      const doc = parse(readFileSync(json, 'utf8'));
      expect(doc).toMatchObject({ ok: false, exitCode: 3, status: 'incomplete' });
      expect(doc.runs[0]).toMatchObject({ result: 'incomplete', incompleteReason: 'signal', status: 'incomplete' });
      expect(doc.runs[0].stats?.states).toBeGreaterThan(4096);
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toMatch(/<skipped message="search incomplete: the run was interrupted/);
      expect(xml).not.toContain('<failure');
    },
  );

  test('a second Ctrl-C exits at once, even while the command is busy', async () => {
    // A model whose import never returns: the first SIGINT can stop nothing, the second must end the process.
    const marker = path.join(TMP, 'stuck.started');
    const stuck = path.join(TMP, 'stuck.mjs');
    writeFileSync(
      stuck,
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nprocess.stderr.write('stuck: loading\\n');\nfor (;;) {}\n`,
    );
    const r = await runSignalled(['check', stuck], /stuck: loading/, [
      { signal: 'SIGINT' },
      { signal: 'SIGINT', after: /SIGINT: stopping the search/ },
    ]);
    expect(existsSync(marker)).toBe(true);
    expect(r.code).toBe(130);
    expect(r.err).toContain('mmcheck: SIGINT again: exiting at once');
  });
});

describe('memory', () => {
  test('--max-memory: the search ends INCOMPLETE (memory) with its statistics, exit 3, no V8 trace', () => {
    const r = run([...LONG, '--max-memory', '1M', '--quiet']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^INCOMPLETE\s+.*the memory bound \(--max-memory\) was reached \(memory\)/);
    expect(r.out).toMatch(/peak rss/);
    expect(r.err).toBe('');
  });

  test('a bound the search grows into: stops once the resident size passes it', () => {
    const r = run([...LONG, '--max-memory', '128M', '--quiet', '--json']);
    expect(r.code).toBe(3);
    const run0 = parse(r.out).runs[0];
    expect(run0.incompleteReason).toBe('memory');
    expect(run0.stats?.peakRssBytes).toBeGreaterThan(128 * 2 ** 20);
    expect(r.err).not.toMatch(/heap out of memory|FATAL ERROR/);
  });

  test('under `ulimit -v` (no room for a second V8 isolate): runs in-process, ends INCOMPLETE (memory), no V8 fatal OOM', () => {
    const r = spawnSync(
      'sh',
      ['-c', `ulimit -v 1200000 && exec "${process.execPath}" "${MAIN}" ${LONG.join(' ')} --quiet`],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '' },
      },
    );
    expect(r.stderr).not.toMatch(/Fatal|out of memory/i);
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/^INCOMPLETE\s+.*\(memory\)/);
  });

  test('a bad size is a usage error', () => {
    const r = run(['check', 'peterson', '--max-memory', 'lots']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^mmcheck: error: --max-memory must be a size such as 4G/);
  });
});

describe('--time-limit bounds the whole command', () => {
  test('check: no phase starts after the limit (the shortest-counterexample rerun is skipped)', () => {
    const r = run([
      'check',
      'peterson',
      '--variant',
      'no-turn',
      '--strategy',
      'dfs',
      '--time-limit',
      '0.000001',
      '--quiet',
    ]);
    // peterson's whole dfs search is 39 transitions, done before the first look at the clock.
    expect(r.out).toMatch(/^VIOLATED\s+peterson\/no-turn/);
    expect(r.out).toMatch(/^counterexample for mutual-exclusion \(\d+ steps, dfs\):/m);
    expect(r.out).not.toMatch(/shortest counterexample/);
    expect(r.code).toBe(1);
  });

  test('verify: the limit is for the whole run, and the output says which variants it did not reach', () => {
    const r = run(['verify', '--time-limit', '0.000001', '--quiet', '--width', '400']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^not reached \(the time limit \(--time-limit\) was reached\): .*peterson\/no-turn/m);
    expect(r.out).toMatch(/^peterson\n(?: .*\n)*? {2}no-turn\s+NOT REACHED\s/m);
    expect(r.out).toMatch(/INCOMPLETE: \d+ of \d+ model variants were not searched to the end/);
  });
});

describe('exit codes', () => {
  test('0 met, 1 violated, 2 usage, 3 incomplete; JSON ok and exitCode agree', () => {
    const cases: [string[], number][] = [
      [['check', 'peterson'], 0],
      [['check', 'peterson', '--variant', 'no-turn'], 1],
      [['check', 'peterson', '--variant', 'nope'], 2],
      [['check', 'peterson', '--max-states', '5'], 3],
    ];
    for (const [args, code] of cases) {
      const r = run([...args, '--json']);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), code]);
      if (code === 2) continue;
      const doc = parse(r.out);
      expect(doc.exitCode).toBe(code);
      expect(doc.ok).toBe(code === 0);
    }
  });

  test('an incomplete search is INCOMPLETE, not MISMATCH on every property', () => {
    const r = run(['check', 'peterson', '--max-states', '5']);
    expect(r.out).not.toContain('MISMATCH');
    expect(r.out).toMatch(/mutual-exclusion\s+invariant\s+unknown\s+holds\s+unknown/);
    const v = run(['verify', '--max-states', '5', '--quiet']);
    expect(v.code).toBe(3);
    expect(v.out).not.toMatch(/expected holds, got unknown/);
  });
});
