import type { Access } from '../core/access.js';
import { errorMessage, ModelError, StepError } from '../core/errors.js';
import type { StepViolation } from '../core/step.js';
import type { LangStep } from '../lang/compile.js';
import type { Footprint } from '../explore/system/system.js';
import type { Encoding } from './encoding.js';
import { termA, termB } from './fingerprint.js';
import { ReadLog, ReadTrie } from './trie.js';

/**
 * What thread t's next step does in a state: the outcome of one run of its body, as a leaf of
 * the thread's transition trie. Applying it needs no call into the model: copy the vector, store
 * the encoded writes, the next pc and the next locals id.
 */
export interface Move {
  /** The thread has finished (no step). */
  readonly done: boolean;
  readonly blocked: boolean;
  readonly violation: StepViolation | undefined;
  /** (slot, encoded value) pairs, each written slot once with the last value the body stored. */
  readonly writes: Int32Array;
  readonly pc: number;
  readonly lid: number;
  /** Location ids, `id * 2 + write`, and 1 when it writes what an invariant reads. */
  readonly foot: Footprint;
  /** The step's label (for errors). */
  readonly label: string;
  /** The slots the lookup read (its trie leaf's path; empty for DONE, which reads the pc slot). */
  reads: Uint32Array;
  /**
   * The change to the additive fingerprint's lanes (fingerprintSum) that the step makes in every
   * state that reaches it: the pc, the locals id and each written slot the body read before
   * have known old values (on the leaf's path), so their term swaps are summed once here.
   */
  readonly dA: number;
  readonly dB: number;
  /** The writes to slots the body did not read: their old value is the state's (slot, value) pairs. */
  readonly blind: Int32Array;
}

const NO_WRITES = new Int32Array(0);
const NO_READS = new Uint32Array(0);
export const DONE: Move = {
  done: true,
  blocked: true,
  violation: undefined,
  writes: NO_WRITES,
  pc: -1,
  lid: -1,
  foot: [],
  label: 'exit',
  reads: new Uint32Array(0),
  dA: 0,
  dB: 0,
  blind: NO_WRITES,
};

/**
 * The fingerprint change of a step, from the (slot, value) pairs its body read: each write, and
 * the pc and locals id (`own`: slot, new value pairs), to a slot with a known old value swaps
 * that slot's terms (nothing when the value stays); the other writes are left `blind`.
 */
function termDelta(
  read: readonly number[],
  writes: Int32Array,
  own: readonly number[],
): { dA: number; dB: number; blind: Int32Array } {
  let dA = 0;
  let dB = 0;
  const blind: number[] = [];
  const swap = (s: number, x: number) => {
    let i = 0;
    while (i < read.length && read[i] !== s) i += 2;
    if (i === read.length) blind.push(s, x);
    else if (read[i + 1] !== x) {
      dA = (dA + termA(s, x) - termA(s, read[i + 1])) | 0;
      dB = (dB + termB(s, x) - termB(s, read[i + 1])) | 0;
    }
  };
  for (let i = 0; i < writes.length; i += 2) swap(writes[i], writes[i + 1]);
  for (let i = 0; i < own.length; i += 2) swap(own[i], own[i + 1]);
  return { dA, dB, blind: blind.length === 0 ? NO_WRITES : Int32Array.from(blind) };
}

/** Location ids of footprints, with visibility to invariants (as src/explore/system/system.ts). */
export interface Locations {
  footprint(acc: readonly Access[]): Footprint;
}

/**
 * Thread t's transitions, memoised (a JIT over reads): the first time its step runs with some
 * pc, locals and values of the fields the body reads, the body runs through the language's
 * recorder (LangStep.evaluate) and its outcome is stored in a ReadTrie keyed by the pc slot, the
 * locals slot and the slots the body read; every later state that agrees on those slots gets the
 * outcome by a walk of the trie. The body is a deterministic function of exactly those reads,
 * its locals and its thread id (src/lang/context.ts), so the memo is exact.
 */
export class TransitionMemo {
  private readonly trie = new ReadTrie<Move>();
  private readonly pcSlot: number;
  private readonly lidSlot: number;
  private readonly log: ReadLog;
  /** Runs of the body (trie misses), for statistics. */
  runs = 0;

  constructor(
    private readonly enc: Encoding,
    private readonly steps: readonly LangStep<unknown>[],
    private readonly t: number,
    private readonly thread: string,
    private readonly locs: Locations,
    private readonly where: (label: string) => string,
    slots: number,
  ) {
    this.pcSlot = enc.fields + 2 * t;
    this.lidSlot = this.pcSlot + 1;
    this.log = new ReadLog(slots);
  }

  move(v: Int32Array): Move {
    if (v[this.pcSlot] >= this.steps.length) return DONE;
    return this.trie.find(v) ?? this.run(v);
  }

  private run(v: Int32Array): Move {
    this.runs++;
    const { enc, log, t } = this;
    const pc = v[this.pcSlot];
    const lid = v[this.lidSlot];
    const st = this.steps[pc];
    log.reset();
    log.note(this.pcSlot, pc);
    log.note(this.lidSlot, lid);
    let e;
    try {
      e = st.evaluate(
        (r) => {
          const x = v[r.id];
          log.note(r.id, x);
          return enc.decode(r.id, x);
        },
        enc.locals(lid),
        t,
      );
    } catch (err) {
      throw this.threw(st.label, 'guard', err);
    }
    const foot = this.locs.footprint(e.footprint);
    let m: Move;
    if (e.blocked || e.violation) {
      m = {
        done: false,
        blocked: e.blocked,
        violation: e.violation,
        writes: NO_WRITES,
        pc,
        lid,
        foot,
        label: st.label,
        reads: NO_READS,
        dA: 0,
        dB: 0,
        blind: NO_WRITES,
      };
    } else {
      // Each slot once, with its last value: applying them is the same, and an incremental
      // fingerprint (src/engine/fingerprint.ts) swaps one term a written slot.
      const last = new Map<number, number>();
      for (const [r, value] of e.writes) last.set(r.id, enc.encodeAt(r.id, value));
      const writes = Int32Array.from([...last].flat());
      let a;
      try {
        a = st.after(e, t);
      } catch (err) {
        throw this.threw(st.label, 'run', err);
      }
      const next = a.l === e.before ? lid : enc.intern(a.l);
      m = {
        done: false,
        blocked: false,
        violation: undefined,
        writes,
        pc: a.pc,
        lid: next,
        foot,
        label: st.label,
        reads: NO_READS,
        ...termDelta(log.pairs, writes, [this.pcSlot, a.pc, this.lidSlot, next]),
      };
    }
    m.reads = this.trie.insert(log.pairs, m).reads;
    return m;
  }

  get nodes(): number {
    return this.trie.nodes;
  }

  private threw(label: string, what: string, e: unknown): ModelError {
    if (e instanceof StepError) return e.ofThread(this.thread);
    if (e instanceof ModelError) return e;
    return new ModelError(`${this.where(label)} threw in ${what}: ${errorMessage(e)}`, 'model-threw');
  }
}
