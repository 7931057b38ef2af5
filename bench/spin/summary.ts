/**
 * The summary printed after the table: for each migration-vs-fault fix variant (a variant whose
 * model `expect`s no violation), the sizes N at which mmcheck's time is above SPIN's, search
 * against search and total against total, computed from the measurements. A size where only
 * SPIN finished counts as above (mmcheck out of time); one where only mmcheck finished, as not.
 */
import { models } from '../../models/index.js';
import type { Measurement } from './compare.js';
import { nameOf } from './index.js';
import { finished, spinTotalMs } from './table.js';

const KERNEL = 'migration-vs-fault';

function isFix(m: Measurement): boolean {
  const variant = models.find((x) => x.name === m.t.model)?.variants[m.t.variant];
  return m.t.model === KERNEL && variant !== undefined && !Object.values(variant.expect).includes('violated');
}

/** true: mmcheck above SPIN at this size; false: not above; null: nothing to compare (neither finished, or an error). */
function compare(m: Measurement, mmMs: (m: Measurement) => number, spinMs: (m: Measurement) => number): boolean | null {
  const [mm, spin] = [finished(m.mm), finished(m.spin)];
  const out = (o: string | undefined) => o === undefined || o === 'incomplete';
  if (mm && spin) return mmMs(m) > spinMs(m);
  if (spin && out(m.mm?.outcome)) return true;
  if (mm && out(m.spin?.outcome)) return false;
  return null;
}

function sizes(rows: readonly Measurement[], above: (m: Measurement) => boolean | null): string {
  const hits = rows
    .filter((m) => above(m) === true)
    .map((m) => `${m.n}${finished(m.mm) ? '' : ' (mmcheck out of time)'}`);
  return hits.length ? `N = ${hits.join(', ')}` : 'none';
}

export function summary(results: readonly Measurement[]): string[] {
  const byVariant = new Map<string, Measurement[]>();
  for (const m of results.filter(isFix)) byVariant.set(nameOf(m.t), [...(byVariant.get(nameOf(m.t)) ?? []), m]);
  if (byVariant.size === 0) return [];
  const lines = [...byVariant].map(([name, rows]) => {
    const compared = rows
      .filter(
        (m) =>
          compare(
            m,
            (x) => x.mm!.searchMs,
            (x) => x.spin!.searchMs,
          ) !== null,
      )
      .map((m) => m.n);
    const search = sizes(rows, (m) =>
      compare(
        m,
        (x) => x.mm!.searchMs,
        (x) => x.spin!.searchMs,
      ),
    );
    const total = sizes(rows, (m) =>
      compare(
        m,
        (x) => x.mm!.totalMs,
        (x) => spinTotalMs(x.spin!),
      ),
    );
    return `- ${name} (compared at N = ${compared.join(', ') || 'none'}): search time above SPIN's at ${search}; total above SPIN's at ${total}`;
  });
  return [`mmcheck slower than SPIN, ${KERNEL} fix variants (variants expected to pass):`, ...lines];
}
