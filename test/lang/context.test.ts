import { describe, expect, test } from '@jest/globals';
import { array, commit, evaluate, int, layout, spinLock, spinUnlock, tid } from '../../src/lang/index.js';

const l = layout({ a: array(3, int(0, 9)), lock: tid(), x: int(0, 9) });
const { a, lock, x } = l.refs;
const s0 = l.defaults;

describe('footprints are derived from what a step does', () => {
  test('an index taken from a local names one cell', () => {
    const e = evaluate(l, (c) => c.get(a.at(c.l.i)), s0, { i: 2 }, 0);
    expect(e.footprint).toEqual([{ loc: 'a[2]', write: false }]);
  });

  test('a CAS writes only on success: its footprint depends on the state', () => {
    const cas = (c: Parameters<Parameters<typeof evaluate>[1]>[0]) => {
      if (c.get(x) === 0) c.set(x, 5);
    };
    expect(evaluate(l, cas, s0, {}, 0).footprint).toEqual([{ loc: 'x', write: true }]);
    expect(evaluate(l, cas, { ...s0, x: 1 }, {}, 0).footprint).toEqual([{ loc: 'x', write: false }]);
  });

  test('a blocked step has the footprint of what it read before blocking, and no effect', () => {
    const e = evaluate(l, (c) => spinLock(c, lock), { ...s0, lock: 1 }, {}, 0);
    expect(e.blocked).toBe(true);
    expect(e.footprint).toEqual([{ loc: 'lock', write: true }]);
    expect(e.writes).toEqual([]);
    expect(e.lockOps).toEqual([{ op: 'acquire', cls: 'lock', inst: 'lock' }]);
  });

  test('writes go to an overlay: the state is unchanged until commit, reads see the step’s own writes', () => {
    const e = evaluate(
      l,
      (c) => {
        c.set(x, 3);
        c.set(x, c.get(x) + 1);
        c.let({ seen: c.get(x) });
      },
      s0,
      { seen: 0 },
      0,
    );
    expect(s0.x).toBe(0);
    expect(commit(s0, e).x).toBe(4);
    expect(e.l).toEqual({ seen: 4 });
    expect(e.footprint).toEqual([{ loc: 'x', write: true }]);
  });

  test('a value outside the domain, or an unknown field, is an error naming the field', () => {
    expect(() => evaluate(l, (c) => c.set(x, 10), s0, {}, 0)).toThrow('set x = 10 is outside its domain (0..9)');
    const other = layout({ x: int(0, 1) });
    expect(() => evaluate(l, (c) => c.get(other.refs.x), s0, {}, 0)).toThrow(
      "get x: not a field of the model's layout",
    );
    expect(() => evaluate(l, (c) => c.get(undefined as never), s0, {}, 0)).toThrow('get undefined: not a field');
  });

  test('an unlock by a non-owner raises lock-misuse', () => {
    const e = evaluate(l, (c) => spinUnlock(c, lock), s0, {}, 0);
    expect(e.violation).toEqual({
      property: 'lock-misuse',
      message: 'spin_unlock(lock) by a thread that does not hold it',
    });
  });
});

describe('setPaths', () => {
  test('copies each object on the written paths once and shares the rest', async () => {
    const { setPaths } = await import('../../src/lang/paths.js');
    const s = { a: { x: 1, y: 2 }, b: { z: 3 }, c: [0, 0] };
    const t = setPaths(s, [
      [['a', 'x'], 5],
      [['a', 'y'], 6],
      [['c', 1], 7],
    ]);
    expect(t).toEqual({ a: { x: 5, y: 6 }, b: { z: 3 }, c: [0, 7] });
    expect(s).toEqual({ a: { x: 1, y: 2 }, b: { z: 3 }, c: [0, 0] });
    expect(t.b).toBe(s.b);
    expect(setPaths(s, [[['a', 'x'], 1]])).toBe(s);
  });
});
