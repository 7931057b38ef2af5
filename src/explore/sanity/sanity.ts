import { ModelError } from '../../core/errors.js';
import type { Instance } from '../../core/instantiate.js';
import type { ExploreOptions } from '../explore.js';
import type { SearchResult } from '../results/result.js';
import { DEFAULT_STRATEGY, strategyWith } from '../strategies/registry.js';
import { checkSymmetry, type SymmetryCheck } from './symmetry-check.js';
import { System } from '../system/system.js';
import { verdicts, type PropertyVerdict } from '../results/verdicts.js';

/** How many states `--sanity` checks a symmetry declaration on when no --max-states is given. */
export const SANITY_SYMMETRY_STATES = 1_000_000;

/**
 * What `--sanity` checked besides the search itself. `complete` is false when a check was cut
 * short by a limit (then the run is not a pass); any disagreement is thrown instead.
 */
export interface SanityReport {
  /** The model's symmetry declaration checked on its reachable states (absent: none declared or symmetry off). */
  readonly symmetry?: SymmetryCheck;
  /** The reference search the verdicts were compared with, and how many verdicts both searches settled. */
  readonly reference: { readonly strategy: string; readonly kind: SearchResult['kind']; readonly compared: number };
  readonly complete: boolean;
}

/**
 * `--sanity`: check what the search trusts. The symmetry declaration is checked on the reachable
 * states (`checkSymmetry`), and a reference search runs beside the one asked for, at the same
 * parameters and limits: the naive search without symmetry (no footprints, no reduction), or,
 * when that is the search that ran (asked for, or auto's run that finished), dfs with its
 * reductions. The reference search audits every step's reads against its footprint
 * (read-audit.ts: `footprint-read`). Every property both searches
 * settled (holds or violated) must get the same verdict; a property one search found violated and
 * the other left unknown (cut short) is not a disagreement. A disagreement is a ModelError
 * (`bad-symmetry`, `sanity-mismatch`): the model's footprints or symmetry are wrong, or the
 * checker is — either way the verdict cannot be trusted. A model error the reference search meets
 * (a write outside a footprint that only its schedules reach) is thrown as it is.
 */
export function sanityCheck(inst: Instance, opts: ExploreOptions, result: SearchResult): SanityReport {
  const where = `model '${inst.model.name}' variant '${inst.variant}'`;
  const strategy = opts.strategy ?? DEFAULT_STRATEGY;
  let symmetry: SymmetryCheck | undefined;
  if (inst.program.symmetry && opts.symmetry !== false) {
    symmetry = checkSymmetry(inst, opts.maxStates ?? SANITY_SYMMETRY_STATES);
    if (symmetry.outcome === 'violated')
      throw new ModelError(
        `--sanity: ${where} declares a symmetry it does not have: ${symmetry.message}`,
        'bad-symmetry',
      );
  }
  // The search that gave the result (auto's: the run that finished).
  const ran = result.kind === 'error' ? strategy : result.stats.strategy;
  // The reference: the plain search without symmetry; the reduced search when that is what ran
  // (else the plain search would be checked against itself).
  const plain = strategyWith('plain');
  const ranPlain = ran === plain.name && (opts.symmetry === false || !inst.program.symmetry);
  const refRow = ranPlain ? strategyWith('reduced') : plain;
  const sys = new System(inst, opts.properties, {
    symmetry: ranPlain ? opts.symmetry : false,
    auditReads: true,
  });
  const limits = { maxStates: opts.maxStates, maxDepth: opts.maxDepth, timeLimitMs: opts.timeLimitMs };
  const ref = refRow.search(sys, { ...limits, stopAtFirst: false });
  if (ref.kind === 'error') throw new ModelError(ref.message, ref.code);
  const mine = verdicts(inst, result);
  const theirs = new Map(verdicts(inst, ref).map((v) => [v.property, v]));
  const searched = `${ran}${opts.symmetry === false ? ' --no-symmetry' : ''}`;
  const refName = ranPlain ? refRow.name : `${refRow.name} --no-symmetry`;
  let compared = 0;
  for (const a of mine) {
    const b = theirs.get(a.property);
    if (!b || !settled(a) || !settled(b)) continue;
    compared++;
    if (a.outcome !== b.outcome)
      throw new ModelError(
        `--sanity: ${searched} and ${refName} disagree on ${where}: property '${a.property}' ${said(a)} under ${searched}, ${said(b)} under ${refName}`,
        'sanity-mismatch',
      );
  }
  const cut = (r: SearchResult) => r.kind === 'incomplete' || (r.kind === 'violation' && !r.exhaustive);
  return {
    ...(symmetry ? { symmetry } : {}),
    reference: { strategy: refName, kind: ref.kind, compared },
    complete: symmetry?.outcome !== 'unknown' && !cut(ref) && !cut(result),
  };
}

const settled = (v: PropertyVerdict) => v.outcome === 'holds' || v.outcome === 'violated';

function said(v: PropertyVerdict): string {
  if (v.outcome !== 'violated' || !v.violation) return v.outcome;
  return `violated (schedule ${v.violation.trace.schedule})`;
}
