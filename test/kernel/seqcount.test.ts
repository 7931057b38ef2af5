import { describe, expect, test } from '@jest/globals';
import { endState } from '../../src/core/property.js';
import { step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import { explore } from '../../src/explore/explore.js';
import { verdicts } from '../../src/explore/results/verdicts.js';
import {
  parityFlipped,
  rawReadSeqcount,
  readSeqcountBegin,
  readSeqcountRetry,
  seqcount,
  writeSeqcountBegin,
  writeSeqcountEnd,
  type Seqcount,
  type SeqSlot,
} from '../../src/kernel/seqcount.js';
import { lockMisuse, spinLock, spinUnlock, UNLOCKED } from '../../src/kernel/spinlock.js';
import { program } from '../helpers/program.js';

type L = { seq: number; start: number; out: string };
const slot: SeqSlot<L> = { get: (l) => l.seq, set: (l, v) => ({ ...l, seq: v }) };
const locals: L = { seq: 0, start: 0, out: '' };

const writer = (name: string, serialised: boolean) =>
  thread<any, L>(name, locals, [
    ...(serialised ? [step(`${name}: lock`, spinLock<L>(['lock']))] : []),
    ...writeSeqcountBegin<L>(['c'], slot).map((s) => step(`${name}: write_seqcount_begin`, s)),
    ...writeSeqcountEnd<L>(['c'], slot).map((s) => step(`${name}: write_seqcount_end`, s)),
    ...(serialised ? [step(`${name}: unlock`, spinUnlock<L>(['lock']))] : []),
  ]);

const balanced = endState<any>('balanced', 'sequence counts two per section', (v) => {
  const c = v.s.c as Seqcount;
  return c.sequence === 2 * c.began && c.writers === 0 ? null : `sequence ${c.sequence} after ${c.began} sections`;
});

const verdict = (inst: ReturnType<typeof program>, property: string) =>
  verdicts(inst, explore(inst, { strategy: 'dfs', stopAtFirst: false })).find((v) => v.property === property)?.outcome;

describe('seqcount primitive', () => {
  test('sequence++ is a load and a store: unserialised writers can lose an increment; serialised ones cannot', () => {
    const mk = (serialised: boolean) =>
      program({
        init: { c: seqcount(), lock: UNLOCKED },
        threads: [writer('w0', serialised), writer('w1', serialised)],
        properties: [lockMisuse, balanced],
      });
    expect(verdict(mk(false), 'balanced')).toBe('violated');
    expect(verdict(mk(true), 'balanced')).toBe('holds');
  });

  test('raw_read_seqcount bails on an odd count; read_seqcount_begin waits (a stuck odd count deadlocks it)', () => {
    const reader = (spin: boolean) =>
      thread<any, L>('reader', locals, [
        step(
          'sample',
          spin
            ? readSeqcountBegin<L>(['c'], (l, c) => ({ l: { ...l, start: c.sequence } }))
            : rawReadSeqcount<L>(['c'], 'bail', (l, c) => ({ l: { ...l, start: c.sequence } })),
        ),
        step(
          'retry?',
          readSeqcountRetry<L>(['c'], (l) => l.start, 'bail'),
        ),
        step('commit', { footprint: () => [], run: (_s, l) => ({ l: { ...l, out: 'ok' }, goto: 'exit' }) }),
        step('bail', { footprint: () => [], run: (_s, l) => ({ l: { ...l, out: 'bail' } }) }, 'bail'),
      ]);
    const stuck: Seqcount = { sequence: 1, writers: 0, began: 1 };
    expect(verdict(program({ init: { c: stuck }, threads: [reader(false)] }), 'deadlock-free')).toBe('holds');
    expect(verdict(program({ init: { c: stuck }, threads: [reader(true)] }), 'deadlock-free')).toBe('violated');
  });
});

describe('parityFlipped', () => {
  test('a count whose parity matches the open sections is fine; overlapping writers are not judged', () => {
    expect(parityFlipped({ sequence: 0, writers: 0, began: 0 })).toBe(false);
    expect(parityFlipped({ sequence: 1, writers: 1, began: 1 })).toBe(false);
    expect(parityFlipped({ sequence: 2, writers: 2, began: 2 })).toBe(false);
  });
  test('after a lost increment the count is odd at rest and even inside the next section', () => {
    expect(parityFlipped({ sequence: 3, writers: 0, began: 2 })).toBe(true);
    expect(parityFlipped({ sequence: 4, writers: 1, began: 3 })).toBe(true);
  });
});
