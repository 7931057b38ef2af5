/** The benchmark table: one row per model, variant and size, as aligned text and as markdown. */
import type { Measurement } from './compare.js';
import { nameOf } from './index.js';
import type { SpinResult } from './pan.js';
import type { WorkerResult } from './mmcheck-worker.js';

const fmt = (x: number) => x.toLocaleString('en-US');
const ms = (x: number) => (x < 10 ? x.toFixed(1) : fmt(Math.round(x)));
const mb = (bytes: number) => (bytes > 0 ? (bytes / 2 ** 20).toFixed(1) : '–');
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !(b > 0) ? '–' : (a / b).toFixed(2));

function verdict(r: WorkerResult | SpinResult | undefined): string {
  if (!r) return 'skipped';
  if (r.outcome === 'violated') return `violated: ${r.properties[0] ?? '?'}`;
  if (r.outcome === 'incomplete') return `incomplete (${r.reason ?? '?'})`;
  if (r.outcome === 'error') return 'error';
  return 'pass';
}

const finished = (r: WorkerResult | SpinResult | undefined) => r !== undefined && (r.outcome === 'pass' || r.outcome === 'violated');
export const spinTotalMs = (s: SpinResult) => s.genMs + s.compileMs + s.searchMs;

export const HEADER = [
  'model',
  'N',
  'mmcheck',
  'SPIN',
  'agree',
  'mmcheck states',
  'SPIN states',
  'mmcheck ms',
  'SPIN ms (total)',
  'SPIN ms (search)',
  'time mm/SPIN (total)',
  'time mm/SPIN (search)',
  'mmcheck heap MB',
  'mmcheck RSS MB',
  'SPIN RSS MB',
  'SPIN pan MB',
  'RSS mm/SPIN',
  'mmcheck B/state',
  'SPIN B/state',
];

export function row(m: Measurement): string[] {
  const { mm, spin } = m;
  const mmMs = finished(mm) ? mm!.timeMs : undefined;
  const spinTotal = finished(spin) ? spinTotalMs(spin!) : undefined;
  const spinSearch = finished(spin) ? spin!.searchMs : undefined;
  return [
    nameOf(m.t),
    m.t.param ? String(m.n) : '–',
    verdict(mm),
    verdict(spin),
    m.agreement,
    mm ? fmt(mm.states) : '–',
    spin ? fmt(spin.states) : '–',
    mm ? ms(mm.timeMs) : '–',
    spin ? ms(spinTotalMs(spin)) : '–',
    spin ? ms(spin.searchMs) : '–',
    ratio(mmMs, spinTotal),
    ratio(mmMs, spinSearch),
    mm ? mb(mm.peakHeapBytes) : '–',
    mm ? mb(mm.maxRssBytes) : '–',
    spin ? mb(spin.maxRssBytes) : '–',
    spin && spin.memMb > 0 ? spin.memMb.toFixed(1) : '–',
    finished(mm) && finished(spin) ? ratio(mm!.maxRssBytes, spin!.maxRssBytes) : '–',
    mm && mm.states > 0 ? mm.bytesPerState.toFixed(1) : '–',
    // pan's "actual memory usage for states" per stored state (its hash table and stack excluded)
    spin && spin.states > 0 && spin.stateMemMb > 0 ? ((spin.stateMemMb * 2 ** 20) / spin.states).toFixed(1) : '–',
  ];
}

const LEFT = 5;

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
