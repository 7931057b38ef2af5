import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonReport } from '../../src/report/json.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // No CI annotations mixed into the output under test when the suite itself runs on GitHub Actions.
    env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('check --lock-order', () => {
  test('text: the dependencies and the cycle with the steps that close it', () => {
    const r = run('check', 'philosophers', '--lock-order', '--width', '400');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^lock order \(lockdep-style, over every reachable state/m);
    expect(r.out).toContain('1 cycle — possible circular locking dependency');
    expect(r.out).toContain(
      "fork[2] → fork[0]: phil2 holds fork[2] (since 'philosopher: lock first fork') at 'philosopher: lock second fork'",
    );
  });

  test('JSON: a lockOrder field only when asked for', () => {
    const with_ = JSON.parse(
      run('check', 'philosophers', '--variant', 'ordered', '--lock-order', '--json').out,
    ) as JsonReport;
    const lo = with_.runs[0].lockOrder!;
    expect(lo.complete).toBe(true);
    expect(lo.cycles).toEqual([]);
    expect(lo.edges.map((e: { from: string; to: string }) => `${e.from}→${e.to}`)).toEqual([
      'fork[0]→fork[1]',
      'fork[0]→fork[2]',
      'fork[1]→fork[2]',
    ]);
    const without = JSON.parse(run('check', 'philosophers', '--variant', 'ordered', '--json').out) as JsonReport;
    expect('lockOrder' in without.runs[0]).toBe(false);
  });

  test('a state limit makes the lock-order report incomplete, never silently complete', () => {
    const r = run('check', 'philosophers', '--lock-order', '--max-states', '5', '--json');
    expect((JSON.parse(r.out) as JsonReport).runs[0].lockOrder).toMatchObject({
      complete: false,
      reason: 'max-states',
    });
  });

  test('a complete search with an incomplete lock-order pass is not OK: exit 3 (incomplete), no unqualified "consistent order"', () => {
    // 60 states are enough for the reduced search, not for the lock-order pass (no reduction).
    const dfs = ['--strategy', 'dfs'];
    expect(run('check', 'philosophers', '--variant', 'ordered', ...dfs, '--max-states', '60').code).toBe(0);
    const r = run('check', 'philosophers', '--variant', 'ordered', ...dfs, '--lock-order', '--max-states', '60');
    expect(r.code).toBe(3);
    expect(r.out).toContain('no cycle found in the explored part');
    expect(r.out).not.toMatch(/no cycle: the lock classes are acquired in a consistent order/);
  });

  test('verify: a variant whose lock-order pass is cut short is INCOMPLETE, not ok', () => {
    const r = run('verify', '--lock-order', '--max-states', '60');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^philosophers\n(?: .*\n)*? {2}ordered\s+INCOMPLETE\s/m);
  });
});
