import type { IncompleteReason, Limits, Progress, SearchOptions, Stats, Strategy } from './result.js';

/**
 * Limits, timing, memory sampling and progress reports for one search. `tick` is called once
 * per transition and does real work only every 4096 calls.
 */
export class Budget {
  readonly start = performance.now();
  transitions = 0;
  maxDepth = 0;
  peakHeap = process.memoryUsage().heapUsed;
  private lastReport = this.start;

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

  /** Count one transition; returns 'time' when the time limit has passed. */
  tick(states: number, depth: number, queue: number): IncompleteReason | null {
    this.transitions++;
    if (depth > this.maxDepth) this.maxDepth = depth;
    if ((this.transitions & 4095) !== 0) return null;
    const now = performance.now();
    const heap = process.memoryUsage().heapUsed;
    if (heap > this.peakHeap) this.peakHeap = heap;
    if (this.onProgress && now - this.lastReport > 1000) {
      this.lastReport = now;
      this.onProgress(this.progress(states, depth, queue, now));
    }
    if (this.limits.timeLimitMs !== undefined && now - this.start > this.limits.timeLimitMs) return 'time';
    return null;
  }

  progress(states: number, depth: number, queue: number, now = performance.now()): Progress {
    return { states, transitions: this.transitions, depth, queue, elapsedMs: now - this.start };
  }

  stats(strategy: Strategy, states: number, bytes: number, extra: Partial<Stats> = {}): Omit<Stats, 'checked'> {
    const heap = process.memoryUsage().heapUsed;
    if (heap > this.peakHeap) this.peakHeap = heap;
    return {
      strategy,
      states,
      transitions: this.transitions,
      maxDepth: this.maxDepth,
      timeMs: Math.round((performance.now() - this.start) * 10) / 10,
      peakHeapBytes: this.peakHeap,
      bytesPerState: states > 0 ? Math.round((bytes / states) * 10) / 10 : 0,
      collisionBound: (states * states) / 2 ** 65,
      ...extra,
    };
  }
}
