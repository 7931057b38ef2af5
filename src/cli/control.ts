/**
 * One command's run control: the deadline of the whole command (`--time-limit`), the memory
 * bound (`--max-memory`) and the interrupt flag (Ctrl-C / SIGTERM, set by the bin), turned into
 * the limits each search phase gets. The library polls them; it never sees a signal itself.
 */
import type { IncompleteReason, Limits } from '../explore/results/result.js';
import type { Io } from './io.js';
import { intOption, memoryOption, secondsOption, type SearchArgs } from './options.js';
import { defaultMaxMemory } from './memory.js';

export interface RunControl {
  /** performance.now() at which the whole command's time is up, when --time-limit was given. */
  readonly deadline?: number;
  readonly maxMemoryBytes: number;
  readonly maxStates?: number;
  readonly maxDepth?: number;
  readonly interrupted: () => boolean;
}

/** The control of a command that starts now. */
export function runControl(a: SearchArgs, io: Io, now = performance.now()): RunControl {
  const timeLimitMs = secondsOption('time-limit', a['time-limit']);
  const before = io.startedAt !== undefined ? Math.max(0, Date.now() - io.startedAt) : 0;
  return {
    ...(timeLimitMs !== undefined ? { deadline: now + timeLimitMs - before } : {}),
    maxMemoryBytes: memoryOption(a['max-memory']) ?? defaultMaxMemory(),
    maxStates: intOption('max-states', a['max-states'], 1),
    maxDepth: intOption('max-depth', a['max-depth'], 1),
    interrupted: io.interrupted ?? (() => false),
  };
}

/** Why no further phase may start (interrupted, or the command's time is up), else null. */
export function exhausted(c: RunControl, now = performance.now()): IncompleteReason | null {
  if (c.interrupted()) return 'signal';
  if (c.deadline !== undefined && now >= c.deadline) return 'time';
  return null;
}

/** The limits of one search phase starting now: what is left of the command's time, the memory bound, the flag. */
export function phaseLimits(c: RunControl, now = performance.now()): Required<Pick<Limits, 'stop'>> & Limits {
  return {
    maxStates: c.maxStates,
    maxDepth: c.maxDepth,
    ...(c.deadline !== undefined ? { timeLimitMs: Math.max(0, c.deadline - now) } : {}),
    maxMemoryBytes: c.maxMemoryBytes,
    stop: () => (c.interrupted() ? 'signal' : null),
  };
}

/** The limits of a lock-order pass starting now (its loop polls `stop` for the signal and the memory bound). */
export function lockOrderLimits(c: RunControl, now = performance.now()) {
  return {
    maxStates: c.maxStates,
    ...(c.deadline !== undefined ? { timeLimitMs: Math.max(0, c.deadline - now) } : {}),
    stop: (): 'signal' | 'memory' | null =>
      c.interrupted() ? 'signal' : process.memoryUsage.rss() > c.maxMemoryBytes ? 'memory' : null,
  };
}
