/** The default memory bound of a run: a safe share of what the machine (or its cgroup) has. */
import os from 'node:os';

/** Share of the machine's memory a run may take by default. */
export const DEFAULT_MEMORY_SHARE = 0.75;

/** min(75% of the machine's memory, 75% of the cgroup's limit when there is one), in bytes. */
export function defaultMaxMemory(): number {
  const total = os.totalmem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const limit = constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
  return Math.floor(limit * DEFAULT_MEMORY_SHARE);
}

/** `4G`, `512M`, `1.5g`, `800` (MiB), `64K` → bytes; null when it is not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { '': 2 ** 20, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k'];
  const n = Number(m[1]) * unit;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : null;
}
