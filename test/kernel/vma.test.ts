import { describe, expect, test } from '@jest/globals';
import { local } from '../../src/core/ops.js';
import { step, type Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import { lockMisuse, spinLock, spinUnlock } from '../../src/kernel/spinlock.js';
import {
  EFAULT,
  VMA_STACK_INCOMPLETE_SETUP,
  vma,
  vmaAddress,
  vmaLoad,
  vmaLoadFlags,
  vmaLoc,
  vmaSetFlags,
  vmaStore,
  type VmaSnap,
} from '../../src/kernel/vma.js';
import { assertion } from '../../src/core/property.js';
import { program, run } from '../helpers/program.js';

describe('vma_address', () => {
  test('address = vm_start + (index - vm_pgoff), in pages', () => {
    expect(vmaAddress(3, { start: 10, end: 14, pgoff: 0 })).toBe(13);
    expect(vmaAddress(3, { start: 2, end: 4, pgoff: 2 })).toBe(3);
  });
  test('-EFAULT when the page is outside [vm_start, vm_end)', () => {
    expect(vmaAddress(3, { start: 0, end: 2, pgoff: 0 })).toBe(EFAULT);
    expect(vmaAddress(1, { start: 2, end: 4, pgoff: 2 })).toBe(EFAULT);
  });
  test('a torn (new vm_start, old vm_pgoff) pair of a split VMA gives -EFAULT', () => {
    // split_vma new_below at 2 of [0,4) pgoff 0: the upper part becomes [2,4) pgoff 2.
    expect(vmaAddress(3, { start: 2, end: 4, pgoff: 0 })).toBe(EFAULT);
  });
  test('locations name the VMA and the field', () => {
    expect(vmaLoc('A', 'pgoff')).toBe('vmas.A.pgoff');
  });
  test('vm_flags: a plain store clears VM_STACK_INCOMPLETE_SETUP, a plain load reads it', () => {
    const s = { vmas: { S: vma(4, 5, 0, 'AVS', VMA_STACK_INCOMPLETE_SETUP) } };
    const cleared = vmaSetFlags<any, object>('S', (f) => f & ~VMA_STACK_INCOMPLETE_SETUP).run(s, {}, 0).s as typeof s;
    expect(cleared.vmas.S.flags).toBe(0);
    expect(s.vmas.S.flags).toBe(VMA_STACK_INCOMPLETE_SETUP);
    const seen = vmaLoadFlags<any, { f?: number }>('S', (l, f) => ({ l: { ...l, f } })).run(s, {}, 0).l;
    expect(seen).toEqual({ f: VMA_STACK_INCOMPLETE_SETUP });
    expect(vmaLoadFlags<any, object>('S', () => ({})).footprint(s, {}, 0)).toEqual([
      { loc: 'vmas.S.flags', write: false },
    ]);
  });
});

/** A walker loading vm_pgoff, vm_start, vm_end while vma_adjust stores vm_start then vm_pgoff. */
function torn(locked: boolean) {
  type L = { snap: VmaSnap };
  const lk = (t: string) => (locked ? [step<any, L>(`${t}: lock`, spinLock<L>(['lock']))] : []);
  const ul = (t: string) => (locked ? [step<any, L>(`${t}: unlock`, spinUnlock<L>(['lock']))] : []);
  const walker: Step<any, L>[] = [
    ...lk('walk'),
    step(
      'vma_address: load vm_pgoff',
      vmaLoad<any, L>('A', 'pgoff', (l, v) => ({ l: { snap: { ...l.snap, pgoff: v } } })),
    ),
    step(
      'vma_address: load vm_start',
      vmaLoad<any, L>('A', 'start', (l, v) => ({ l: { snap: { ...l.snap, start: v } } })),
    ),
    step(
      'vma_address: load vm_end',
      vmaLoad<any, L>('A', 'end', (l, v) => ({ l: { snap: { ...l.snap, end: v } } })),
    ),
    ...ul('walk'),
    local('page lies in A', (l) =>
      vmaAddress(3, l.snap as Required<VmaSnap>) === EFAULT
        ? { violation: { property: 'found', message: 'vma_address: -EFAULT for a page inside A' } }
        : {},
    ),
  ];
  const adjust: Step<any, L>[] = [
    ...lk('adjust'),
    step(
      'vma_adjust: vm_start = 2',
      vmaStore<any, L>('A', 'start', () => 2),
    ),
    step(
      'vma_adjust: vm_pgoff = 2',
      vmaStore<any, L>('A', 'pgoff', () => 2),
    ),
    ...ul('adjust'),
  ];
  return program({
    init: { vmas: { A: vma(0, 4, 0, null) }, lock: -1 },
    threads: [thread('walker', { snap: {} }, walker), thread('vma_adjust', { snap: {} }, adjust)],
    properties: [assertion('found', 'the walker finds the page'), lockMisuse],
    expect: locked ? {} : { found: 'violated' },
  });
}

describe('vma fields are plain loads and stores', () => {
  test('unlocked: the checker finds the torn read that skips the VMA', () => {
    const inst = torn(false);
    const r = run(inst, 'bfs');
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    const labels = r.violation.trace.steps.map((s) => s.label);
    expect(labels.indexOf('vma_adjust: vm_start = 2')).toBeGreaterThan(labels.indexOf('vma_address: load vm_pgoff'));
    expect(labels.indexOf('vma_adjust: vm_start = 2')).toBeLessThan(labels.indexOf('vma_address: load vm_start'));
  });
  test('under one lock the walker sees either the old or the new triple', () => {
    const inst = torn(true);
    const r = run(inst, 'dfs', { stopAtFirst: false });
    expect(r.kind).toBe('pass');
    expect(verdicts(inst, r).find((v) => v.property === 'found')?.outcome).toBe('holds');
  });
});
