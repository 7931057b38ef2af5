/**
 * PropertyMemo: each property is memoised on its own reads, so a property runs once per distinct
 * value of the slots it reads, and a successor keeps each leaf its step's writes miss.
 */
import { describe, expect, test } from '@jest/globals';
import { invariant } from '../../src/core/property.js';
import { VecSystem } from '../../src/engine/system.js';
import { explore } from '../../src/explore/explore.js';
import { int, layout, NO_REDUCTIONS, step, thread } from '../../src/lang/index.js';
import { langProgram } from '../lang/helpers.js';

const shared = layout({ x: int(0, 3), y: int(0, 3) });
const { x, y } = shared.refs;
type S = typeof shared.defaults;

/** Thread X adds one to x twice, thread Y to y; x-small and y-small count their runs. */
function program() {
  const runs = { x: 0, y: 0 };
  const inst = langProgram(
    () => ({
      layout: shared,
      threads: [
        thread('X', {}, [step('x++', (c) => c.set(x, c.get(x) + 1)), step('x++ again', (c) => c.set(x, c.get(x) + 1))]),
        thread('Y', {}, [step('y++', (c) => c.set(y, c.get(y) + 1)), step('y++ again', (c) => c.set(y, c.get(y) + 1))]),
      ],
      properties: [
        invariant<S>('x-small', 'x < 2', ['x'], (v) => (runs.x++, v.s.x >= 2 ? `x is ${v.s.x}` : null)),
        invariant<S>('y-small', 'y < 3', ['y'], (v) => (runs.y++, v.s.y >= 3 ? `y is ${v.s.y}` : null)),
      ],
      observes: {},
    }),
    NO_REDUCTIONS,
  );
  return { inst, runs };
}

describe('PropertyMemo', () => {
  test('each invariant runs once per distinct value of what it reads, not once per state', () => {
    const { inst, runs } = program();
    runs.x = runs.y = 0;
    const r = explore(inst, { strategy: 'naive', stopAtFirst: false, engine: 'compiled' });
    expect(r.kind).toBe('violation');
    expect(r.kind !== 'error' && r.stats.states).toBe(9);
    // x and y take 0..2 each: three runs each for nine states.
    expect(runs).toEqual({ x: 3, y: 3 });
  });

  test("a successor keeps the leaf of each invariant its step's writes miss, and looks up the rest", () => {
    const { inst, runs } = program();
    const sys = new VecSystem(inst, undefined, { symmetry: false });
    runs.x = runs.y = 0;
    const v0 = sys.initial();
    expect(sys.check(v0, 3)).toEqual([]);
    const at0 = sys.invariantVerdicts!;
    expect(runs).toEqual({ x: 1, y: 1 });
    // X's step writes x: x-small runs on x = 1, y-small keeps its leaf (no lookup, no run).
    const v1 = new Int32Array(v0.length);
    sys.apply(v0, 0, v1);
    const changed = sys.changes(v0, 0);
    expect(sys.check(v1, 3, at0, changed)).toEqual([]);
    const at1 = sys.invariantVerdicts!;
    expect(at1.leaves[1]).toBe(at0.leaves[1]);
    expect(at1.leaves[0]).not.toBe(at0.leaves[0]);
    expect(runs).toEqual({ x: 2, y: 1 });
    // The same state again, from no parent: both found in their memos; the verdicts interned.
    expect(sys.check(v1, 3)).toEqual([]);
    expect(sys.invariantVerdicts).toBe(at1);
    // x = 2 violates x-small: a new leaf with its message; nothing changed leaves the verdicts.
    const v2 = new Int32Array(v0.length);
    sys.apply(v1, 0, v2);
    const found = [{ property: 'x-small', kind: 'invariant', message: 'x is 2' }];
    expect(sys.check(v2, 2, at1, sys.changes(v1, 0))).toEqual(found);
    const at2 = sys.invariantVerdicts!;
    expect(sys.check(v2, 2, at2, 0)).toBe(at2.found);
    expect(runs).toEqual({ x: 3, y: 1 });
  });
});
