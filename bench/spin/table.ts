/**
 * The benchmark table: one row per model, variant and size, as aligned text and as markdown.
 * mmcheck's times: total = spawn of its worker process to the verdict (node's start and module
 * loading included), search = explore() alone, warm = the same search again in the same process
 * (informative only); SPIN's: total = spin -a + gcc + pan, search = the pan process. The ratios
 * are total/total and search/search; the warm time enters no ratio.
 */
import type { Measurement, MmResult } from './compare.js';
import { nameOf } from './index.js';
import type { SpinResult } from './pan.js';
import { fmt, ms, ratio } from '../format.js';

const mb = (bytes: number) => (bytes > 0 ? (bytes / 2 ** 20).toFixed(1) : '–');

function verdictOf(r: MmResult | SpinResult | undefined): string {
  if (!r) return 'skipped';
  if (r.outcome === 'violated') return `violated: ${r.properties[0] ?? '?'}`;
  if (r.outcome === 'incomplete') return `incomplete (${r.reason ?? '?'})`;
  if (r.outcome === 'error') return 'error';
  return 'pass';
}

/** One verdict when both checkers give the same, else each's. */
function verdicts(m: Measurement): string {
  const [a, b] = [verdictOf(m.mm), verdictOf(m.spin)];
  return a === b ? a : `mmcheck ${a}; SPIN ${b}`;
}

export const finished = (r: MmResult | SpinResult | undefined) =>
  r !== undefined && (r.outcome === 'pass' || r.outcome === 'violated');
export const spinTotalMs = (s: SpinResult) => s.genMs + s.compileMs + s.searchMs;

export const HEADER = [
  'model',
  'N',
  'verdict',
  'agree',
  'mmcheck states',
  'SPIN states',
  'mmcheck ms (total)',
  'SPIN ms (total)',
  'time mm/SPIN (total)',
  'mmcheck ms (search)',
  'SPIN ms (search)',
  'time mm/SPIN (search)',
  'mmcheck ms (warm)',
  'mmcheck RSS MB',
  'SPIN RSS MB',
  'RSS mm/SPIN',
  'mmcheck B/state',
  'SPIN B/state',
];

export function row(m: Measurement): string[] {
  const { mm, spin } = m;
  const both = finished(mm) && finished(spin);
  return [
    nameOf(m.t),
    m.t.param ? String(m.n) : '–',
    verdicts(m),
    m.agreement,
    mm ? fmt(mm.states) : '–',
    spin ? fmt(spin.states) : '–',
    mm ? ms(mm.totalMs) : '–',
    spin ? ms(spinTotalMs(spin)) : '–',
    both ? ratio(mm!.totalMs, spinTotalMs(spin!)) : '–',
    mm ? ms(mm.searchMs) : '–',
    spin ? ms(spin.searchMs) : '–',
    both ? ratio(mm!.searchMs, spin!.searchMs) : '–',
    mm?.warmMs !== undefined ? ms(mm.warmMs) : '–',
    mm ? mb(mm.maxRssBytes) : '–',
    spin ? mb(spin.maxRssBytes) : '–',
    both ? ratio(mm!.maxRssBytes, spin!.maxRssBytes) : '–',
    mm && mm.states > 0 ? mm.bytesPerState.toFixed(1) : '–',
    // pan's "actual memory usage for states" per stored state (its hash table and stack excluded)
    spin && spin.states > 0 && spin.stateMemMb > 0 ? ((spin.stateMemMb * 2 ** 20) / spin.states).toFixed(1) : '–',
  ];
}

const LEFT = 4;

export function textTable(rows: string[][]): string {
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i < LEFT ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(rows: string[][]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const sep = '|' + HEADER.map((_h, i) => (i < LEFT ? ':---' : '---:')).join('|') + '|';
  return [line(HEADER), sep, ...rows.map(line)].join('\n');
}
