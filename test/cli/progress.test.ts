/** Progress on long runs (issue 14 §5): a live line on a terminal, a heartbeat elsewhere, none with --quiet. */
import { describe, expect, test } from '@jest/globals';
import type { Progress } from '../../src/explore/results/result.js';
import type { Io } from '../../src/cli/io.js';
import { ProgressPrinter, progressMode, progressText } from '../../src/cli/progress.js';

function fakeIo(over: Partial<Io> = {}): Io & { errs: string[] } {
  const errs: string[] = [];
  return {
    out: () => undefined,
    err: (s) => void errs.push(s),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: '/',
    errs,
    ...over,
  };
}

const p = (over: Partial<Progress> = {}): Progress => ({
  states: 1_234_567,
  transitions: 2_000_000,
  depth: 37,
  queue: 12,
  elapsedMs: 10_000,
  rssBytes: 3 * 2 ** 30,
  ...over,
});

describe('progress', () => {
  test('the mode: live on a terminal, heartbeat elsewhere, off with --quiet', () => {
    expect(progressMode(fakeIo({ stderrIsTTY: true }), false)).toBe('live');
    expect(progressMode(fakeIo(), false)).toBe('heartbeat');
    expect(progressMode(fakeIo({ stderrIsTTY: true }), true)).toBe('off');
    expect(new ProgressPrinter(fakeIo(), 'off').callback('x')).toBeUndefined();
  });

  test('the line: states, states/s, depth, memory (rss), elapsed; the estimate and its basis when there is one', () => {
    expect(progressText(p())).toBe('1,234,567 states · 123,457 states/s · depth 37 · rss 3.00 GiB · 10.00 s');
    expect(progressText(p({ estimate: { fraction: 0.375, basis: 'of 1000 schedules (--runs)' } }))).toMatch(
      / · 37% of 1000 schedules \(--runs\)$/,
    );
    expect(progressText(p(), 70_000, 10_000)).toMatch(/ · ≤ 1 min 0 s left \(--time-limit\)$/);
    // A run of auto that started 5 s into it: the rate over its own time, the elapsed time auto's.
    expect(progressText(p({ runMs: 5000 }))).toBe(
      '1,234,567 states · 246,913 states/s · depth 37 · rss 3.00 GiB · 10.00 s',
    );
  });

  test('live: each update rewrites the line and stays inside 80 columns, so nothing wraps into debris', () => {
    const io = fakeIo({ stderrIsTTY: true, errColumns: 80 });
    const pr = new ProgressPrinter(io, 'live');
    const long = 'rmap-vs-vma-adjust/v2.6.34-rc shortest no-stale-anon-vma-after-adjust';
    pr.show(long, p({ estimate: { fraction: 0.5, basis: 'of --max-states (an upper bound)' } }));
    pr.show('short', p({ states: 1 }));
    pr.clear();
    for (const w of io.errs.slice(0, 2)) {
      expect(w.startsWith('\r\x1b[K')).toBe(true);
      expect([...w.slice(4)].length).toBeLessThanOrEqual(79);
      expect(w).not.toContain('\n');
    }
    // What is dropped to fit is the estimate, the depth, the rate; states, time and memory stay.
    expect(io.errs[0]).toBe('\r\x1b[Krmap-vs-vma-adjust/v2.6.34-rc …: 1,234,567 states · rss 3.00 GiB · 10.00 s');
    expect(io.errs[1]).toBe('\r\x1b[Kshort: 1 states · 0 states/s · depth 37 · rss 3.00 GiB · 10.00 s');
    expect(io.errs[2]).toBe('\r\x1b[K');
  });

  test('between searches (verify, compare): the same line on a terminal, a rate-limited heartbeat elsewhere', () => {
    const tty = fakeIo({ stderrIsTTY: true, errColumns: 80 });
    const live = new ProgressPrinter(tty, 'live');
    live.step('verify: 3 of 43 variants done; next peterson/no-turn');
    live.clear();
    expect(tty.errs).toEqual(['\r\x1b[Kverify: 3 of 43 variants done; next peterson/no-turn', '\r\x1b[K']);
    const log = fakeIo();
    const beat = new ProgressPrinter(log, 'heartbeat', undefined, 0);
    beat.step('verify: 1 of 43 variants done', 100);
    beat.step('verify: 20 of 43 variants done', 15_000);
    beat.step('verify: 21 of 43 variants done', 15_100);
    expect(log.errs).toEqual(['mmcheck: running: verify: 20 of 43 variants done\n']);
  });

  test('heartbeat: one line at most every interval (15 s unless MMCHECK_HEARTBEAT_SECONDS), never a carriage return', () => {
    const io = fakeIo();
    const pr = new ProgressPrinter(io, 'heartbeat', undefined, 0);
    pr.show('m/v', p(), 1_000);
    pr.show('m/v', p(), 14_999);
    expect(io.errs).toEqual([]);
    pr.show('m/v', p(), 15_000);
    pr.show('m/v', p(), 16_000);
    pr.show('m/v', p(), 30_001);
    expect(io.errs).toHaveLength(2);
    expect(io.errs[0]).toMatch(/^mmcheck: running: m\/v: 1,234,567 states · .*\n$/);
    expect(io.errs.join('')).not.toContain('\r');
    const quick = fakeIo({ env: { MMCHECK_HEARTBEAT_SECONDS: '0' } });
    const pq = new ProgressPrinter(quick, 'heartbeat', undefined, 0);
    pq.show('m/v', p(), 1);
    pq.show('m/v', p(), 2);
    expect(quick.errs).toHaveLength(2);
  });
});
