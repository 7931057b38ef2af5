/**
 * The budget stops a search when the caller asks (`stop`, the CLI's Ctrl-C flag) or at the memory
 * bound, every strategy keeping what it found; polls happen every 4096 transitions, so the counts
 * below are exact.
 */
import { describe, expect, test } from '@jest/globals';
import { instantiate } from '../../../src/core/instantiate.js';
import { explore, STRATEGIES } from '../../../src/explore/explore.js';
import type { Progress } from '../../../src/explore/results/result.js';
import lastzero from '../../../models/classic/lastzero.js';

const big = () => instantiate(lastzero, undefined, { n: 12 });

describe('budget', () => {
  test.each(STRATEGIES.map((s) => [s]))(
    '%s: stop() asked at the third poll → incomplete (signal) after 3 × 4096 transitions',
    (strategy) => {
      let polls = 0;
      const r = explore(big(), {
        strategy,
        ...(strategy === 'random' ? { runs: 1_000_000 } : {}),
        stop: () => (++polls === 3 ? 'signal' : null),
      });
      expect(r.kind).toBe('incomplete');
      if (r.kind !== 'incomplete') return;
      expect(r.reason).toBe('signal');
      expect(polls).toBe(3);
      expect(r.stats.transitions).toBe(3 * 4096);
      expect(r.stats.peakRssBytes).toBeGreaterThan(0);
      // The random walk ends its remaining schedules at once (it used to generate all million of them).
      if (strategy === 'random') expect(r.stats.executions).toBeLessThan(3 * 4096);
    },
  );

  test('the memory bound: the resident size of the process, checked at the first poll', () => {
    const r = explore(big(), { maxMemoryBytes: 1 });
    expect(r.kind === 'incomplete' && r.reason).toBe('memory');
    expect(r.kind === 'incomplete' && r.stats.transitions).toBe(4096);
  });

  test('progress carries the resident size, and a random walk its share of the schedules run', () => {
    const seen: Progress[] = [];
    let polls = 0;
    const r = explore(big(), {
      strategy: 'random',
      runs: 1_000_000,
      onProgress: (p) => seen.push(p),
      // Stop once a progress report came (they come at most once a second): bounded by reports, not time.
      stop: () => (++polls > 1 && seen.length > 0 ? 'signal' : null),
    });
    expect(r.kind === 'incomplete' && r.reason).toBe('signal');
    expect(seen[0].rssBytes).toBeGreaterThan(0);
    expect(seen[0].estimate?.basis).toBe('of 1000000 schedules (--runs)');
    expect(seen[0].estimate!.fraction).toBeGreaterThan(0);
    expect(seen[0].estimate!.fraction).toBeLessThan(1);
  });
});
