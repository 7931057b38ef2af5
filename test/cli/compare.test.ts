/**
 * compare's cost baseline: the model's first declared variant, or `--baseline v`, whatever the
 * order the rows are rendered in; an unknown or pointless baseline is a usage error.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiate } from '../../src/core/instantiate.js';
import {
  baselineVariant,
  costColumns,
  lockOrderColumns,
  lockOrderNotes,
  paramSets,
  soloThread,
  topology,
  type CompareRow,
} from '../../src/cli/compare.js';
import { lockOrder } from '../../src/analysis/lock-order.js';
import mremap from '../../models/kernel/mremap-vs-rmap-walk.js';
import spf from '../../models/kernel/spf-seqcount.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = path.join(ROOT, 'dist/src/cli/main.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // No CI annotations mixed into the output under test when the suite itself runs on GitHub Actions.
    env: { ...process.env, NO_COLOR: '', GITHUB_ACTIONS: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The mremap cost cell of each variant, computed in the order given. */
function costs(order: readonly string[], baseline?: string): Record<string, string> {
  const [col] = costColumns(mremap, {}, baseline);
  const row = (variant: string) => ({ inst: instantiate(mremap, variant, {}) }) as unknown as CompareRow;
  return Object.fromEntries(order.map((v) => [v, (col.value(row(v)) as { text: string }).text]));
}

describe('compare: cost baseline', () => {
  // mremap alone: 2 locks in 3.1 (after-486cf46f), 4 with need_rmap_locks, 1 atomic everywhere.
  test('the default baseline is the first declared variant, even when another row is rendered first', () => {
    expect(baselineVariant(mremap, undefined)).toBe('after-486cf46f');
    expect(costs(['need-rmap-locks', 'after-486cf46f'])).toEqual({
      'need-rmap-locks': '4 / 1 (+2 lock)',
      'after-486cf46f': '2 / 1',
    });
  });

  test('--baseline names the variant compared with', () => {
    expect(costs(['after-486cf46f', 'need-rmap-locks', 'moveto-tail'], 'need-rmap-locks')).toEqual({
      'after-486cf46f': '2 / 1 (-2 lock)',
      'need-rmap-locks': '4 / 1',
      'moveto-tail': '3 / 1 (-1 lock)',
    });
    const r = run('compare', 'mremap-vs-rmap-walk', '--baseline', 'need-rmap-locks', '--width', '250');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^after-486cf46f\s.*\s2 \/ 1 \(-2 lock\)$/m);
    expect(r.out).toMatch(/^need-rmap-locks\s.*\s4 \/ 1$/m);
    expect(r.out).toMatch(/than the baseline variant, need-rmap-locks$/m);
    expect(run('compare', 'mremap-vs-rmap-walk', '--width', '250').out).toMatch(
      /than the baseline variant, after-486cf46f \(the first variant; --baseline v to change\)$/m,
    );
  });

  test.each([
    [
      'unknown variant',
      ['--baseline', 'nope'],
      /--baseline: model 'mremap-vs-rmap-walk' has no variant 'nope' \(known: after-486cf46f, /,
    ],
    ['given twice', ['--baseline', 'moveto-tail', '--baseline', 'anon-vma-lock'], /--baseline given 2 times/],
    ['missing its value', ['--baseline'], /Not enough arguments following: baseline/],
  ])('bad --baseline (%s): exit 2, one line, before any search', (_name, args, pattern) => {
    const r = run('compare', 'mremap-vs-rmap-walk', ...args);
    expect([r.code, r.out]).toEqual([2, '']);
    expect(r.err).toMatch(/^mmcheck: error: .*\n$/);
    expect(r.err).toMatch(pattern);
  });

  test('--baseline on a model without cost scenarios is a usage error', () => {
    const r = run('compare', 'peterson', '--baseline', 'no-turn');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^mmcheck: error: --baseline: model 'peterson' has no cost scenarios to compare\n$/);
  });
});

describe('compare: the lock-order column of a model that declares one', () => {
  // spf-seqcount's finding is a lockdep splat: the column tells posted from raw-sections, which
  // the property columns print identically.
  const row = (variant: string) => {
    const inst = instantiate(spf, variant, { readers: 0 });
    return { inst, lockOrder: lockOrder(inst) } as unknown as CompareRow;
  };
  test('posted has the cycles, raw-sections none; the notes name them and the pass parameters', () => {
    const [col] = lockOrderColumns(spf);
    const text = (v: string) => (col.value(row(v)) as { text: string }).text;
    expect([text('posted'), text('raw-sections')]).toEqual(['3 cycles', 'no cycle']);
    const notes = lockOrderNotes(spf, [row('posted'), row('raw-sections')]);
    expect(notes[0]).toMatch(/run with readers=0:$/);
    expect(notes.slice(1)).toEqual([
      '  posted: fs_reclaim → i_mmap_rwsem → vm_seq → fs_reclaim',
      '  posted: fs_reclaim → i_mmap_rwsem → vm_seq/1 → fs_reclaim',
      '  posted: fs_reclaim → i_mmap_rwsem → vm_seq → vm_seq/1 → fs_reclaim',
    ]);
  });
  test('a model without the declaration gets no column', () => {
    expect(lockOrderColumns(mremap)).toEqual([]);
  });
});

describe('compare: fits the width', () => {
  test('the INCOMPLETE line under the table wraps at 80 columns (it was one line of 510)', () => {
    const r = run('compare', 'rmap-vs-vma-adjust', '--max-states', '5');
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^INCOMPLETE \(“unknown” is not “holds”\): v2\.6\.34-rc/m);
    for (const line of r.out.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  });
});

describe('compare: single-thread bugs and topologies', () => {
  const step = (thread: string) => ({ tid: 0, thread, label: 'f: op', changes: [] });
  const violation = (...threads: string[]) => ({
    property: 'p',
    kind: 'assertion' as const,
    message: 'm',
    trace: { threads: ['a', 'b'], steps: threads.map(step), schedule: '' },
  });
  test('a counterexample whose schedule runs one thread is a single-thread bug, named by that thread', () => {
    expect(soloThread(violation('migrator', 'migrator'))).toBe('migrator');
    expect(soloThread(violation('migrator', 'reader0'))).toBeUndefined();
    expect(soloThread(undefined)).toBeUndefined();
  });
  test('--param NAME=a,b runs every combination; a single value stays one set', () => {
    expect(paramSets(['mms=1,2', 'gup=0, 1', 'readers=2'])).toEqual([
      { mms: 1, gup: 0, readers: 2 },
      { mms: 1, gup: 1, readers: 2 },
      { mms: 2, gup: 0, readers: 2 },
      { mms: 2, gup: 1, readers: 2 },
    ]);
    expect(paramSets(undefined)).toEqual([{}]);
    expect(() => paramSets(['mms=1,x'])).toThrow(/bad --param 'mms=1,x'/);
  });
  test('the topology column names the parameters the rows differ in, only when they differ', () => {
    const row = (params: Record<string, number>) => ({ inst: { params } }) as unknown as CompareRow;
    expect(topology([row({ readers: 2, mms: 1 }), row({ readers: 2, mms: 2 })])).toEqual(['mms']);
    expect(topology([row({ readers: 2 }), row({ readers: 2 })])).toEqual([]);
  });
  test('migration-vs-fault: the table shows the topology and marks opt3-freeze-first-put as the migrator alone', () => {
    const r = run(
      'compare',
      'migration-vs-fault',
      '--param',
      'mms=1,2',
      '--param',
      'async=1',
      '--param',
      'sync=1',
      '--width',
      '400',
    );
    expect(r.code).toBe(1); // mms=2 differs from the variants' expectations (stated for mms=1)
    const line = (variant: string, topo: string) =>
      r.out.split('\n').find((l) => l.startsWith(`${variant} `) && l.includes(` ${topo} `)) ?? '';
    expect(line('opt3-freeze-first-put', 'mms=1')).toMatch(/VIOLATED \(8 steps, migrator alone\)/);
    expect(line('opt1-mkinvalid', 'mms=2')).toMatch(/VIOLATED/);
    expect(r.out).toMatch(/single-thread bug .*opt3-freeze-first-put mms=1: refcount \(migrator alone\)/s);
  });
});
