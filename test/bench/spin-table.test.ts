/**
 * The SPIN benchmark's table and summary (bench/spin/table.ts, summary.ts) on hand-made
 * measurements: which times each ratio divides, and the sizes the summary names. No checker runs.
 */
import { describe, expect, it } from '@jest/globals';
import { TRANSLATIONS, nameOf } from '../../bench/spin/index.js';
import type { Measurement, MmResult } from '../../bench/spin/compare.js';
import type { SpinResult } from '../../bench/spin/pan.js';
import { HEADER, row } from '../../bench/spin/table.js';
import { summary } from '../../bench/spin/summary.js';

const t = (name: string) => TRANSLATIONS.find((x) => nameOf(x) === name)!;

const mm = (searchMs: number, totalMs: number, extra: Partial<MmResult> = {}): MmResult => ({
  outcome: 'pass',
  properties: [],
  states: 100,
  transitions: 200,
  searchMs,
  totalMs,
  warmMs: searchMs / 2,
  peakHeapBytes: 0,
  bytesPerState: 40,
  maxRssBytes: 50 * 2 ** 20,
  ...extra,
});

const spin = (searchMs: number, compileMs: number, extra: Partial<SpinResult> = {}): SpinResult => ({
  outcome: 'pass',
  properties: [],
  states: 300,
  transitions: 600,
  depth: 10,
  vectorBytes: 64,
  genMs: 0,
  compileMs,
  searchMs,
  memMb: 1,
  stateMemMb: 1,
  maxRssBytes: 5 * 2 ** 20,
  ...extra,
});

const col = (r: string[], name: string) => r[HEADER.indexOf(name)];

describe('bench:spin table', () => {
  it('divides total by total and search by search, and keeps the warm time out of every ratio', () => {
    const r = row({
      t: t('migration-vs-fault/opt2-xchg'),
      n: 3,
      mm: mm(100, 400),
      spin: spin(50, 1_950),
      agreement: 'agree',
    });
    expect(r).toHaveLength(HEADER.length);
    // Why: mmcheck's total (spawn to verdict) against SPIN's spin -a + gcc + pan.
    expect(col(r, 'time mm/SPIN (total)')).toBe('0.20');
    expect(col(r, 'time mm/SPIN (search)')).toBe('2.00');
    expect(col(r, 'mmcheck ms (warm)')).toBe('50');
    expect(col(r, 'RSS mm/SPIN')).toBe('10.00');
  });

  it("prints one verdict when both agree and each checker's when they differ", () => {
    const same = row({ t: t('readers'), n: 2, mm: mm(1, 2), spin: spin(1, 2), agreement: 'agree' });
    expect(col(same, 'verdict')).toBe('pass');
    const cut = row({
      t: t('readers'),
      n: 2,
      mm: mm(1, 2, { outcome: 'incomplete', reason: 'time' }),
      spin: spin(1, 2),
      agreement: 'n/a',
    });
    expect(col(cut, 'verdict')).toBe('mmcheck incomplete (time); SPIN pass');
    expect(col(cut, 'time mm/SPIN (total)')).toBe('–');
  });
});

describe('bench:spin summary', () => {
  const fix = t('migration-vs-fault/opt2-xchg');
  const results: Measurement[] = [
    { t: fix, n: 1, mm: mm(20, 150), spin: spin(5, 1_500), agreement: 'agree' },
    { t: fix, n: 2, mm: mm(40, 3_000), spin: spin(60, 1_500), agreement: 'agree' },
    {
      t: fix,
      n: 3,
      mm: mm(9_000, 9_200, { outcome: 'incomplete', reason: 'time' }),
      spin: spin(500, 2_000),
      agreement: 'n/a',
    },
    { t: fix, n: 4, spin: spin(900, 2_000), agreement: 'n/a' },
    // A bug variant and a classic model are not fix variants.
    { t: t('migration-vs-fault/upstream'), n: 1, mm: mm(500, 900), spin: spin(1, 2), agreement: 'agree' },
    { t: t('readers'), n: 2, mm: mm(500, 900), spin: spin(1, 2), agreement: 'agree' },
  ];

  it('names, per fix variant, the sizes where mmcheck is slower, out-of-time sizes included', () => {
    const lines = summary(results);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('migration-vs-fault/opt2-xchg (compared at N = 1, 2, 3, 4)');
    expect(lines[1]).toContain("search time above SPIN's at N = 1, 3 (mmcheck out of time), 4 (mmcheck out of time)");
    expect(lines[1]).toContain("total above SPIN's at N = 2, 3 (mmcheck out of time), 4 (mmcheck out of time)");
  });

  it('is empty without fix variants', () => {
    expect(summary(results.slice(4))).toEqual([]);
  });
});
