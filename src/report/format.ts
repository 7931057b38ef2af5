/** Compact text for values, changes, counts, sizes and durations; shared by every report. */
import type { Change } from '../explore/results/result.js';

/** Longest rendering of an object value before it is cut with `…`. */
const MAX_VALUE = 32;

/**
 * A value as a report shows it: numbers, booleans and simple strings bare; objects by their
 * `kind` field when they have one, else as short JSON; `∅` for absent.
 */
export function formatValue(v: unknown, max = MAX_VALUE): string {
  if (v === undefined) return '∅';
  if (v === null) return 'null';
  if (typeof v === 'string') return /^[\w.:/@+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'object') {
    const kind = (v as { kind?: unknown }).kind;
    if (!Array.isArray(v) && typeof kind === 'string') return kind;
    let text: string;
    try {
      text =
        JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x)) ??
        Object.prototype.toString.call(v);
    } catch {
      text = Object.prototype.toString.call(v);
    }
    return cut(text, max);
  }
  // What is left: a symbol or a function.
  return cut(typeof v === 'symbol' ? v.toString() : '[function]', max);
}

export function cut(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : chars.slice(0, Math.max(1, max - 1)).join('') + '…';
}

/**
 * The changes of one step as lines: `folio.ref 2→3`, `pte[0] present→none`, locals as
 * `(P0) h 5→6`. When an object's `kind` changes, the change is shown on the object
 * (`pte[0] present→none`) and fields that appeared or vanished with it are not listed.
 */
export function formatChanges(changes: readonly Change[], thread: string): string[] {
  const kindParents = new Set<string>();
  for (const c of changes) if (c.path.endsWith('.kind')) kindParents.add(prefixKey(c.local, c.path.slice(0, -5)));
  const out: string[] = [];
  for (const c of changes) {
    const prefix = c.local ? `(${thread}) ` : '';
    if (c.path.endsWith('.kind') && kindParents.has(prefixKey(c.local, c.path.slice(0, -5)))) {
      out.push(`${prefix}${c.path.slice(0, -5)} ${formatValue(c.before)}→${formatValue(c.after)}`);
      continue;
    }
    const parent = parentOf(c.path);
    if (
      parent !== null &&
      kindParents.has(prefixKey(c.local, parent)) &&
      (c.before === undefined || c.after === undefined)
    )
      continue;
    out.push(`${prefix}${c.path || '(state)'} ${formatValue(c.before)}→${formatValue(c.after)}`);
  }
  return out;
}

const prefixKey = (local: boolean | undefined, path: string) => `${local ? 'L' : 'S'}:${path}`;

function parentOf(path: string): string | null {
  const m = /^(.*)(\.[^.[\]]+|\[[^\]]*\])$/.exec(path);
  return m ? m[1] : null;
}

/** 1234567 → `1,234,567`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Math.round(n).toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n < 1024) return `${Math.round(n * 10) / 10} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m} min ${Math.round((ms - m * 60_000) / 1000)} s`;
}

/** States (or transitions) per second, from a count and a duration. */
export function formatRate(count: number, ms: number): string {
  if (ms <= 0) return '—';
  return formatCount((count * 1000) / ms);
}

/** Quote for a POSIX shell when needed (`'…'`, with embedded quotes escaped). */
export function shellQuote(s: string): string {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What names a model instance on the command line and in reports. */
export interface RunContext {
  /** Registry name, or the path the user gave for a model file. */
  readonly model: string;
  readonly variant: string;
  readonly params: Readonly<Record<string, number>>;
  /** The model-language compiler's reductions were off (`--no-reductions`): replays must say so too. */
  readonly noReductions?: boolean;
}

/**
 * `npx mmcheck replay <model> --variant <v> [--param k=v ...] [--property <p>] --schedule '<s>'`.
 * Replay stops at the first violation of any checked property, so a counterexample names its
 * property: the schedule may violate another one earlier (a search restricted by --property, or
 * a violation that is not the first on its schedule).
 */
export function replayCommand(ctx: RunContext, schedule: string, property?: string): string {
  const params = Object.entries(ctx.params)
    .map(([k, v]) => ` --param ${shellQuote(`${k}=${v}`)}`)
    .join('');
  const prop = property === undefined ? '' : ` --property ${shellQuote(property)}`;
  const red = ctx.noReductions ? ' --no-reductions' : '';
  return `npx mmcheck replay ${shellQuote(ctx.model)} --variant ${shellQuote(ctx.variant)}${params}${red}${prop} --schedule '${schedule}'`;
}

/** `peterson/no-turn` or `model/variant(k=v,…)`. */
export function instanceName(ctx: RunContext): string {
  const p = Object.entries(ctx.params).map(([k, v]) => `${k}=${v}`);
  return `${ctx.model}/${ctx.variant}${p.length ? `(${p.join(',')})` : ''}`;
}

/**
 * A shell command in lines of at most `width` columns that still runs when pasted: broken before
 * its options (` --x`) with a trailing ` \`, continuation lines indented by `indent`. A quoted
 * schedule too long for a line is broken after its commas, inside the quotes (the schedule
 * parser skips the newline and the indent); any other over-long option stays whole.
 */
export function wrapCommand(cmd: string, width: number, indent = '    '): string[] {
  const len = (x: string) => [...x].length;
  const parts = cmd.split(/ (?=--)/);
  const lines: string[] = [];
  let line = parts[0];
  for (const part of parts.slice(1)) {
    if (len(line) + 1 + len(part) + 2 <= width) {
      line += ' ' + part;
      continue;
    }
    lines.push(line + ' \\');
    line = indent;
    const pieces = len(indent + part) + 2 > width && /'[^']*,[^']*'/.test(part) ? part.split(/(?<=,)/) : [part];
    for (const piece of pieces) {
      if (line.trim() !== '' && len(line) + len(piece) + 2 > width) {
        lines.push(line);
        line = indent;
      }
      line += piece;
    }
  }
  lines.push(line);
  return lines;
}
