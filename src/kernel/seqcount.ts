import { reads, writes } from '../core/access.js';
import { getIn, locOf, setIn, type Path } from '../core/path.js';
import type { LockAnnotation, StepOutcome, StepSpec } from '../core/step.js';

import type { ShowRule } from '../core/show.js';
/**
 * A sequence count (include/linux/seqlock.h, 4.14): `sequence` is odd while a writer is inside a
 * write section. Writers must exclude each other by other means (seqcount_t has no lock of its
 * own): `s->sequence++` is a plain, non-atomic read-modify-write, so a begin or an end is two
 * steps here (load the count into a local, store it plus one), and two unserialised writers can
 * lose an increment.
 *
 * Two ghost fields (no kernel counterpart) let properties see what the count hides:
 * `writers` = threads currently inside a write section, `began` = write sections begun so far.
 * They change in the store steps, together with the count, so they cost no extra interleavings.
 *
 * Lockdep: write_seqcount_begin_nested(s, subclass) is raw_write_seqcount_begin(s) and then
 * seqcount_acquire(&s->dep_map, subclass) (class `cls`, or `cls/subclass`); write_seqcount_end
 * is seqcount_release and then raw_write_seqcount_end. The raw_ variants have no annotation:
 * lockdep does not see them. read_seqcount_begin is seqcount_lockdep_reader_access (a read
 * acquire and release) and then a spin until the count is even; raw_read_seqcount samples once.
 */
export interface Seqcount {
  readonly sequence: number;
  /** Ghost: threads inside a write section now. */
  readonly writers: number;
  /** Ghost: write sections begun so far. */
  readonly began: number;
}

export const seqcount = (): Seqcount => ({ sequence: 0, writers: 0, began: 0 });

export interface WriteSection {
  /** Lockdep class of the seqcount (`vm_seq`); omitted for the raw_ variants (invisible to lockdep). */
  readonly cls?: string;
  /** write_seqcount_begin_nested subclass (SINGLE_DEPTH_NESTING = 1); lockdep names it `cls/subclass`. */
  readonly subclass?: number;
}

/** The thread-local slot holding the loaded count between the two halves of `sequence++`. */
export type SeqSlot<L> = { readonly get: (l: L) => number; readonly set: (l: L, v: number) => L };

const className = (w: WriteSection) => (w.subclass ? `${w.cls}/${w.subclass}` : w.cls!);

function annotate<L>(path: Path, w: WriteSection, op: 'acquire' | 'release'): LockAnnotation<any, L> | undefined {
  if (w.cls === undefined) return undefined;
  const cls = className(w);
  return () => ({ op, cls, inst: `${locOf(path)}#${w.subclass ?? 0}` });
}

const seqLoad = <L>(path: Path, slot: SeqSlot<L>): StepSpec<any, L> => ({
  footprint: () => reads(locOf(path)),
  run: (s, l) => ({ l: slot.set(l, (getIn(s, path) as Seqcount).sequence) }),
});

function seqStore<L>(path: Path, slot: SeqSlot<L>, entering: boolean): StepSpec<any, L> {
  return {
    footprint: () => writes(locOf(path)),
    run: (s, l) => {
      const c = getIn(s, path) as Seqcount;
      const next: Seqcount = entering
        ? { sequence: slot.get(l) + 1, writers: c.writers + 1, began: c.began + 1 }
        : { sequence: slot.get(l) + 1, writers: c.writers - 1, began: c.began };
      return { s: setIn(s, path, next) };
    },
  };
}

/**
 * write_seqcount_begin(_nested) or raw_write_seqcount_begin (`w.cls` omitted): two steps, the
 * load of `sequence` and the store of `sequence + 1`. The lockdep acquire follows the increment.
 */
export function writeSeqcountBegin<L>(
  path: Path,
  slot: SeqSlot<L>,
  w: WriteSection = {},
): [StepSpec<any, L>, StepSpec<any, L>] {
  return [seqLoad(path, slot), { ...seqStore(path, slot, true), lock: annotate<L>(path, w, 'acquire') }];
}

/** write_seqcount_end or raw_write_seqcount_end: the lockdep release comes first, then `sequence++`. */
export function writeSeqcountEnd<L>(
  path: Path,
  slot: SeqSlot<L>,
  w: WriteSection = {},
): [StepSpec<any, L>, StepSpec<any, L>] {
  return [{ ...seqLoad(path, slot), lock: annotate<L>(path, w, 'release') }, seqStore(path, slot, false)];
}

/**
 * The parity a reader trusts is wrong: at most one write section is open, yet the count is odd
 * with none open or even with one open. Only a lost increment gets here (two unserialised
 * writers), and it stays so: every later write section flips the count the wrong way, so it
 * looks even (stable) to readers while it is open and odd (busy) when it is not.
 */
export const parityFlipped = (c: Seqcount): boolean => c.writers <= 1 && (c.sequence & 1) !== c.writers;

/** What a reader's sample sees: the count and, for properties only, the ghost fields. */
export type SeqSeen<L> = (l: L, seen: Seqcount) => StepOutcome<any, L>;

/**
 * raw_read_seqcount + "bail if odd" (the SPF reader): one load; an odd count jumps to `onOdd`.
 */
export function rawReadSeqcount<L>(path: Path, onOdd: string, into: SeqSeen<L>): StepSpec<any, L> {
  return {
    footprint: () => reads(locOf(path)),
    run: (s, l) => {
      const c = getIn(s, path) as Seqcount;
      return c.sequence & 1 ? { goto: onOdd } : into(l, c);
    },
  };
}

/**
 * read_seqcount_begin: lockdep's reader access (a read acquire and release of `cls`), then
 * `repeat: if (sequence & 1) { cpu_relax(); goto repeat; }` — a wait, modelled as a guard.
 */
export function readSeqcountBegin<L>(path: Path, into: SeqSeen<L>, cls?: string): StepSpec<any, L> {
  const inst = `${locOf(path)}#read`;
  return {
    lock:
      cls === undefined
        ? undefined
        : () => [
            { op: 'acquire', cls, inst, read: true },
            { op: 'release', cls, inst },
          ],
    guard: (s) => ((getIn(s, path) as Seqcount).sequence & 1) === 0,
    footprint: () => reads(locOf(path)),
    run: (s, l) => into(l, getIn(s, path) as Seqcount),
  };
}

/** read_seqcount_retry: one load; a count different from the sample jumps to `onRetry`. */
export function readSeqcountRetry<L>(
  path: Path,
  start: (l: L) => number,
  onRetry: string,
  into: SeqSeen<L> = () => ({}),
): StepSpec<any, L> {
  return {
    footprint: () => reads(locOf(path)),
    run: (s, l) => {
      const c = getIn(s, path) as Seqcount;
      return c.sequence !== start(l) ? { goto: onRetry } : into(l, c);
    },
  };
}

// ---------------------------------------------------------------- report annotations (issue 14)

/** How reports show the seqcount at `path`: the count, and its ghost fields marked as the model's. */
export const seqcountShow = (path: string, name = path): ShowRule[] => [
  { path: `${path}.sequence`, name: `${name}.sequence` },
  { path: `${path}.writers`, name: `${name} writers inside`, as: 'bookkeeping' },
  { path: `${path}.began`, name: `${name} write sections begun`, as: 'bookkeeping' },
];
