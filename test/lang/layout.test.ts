import { describe, expect, test } from '@jest/globals';
import { array, bit, grouped, int, layout, mask, oneOf, tid, unit } from '../../src/lang/index.js';

describe('layout', () => {
  const l = layout({
    x: int(0, 3),
    flag: array(2, bit()),
    folio: unit({ ref: int(0, 4, 1), held: mask() }),
    pte: oneOf([{ kind: 'none' }, { kind: 'present', folio: 'A' }]),
    owner: tid(),
  });

  test('defaults follow the domains', () => {
    expect(l.defaults).toEqual({
      x: 0,
      flag: [0, 0],
      folio: { ref: 1, held: 0 },
      pte: { kind: 'none' },
      owner: -1,
    });
  });

  test('a field is a location named by its path; a unit record is one location', () => {
    expect(l.refs.x.loc).toBe('x');
    expect(l.refs.flag.at(1).loc).toBe('flag[1]');
    expect(l.refs.folio.ref.loc).toBe('folio');
    expect(l.refs.folio.held.loc).toBe('folio');
    expect(l.refs.folio.held.name).toBe('folio.held');
    expect(l.leaves.map((r) => r.name)).toEqual(['x', 'flag[0]', 'flag[1]', 'folio.ref', 'folio.held', 'pte', 'owner']);
  });

  test('grouped fields share a location named after their group, their record keeps its shape', () => {
    const g = layout({ A: { ref: grouped('ref', int(0, 3)), held: grouped('ref', mask()), mapping: int(0, 1) } });
    expect(g.defaults).toEqual({ A: { ref: 0, held: 0, mapping: 0 } });
    expect([g.refs.A.ref.loc, g.refs.A.held.loc, g.refs.A.mapping.loc]).toEqual(['A.ref', 'A.ref', 'A.mapping']);
  });

  test('an index outside an array is refused', () => {
    expect(() => l.refs.flag.at(2)).toThrow('index 2 outside flag[0..1]');
  });

  test('initial states are patched and checked against the domains', () => {
    expect(l.state({ x: 3, flag: { 1: 1 }, pte: { kind: 'present', folio: 'A' } })).toMatchObject({
      x: 3,
      flag: [0, 1],
      pte: { kind: 'present', folio: 'A' },
    });
    expect(() => l.state({ x: 4 })).toThrow('initial x 4 is outside its domain (0..3)');
    expect(() => l.state({ y: 1 })).toThrow('initial y: the layout has no such field');
    expect(() => l.state({ flag: [1] })).toThrow('initial flag: 1 elements, expected 2');
    expect(() => l.state({ pte: { kind: 'migration' } })).toThrow(/initial pte .* outside its domain \(one of/);
  });

  test('bad domains are refused', () => {
    expect(() => int(3, 1)).toThrow('int(3, 1): not an integer range');
    expect(() => int(0, 1, 2)).toThrow('initial value 2 is outside its domain (0..1)');
  });
});
