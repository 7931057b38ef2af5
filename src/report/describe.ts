/**
 * A step's changes in the model's own words: the model's show rules (src/core/show.ts) name
 * owners and holder sets by thread, values by name, and mark model-only bookkeeping; paths no
 * rule matches are shown as `path before→after` (src/report/format.ts).
 */
import type { ShowRule } from '../core/show.js';
import type { Change } from '../explore/results/result.js';
import { formatChanges, formatValue } from './format.js';

/** One line of a step's changes; `bookkeeping` lines are the model's, not the kernel's state. */
export interface ShownChange {
  readonly text: string;
  readonly kind: 'state' | 'local' | 'bookkeeping';
}

interface Compiled {
  readonly rule: ShowRule;
  readonly re: RegExp;
}

const compiled = new WeakMap<readonly ShowRule[], Compiled[]>();

function compile(rules: readonly ShowRule[]): Compiled[] {
  let c = compiled.get(rules);
  if (!c) {
    c = rules.map((rule) => ({
      rule,
      re: new RegExp(
        '^' +
          rule.path
            .split('*')
            .map((x) => x.replace(/[.[\]\\^$+?(){}|]/g, '\\$&'))
            .join('([^.[\\]]+)') +
          '$',
      ),
    }));
    compiled.set(rules, c);
  }
  return c;
}

const fill = (t: string, m: RegExpExecArray) => t.replace(/\$(\d)/g, (_x, i: string) => m[Number(i)] ?? '');

function who(names: readonly string[], tid: unknown): string {
  return typeof tid === 'number' && names[tid] !== undefined ? names[tid] : formatValue(tid);
}

function maskNames(names: readonly string[], mask: number): string[] {
  return names.filter((_n, t) => (mask >> t) & 1);
}

function showOne(c: Change, rule: ShowRule, m: RegExpExecArray, names: readonly string[]): ShownChange[] {
  const name = fill(rule.name ?? rule.path, m);
  const val = (v: unknown) => rule.names?.[String(v)] ?? formatValue(v);
  switch (rule.as ?? 'value') {
    case 'owner': {
      const free = (v: unknown) => v === -1 || v === null || v === undefined;
      const text = free(c.before)
        ? `${name}: ${who(names, c.after)}`
        : free(c.after)
          ? `${name}: free (was ${who(names, c.before)})`
          : `${name}: ${who(names, c.before)}→${who(names, c.after)}`;
      return [{ text, kind: 'state' }];
    }
    case 'threads': {
      if (typeof c.before !== 'number' || typeof c.after !== 'number') break;
      const added = maskNames(names, c.after & ~c.before);
      const removed = maskNames(names, c.before & ~c.after);
      const out: ShownChange[] = [];
      const say = (tpl: string | undefined, list: string[], sign: string) => {
        if (list.length === 0) return;
        const text = tpl
          ? fill(tpl, m).replace(/\$who/g, list.join(', '))
          : `${name}: ${list.map((n) => sign + n).join(' ')}`;
        out.push({ text, kind: 'state' });
      };
      say(rule.add, added, '+');
      say(rule.remove, removed, '-');
      return out;
    }
    case 'bookkeeping':
      return [{ text: `[model] ${name} ${val(c.before)}→${val(c.after)}`, kind: 'bookkeeping' }];
    case 'value':
      break;
  }
  return [{ text: `${name} ${val(c.before)}→${val(c.after)}`, kind: 'state' }];
}

/**
 * The changes of one step as lines. Without rules (or for paths no rule matches) the text is
 * `formatChanges`'; a local of the stepping thread is `(thread) name before→after`.
 */
export function describeChanges(
  changes: readonly Change[],
  thread: string,
  names: readonly string[],
  rules: readonly ShowRule[] = [],
): ShownChange[] {
  const rs = compile(rules);
  const out: ShownChange[] = [];
  const rest: Change[] = [];
  for (const c of changes) {
    const hit = c.local ? undefined : rs.map((r) => ({ r, m: r.re.exec(c.path) })).find((x) => x.m !== null);
    if (hit) out.push(...showOne(c, hit.r.rule, hit.m!, names));
    else rest.push(c);
  }
  const plain = formatChanges(rest, thread).map((text): ShownChange => ({
    text,
    kind: text.startsWith(`(${thread}) `) ? 'local' : 'state',
  }));
  return [...out, ...plain];
}
