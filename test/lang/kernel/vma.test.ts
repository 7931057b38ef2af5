import { describe, expect, test } from '@jest/globals';
import { commit, evaluate, layout, type Block } from '../../../src/lang/index.js';
import {
  EFAULT,
  LOAD_ORDERS,
  isVmaTemporaryStack,
  vmaAddressLoads,
  vmaLoad,
  vmaSpec,
  vmaStore,
  vmaStoreSteps,
  type VmaWalker,
} from '../../../src/lang/kernel/vma.js';
import { langProgram } from '../helpers.js';
import { thread, step } from '../../../src/lang/index.js';

// One VMA [3,6) with vm_pgoff 3 (page->index 4 is at address 4), and exec's flag on a second one.
const l = layout({
  vmas: {
    V: vmaSpec({ start: 3, end: 6, pgoff: 3, anon: 'AV' }, ['AV']),
    S: vmaSpec({ start: 4, end: 5, pgoff: 0, anon: null, flags: 1 }, []),
  },
});
const V = l.refs.vmas.V;
const s0 = l.defaults;

describe('a VMA in a layout: one location per field, plain loads and stores', () => {
  test('the fields start as declared; anon_vma is one of the names or null', () => {
    expect(s0.vmas.V).toEqual({ start: 3, end: 6, pgoff: 3, anon: 'AV', flags: 0 });
    expect(s0.vmas.S.anon).toBeNull();
  });
  test('a load reads one field; a store writes one field (its own location)', () => {
    const e = evaluate(l, (c) => vmaStore(c, V, 'start', vmaLoad(c, V, 'end') - 1), s0, {}, 0);
    expect(e.footprint).toEqual([
      { loc: 'vmas.V.end', write: false },
      { loc: 'vmas.V.start', write: true },
    ]);
    expect(commit(s0, e).vmas.V.start).toBe(5);
  });
  test('a store outside the domain is refused', () => {
    expect(() => evaluate(l, (c) => vmaStore(c, V, 'end', 99), s0, {}, 0)).toThrow(/outside its domain/);
  });
  test('is_vma_temporary_stack reads vm_flags', () => {
    expect(evaluate(l, (c) => isVmaTemporaryStack(c, l.refs.vmas.S), s0, {}, 0).value).toBe(true);
    expect(evaluate(l, (c) => isVmaTemporaryStack(c, V), s0, {}, 0).value).toBe(false);
  });
});

describe("vma_address's loads, in each order the compiler may emit", () => {
  type W = VmaWalker & { done: boolean };
  const walker = (order: number, reload: boolean, efault: boolean, index: number): Block<W> => [
    ...vmaAddressLoads<W>({
      fn: 'walk',
      efault: efault ? 'out' : null,
      order,
      reload,
      vma: () => V,
      index: () => index,
    }),
    step('walk: found', (c) => c.let({ done: true })),
    { k: 'label', name: 'out' },
  ];
  const run = (order: number, reload: boolean, efault: boolean, index: number) => {
    let s: unknown = s0;
    let w: W = { snap: {}, addr: EFAULT, done: false };
    const labels: string[] = [];
    const inst = langProgram(() => ({
      layout: l,
      threads: [thread('t', w, walker(order, reload, efault, index))],
      properties: [],
    }));
    const steps = inst.program.threads[0].steps;
    for (let pc = 0; pc < steps.length;) {
      const st = steps[pc];
      labels.push(st.label);
      const out = st.run(s, w, 0);
      if ('violation' in out && out.violation) throw new Error(out.violation.message);
      s = out.s ?? s;
      w = (out.l as W) ?? w;
      pc = typeof out.goto === 'number' ? out.goto : pc + 1;
    }
    return { labels, w };
  };
  test('the six orders load each field once, the first label names the caller', () => {
    expect(LOAD_ORDERS).toHaveLength(6);
    for (let order = 0; order < 6; order++) {
      const { labels, w } = run(order, false, true, 4);
      expect(labels.slice(0, 3).map((x) => x.replace(/^walk: /, '').replace(/;.*$/, ''))).toEqual(
        LOAD_ORDERS[order].map((f) => `vma_address: load vma->vm_${f}`),
      );
      expect(labels[0].startsWith('walk: vma_address: ')).toBe(true);
      expect(w).toEqual({ snap: { start: 3, end: 6, pgoff: 3 }, addr: 4, done: true });
    }
  });
  test('-EFAULT jumps to the caller’s label with the locals as before the last load; without a label, addr is -EFAULT', () => {
    expect(run(0, false, true, 9)).toEqual({
      labels: [
        'walk: vma_address: load vma->vm_pgoff',
        'vma_address: load vma->vm_start',
        'vma_address: load vma->vm_end; -EFAULT → next avc',
      ],
      w: { snap: { pgoff: 3, start: 3 }, addr: EFAULT, done: false },
    });
    expect(run(0, false, false, 9).w).toEqual({ snap: { pgoff: 3, start: 3, end: 6 }, addr: EFAULT, done: true });
  });
  test('reload: vm_start is loaded a second time, last, for the range check', () => {
    const { labels, w } = run(2, true, true, 5);
    expect(labels.slice(0, 4)).toEqual([
      'walk: vma_address: load vma->vm_start',
      'vma_address: load vma->vm_pgoff',
      'vma_address: load vma->vm_end',
      'vma_address: load vma->vm_start again for the range check; -EFAULT → next avc',
    ]);
    expect(w.addr).toBe(5);
  });
  test('a torn read: vm_start stored between the loads gives a wrong in-range address', () => {
    // The walker loads vm_pgoff (3); vma_adjust moves the VMA to [2,6) with vm_pgoff 2 (page index 4 at
    // address 4 still); the walker loads the new vm_start: 2 + (4 - 3) = 3, the wrong PTE.
    const adjust = (s: unknown) =>
      commit(
        s,
        evaluate(l, (c) => vmaStore(c, V, 'start', 2), s, {}, 1),
      );
    const inst = langProgram(() => ({
      layout: l,
      threads: [thread<W>('walk', { snap: {}, addr: EFAULT, done: false }, walker(0, false, true, 4))],
      properties: [],
    }));
    const [pgoff, start, end] = inst.program.threads[0].steps;
    let s: unknown = s0;
    let w: W = { snap: {}, addr: EFAULT, done: false };
    w = (pgoff.run(s, w, 0).l as W) ?? w;
    s = adjust(s);
    w = (start.run(s, w, 0).l as W) ?? w;
    w = (end.run(s, w, 0).l as W) ?? w;
    expect(w.addr).toBe(3);
  });
});

describe("vma_adjust's stores as written in C", () => {
  const steps = vmaStoreSteps<object>('vma_adjust', l.refs.vmas, 'V->vm_start = 2; V->vm_pgoff -= 1; S->vm_end += 3');
  test('one step per store, labelled with its C text; =, -= and += on the field', () => {
    expect(steps.map((st) => (st.k === 'step' ? st.label : st.k))).toEqual([
      'vma_adjust: V->vm_start = 2',
      'vma_adjust: V->vm_pgoff -= 1',
      'vma_adjust: S->vm_end += 3',
    ]);
    let s = s0;
    for (const st of steps) if (st.k === 'step') s = commit(s, evaluate(l, st.body, s, {}, 0));
    expect([s.vmas.V.start, s.vmas.V.pgoff, s.vmas.S.end]).toEqual([2, 2, 8]);
  });
  test('a store on an unknown VMA or field is refused when the model is built', () => {
    expect(() => vmaStoreSteps('vma_adjust', l.refs.vmas, 'X->vm_start = 1')).toThrow(/not 'VMA->vm_field = n'/);
    expect(() => vmaStoreSteps('vma_adjust', l.refs.vmas, 'V->vm_size = 1')).toThrow(/not 'VMA->vm_field = n'/);
  });
});
