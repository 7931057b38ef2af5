import type { LangCompiled, LangModel } from './model.js';
import type { LangStep } from './compile.js';

/**
 * Traceability: a kernel model names, for every kernel function its steps and sub-paths follow,
 * the source file and version (`sources: { try_to_migrate_one: 'mm/rmap.c @ v6.10' }`), so a
 * maintainer can check a step against the source. A step's function is its label's text before
 * the first ':' (labels are `function: operation`); a sub-path's is its name.
 */
export const functionOf = (label: string): string => label.split(':')[0].trim();

/** The functions of a compiled program's steps (labels and call chains) that `sources` does not name. */
export function unsourced(m: LangModel, p: LangCompiled<unknown>): string[] {
  const known = m.sources ?? {};
  const missing = new Set<string>();
  for (const t of p.threads)
    for (const st of t.steps as readonly LangStep<unknown>[]) {
      for (const f of [functionOf(st.label), ...(st.chain ?? [])]) if (!(f in known)) missing.add(f);
    }
  return [...missing].sort();
}

/** Where a step's kernel function lives, e.g. `mm/rmap.c @ v6.10` (undefined when not named). */
export const sourceOf = (m: LangModel, label: string): string | undefined => m.sources?.[functionOf(label)];

/**
 * A `sources` table from lines `file @ version: function function …`
 * (`mm/rmap.c @ v6.10: try_to_migrate try_to_migrate_one`).
 */
export function sourcesByFile(table: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of table.split('\n').filter((l) => l.trim())) {
    const at = line.lastIndexOf(': ');
    if (at < 0) throw new Error(`sources: '${line.trim()}' is not 'file @ version: functions'`);
    const file = line.slice(0, at).trim();
    for (const f of words(line.slice(at + 2))) out[f] = file;
  }
  return out;
}

const words = (s: string) => s.trim().split(/\s+/);
