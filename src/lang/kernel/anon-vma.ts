import { goto_, label, when, type Block } from '../ast.js';
import type { Body, Ctx } from '../context.js';
import { oneOf, tid } from '../domain.js';
import type { Ref } from '../layout.js';
import { spinLock, spinUnlock } from '../lock.js';
import { ANON_VMA_CLASS, AVC_LIST, avcListCorruption, avcSuccessor, anonVmaShow } from '../../kernel/anon-vma.js';

/**
 * An anon_vma in a layout (the model language's version of src/kernel/anon-vma.ts, same
 * semantics): its lock (owner or -1; lockdep class `anon_vma` for every instance) and its
 * `same_anon_vma` list of anon_vma_chains in list order, each named by its VMA. The whole list
 * is one location: list operations run under the lock, one per step. Its domain is the lists a
 * model can reach (`heads`, the first is the initial one). anon_vma->root (2.6.35) never changes
 * after anon_vma_fork, so a model keeps it as build-time data and locks the root's `lock`.
 *
 * rmap_walk_anon / try_to_unmap_anon walk the list one avc per step (`avcWalkNext`), as
 * list_for_each_entry follows `->next`: a cursor whose avc was unlinked is the kernel following
 * LIST_POISON, the `anon-vma-list` assertion (`avcListCorruption`, which a walking model declares).
 */
export { ANON_VMA_CLASS, AVC_LIST, avcListCorruption, avcSuccessor, anonVmaShow };

export function anonVmaSpec(heads: readonly (readonly string[])[]) {
  return { lock: tid(), head: oneOf<readonly string[]>(heads) };
}

export interface AnonVmaRefs {
  readonly lock: Ref<number>;
  readonly head: Ref<readonly string[]>;
}

/** spin_lock(&anon_vma->lock) of exactly this anon_vma (pass the root's for 2.6.35's anon_vma_lock()). */
export const anonVmaLock = <L>(c: Ctx<L>, av: AnonVmaRefs): void => spinLock(c, av.lock, ANON_VMA_CLASS);
export const anonVmaUnlock = <L>(c: Ctx<L>, av: AnonVmaRefs): void => spinUnlock(c, av.lock, ANON_VMA_CLASS);

/** anon_vma_chain_link(): list_add_tail(&avc->same_anon_vma, &anon_vma->head) (the caller holds the lock). */
export function avcAddTail<L>(c: Ctx<L>, av: AnonVmaRefs, vma: string): void {
  c.set(av.head, [...c.get(av.head), vma]);
}

/**
 * One step of list_for_each_entry(avc, &anon_vma->head, same_anon_vma): the VMA of the avc after
 * `cursor` (null: the list head), or null when the walk is back at the head. Following an avc
 * that was unlinked is the `anon-vma-list` BUG.
 */
export function avcWalkNext<L>(c: Ctx<L>, av: AnonVmaRefs, cursor: string | null): string | null {
  const next = avcSuccessor(c.get(av.head), cursor);
  if (next === 'poison')
    c.bug(AVC_LIST, `list_for_each_entry: avc of ${cursor} was unlinked under the walker (LIST_POISON1)`);
  return next ?? null;
}

/**
 * list_for_each_entry(avc, &anon_vma->head, same_anon_vma) { body } as a loop: label `next` (a
 * `goto_(next)` in the body is the loop's continue), the step `fn: list_for_each_entry: next avc`
 * running `advance` (which moves the walker's cursor with `avcWalkNext` and is true back at the
 * head), the body, and label `done` after the loop.
 */
export const avcLoop = <L>(fn: string, next: string, done: string, advance: Body<L>, body: Block<L>): Block<L> => [
  label(next),
  when(`${fn}: list_for_each_entry: next avc`, advance, [goto_(done)], []),
  ...body,
  goto_(next),
  label(done),
];
