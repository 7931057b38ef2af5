import { describe, expect, test } from '@jest/globals';
import { local } from '../../src/core/ops.js';
import { assertion } from '../../src/core/property.js';
import { step, type Step } from '../../src/core/step.js';
import { thread } from '../../src/core/thread.js';
import {
  AVC_LIST,
  anonVma,
  anonVmaLock,
  anonVmaUnlock,
  avcAddAfter,
  avcAddTail,
  avcDel,
  avcListCorruption,
  avcMoveToTail,
  avcSuccessor,
  avcWalkNext,
  listAddAfter,
  listAddTail,
  listDel,
  listMoveTail,
} from '../../src/kernel/anon-vma.js';
import { lockMisuse } from '../../src/kernel/spinlock.js';
import { program, run } from '../helpers/program.js';

describe('same_anon_vma list operations', () => {
  test('add tail, add after, del, move to tail keep the real order', () => {
    expect(listAddTail(['A', 'B'], 'C')).toEqual(['A', 'B', 'C']);
    expect(listAddAfter(['A', 'B'], 'A', 'C')).toEqual(['A', 'C', 'B']);
    expect(listDel(['A', 'B', 'C'], 'B')).toEqual(['A', 'C']);
    expect(listMoveTail(['A', 'B', 'C'], 'A')).toEqual(['B', 'C', 'A']);
    expect(() => listAddAfter(['A'], 'X', 'C')).toThrow(/not on the list/);
  });
  test('successor follows ->next from the cursor, null cursor is the head', () => {
    expect(avcSuccessor(['A', 'B'], null)).toBe('A');
    expect(avcSuccessor(['A', 'B'], 'A')).toBe('B');
    expect(avcSuccessor(['A', 'B'], 'B')).toBeUndefined();
    expect(avcSuccessor(['A', 'B'], 'C')).toBe('poison');
  });
});

type L = { cur: string | null; seen: string[] };
const walkSteps = (locked = true): Step<any, L>[] => [
  ...(locked ? [step('rmap_walk_anon: spin_lock(anon_vma->lock)', anonVmaLock<L>('av'))] : []),
  step(
    'list_for_each_entry: next avc',
    avcWalkNext<any, L>(
      'av',
      (l) => l.cur,
      (l, v) => ({ ...l, cur: v, seen: v ? [...l.seen, v] : l.seen }),
      'end',
    ),
    'next',
  ),
  local('rmap_one', () => ({ goto: 'next' })),
  locked ? step('rmap_walk_anon: spin_unlock', anonVmaUnlock<L>('av'), 'end') : local('walk done', () => ({}), 'end'),
];
describe('rmap_walk_anon walks one avc per step', () => {
  test('an unlocked list_add_tail racing with the walk: the checker finds the walk that ends before it', () => {
    const mutator: Step<any, L>[] = [step('anon_vma_chain_link: list_add_tail(C)', avcAddTail<any, L>('av', 'C'))];
    const missed = assertion('missed', 'the walk visits C');
    const walker = [
      ...walkSteps(false),
      local('visited C?', (l: L) =>
        l.seen.includes('C') ? {} : { violation: { property: 'missed', message: `walk saw ${l.seen.join(',')}` } },
      ),
    ];
    const inst = program({
      init: { anon_vmas: { av: anonVma('av', ['A', 'B']) } },
      threads: [thread('walker', { cur: null, seen: [] }, walker), thread('clone', { cur: null, seen: [] }, mutator)],
      properties: [missed, avcListCorruption],
      expect: { missed: 'violated' },
    });
    const r = run(inst, 'bfs');
    expect(r.kind).toBe('violation');
    if (r.kind === 'violation') expect(r.violation.message).toBe('walk saw A,B');
  });
  test('under the anon_vma lock the walk sees the list before or after the insertion, whole', () => {
    const mutator: Step<any, L>[] = [
      step('lock', anonVmaLock<L>('av')),
      step('anon_vma_chain_link: list_add_tail(C)', avcAddTail<any, L>('av', 'C')),
      step('list_add after A (D)', avcAddAfter<any, L>('av', 'A', 'D')),
      step('anon_vma_moveto_tail(A)', avcMoveToTail<any, L>('av', 'A')),
      step('unlock', anonVmaUnlock<L>('av')),
    ];
    const partial = assertion('partial', 'the walk sees the old or the new list');
    const walker = [
      ...walkSteps(),
      local('whole list?', (l: L) => {
        const s = l.seen.join(',');
        return s === 'A,B' || s === 'D,B,C,A' ? {} : { violation: { property: 'partial', message: s } };
      }),
    ];
    const inst = program({
      init: { anon_vmas: { av: anonVma('av', ['A', 'B']) } },
      threads: [thread('walker', { cur: null, seen: [] }, walker), thread('mremap', { cur: null, seen: [] }, mutator)],
      properties: [partial, avcListCorruption, lockMisuse],
    });
    expect(run(inst, 'dfs', { stopAtFirst: false }).kind).toBe('pass');
  });
  test('unlinking the avc the walker stands on is LIST_POISON', () => {
    const walker = walkSteps(false);
    const inst = program({
      init: { anon_vmas: { av: anonVma('av', ['A', 'B']) } },
      threads: [
        thread('walker', { cur: null, seen: [] }, walker),
        thread('unlink', { cur: null, seen: [] }, [step('unlink_anon_vmas: list_del(A)', avcDel<any, L>('av', 'A'))]),
      ],
      properties: [avcListCorruption],
      expect: { [AVC_LIST]: 'violated' },
    });
    const r = run(inst, 'bfs');
    expect(r.kind === 'violation' && r.violation.property).toBe(AVC_LIST);
  });
  test('anonVma defaults the root to itself; a child names its root', () => {
    expect(anonVma('av', []).root).toBe('av');
    expect(anonVma('child', ['C'], 'av')).toEqual({ lock: -1, root: 'av', head: ['C'] });
  });
});

describe('avcMoveToTail of a VMA on no list', () => {
  test('a never-faulted VMA has no avcs: anon_vma_moveto_tail leaves the list as it is', () => {
    const s = { anon_vmas: { av: anonVma('av', ['A', 'B']) } };
    const out = avcMoveToTail<typeof s, null>('av', 'S').run(s, null, 0);
    expect((out.s ?? s).anon_vmas.av.head).toEqual(['A', 'B']);
    const moved = avcMoveToTail<typeof s, null>('av', 'A').run(s, null, 0);
    expect(moved.s?.anon_vmas.av.head).toEqual(['B', 'A']);
  });
});
