/**
 * The Promela translations used by `npm run bench:spin` follow the mmcheck models step for
 * step: same threads, same steps in the same order (labels and pc names), same properties.
 * SPIN itself is not run here (it is not a test dependency); `npm run bench:spin --
 * --equivalence` compares the state spaces.
 */
import { describe, expect, it } from '@jest/globals';
import { instantiateWith, NO_REDUCTIONS } from '../../src/lang/index.js';
import { models } from '../../models/index.js';
import { TRANSLATIONS, nameOf } from '../../bench/spin/index.js';
import { emit } from '../../bench/spin/promela.js';

const pcName = (name: string | undefined) => name?.replace(/[^A-Za-z0-9]/g, '_');

describe('Promela translations', () => {
  for (const t of TRANSLATIONS) {
    const n = t.sizes.find((x) => x >= 2) ?? t.sizes[0];
    it(`${nameOf(t)} at size ${n} has the mmcheck model's threads, steps and properties`, () => {
      // Step for step: the translations follow the compiled model with the compiler's reductions off.
      const inst = instantiateWith(
        models.find((m) => m.name === t.model)!,
        NO_REDUCTIONS,
        t.variant,
        t.param ? { [t.param]: n } : {},
      );
      const pm = t.promela(n);
      expect(pm.threads.length).toBe(inst.program.threads.length);
      inst.program.threads.forEach((thread, i) => {
        const proc = pm.procs.find((p) => p.name === pm.threads[i].proc)!;
        // Why: a step added to or removed from the mmcheck model must be mirrored in Promela.
        expect(proc.steps.map((s) => s.label)).toEqual(thread.steps.map((s) => s.label));
        expect(proc.steps.map((s) => pcName(s.name))).toEqual(thread.steps.map((s) => pcName(s.name)));
      });
      const promelaProps = [...pm.invariants, ...pm.ends].map((p) => p.name).concat(pm.assertions, ['deadlock-free']);
      expect([...promelaProps].sort()).toEqual(inst.properties.map((p) => p.name).sort());
      const kinds = (k: string) =>
        inst.properties
          .filter((p) => p.kind === k)
          .map((p) => p.name)
          .sort();
      expect(pm.invariants.map((p) => p.name).sort()).toEqual(kinds('invariant'));
      expect(pm.ends.map((p) => p.name).sort()).toEqual(kinds('end'));
      expect(emit(pm)).toContain(`#define NT ${inst.program.threads.length}`);
    });
  }

  it('gives every step of a thread at most one transition per outcome and names its BUGs', () => {
    const pml = emit(TRANSLATIONS.find((t) => nameOf(t) === 'migration-vs-fault/upstream')!.promela(2));
    expect(pml).toContain('assert(P_refcount)');
    expect(pml).toMatch(/\|\| P_no_ref_held_across_migration_wait\)/);
    expect(pml).not.toMatch(/L_\w+: d_step/);
  });
});
