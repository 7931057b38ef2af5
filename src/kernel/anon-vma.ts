import { reads, writes } from '../core/access.js';
import type { Path } from '../core/path.js';
import { assertion } from '../core/property.js';
import type { StepOutcome, StepSpec } from '../core/step.js';
import { spinLock, spinUnlock } from './spinlock.js';

import type { ShowRule } from '../core/show.js';
/**
 * An anon_vma: its lock, its root (the oldest anon_vma of the fork tree, 2.6.35's
 * anon_vma->root; in 2.6.34-rc every anon_vma is its own root and has its own lock) and the
 * `same_anon_vma` list of anon_vma_chains in list order, each named by its VMA. anon_vmas live
 * under `anon_vmas[name]`; locations `anon_vmas.<name>.lock` and `anon_vmas.<name>.head` (the
 * whole list is one location: list operations run under the lock, one operation per step).
 *
 * rmap_walk_anon / try_to_unmap_anon / remove_migration_ptes walk the list one avc per step:
 * `avcWalkNext` reads the successor of the cursor (the VMA the walker is on, null = at the
 * list head) from the current list, as list_for_each_entry follows `->next`. A cursor whose
 * avc has been unlinked is the kernel following LIST_POISON: the `anon-vma-list` assertion.
 *
 * API (stable; models 1 and 2 of issue 4 build on it):
 *  - anonVma(name, head, root?)               an AnonVma value;  WithAnonVmas
 *  - avLockPath(av), avHeadLoc(av)            lock path (for spinLock) and list location
 *  - anonVmaLock(av) / anonVmaUnlock(av)      spin_lock/unlock(&anon_vma->lock) of exactly `av`
 *                                             (the caller passes the root for anon_vma_lock());
 *                                             lockdep class ANON_VMA_CLASS for every instance
 *  - anonVmaUnlockWalkDone(av, locs, finish) the walk's unlock + "walk finished" in one step
 *  - listAddTail / listAddAfter / listDel / listMoveTail   pure list operations
 *  - avcAddTail(av, vma)                      anon_vma_chain_link: list_add_tail (anon_vma_clone)
 *  - avcAddAfter(av, after, vma)              insertion right after a given avc
 *  - avcDel(av, vma)                          list_del (unlink_anon_vmas)
 *  - avcMoveToTail(av, vma)                   list_del + list_add_tail (anon_vma_moveto_tail)
 *  - listInsertOrdered / avcInsertOrdered(av, vma, key, keyLoc)  the interval tree's ordered insert
 *  - avcWalkNext(av, cursor, setCursor, onEnd) one list step of the walk
 *  - AVC_LIST, avcListCorruption              the assertion a model declares when it walks
 */
export interface AnonVma {
  /** Thread id holding anon_vma->lock, or -1. */
  readonly lock: number;
  readonly root: string;
  /** same_anon_vma, head first: the VMA of each anon_vma_chain. */
  readonly head: readonly string[];
}

export interface WithAnonVmas {
  readonly anon_vmas: Readonly<Record<string, AnonVma>>;
}

export type AvName<L> = string | ((l: L) => string);
const nameOf = <L>(v: AvName<L>, l: L) => (typeof v === 'function' ? v(l) : v);

export function anonVma(name: string, head: readonly string[], root: string = name): AnonVma {
  return { lock: -1, root, head };
}

export const avLockPath = (av: string): Path => ['anon_vmas', av, 'lock'];
export const avHeadLoc = (av: string) => `anon_vmas.${av}.head`;

export const AVC_LIST = 'anon-vma-list';
export const avcListCorruption = assertion(
  AVC_LIST,
  'No list walk follows an anon_vma_chain that has been unlinked (LIST_POISON).',
);

/** Lockdep class of every anon_vma lock (one class per lock type; the root's lock is one of them). */
export const ANON_VMA_CLASS = 'anon_vma';

export function anonVmaLock<L>(av: AvName<L>): StepSpec<any, L> {
  return spinLock<L>((l) => avLockPath(nameOf(av, l)), ANON_VMA_CLASS);
}

export function anonVmaUnlock<L>(av: AvName<L>): StepSpec<any, L> {
  return spinUnlock<L>((l) => avLockPath(nameOf(av, l)), ANON_VMA_CLASS);
}

/**
 * rmap_walk_anon's `anon_vma_unlock(anon_vma)` at the end of the walk, with the walk marked
 * finished in the same step (`finish` updates the model's walk record at `locs`): the unlock
 * keeps its lock annotation, so the lock-order analysis sees the release.
 */
export function anonVmaUnlockWalkDone<S extends WithAnonVmas, L>(
  av: AvName<L>,
  locs: (l: L) => readonly string[],
  finish: (s: S, l: L) => S,
): StepSpec<S, L> {
  const unlock = anonVmaUnlock<L>(av);
  return {
    ...unlock,
    footprint: (s, l, t) => [...unlock.footprint(s, l, t), ...writes(...locs(l))],
    run: (s, l, t) => {
      const r = unlock.run(s, l, t);
      return r.violation ? r : { s: finish(r.s as S, l) };
    },
  };
}

// ------------------------------------------------------------ list operations (pure)

export const listAddTail = (list: readonly string[], v: string): string[] => [...list, v];

export function listAddAfter(list: readonly string[], after: string, v: string): string[] {
  const i = list.indexOf(after);
  if (i < 0) throw new Error(`listAddAfter: ${after} is not on the list`);
  return [...list.slice(0, i + 1), v, ...list.slice(i + 1)];
}

export const listDel = (list: readonly string[], v: string): string[] => list.filter((x) => x !== v);

export const listMoveTail = (list: readonly string[], v: string): string[] => [...listDel(list, v), v];

/** (Re)insert `v` in key order, after every entry with a key <= its own (an rbtree inserts an equal key to the right). */
export function listInsertOrdered(list: readonly string[], v: string, key: (x: string) => number): string[] {
  const rest = listDel(list, v);
  const k = key(v);
  let at = 0;
  while (at < rest.length && key(rest[at]) <= k) at++;
  return [...rest.slice(0, at), v, ...rest.slice(at)];
}

// ------------------------------------------------------------ list steps (caller holds the lock)

function listStep<S extends WithAnonVmas, L>(
  av: AvName<L>,
  op: (head: readonly string[], l: L, s: S) => readonly string[],
  readsAlso: (head: readonly string[], l: L) => readonly string[] = () => [],
): StepSpec<S, L> {
  return {
    footprint: (s, l) => {
      const n = nameOf(av, l);
      return [...writes(avHeadLoc(n)), ...reads(...readsAlso(s.anon_vmas[n].head, l))];
    },
    run: (s, l) => {
      const n = nameOf(av, l);
      const a = s.anon_vmas[n];
      return { s: { ...s, anon_vmas: { ...s.anon_vmas, [n]: { ...a, head: op(a.head, l, s) } } } };
    },
  };
}

/**
 * The interval tree's insert (anon_vma_interval_tree_insert, or post_update_vma's reinsert) kept
 * as the list in key order: `key(s, vma)` is read from location `keyLoc(vma)` for `v` and every
 * VMA on the list (the tree descent compares them).
 */
export const avcInsertOrdered = <S extends WithAnonVmas, L>(
  av: AvName<L>,
  v: VmaOf<L>,
  key: (s: S, vma: string) => number,
  keyLoc: (vma: string) => string,
) =>
  listStep<S, L>(
    av,
    (h, l, s) => listInsertOrdered(h, vmaOf(v, l), (x) => key(s, x)),
    (h, l) => [...new Set([...h, vmaOf(v, l)])].map(keyLoc),
  );

export const avcAddTail = <S extends WithAnonVmas, L>(av: AvName<L>, v: VmaOf<L>) =>
  listStep<S, L>(av, (h, l) => listAddTail(h, vmaOf(v, l)));
export const avcAddAfter = <S extends WithAnonVmas, L>(av: AvName<L>, after: VmaOf<L>, v: VmaOf<L>) =>
  listStep<S, L>(av, (h, l) => listAddAfter(h, vmaOf(after, l), vmaOf(v, l)));
export const avcDel = <S extends WithAnonVmas, L>(av: AvName<L>, v: VmaOf<L>) =>
  listStep<S, L>(av, (h, l) => listDel(h, vmaOf(v, l)));
export const avcMoveToTail = <S extends WithAnonVmas, L>(av: AvName<L>, v: VmaOf<L>) =>
  // The VMA's own avcs are moved: a VMA linked to no anon_vma (never faulted) has none.
  listStep<S, L>(av, (h, l) => (h.includes(vmaOf(v, l)) ? listMoveTail(h, vmaOf(v, l)) : h.slice()));

type VmaOf<L> = string | ((l: L) => string);
const vmaOf = <L>(v: VmaOf<L>, l: L) => (typeof v === 'function' ? v(l) : v);

// ------------------------------------------------------------ the walk

/** The successor of `cursor` on `head` (null cursor: the first entry); undefined at the end; 'poison' if cursor is unlinked. */
export function avcSuccessor(head: readonly string[], cursor: string | null): string | undefined {
  if (cursor === null) return head[0];
  const i = head.indexOf(cursor);
  return i < 0 ? 'poison' : head[i + 1];
}

/**
 * One step of list_for_each_entry(avc, &anon_vma->head, same_anon_vma): move the cursor to the
 * next avc's VMA, or reset it to null and go to `onEnd` when the walk is back at the head.
 */
export function avcWalkNext<S extends WithAnonVmas, L>(
  av: AvName<L>,
  cursor: (l: L) => string | null,
  setCursor: (l: L, vma: string | null) => L,
  onEnd: string,
): StepSpec<S, L> {
  return {
    footprint: (_s, l) => reads(avHeadLoc(nameOf(av, l))),
    run: (s, l): StepOutcome<S, L> => {
      const cur = cursor(l);
      const next = avcSuccessor(s.anon_vmas[nameOf(av, l)].head, cur);
      if (next === 'poison')
        return {
          violation: {
            property: AVC_LIST,
            message: `list_for_each_entry: avc of ${cur} was unlinked under the walker (LIST_POISON1)`,
          },
        };
      return next === undefined ? { l: setCursor(l, null), goto: onEnd } : { l: setCursor(l, next) };
    },
    // Report only: where the walk goes.
    note: (s, l) => {
      const next = avcSuccessor(s.anon_vmas[nameOf(av, l)].head, cursor(l));
      return next === undefined ? 'end of the same_anon_vma list' : next === 'poison' ? null : `next avc: ${next}`;
    },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** How reports show the anon_vmas under `at`: each lock's owner by thread name. */
export const anonVmaShow = (at = 'anon_vmas'): ShowRule[] => [
  { path: `${at}.*.lock`, name: 'anon_vma($1)->lock', as: 'owner' },
];
