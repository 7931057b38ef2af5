/** The default memory bound of a run: a safe share of what the machine (or its cgroup) has. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Share of the machine's memory a run may take by default. */
export const DEFAULT_MEMORY_SHARE = 0.75;

/**
 * min(75% of the machine's memory, 75% of the cgroup's limit when there is one), in bytes; under
 * an address-space limit (`ulimit -v`), also at most the resident size now plus 60% of the
 * address space left, since the heap's growth takes address space as well as memory.
 */
export function defaultMaxMemory(): number {
  const total = os.totalmem();
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  const limit = constrained !== undefined && constrained > 0 && constrained < total ? constrained : total;
  const share = Math.floor(limit * DEFAULT_MEMORY_SHARE);
  const as = addressSpaceLimit();
  if (as === undefined) return share;
  const left = Math.max(0, as - (virtualSize() ?? 0));
  return Math.min(share, process.memoryUsage.rss() + Math.floor(left * 0.6));
}

/** The soft `ulimit -v` of this process in bytes (Linux /proc), or undefined when unlimited or unknown. */
export function addressSpaceLimit(): number | undefined {
  try {
    const m = /^Max address space\s+(\d+)\s/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function virtualSize(): number | undefined {
  try {
    const m = /^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** `4G`, `512M`, `1.5g`, `800` (MiB), `64K` → bytes; null when it is not a size. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return null;
  const unit = { '': 2 ** 20, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k'];
  const n = Number(m[1]) * unit;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : null;
}
