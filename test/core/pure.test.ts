import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { diff } from '../../src/core/diff.js';
import { ModelError } from '../../src/core/errors.js';
import { canonical, fingerprintInto, hashNode, mulPortable } from '../../src/core/fingerprint.js';
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
    expect(diff({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] } })).toEqual([
      { path: 'b.c[1]', before: 2, after: 3 },
    ]);
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

describe('hashNode', () => {
  const lanes = (v: unknown, ref?: ReturnType<typeof hashNode>) => {
    const n = hashNode(v, ref);
    return [n.h1, n.h2];
  };
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.integer(),
      fc.boolean(),
      fc.constantFrom('A', 'B', null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('ref', 'held', 'pte', 'x'), tie('value'), { maxKeys: 3 }),
    ),
  })).value;

  test('an update hashed against the old node equals a hash from scratch, and reuses unchanged children', () => {
    const b = { ref: 1, held: 0 };
    const s = { folios: { A: { ref: 2, held: 1 }, B: b }, pte: [{ kind: 'present', folio: 'A' }], ptl: -1 };
    const old = hashNode(s);
    const t = { ...s, folios: { ...s.folios, A: { ref: 3, held: 1 } } };
    const fresh = hashNode(t);
    const reused = hashNode(t, old);
    expect([reused.h1, reused.h2]).toEqual([fresh.h1, fresh.h2]);
    expect(reused.kids[0].kids[1]).toBe(old.kids[0].kids[1]);
    expect(reused.kids[1]).toBe(old.kids[1]);
    expect(lanes(t)).not.toEqual(lanes(s));
    expect(hashNode(s, old)).toBe(old);
  });

  test('property: hashing against any reference node gives the from-scratch hash', () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const pair = { a, b, both: [a, b] };
        const other = { a: b, b: a, both: [b, a] };
        expect(lanes(pair, hashNode(other))).toEqual(lanes(pair));
        expect(lanes(other, hashNode(pair))).toEqual(lanes(other));
        if (canonical(a) !== canonical(b) && JSON.stringify(a) !== JSON.stringify(b))
          expect(lanes(a)).not.toEqual(lanes(b));
      }),
      { numRuns: 300 },
    );
  });
});

describe('mul', () => {
  test('the portable multiply is Math.imul for every input', () => {
    const edge = [0, 1, -1, 0x7fffffff, -0x80000000, 0xffff, 0x10000, 0xcc9e2d51, 0x1b873593, 0x85ebca6b, 0xc2b2ae35];
    for (const a of edge) for (const c of edge) expect(mulPortable(a, c)).toBe(Math.imul(a, c));
    fc.assert(
      fc.property(
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.integer({ min: -0x80000000, max: 0xffffffff }),
        (a, c) => mulPortable(a, c) === Math.imul(a, c),
      ),
      { numRuns: 2000 },
    );
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
