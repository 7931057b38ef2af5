/**
 * Model mistakes are errors, never verdicts (issue 11 §2): a property that throws or returns
 * something that is neither a message nor null/undefined, a step that changes the state it is
 * given, and a footprint that omits a location the step writes, each end every strategy's search
 * with an `error` naming the model, thread, step or property — not a PASS, not a violation.
 */
import { describe, expect, test } from '@jest/globals';
import { reads, writes } from '../../src/core/access.js';
import { endState, invariant, type PropertyResult } from '../../src/core/property.js';
import type { Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { STRATEGIES } from '../../src/explore/explore.js';
import type { SearchResult } from '../../src/explore/results/result.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { program, run } from '../helpers/program.js';
import { put, read } from '../helpers/steps.js';

type S = Record<string, number>;
interface Folios {
  readonly folio: { readonly A: { readonly ref: number; readonly map: number } };
}
interface Shapes {
  readonly pte: readonly number[];
  readonly vmas: Readonly<Record<string, { readonly start: number }>>;
}
const localR = (l: unknown) => (l as { r: number }).r;

const errorOf = (r: SearchResult) => (r.kind === 'error' ? { code: r.code, message: r.message } : { kind: r.kind });

/** One thread `x = 1`, one property computed by `check`. */
const withProperty = (check: (s: S) => PropertyResult, kind: 'invariant' | 'end' = 'invariant') =>
  program({
    name: 'prop-model',
    init: { x: 0 },
    threads: [thread('T0', {}, [put('x', 1)])],
    properties: [
      kind === 'invariant'
        ? invariant<S>('x-small', 'x stays small', ['x'], (v) => check(v.s))
        : endState<S>('x-small', 'x ends small', (v) => check(v.s)),
    ],
  });

describe('property contract', () => {
  test('a check that throws is a property-threw error naming model and property, under every strategy', () => {
    const inst = withProperty((s) =>
      (s as unknown as { missing: { field: number } }).missing.field > 0 ? 'bad' : null,
    );
    for (const strategy of STRATEGIES)
      expect(errorOf(run(inst, strategy, { stopAtFirst: false }))).toEqual({
        code: 'property-threw',
        message: expect.stringMatching(
          /^model 'prop-model' property 'x-small' threw: Cannot read properties of undefined/,
        ) as unknown as string,
      });
  });

  test('an end-state check that throws is an error too', () => {
    const r = run(
      withProperty(() => {
        throw new Error('boom');
      }, 'end'),
      'dfs',
    );
    expect(errorOf(r)).toEqual({
      code: 'property-threw',
      message: "model 'prop-model' property 'x-small' threw: boom",
    });
  });

  test.each([
    [false, 'boolean false'],
    [true, 'boolean true'],
    [0, 'number 0'],
    [{ why: 'x' }, 'an object'],
    ['', 'an empty string'],
  ])('returning %p is a property-result error, not a violation', (value, shown) => {
    const r = run(
      withProperty(() => value as unknown as PropertyResult),
      'dfs',
    );
    expect(errorOf(r)).toEqual({
      code: 'property-result',
      message: `model 'prop-model' property 'x-small' returned ${shown}; a property returns a message string when violated, null or undefined when it holds`,
    });
  });

  test('undefined and null mean holds; a message means violated', () => {
    for (const holds of [undefined, null]) {
      const inst = withProperty(() => holds);
      const r = run(inst, 'dfs', { stopAtFirst: false });
      expect(r.kind).toBe('pass');
    }
    const inst = withProperty((s) => (s.x === 1 ? `x is ${s.x}` : null));
    const r = run(inst, 'naive', { stopAtFirst: false });
    expect(verdicts(inst, r).map((v) => [v.property, v.outcome, v.violation?.message])).toEqual([
      ['x-small', 'violated', 'x is 1'],
      ['deadlock-free', 'holds', undefined],
    ]);
  });
});

/** `x = x + 1` written in place: the mistake of a model author who forgot the state is immutable. */
const mutateShared: Step = {
  label: 'x++ in place',
  footprint: () => writes('x'),
  run: (s: S) => {
    s.x = s.x + 1;
    return { s };
  },
};

describe('a step that changes the state it was given', () => {
  const inst = program({
    name: 'mutating',
    init: { x: 0, y: 0 },
    threads: [thread('T0', {}, [mutateShared]), thread('T1', {}, [put('y', 1)])],
    properties: [invariant<S>('x-at-most-1', 'x <= 1', ['x'], (v) => (v.s.x > 1 ? `x = ${v.s.x}` : null))],
  });

  test('is a state-mutated error naming model, thread and step, under every strategy', () => {
    for (const strategy of STRATEGIES) {
      const r = errorOf(run(inst, strategy, { stopAtFirst: false }));
      expect(r).toEqual({
        code: 'state-mutated',
        message: expect.stringMatching(
          /^model 'mutating' thread 'T0' step 'x\+\+ in place' changed the state or locals it was given, in run \(Cannot assign to read only property 'x'/,
        ) as unknown as string,
      });
    }
  });

  test('a nested object changed in place, and locals changed in place, are caught too', () => {
    const nested = program({
      name: 'nested',
      init: { folio: { ref: 1 } },
      threads: [
        thread('T0', {}, [
          {
            label: 'folio.ref++ in place',
            footprint: () => writes('folio.ref'),
            run: (s: { folio: { ref: number } }) => {
              s.folio.ref++;
              return { s: { ...s } };
            },
          },
        ]),
      ],
    });
    expect(errorOf(run(nested, 'dfs'))).toMatchObject({ code: 'state-mutated' });
    const locals = program({
      name: 'locals',
      init: { x: 0 },
      threads: [
        thread('T0', { seen: [] as number[] }, [
          read('x'),
          {
            label: 'seen.push(1)',
            footprint: () => [],
            run: (_s, l: { seen: number[] }) => {
              l.seen.push(1);
              return { l };
            },
          },
        ]),
      ],
    });
    expect(errorOf(run(locals, 'naive'))).toMatchObject({
      code: 'state-mutated',
      message: expect.stringMatching(/thread 'T0' step 'seen.push\(1\)' changed the state or locals/),
    });
  });

  test('a property that changes the state is caught as it throws', () => {
    const inst = program({
      name: 'prop-mutates',
      init: { x: 0 },
      threads: [thread('T0', {}, [put('x', 1)])],
      properties: [
        invariant<S>('sneaky', 'resets x', ['x'], (v) => {
          v.s.x = 0;
          return null;
        }),
      ],
    });
    expect(errorOf(run(inst, 'dfs'))).toMatchObject({
      code: 'property-threw',
      message: expect.stringMatching(/property 'sneaky' threw: Cannot assign to read only property 'x'/),
    });
  });
});

describe('a footprint that omits a write', () => {
  /** T0 writes y but declares 'Y' (the typo from issue 13); T1 reads y and declares it. */
  const typo = program({
    name: 'typo',
    init: { x: 0, y: 0 },
    threads: [
      thread('T0', {}, [
        {
          label: 'y = 1',
          footprint: () => writes('Y'),
          run: (s: S) => ({ s: { ...s, y: 1 } }),
        },
        put('x', 1),
      ]),
      thread('T1', { r: 0 }, [read('y')]),
    ],
    properties: [
      endState<S>('y-read', 'T1 saw y = 1 or x = 0', (v) => (localR(v.threads[1].l) === 0 ? 'stale' : null)),
    ],
  });

  test('is a footprint-write error naming model, thread, step and location, under every strategy', () => {
    for (const strategy of STRATEGIES)
      expect(errorOf(run(typo, strategy, { stopAtFirst: false }))).toEqual({
        code: 'footprint-write',
        message:
          "model 'typo' thread 'T0' step 'y = 1' wrote 'y', which its footprint does not declare (writes: Y; reads: none)",
      });
  });

  test('a nested field outside the declared locations; a parent location covers its fields; unnamed paths pass', () => {
    const step = (declared: string): Step => ({
      label: 'folio.A.ref++',
      footprint: () => writes(declared),
      run: (s: Folios) => ({ s: { ...s, folio: { ...s.folio, A: { ...s.folio.A, ref: s.folio.A.ref + 1 } } } }),
    });
    const model = (declared: string) =>
      program({
        name: 'nested',
        init: { folio: { A: { ref: 1, map: 0 } } },
        threads: [
          thread('T0', {}, [step(declared)]),
          thread('T1', {}, [{ label: 'peek', footprint: () => reads('folio.A.ref'), run: () => ({}) }]),
        ],
      });
    expect(errorOf(run(model('folio.A.map'), 'naive'))).toEqual({
      code: 'footprint-write',
      message:
        "model 'nested' thread 'T0' step 'folio.A.ref++' wrote 'folio.A.ref', which its footprint does not declare (writes: folio.A.map; reads: none)",
    });
    expect(run(model('folio.A.ref'), 'naive').kind).toBe('pass');
    expect(run(model('folio.A'), 'naive').kind).toBe('pass');
    expect(run(model('folio'), 'dfs').kind).toBe('pass');
    // A path no footprint names is not audited (a location of another name may cover it).
    // E.g. the folio primitives file `folios.A.held` under the location `A.ref`: no rule can tell.
    const inst = program({
      name: 'aliased',
      init: { folios: { A: { ref: 1, held: 0 } } },
      threads: [
        thread('T0', {}, [
          {
            label: 'folio_get',
            footprint: () => writes('A.ref'),
            run: () => ({ s: { folios: { A: { ref: 2, held: 1 } } } }),
          },
        ]),
      ],
    });
    for (const strategy of STRATEGIES) expect(run(inst, strategy).kind).not.toBe('error');
  });

  test('array elements, a new subtree declared field by field, and a deleted key', () => {
    const inst = (declared: string[], change: (s: Shapes) => Shapes) =>
      program({
        name: 'shapes',
        init: { pte: [0, 0], vmas: { a: { start: 0 } } },
        threads: [
          thread('T0', {}, [
            { label: 'change', footprint: () => writes(...declared), run: (s: Shapes) => ({ s: change(s) }) },
          ]),
          thread('T1', {}, [
            { label: 'look', footprint: () => reads('pte[1]', 'vmas.b.start', 'vmas.a'), run: () => ({}) },
          ]),
        ],
      });
    const setPte = (s: Shapes): Shapes => ({ ...s, pte: [s.pte[0], 7] });
    const newVma = (s: Shapes): Shapes => ({ ...s, vmas: { ...s.vmas, b: { start: 4 } } });
    const dropVma = (s: Shapes): Shapes => ({ ...s, vmas: {} });
    const outcome = (declared: string[], fn: (s: Shapes) => Shapes) => {
      const r = run(inst(declared, fn), 'naive');
      return r.kind === 'error' ? r.message.replace(/^.*wrote '([^']*)'.*$/, 'wrote $1') : r.kind;
    };
    expect(outcome(['pte[0]'], setPte)).toBe('wrote pte[1]');
    expect(outcome(['pte[1]'], setPte)).toBe('pass');
    expect(outcome(['vmas.a.start'], newVma)).toBe('wrote vmas.b.start');
    expect(outcome(['vmas.b.start'], newVma)).toBe('pass');
    expect(outcome(['vmas.b'], dropVma)).toBe('wrote vmas.a.start');
    expect(outcome(['vmas.a'], dropVma)).toBe('pass');
  });
});
