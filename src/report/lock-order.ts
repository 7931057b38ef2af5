/** The lock-order report as text: dependencies, then each cycle with the steps that close it. */
import type { LockCycle, LockEdge, LockOrderReport } from '../analysis/lock-order.js';
import { formatCount, formatDuration } from './format.js';
import { plainPalette, type Palette } from './palette.js';

const arrow = (e: LockEdge) => `${e.from} → ${e.to}${e.read ? ' (read)' : ''}`;

export function renderEdge(e: LockEdge): string {
  const more =
    e.witnesses.length > 1
      ? `; also ${e.witnesses
          .slice(1)
          .map((w) => `${w.thread} at '${w.label}'`)
          .join(', ')}`
      : '';
  return `${arrow(e)}: ${e.thread} holds ${e.from} (since '${e.heldSince}') at '${e.label}'${more}`;
}

/** `A → B → C → A`. */
export function cycleName(c: LockCycle): string {
  return [...c.classes, c.classes[0]].join(' → ');
}

export function renderLockOrder(r: LockOrderReport, palette: Palette = plainPalette): string {
  const p = palette;
  const scope = r.complete
    ? `every reachable state (${formatCount(r.states)} states, ${formatCount(r.transitions)} transitions, ${formatDuration(r.timeMs)})`
    : `INCOMPLETE: ${r.reason} reached after ${formatCount(r.states)} states — dependencies and cycles below are a lower bound`;
  const lines = [p.bold('lock order') + p.dim(` (lockdep-style, over ${scope})`)];
  if (r.edges.length === 0) lines.push('  no lock is ever taken while another is held');
  else {
    lines.push(
      `  ${r.edges.length} dependenc${r.edges.length === 1 ? 'y' : 'ies'} between ${r.classes.length} lock classes:`,
    );
    for (const e of r.edges) lines.push(`    ${renderEdge(e)}`);
  }
  if (r.cycles.length === 0)
    lines.push(
      r.complete
        ? p.green('  no cycle: the lock classes are acquired in a consistent order')
        : p.yellow('  no cycle found in the explored part (the pass is incomplete: not a proof of a consistent order)'),
    );
  else {
    lines.push(
      p.red(
        `  ${r.cycles.length}${r.cyclesTruncated ? '+' : ''} cycle${r.cycles.length === 1 ? '' : 's'} — possible circular locking dependency (a potential deadlock, whether or not a wait closes it):`,
      ),
    );
    for (const c of r.cycles) {
      lines.push(`    ${p.bold(cycleName(c))}`);
      for (const e of c.edges) lines.push(`      ${renderEdge(e)}`);
    }
  }
  return lines.join('\n');
}
