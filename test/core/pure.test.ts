import { describe, expect, test } from '@jest/globals';
import { diff } from '../../src/core/diff.js';
import { ModelError } from '../../src/core/errors.js';
import { canonical, fingerprintInto } from '../../src/core/fingerprint.js';
import { instantiate } from '../../src/core/instantiate.js';
import { defineModel } from '../../src/core/model.js';
import { getIn, locOf, setIn } from '../../src/core/path.js';
import { thread } from '../../src/core/thread.js';
import { put } from '../helpers/steps.js';

const fp = (...v: unknown[]) => {
  const out = new Uint32Array(2);
  fingerprintInto(out, v);
  return [out[0], out[1]];
};

describe('path', () => {
  test('locOf, getIn, setIn with structural sharing', () => {
    expect(locOf(['folio', 'ref'])).toBe('folio.ref');
    expect(locOf(['pte', 3])).toBe('pte[3]');
    const s = { a: { b: [1, 2] }, c: { d: 1 } };
    const t = setIn(s, ['a', 'b', 1], 5);
    expect(getIn(t, ['a', 'b', 1])).toBe(5);
    expect(getIn(s, ['a', 'b', 1])).toBe(2);
    expect(t.c).toBe(s.c);
    expect(Array.isArray(t.a.b)).toBe(true);
    expect(setIn(s, ['a', 'b', 0], 1)).toBe(s);
  });
});

describe('diff', () => {
  test('leaf paths that differ', () => {
    expect(diff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] } })).toEqual([{ path: 'b.c[1]', before: 2, after: 3 }]);
    expect(diff({ a: 1 }, { a: 1, z: 2 })).toEqual([{ path: 'z', before: undefined, after: 2 }]);
    const shared = { x: 1 };
    expect(diff({ s: shared }, { s: shared })).toEqual([]);
  });
});

describe('fingerprint', () => {
  test('equal states fingerprint equal, different states differently', () => {
    expect(fp({ a: 1, b: [1, 2] }, 0)).toEqual(fp({ a: 1, b: [1, 2] }, 0));
    expect(fp({ a: 1 })).not.toEqual(fp({ a: 2 }));
    expect(fp([1, 2])).not.toEqual(fp([2, 1]));
    expect(fp({ a: 1 }, 0)).not.toEqual(fp({ a: 1 }, 1));
    expect(fp('x')).not.toEqual(fp('y'));
    expect(fp(null)).not.toEqual(fp(undefined));
    expect(canonical({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });
});

describe('instantiate', () => {
  const model = defineModel({
    name: 'm',
    title: 'm',
    story: '',
    params: { n: { default: 2, min: 1, max: 3, doc: 'n' } },
    options: {},
    variants: { base: { doc: '', options: {}, expect: {} } },
    build: () => ({ init: { x: 0 }, threads: [thread('T0', {}, [put('x', 1)])], properties: [] }),
  });

  test('defaults', () => {
    const inst = instantiate(model);
    expect(inst.variant).toBe('base');
    expect(inst.params).toEqual({ n: 2 });
    expect(inst.properties.map((p) => p.name)).toEqual(['deadlock-free']);
  });

  test('unknown variant, unknown param, param out of range', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ModelError);
        return (e as ModelError).code;
      }
      return 'no error';
    };
    expect(code(() => instantiate(model, 'nope'))).toBe('unknown-variant');
    expect(code(() => instantiate(model, undefined, { k: 1 }))).toBe('unknown-param');
    expect(code(() => instantiate(model, undefined, { n: 4 }))).toBe('bad-param');
    expect(code(() => instantiate(model, undefined, { n: 1.5 }))).toBe('bad-param');
  });
});
