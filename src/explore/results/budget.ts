import type { IncompleteReason, Limits, Progress, ProgressEstimate, SearchOptions, Stats, Strategy } from './result.js';

/** Transitions between two looks at the clock, the memory, the stop flag and progress. */
const POLL_MASK = 4095;
/**
 * Milliseconds between two memory samples: with a large heap a sample costs tens of microseconds,
 * and the compiled engine polls every few milliseconds.
 */
const SAMPLE_MS = 25;

/**
 * Limits, timing, memory sampling and progress reports for one search. `tick` is called once
 * per transition and does real work only every 4096 calls: it samples the heap and the resident
 * memory of the whole process (off-heap typed-array tables included; at most every 25 ms),
 * reports progress about once a second, and stops the search at the time limit, the memory
 * bound, or when the caller's `stop` asks for it.
 */
export class Budget {
  readonly start = performance.now();
  transitions = 0;
  maxDepth = 0;
  peakHeap = process.memoryUsage().heapUsed;
  peakRss = process.memoryUsage.rss();
  /** The strategy's own estimate of how much is done (e.g. a random walk's schedules run). */
  estimate?: () => ProgressEstimate | undefined;
  private lastReport = this.start;
  private lastSample = this.start;

  constructor(
    readonly limits: Limits,
    private readonly onProgress?: SearchOptions['onProgress'],
  ) {}

  get maxStates(): number {
    return this.limits.maxStates ?? Infinity;
  }

  get depthLimit(): number {
    return this.limits.maxDepth ?? Infinity;
  }

  /** Count one transition; returns why the search must stop now (time, memory, signal), else null. */
  tick(states: number, depth: number, queue: number): IncompleteReason | null {
    this.transitions++;
    if (depth > this.maxDepth) this.maxDepth = depth;
    if ((this.transitions & POLL_MASK) !== 0) return null;
    return this.poll(states, depth, queue);
  }

  /** The periodic work of `tick`, also for searches that want to look between transitions. */
  poll(states: number, depth: number, queue: number): IncompleteReason | null {
    const now = performance.now();
    if (now - this.lastSample >= SAMPLE_MS) {
      this.lastSample = now;
      this.sampleMemory();
    }
    if (this.onProgress && now - this.lastReport > 1000) {
      this.lastReport = now;
      this.onProgress(this.progress(states, depth, queue, now));
    }
    const asked = this.limits.stop?.() ?? null;
    if (asked) return asked;
    if (this.limits.maxMemoryBytes !== undefined && this.peakRss > this.limits.maxMemoryBytes) return 'memory';
    if (this.limits.timeLimitMs !== undefined && now - this.start > this.limits.timeLimitMs) return 'time';
    return null;
  }

  private sampleMemory(): void {
    const heap = process.memoryUsage().heapUsed;
    if (heap > this.peakHeap) this.peakHeap = heap;
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
  }

  progress(states: number, depth: number, queue: number, now = performance.now()): Progress {
    const own = this.estimate?.();
    const estimate =
      own ??
      (this.limits.maxStates !== undefined && states > 0
        ? { fraction: Math.min(1, states / this.limits.maxStates), basis: 'of --max-states (an upper bound)' }
        : undefined);
    return {
      states,
      transitions: this.transitions,
      depth,
      queue,
      elapsedMs: now - this.start,
      rssBytes: process.memoryUsage.rss(),
      ...(estimate ? { estimate } : {}),
    };
  }

  stats(strategy: Strategy, states: number, bytes: number, extra: Partial<Stats> = {}): Omit<Stats, 'checked'> {
    this.sampleMemory();
    return {
      strategy,
      states,
      transitions: this.transitions,
      maxDepth: this.maxDepth,
      timeMs: Math.round((performance.now() - this.start) * 10) / 10,
      peakHeapBytes: this.peakHeap,
      peakRssBytes: this.peakRss,
      bytesPerState: states > 0 ? Math.round((bytes / states) * 10) / 10 : 0,
      collisionBound: (states * states) / 2 ** 65,
      ...extra,
    };
  }
}
