import { describe, expect, test } from '@jest/globals';
import { assertion } from '../../../src/core/property.js';
import { commit, evaluate, layout, step, thread, type Body } from '../../../src/lang/index.js';
import {
  flushTlbBatchedPending,
  flushTlbMm,
  flushTlbPage,
  localIrq,
  setTlbUbcFlushPending,
  shouldDeferFlush,
  tlbFill,
  tlbLookup,
  tlbSpec,
  tlbThreadBits,
  tryToUnmapFlush,
  type TlbArch,
} from '../../../src/lang/kernel/tlb.js';
import { explore } from '../../../src/explore/explore.js';
import { langProgram } from '../helpers.js';

// Two PTEs, translations of folios A and B; CPUs 0 (the flusher), 1 and 2 run the mm.
const l = layout({ tlb: tlbSpec(2, ['A', 'B']) });
const t = l.refs.tlb;
const s0 = l.state({ tlb: { cpumask: 0b111, cached: [{ A: 0b110 }, { B: 0b010 }] } });
type S = typeof s0;

/** Run a body on CPU `cpu`: the next state, or 'blocked'. */
const run = (s: S, cpu: number, body: Body<object>): S | 'blocked' => {
  const e = evaluate(l, body, s, {}, cpu);
  return e.blocked ? 'blocked' : commit(s, e);
};
const ok = (x: S | 'blocked'): S => {
  if (x === 'blocked') throw new Error('blocked');
  return x;
};
const cached = (s: S, pte: number) => s.tlb.cached[pte];

describe('each CPU caches its own translation of each PTE', () => {
  test('a lookup hits only on the CPUs that cache the PTE', () => {
    const look = (cpu: number, pte: number) => evaluate(l, (c) => tlbLookup(c, t, pte), s0, {}, cpu).value;
    expect([look(0, 0), look(1, 0), look(2, 0)]).toEqual([null, 'A', 'A']);
    expect([look(0, 1), look(1, 1), look(2, 1)]).toEqual([null, 'B', null]);
  });
  test('a fill replaces this CPU’s translation of the PTE and no other CPU’s', () => {
    const s = ok(run(s0, 1, (c) => tlbFill(c, t, 0, 'B')));
    expect(cached(s, 0)).toEqual({ A: 0b100, B: 0b010 });
    expect(cached(s, 1)).toEqual(cached(s0, 1));
  });
});

describe('a flush reaches the CPUs it targets (IPI) or every CPU (broadcast TLBI)', () => {
  test('flush_tlb_page drops the PTE’s entries on every CPU of the mm, and only that PTE', () => {
    for (const arch of ['ipi', 'tlbi'] as TlbArch[]) {
      const s = ok(run(s0, 0, (c) => flushTlbPage(c, t, arch, 0)));
      expect([arch, cached(s, 0), cached(s, 1)]).toEqual([arch, { A: 0, B: 0 }, { A: 0, B: 0b010 }]);
    }
  });
  test('an IPI reaches only mm_cpumask; a broadcast TLBI reaches a CPU outside it too', () => {
    const outside = l.state({ tlb: { cpumask: 0b011, cached: [{ A: 0b110 }, {}] } });
    expect(cached(ok(run(outside, 0, (c) => flushTlbPage(c, t, 'ipi', 0))), 0).A).toBe(0b100);
    expect(cached(ok(run(outside, 0, (c) => flushTlbPage(c, t, 'tlbi', 0))), 0).A).toBe(0);
  });
  test('an IPI waits for a target CPU with interrupts off; a TLBI does not', () => {
    const off = ok(run(s0, 2, (c) => localIrq(c, t, true)));
    expect(off.tlb.irqOff).toBe(0b100);
    expect(run(off, 0, (c) => flushTlbMm(c, t, 'ipi'))).toBe('blocked');
    expect(cached(ok(run(off, 0, (c) => flushTlbMm(c, t, 'tlbi'))), 0).A).toBe(0);
    // Its own interrupts off do not stop the sender: the local flush needs no IPI.
    const self = ok(run(s0, 0, (c) => localIrq(c, t, true)));
    expect(run(self, 0, (c) => flushTlbPage(c, t, 'ipi', 0))).not.toBe('blocked');
    const on = ok(run(off, 2, (c) => localIrq(c, t, false)));
    expect(run(on, 0, (c) => flushTlbMm(c, t, 'ipi'))).not.toBe('blocked');
  });
});

describe('batched flushing: TTU_BATCH_FLUSH', () => {
  test('should_defer_flush: only with TTU_BATCH_FLUSH and another CPU in mm_cpumask', () => {
    const defer = (s: S, batch: boolean) => evaluate(l, (c) => shouldDeferFlush(c, t, batch), s, {}, 0).value;
    expect(defer(s0, true)).toBe(true);
    expect(defer(s0, false)).toBe(false);
    expect(defer(l.state({ tlb: { cpumask: 0b001 } }), true)).toBe(false);
  });
  test('set_tlb_ubc_flush_pending keeps every translation until try_to_unmap_flush', () => {
    const pending = ok(run(s0, 0, (c) => setTlbUbcFlushPending(c, t)));
    expect(pending.tlb.ubc).toBe(0b111);
    expect(pending.tlb.batched).toBe(1);
    expect(pending.tlb.cached).toEqual(s0.tlb.cached);
    const flushed = ok(run(pending, 0, (c) => tryToUnmapFlush(c, t, 'ipi')));
    expect(flushed.tlb.cached).toEqual([
      { A: 0, B: 0 },
      { A: 0, B: 0 },
    ]);
    expect(flushed.tlb.ubc).toBe(0);
  });
  test('try_to_unmap_flush with nothing owed writes nothing', () => {
    const e = evaluate(l, (c) => tryToUnmapFlush(c, t, 'ipi'), s0, {}, 0);
    expect(e.writes).toEqual([]);
    expect(e.footprint).toEqual([{ loc: 'tlb.ubc', write: false }]);
  });
  test('flush_tlb_batched_pending flushes the mm once and clears tlb_flush_batched; the batch stays owed', () => {
    const pending = ok(run(s0, 0, (c) => setTlbUbcFlushPending(c, t)));
    const zap = ok(run(pending, 1, (c) => flushTlbBatchedPending(c, t, 'tlbi')));
    expect(zap.tlb.cached).toEqual([
      { A: 0, B: 0 },
      { A: 0, B: 0 },
    ]);
    expect([zap.tlb.batched, zap.tlb.ubc]).toEqual([0, 0b111]);
    expect(evaluate(l, (c) => flushTlbBatchedPending(c, t, 'tlbi'), zap, {}, 1).writes).toEqual([]);
  });
  test('the symmetry key tells a warm CPU from a cold one and from one owed a flush', () => {
    const pending = ok(run(s0, 0, (c) => setTlbUbcFlushPending(c, t)));
    expect([0, 1, 2].map((cpu) => tlbThreadBits(s0.tlb, cpu))).toEqual([1, 9, 9]);
    expect(tlbThreadBits(pending.tlb, 1)).toBe(13);
  });
});

describe('in a program: a deferred flush leaves a window an IPI-blocking CPU cannot close', () => {
  // CPU 0 clears the PTE with its flush batched, then try_to_unmap_flush; CPU 1 disables
  // interrupts, looks up its cached translation twice, and enables them (GUP-fast relies on
  // this). An IPI flush cannot complete while CPU 1 has interrupts off, so a translation CPU 1
  // saw inside the section stays until it ends; a broadcast TLBI can remove it in between.
  const program = (arch: TlbArch) => () => {
    const pl = layout({ tlb: tlbSpec(1, ['A']) });
    const pt = pl.refs.tlb;
    return {
      layout: pl,
      init: pl.state({ tlb: { cpumask: 0b11, cached: [{ A: 0b10 }] } }),
      threads: [
        thread<{ hit: boolean }>('unmapper', { hit: false }, [
          step('ptep_get_and_clear; set_tlb_ubc_flush_pending', (c) => setTlbUbcFlushPending(c, pt)),
          step('try_to_unmap_flush', (c) => tryToUnmapFlush(c, pt, arch)),
        ]),
        thread<{ hit: boolean }>('gup_fast', { hit: false }, [
          step('local_irq_save', (c) => localIrq(c, pt, true)),
          step('TLB lookup', (c) => c.let({ hit: tlbLookup(c, pt, 0) !== null })),
          step('TLB lookup again', (c) => {
            if (c.l.hit && tlbLookup(c, pt, 0) === null) c.bug('tlb-stable', 'entry flushed inside IRQ-off');
          }),
          step('local_irq_restore', (c) => localIrq(c, pt, false)),
        ]),
      ],
      properties: [assertion('tlb-stable', 'A translation seen with interrupts off stays until they are on.')],
      observes: { locals: ['hit'] },
    };
  };
  test('IPI: the entry is stable inside the IRQ-off section (exact states)', () => {
    const r = explore(langProgram(program('ipi')), { strategy: 'naive', stopAtFirst: false });
    // (unmapper pc, gup_fast pc, hit): before the batch 5 and with it pending 5 (gup_fast runs
    // freely, hit once it looked); after the flush 6: it ran with gup_fast before its section
    // (then 5 states, every lookup a miss) or after it (1). Never with interrupts off.
    if (r.kind !== 'pass') throw new Error(r.kind);
    expect(r.stats.states).toBe(16);
  });
  test('broadcast TLBI: the entry can vanish inside it', () => {
    const r = explore(langProgram(program('tlbi')), { strategy: 'naive', stopAtFirst: false });
    expect(r.kind).toBe('violation');
  });
});
