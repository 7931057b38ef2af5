import { endState, invariant, type Property } from '../../core/property.js';
import { scope, step, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { int } from '../domain.js';
import { unit, type Ref } from '../layout.js';

import { parityFlipped, type Seqcount, type WriteSection } from '../../kernel/seqcount.js';
export { parityFlipped, seqcountShow, type Seqcount, type WriteSection } from '../../kernel/seqcount.js';

/**
 * A sequence count in a layout (include/linux/seqlock.h @ v4.14), and its operations for step
 * bodies: the model language's version of src/kernel/seqcount.ts, with the same semantics.
 * `sequence` is odd while a writer is inside a write section. seqcount_t has no lock of its own:
 * `s->sequence++` is a plain read-modify-write, so a write section's begin and its end are each
 * two steps (a load, then a store of the loaded count plus one), and two writers that nothing
 * else serialises can lose an increment.
 *
 * Ghost fields (no kernel counterpart) let properties see what the count hides: `writers`, the
 * threads inside a write section now, and `began`, the write sections begun so far. They change
 * in the store steps together with the count; the record is one location.
 *
 * Lockdep: write_seqcount_begin_nested(s, subclass) is raw_write_seqcount_begin(s), then
 * seqcount_acquire (class `cls`, or `cls/subclass`); write_seqcount_end is seqcount_release,
 * then raw_write_seqcount_end. The raw_ variants (`cls` omitted) are invisible to lockdep.
 * read_seqcount_begin is seqcount_lockdep_reader_access (a read acquire and release), then a
 * spin while the count is odd; raw_read_seqcount samples once.
 */
export const seqcountSpec = (sections: number) =>
  unit({ sequence: int(0, 2 * sections), writers: int(0, sections), began: int(0, sections) });

export interface SeqcountRefs {
  readonly sequence: Ref<number>;
  readonly writers: Ref<number>;
  readonly began: Ref<number>;
}

const className = (w: WriteSection) => (w.subclass ? `${w.cls}/${w.subclass}` : w.cls!);

function annotate<L>(c: Ctx<L>, sc: SeqcountRefs, w: WriteSection, op: 'acquire' | 'release'): void {
  if (w.cls !== undefined) c.lockOp({ op, cls: className(w), inst: `${sc.sequence.loc}#${w.subclass ?? 0}` });
}

/** The first half of a write section's begin (`s->sequence++`): the load; returns the count. */
export const writeSeqcountBeginLoad = <L>(c: Ctx<L>, sc: SeqcountRefs): number => c.get(sc.sequence);

/** The second half of the begin: store `loaded + 1` (a writer enters), then the lockdep acquire. */
export function writeSeqcountBeginStore<L>(c: Ctx<L>, sc: SeqcountRefs, loaded: number, w: WriteSection = {}): void {
  c.set(sc.sequence, loaded + 1);
  c.set(sc.writers, c.get(sc.writers) + 1);
  c.set(sc.began, c.get(sc.began) + 1);
  annotate(c, sc, w, 'acquire');
}

/** The first half of a write section's end: the lockdep release, then the load; returns the count. */
export function writeSeqcountEndLoad<L>(c: Ctx<L>, sc: SeqcountRefs, w: WriteSection = {}): number {
  annotate(c, sc, w, 'release');
  return c.get(sc.sequence);
}

/** The second half of the end: store `loaded + 1` (the writer leaves). */
export function writeSeqcountEndStore<L>(c: Ctx<L>, sc: SeqcountRefs, loaded: number): void {
  c.set(sc.sequence, loaded + 1);
  c.set(sc.writers, c.get(sc.writers) - 1);
}

/**
 * A write section's begin (`end` false) or end as the two steps of `s->sequence++`, labelled
 * `<at>: load count` and `<at>: store count+1`. The loaded count is the thread's local `seq`,
 * dead outside the two steps (a scope). `also` runs in the store step: ghost state that moves
 * with the count.
 */
export function writeSeqcountSteps<L extends { seq: number }>(
  at: string,
  sc: SeqcountRefs,
  end: boolean,
  w: WriteSection = {},
  also: (c: Ctx<L>) => void = () => {},
): Node<L> {
  const load = (c: Ctx<L>) => (end ? writeSeqcountEndLoad(c, sc, w) : writeSeqcountBeginLoad(c, sc));
  return scope<L>({ seq: 0 } as Partial<L>, [
    step(`${at}: load count`, (c) => c.let({ seq: load(c) } as Partial<L>)),
    step(`${at}: store count+1`, (c) => {
      if (end) writeSeqcountEndStore(c, sc, c.l.seq);
      else writeSeqcountBeginStore(c, sc, c.l.seq, w);
      also(c);
    }),
  ]);
}

/** A count a write section opens: its refs, its name in labels, lockdep's view, ghost state for its store steps. */
export interface SectionOn<L> {
  readonly sc: SeqcountRefs;
  readonly name: string;
  readonly w?: WriteSection;
  /** Runs in the begin's (`end` false) and the end's store step: ghost state that moves with the count. */
  readonly also?: (c: Ctx<L>, end: boolean) => void;
}

/**
 * `fn`'s write sections on the counts `on`, nested (the first outermost), around `body`:
 * write_seqcount_begin (write_seqcount_begin_nested for a subclass: SINGLE_DEPTH_NESTING is 1)
 * … write_seqcount_end, or raw_write_seqcount_begin/end when lockdep does not see them (no
 * `w.cls`); each as writeSeqcountSteps' load and store, labelled `fn: write_seqcount_begin(name)`.
 */
export function writeSeqcountSections<L extends { seq: number }>(
  fn: string,
  on: readonly SectionOn<L>[],
  body: Block<L>,
): Node<L>[] {
  const op = (x: SectionOn<L>, end: boolean) => {
    const [raw, sub] = [x.w?.cls === undefined, x.w?.subclass ?? 0];
    const nested = raw || end || !sub ? '' : `_nested(…, ${sub === 1 ? 'SINGLE_DEPTH_NESTING' : sub})`;
    const at = `${fn}: ${raw ? 'raw_' : ''}write_seqcount_${end ? 'end' : 'begin'}${nested}(${x.name})`;
    const also = x.also;
    return writeSeqcountSteps<L>(at, x.sc, end, x.w, also && ((c) => also(c, end)));
  };
  return [...on.map((x) => op(x, false)), ...body, ...[...on].reverse().map((x) => op(x, true))];
}

/** raw_read_seqcount: one load of the count, odd or not (the SPF reader bails on odd). */
export const rawReadSeqcount = <L>(c: Ctx<L>, sc: SeqcountRefs): number => c.get(sc.sequence);

/**
 * read_seqcount_begin: lockdep's reader access (a read acquire and release of `cls`, when given),
 * then `repeat: if (sequence & 1) { cpu_relax(); goto repeat; }`, a wait: the step blocks while
 * the count is odd. Returns the (even) count.
 */
export function readSeqcountBegin<L>(c: Ctx<L>, sc: SeqcountRefs, cls?: string): number {
  if (cls !== undefined) {
    const inst = `${sc.sequence.loc}#read`;
    c.lockOp({ op: 'acquire', cls, inst, read: true });
    c.lockOp({ op: 'release', cls, inst });
  }
  const seq = c.get(sc.sequence);
  c.await((seq & 1) === 0);
  return seq;
}

/** read_seqcount_retry (and SPF's vma_has_changed): one load; true when the count is not `start`. */
export const readSeqcountRetry = <L>(c: Ctx<L>, sc: SeqcountRefs, start: number): boolean =>
  c.get(sc.sequence) !== start;

/**
 * What the seqcount protocol needs, as properties over the counts at state path `at` (e.g.
 * `seq`, an array of counts), count i named in messages as `names[i]->field`:
 *  - `writer-exclusive`: at most one write section open on a count at a time;
 *  - `seqcount-parity`: while at most one is open, the count is odd exactly when one is (a lost
 *    increment flips the parity for good: later write sections look even to readers);
 *  - `seqcount-balanced` (at the end): every count is even and counts two per write section.
 */
export function seqcountProperties<S>(
  at: string,
  counts: (s: S) => readonly Seqcount[],
  names: readonly string[],
  field = 'sequence',
): Property<S>[] {
  const first = (s: S, bad: (c: Seqcount) => boolean, say: (c: Seqcount, i: number) => string) => {
    const i = counts(s).findIndex(bad);
    return i < 0 ? null : say(counts(s)[i], i);
  };
  return [
    invariant<S>(
      'writer-exclusive',
      `At most one write section is open on a ${field} at a time (the seqcount protocol assumes writers exclude each other).`,
      [at],
      ({ s }) =>
        first(
          s,
          (c) => c.writers > 1,
          (c, i) => `${c.writers} write sections open on ${names[i]} at once (${field} ${c.sequence})`,
        ),
    ),
    invariant<S>(
      'seqcount-parity',
      `While at most one write section is open, ${field} is odd exactly when one is (a lost increment flips the parity for good: later write sections look even to readers).`,
      [at],
      ({ s }) =>
        first(s, parityFlipped, (c, i) =>
          c.writers
            ? `${names[i]}->${field} is ${c.sequence} (even) while a write section is open: readers take it for stable`
            : `${names[i]}->${field} is ${c.sequence} (odd) with no write section open: an increment was lost, and every later write section will look even`,
        ),
    ),
    endState<S>(
      'seqcount-balanced',
      `At the end every ${field} is even and counts two per write section (no increment lost).`,
      ({ s }) =>
        first(
          s,
          (c) => c.sequence !== 2 * c.began,
          (c, i) =>
            `${names[i]}->${field} is ${c.sequence} after ${c.began} write sections: an increment was lost${c.sequence & 1 ? ', and the count is stuck odd' : ''}`,
        ),
    ),
  ];
}
