import type { Instance } from '../../core/instantiate.js';
import type { Verdict } from '../../core/model.js';
import type { SearchResult, Violation } from './result.js';

/** A property's verdict from one search: `unknown` when the search was cut short without finding it violated. */
export type Outcome = Verdict | 'unknown' | 'error';

export interface PropertyVerdict {
  readonly property: string;
  readonly outcome: Outcome;
  readonly expected: Verdict;
  readonly violation?: Violation;
}

/**
 * Per-property verdicts of a search (run it with `stopAtFirst: false` to get them all). Only the
 * properties the search checked get a verdict: an unchecked property is never reported as holding.
 */
export function verdicts(inst: Instance, result: SearchResult): PropertyVerdict[] {
  const checked = result.kind === 'error' ? undefined : result.stats.checked;
  return inst.properties
    .filter((p) => !checked || checked.includes(p.name))
    .map((p) => {
      const expected = inst.expect[p.name];
      if (result.kind === 'error') return { property: p.name, outcome: 'error', expected };
      const violation = result.kind === 'pass' ? undefined : result.violations.find((v) => v.property === p.name);
      if (violation) return { property: p.name, outcome: 'violated', expected, violation };
      const complete = result.kind === 'pass' || (result.kind === 'violation' && result.exhaustive);
      return { property: p.name, outcome: complete ? 'holds' : 'unknown', expected };
    });
}

export const meetsExpectation = (v: PropertyVerdict) => v.outcome === v.expected;
