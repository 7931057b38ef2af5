/**
 * LazyView: a state vector seen as the reference engine's StateView, decoding and logging only
 * the slots a reader touches; records and arrays behave as the decoded objects do.
 */
import { describe, expect, test } from '@jest/globals';
import { Encoding } from '../../src/engine/encoding.js';
import { LazyView } from '../../src/engine/view.js';
import { array, int, layout, oneOf } from '../../src/lang/index.js';

const shared = layout({
  flag: int(0, 1),
  pages: {
    A: { ref: int(0, 3), state: oneOf(['free', 'used']) },
    B: { ref: int(0, 3), state: oneOf(['free', 'used']) },
  },
  pte: array(3, int(0, 9)),
});

function setup() {
  const enc = new Encoding(shared);
  const lazy = new LazyView(enc, { names: ['T0', 'T1'], lengths: [2, 3], label: (t, pc) => `t${t}@${pc}` });
  const s = { flag: 1, pages: { A: { ref: 2, state: 'used' }, B: { ref: 0, state: 'free' } }, pte: [4, 0, 7] };
  const v = enc.vector(s, [
    { pc: 2, l: { x: 1 } },
    { pc: 1, l: {} },
  ]);
  return { enc, lazy, s, v };
}

describe('LazyView', () => {
  test('records and arrays read as the decoded state, and only what is read is logged', () => {
    const { lazy, s, v } = setup();
    const view = lazy.bind(v);
    const st = view.s as typeof s;
    expect(st.pages.B.state).toBe('free');
    expect(lazy.log.pairs).toEqual([4, 0]);
    expect(JSON.parse(JSON.stringify(st))).toEqual(s);
    expect(Object.keys(st.pages.A)).toEqual(['ref', 'state']);
    expect(Object.entries(st.pages).map(([k, p]) => [k, { ...p }])).toEqual(Object.entries(s.pages));
    expect(st.pte.map((x) => x + 1)).toEqual([5, 1, 8]);
    expect(st.pte.filter((x) => x > 0)).toEqual([4, 7]);
    expect([...st.pte]).toEqual(s.pte);
    expect(st.pte[2]).toBe(7);
  });

  test("a thread's done, at and l read its pc and locals slots", () => {
    const { lazy, v, enc } = setup();
    const [t0, t1] = lazy.bind(v).threads;
    expect([t0.name, t0.done, t0.at, t0.l]).toEqual(['T0', true, 't0@2', { x: 1 }]);
    expect(lazy.log.pairs).toEqual([enc.fields, 2, enc.fields + 1, v[enc.fields + 1]]);
    expect(Object.keys(t1)).toEqual(['name', 'done', 'at', 'l']);
    expect([t1.done, t1.at]).toEqual([false, 't1@1']);
  });

  test('one view serves every state: bind points it at another vector with a fresh log', () => {
    const { lazy, v } = setup();
    const w = Int32Array.from(v);
    w[0] = 0;
    expect((lazy.bind(v).s as { flag: number }).flag).toBe(1);
    expect((lazy.bind(w).s as { flag: number }).flag).toBe(0);
    expect(lazy.log.pairs).toEqual([0, 0]);
  });
});
