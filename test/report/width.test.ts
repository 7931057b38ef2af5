/**
 * Tables fit the output width: 80 columns in a pipe, the terminal's width on a terminal, or
 * --width; verify streams one row per variant as it finishes.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import stringWidth from 'string-width';
import { runCli } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';
import { registry } from '../../src/cli/load.js';
import { compactOutcome, renderMatrix } from '../../src/report/matrix.js';
import { plainPalette } from '../../src/report/palette.js';
import { cell, renderTable } from '../../src/report/table.js';

interface Captured {
  readonly outs: string[];
  readonly err: string[];
  readonly code: number;
}

async function cli(args: string[], columns?: number): Promise<Captured> {
  const outs: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (s) => void outs.push(s),
    err: (s) => void err.push(s),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: process.cwd(),
    ...(columns ? { columns } : {}),
  };
  const code = await runCli(args, io);
  return { outs, err, code };
}

const widest = (text: string) => Math.max(...text.split('\n').map((l) => stringWidth(l)));

describe('renderTable within a width', () => {
  const long = 'a description long enough that it cannot possibly fit in the width it is given here';
  const rows = [
    ['first', 12, long],
    ['second', 3456, 'short'],
  ];
  const cols = [{ header: 'name' }, { header: 'n', align: 'right' as const, nowrap: true }, { header: 'text' }];

  test('natural widths when they fit', () => {
    const t = renderTable(cols, rows, { width: 200 }).split('\n');
    expect(t[2]).toBe(`first     12  ${long}`);
  });

  test('the wide column wraps at spaces, every line within the width, columns aligned', () => {
    const t = renderTable(cols, rows, { width: 40 });
    expect(widest(t)).toBeLessThanOrEqual(40);
    const lines = t.split('\n');
    expect(lines[2]).toMatch(/^first\s+12 {2}a description long/);
    const textStart = lines[0].indexOf('text');
    for (const l of lines.slice(2)) if (l.trim()) expect(l.slice(textStart - 2, textStart)).toBe('  ');
    expect(lines.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(0);
  });

  test('a name wider than its column breaks after a hyphen or underscore, else hard', () => {
    const t = renderTable(
      [{ header: 'variant', width: 14 }, { header: 'x' }],
      [
        ['vma-anon-vma-lock', 1],
        ['(shift_arg_pages)', 2],
        ['abcdefghijklmnopq', 3],
      ],
    ).split('\n');
    expect(t.slice(2).map((l) => l.slice(0, 14).trimEnd())).toEqual([
      'vma-anon-vma-',
      'lock',
      '(shift_arg_',
      'pages)',
      'abcdefghijklmn',
      'opq',
    ]);
  });
});

describe('compare matrix', () => {
  const spec = {
    label: { header: 'variant' },
    labels: ['upstream', 'fixed'],
    props: [
      { name: 'no-ref-held-across-migration-wait', cells: [cell('VIOLATED (10 steps)', 'magenta'), cell('holds')] },
      { name: 'migration-succeeds', cells: [cell('VIOLATED (48 steps) *', 'red'), cell('unknown')] },
    ],
    rest: [{ column: { header: 'states', align: 'right' as const }, cells: ['5,806', '270'] }],
    palette: plainPalette,
  };

  test('compact cells', () => {
    expect(compactOutcome(cell('VIOLATED (≤12 steps) *')).text).toBe('✗≤12*');
    expect(compactOutcome(cell('holds')).text).toBe('✓');
    expect(compactOutcome(cell('VIOLATED (8 steps, migrator alone)')).text).toBe('✗8¹');
    expect(compactOutcome(cell('unknown')).text).toBe('?');
  });

  test('full names when they fit; short keys and a legend when not', () => {
    const wide = renderMatrix({ ...spec, width: 200 });
    expect(wide).toMatch(/^upstream\s+VIOLATED \(10 steps\)\s+VIOLATED \(48 steps\) \*\s+5,806$/m);
    const narrow = renderMatrix({ ...spec, width: 60 });
    expect(widest(narrow)).toBeLessThanOrEqual(60);
    expect(narrow).toMatch(/^variant\s+P1\s+P2$/m);
    expect(narrow).toMatch(/^upstream\s+✗10\s+✗48\*$/m);
    expect(narrow).toMatch(/^ {2}P1 {2}no-ref-held-across-migration-wait$/m);
    expect(narrow).toMatch(/^variant\s+states$/m);
  });
});

describe('the commands at 80 columns', () => {
  test('verify streams one row per variant, each within 80 columns', async () => {
    const r = await cli(['verify', '--max-states', '60']);
    // Cut short everywhere, nothing contradicts an expectation: incomplete, exit 3.
    expect(r.code).toBe(3);
    const [header, ...rest] = r.outs;
    expect(header).toMatch(/^ {2}variant\s+result\s+holds\s+states\s+time\n/);
    const footer = rest.pop()!;
    expect(footer).toMatch(/INCOMPLETE: \d+ of \d+ model variants were not searched to the end/);
    // One write per variant, in registry order, written as each search finishes.
    expect(rest).toHaveLength(registry().reduce((n, m) => n + Object.keys(m.variants).length, 0));
    expect(rest[0]).toMatch(/^peterson\n {2}peterson\s+ok\s+2\/2\s+34\s/);
    expect(rest[2]).toMatch(/^philosophers\n {2}naive\s+INCOMPLETE\s+0\/2\s+60\s.*\n {6}violated: deadlock-free\n$/);
    for (const o of r.outs) expect(widest(o)).toBeLessThanOrEqual(80);
  });

  test('a reader that stops early (verify | head) ends the streamed rows without a stack trace', () => {
    const main = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${main}" verify --max-states 60 | head -n 1`], {
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^ {2}variant\s+result/);
    expect(r.stderr).toBe('');
  });

  test('verify uses the terminal width: the violated list gets its own column', async () => {
    const r = await cli(['verify', '--max-states', '60'], 140);
    expect(r.outs[0]).toMatch(/^ {2}variant\s+result\s+holds\s+violated\s+states\s+time\n/);
    expect(r.outs.join('')).toMatch(/^ {2}naive\s+INCOMPLETE\s+0\/2\s+deadlock-free\s+60\s/m);
    for (const o of r.outs) expect(widest(o)).toBeLessThanOrEqual(140);
  });

  test('--verbose lists every property under its variant', async () => {
    const r = await cli(['verify', '--max-states', '60', '--verbose']);
    expect(r.outs[1]).toMatch(/^ {4} {2}mutual-exclusion\s+invariant\s+holds\s+holds\s+ok$/m);
    expect(r.outs[3]).toMatch(/^ {4} {2}lock-misuse\s+assertion\s+unknown\s+holds\s+unknown$/m);
  });

  test('list and compare fit 80 columns; --width widens them', async () => {
    for (const args of [['list'], ['compare', 'mremap-vs-rmap-walk'], ['compare', 'put-and-wait-vs-migration']]) {
      const r = await cli(args);
      expect(r.code).toBe(0);
      expect(widest(r.outs.join(''))).toBeLessThanOrEqual(80);
    }
    const wide = await cli(['compare', 'put-and-wait-vs-migration', '--width', '300']);
    expect(wide.outs.join('')).toMatch(/^variant\s+frozen-ref-not-in-use\s+refcount\s/m);
    expect(widest(wide.outs.join(''))).toBeGreaterThan(80);
  });

  test('check at 80 columns: summary, swimlanes (lanes only for threads that step) and replay command fit', async () => {
    const r = await cli(['check', 'migration-vs-fault', '--property', 'no-ref-held-across-migration-wait']);
    expect(r.code).toBe(1);
    const out = r.outs.join('');
    expect(widest(out)).toBeLessThanOrEqual(80);
    expect(out).toMatch(/^ # │ migrator\s+│ reader0\s+│ changes$/m);
    expect(out).toContain('(no step taken by reader1)');
    expect(out).toMatch(/^ {2}replay: {3}npx mmcheck replay migration-vs-fault --variant upstream \\$/m);
  });

  test('check and replay at 80 columns: the lines under the summary wrap too', async () => {
    const cases: [string[], number, RegExp][] = [
      [['check', 'rmap-vs-vma-adjust', '--lock-order'], 1, /^ {4}anon_vma → ptl: migrator holds anon_vma/m],
      [
        ['check', 'peterson', '--strategy', 'dfs', '--compare-naive', '--max-states', '20'],
        3,
        /^ {2}reduction vs naive: n\/a/m,
      ],
      [
        ['check', 'peterson', '--property', 'mutual-exclusion', '--property', 'deadlock-free'],
        0,
        /^ {2}checked only:/m,
      ],
      [
        ['replay', 'philosophers', '--variant', 'naive', '--schedule', '0,1,2', '--property', 'lock-misuse'],
        0,
        /^ {2}deadlock: phil0/m,
      ],
    ];
    for (const [args, code, shown] of cases) {
      const r = await cli(args);
      expect(r.code).toBe(code);
      const out = r.outs.join('');
      expect(out).toMatch(shown);
      expect(widest(out)).toBeLessThanOrEqual(80);
    }
  });

  test('--width below 40 is a usage error', async () => {
    const r = await cli(['list', '--width', '30']);
    expect(r.code).toBe(2);
    expect(r.err.join('')).toMatch(/^mmcheck: error: --width must be an integer ≥ 40 \(got 30\)\n$/);
  });
});
