/**
 * Progress of long runs, printed on stderr: on a terminal a live line rewritten in place (cut to
 * the terminal's width so it never wraps and never leaves debris); elsewhere (CI logs) a
 * heartbeat line every 15 s, so a log shows the run is alive. `--quiet` turns both off.
 */
import type { Progress } from '../explore/results/result.js';
import { cut, formatBytes, formatCount, formatDuration, formatRate } from '../report/format.js';
import type { Io } from './io.js';

export type ProgressMode = 'live' | 'heartbeat' | 'off';

/** Seconds between two heartbeat lines when stderr is not a terminal (MMCHECK_HEARTBEAT_SECONDS overrides). */
export const HEARTBEAT_SECONDS = 15;

export function progressMode(io: Io, quiet: boolean | undefined): ProgressMode {
  if (quiet) return 'off';
  return io.stderrIsTTY ? 'live' : 'heartbeat';
}

/** The parts of a progress line in display order, each with its rank (lower: dropped last when the line is too wide). */
function progressParts(p: Progress, deadline?: number, now = performance.now()): [string, number][] {
  const parts: [string, number][] = [
    [`${formatCount(p.states)} states`, 0],
    [`${formatRate(p.states, p.runMs ?? p.elapsedMs)} states/s`, 3],
    [`depth ${p.depth}`, 5],
    [`rss ${formatBytes(p.rssBytes)}`, 2],
    [formatDuration(p.elapsedMs), 1],
  ];
  if (p.estimate) parts.push([`${Math.floor(p.estimate.fraction * 100)}% ${p.estimate.basis}`, 4]);
  if (deadline !== undefined) parts.push([`≤ ${formatDuration(Math.max(0, deadline - now))} left (--time-limit)`, 4]);
  return parts;
}

/** The progress of one search as one line (no newline), without the `what:` prefix. */
export function progressText(p: Progress, deadline?: number, now = performance.now()): string {
  return progressParts(p, deadline, now)
    .map(([t]) => t)
    .join(' · ');
}

/**
 * `what: parts` in at most `width` characters, so the line never wraps: the name takes at most
 * 40% of it, then the least useful parts are dropped (the estimate, depth, rate).
 */
export function fitProgress(
  what: string,
  p: Progress,
  width: number,
  deadline?: number,
  now = performance.now(),
): string {
  const parts = progressParts(p, deadline, now);
  const name = cut(what, Math.max(16, Math.floor(width * 0.4)));
  const len = (ps: [string, number][]) => [...`${name}: ${ps.map(([t]) => t).join(' · ')}`].length;
  while (parts.length > 1 && len(parts) > width) {
    const worst = parts.reduce((w, x, i) => (x[1] >= parts[w][1] ? i : w), 0);
    parts.splice(worst, 1);
  }
  const tail = parts.map(([t]) => t).join(' · ');
  const room = width - [...tail].length - 2;
  return room >= 8 ? `${cut(name, room)}: ${tail}` : cut(tail, width);
}

/** Prints the progress of the searches of one command. */
export class ProgressPrinter {
  private shown = false;
  private lastBeat: number;
  private readonly beatMs: number;

  constructor(
    private readonly io: Io,
    readonly mode: ProgressMode,
    private readonly deadline?: number,
    now = performance.now(),
  ) {
    const env = Number(io.env.MMCHECK_HEARTBEAT_SECONDS);
    this.beatMs =
      (Number.isFinite(env) && env >= 0 && io.env.MMCHECK_HEARTBEAT_SECONDS !== '' ? env : HEARTBEAT_SECONDS) * 1000;
    this.lastBeat = now;
  }

  /** The progress callback for a search named `what`, or undefined when progress is off. */
  callback(what: string): ((p: Progress) => void) | undefined {
    if (this.mode === 'off') return undefined;
    return (p) => this.show(what, p);
  }

  show(what: string, p: Progress, now = performance.now()): void {
    if (this.mode === 'live') {
      const width = Math.max(20, (this.io.errColumns ?? 80) - 1);
      this.io.err(`\r\x1b[K${fitProgress(what, p, width, this.deadline, now)}`);
      this.shown = true;
    } else if (this.mode === 'heartbeat' && now - this.lastBeat >= this.beatMs) {
      this.lastBeat = now;
      this.io.err(`mmcheck: running: ${what}: ${progressText(p, this.deadline, now)}\n`);
    }
  }

  /**
   * Where a many-search command (verify, compare) stands, between its searches: a run of short
   * searches reports no progress of its own, yet the log must show the command is alive.
   */
  step(text: string, now = performance.now()): void {
    if (this.mode === 'live') {
      const width = Math.max(20, (this.io.errColumns ?? 80) - 1);
      this.io.err(`\r\x1b[K${cut(text, width)}`);
      this.shown = true;
    } else if (this.mode === 'heartbeat' && now - this.lastBeat >= this.beatMs) {
      this.lastBeat = now;
      this.io.err(`mmcheck: running: ${text}\n`);
    }
  }

  /** Clear the live line (before a search's results are printed). */
  clear(): void {
    if (this.shown) this.io.err('\r\x1b[K');
    this.shown = false;
  }
}
