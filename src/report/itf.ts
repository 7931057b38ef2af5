/**
 * Counterexamples in the Informal Trace Format (ITF, Apalache ADR-015; what Quint writes and its
 * viewers and libraries read): `#meta`, `vars`, and one full state per step — the initial state,
 * then the state after each step — each with `#meta.index`. A state holds every top-level
 * variable of the model's shared state, `mmcheck::threads` (each thread's pc, the step it is at
 * and its locals), and Quint's `mbt::actionTaken` / `mbt::nondetPicks` (the step taken and the
 * thread that took it). Integers are `{"#bigint": "n"}`; JSON null (no ITF value) is
 * `{"#unserializable": "null"}`. `readItf` decodes what `renderItf` writes.
 */
import type { Instance } from '../core/instantiate.js';
import type { Violation } from '../explore/results/result.js';
import { annotate } from './annotate.js';
import { replayCommand, type RunContext } from './format.js';

export type ItfValue =
  | boolean
  | string
  | ItfValue[]
  | { readonly '#bigint': string }
  | { readonly '#unserializable': string }
  | { readonly [k: string]: ItfValue };

export const ITF_FORMAT_DESCRIPTION = 'https://apalache-mc.org/docs/adr/015adr-trace.html';
export const THREADS_VAR = 'mmcheck::threads';
const ACTION_VAR = 'mbt::actionTaken';
const PICKS_VAR = 'mbt::nondetPicks';

/** A model value as ITF. */
export function toItfValue(v: unknown): ItfValue {
  if (v === null) return { '#unserializable': 'null' };
  if (v === undefined) return { '#unserializable': 'undefined' };
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { '#bigint': v.toString() };
  if (typeof v === 'number') return Number.isInteger(v) ? { '#bigint': String(v) } : { '#unserializable': String(v) };
  if (Array.isArray(v)) return v.map(toItfValue);
  if (typeof v === 'object') {
    const out: Record<string, ItfValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = toItfValue(x);
    return out;
  }
  return { '#unserializable': typeof v };
}

/** An ITF value back as a model value (integers as numbers). */
export function fromItfValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromItfValue);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['#bigint'] === 'string') return Number(o['#bigint']);
    if (typeof o['#unserializable'] === 'string')
      return o['#unserializable'] === 'null'
        ? null
        : o['#unserializable'] === 'undefined'
          ? undefined
          : Number(o['#unserializable']);
    if (Array.isArray(o['#tup'])) return o['#tup'].map(fromItfValue);
    if (Array.isArray(o['#set'])) return o['#set'].map(fromItfValue);
    if (Array.isArray(o['#map']))
      return new Map((o['#map'] as [unknown, unknown][]).map(([k, x]) => [fromItfValue(k), fromItfValue(x)]));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = fromItfValue(x);
    return out;
  }
  return v;
}

const none = { tag: 'None', value: { '#tup': [] } };
const some = (v: ItfValue) => ({ tag: 'Some', value: v });

/** The counterexample as an ITF document (JSON text, with a trailing newline). */
export function renderItf(v: Violation, ctx: RunContext, inst: Instance): string {
  const a = annotate(v.trace, inst);
  const program = inst.program;
  const shared = [...new Set(a.states.flatMap((g) => Object.keys(g.s as object)))];
  const vars = [...shared, THREADS_VAR, ACTION_VAR, PICKS_VAR];
  const states = a.states.map((g, i) => {
    const st = i === 0 ? undefined : a.steps[i - 1];
    const state: Record<string, unknown> = {
      '#meta': {
        index: i,
        ...(st ? { thread: st.thread, label: st.label, ...(st.note ? { note: st.note } : {}) } : {}),
        // A step the compiler merged: its kernel steps, each with its changes (src/lang/parts.ts).
        ...(st?.parts
          ? {
              parts: st.parts.map((pt) => ({
                label: pt.label,
                ...(pt.note ? { note: pt.note } : {}),
                changes: pt.changes.map((c) => ({
                  path: c.path,
                  before: toItfValue(c.before),
                  after: toItfValue(c.after),
                  ...(c.local ? { local: true } : {}),
                })),
              })),
            }
          : {}),
      },
    };
    for (const k of shared) state[k] = toItfValue((g.s as Record<string, unknown>)[k]);
    state[THREADS_VAR] = g.t.map((t, tid) => {
      const steps = program.threads[tid].steps;
      return {
        name: a.threads[tid],
        pc: toItfValue(t.pc),
        at: t.pc < steps.length ? steps[t.pc].label : 'exit',
        done: t.pc >= steps.length,
        locals: toItfValue(t.l),
      };
    });
    state[ACTION_VAR] = st ? st.label : 'init';
    state[PICKS_VAR] = { thread: st ? some(toItfValue(st.tid)) : none };
    return state;
  });
  const doc = {
    '#meta': {
      format: 'ITF',
      'format-description': ITF_FORMAT_DESCRIPTION,
      source: ctx.model,
      description: `mmcheck counterexample: ${v.property} (${v.kind}) violated after step ${a.steps.length}: ${v.message}`,
      'mmcheck::model': ctx.model,
      'mmcheck::variant': ctx.variant,
      'mmcheck::params': ctx.params,
      'mmcheck::property': v.property,
      'mmcheck::kind': v.kind,
      'mmcheck::message': v.message,
      'mmcheck::threads': a.threads,
      'mmcheck::schedule': v.trace.schedule,
      'mmcheck::replay': replayCommand(ctx, v.trace.schedule, v.property),
    },
    vars,
    states,
  };
  return JSON.stringify(doc, null, 1) + '\n';
}

export interface ItfTrace {
  readonly meta: Readonly<Record<string, unknown>>;
  readonly vars: readonly string[];
  /** Decoded states, `#meta` left out. */
  readonly states: readonly Readonly<Record<string, unknown>>[];
  readonly stateMeta: readonly Readonly<Record<string, unknown>>[];
}

/** Parse an ITF document; throws on a document that is not one (no vars or states, a state missing a var). */
export function readItf(text: string): ItfTrace {
  const doc = JSON.parse(text) as Record<string, unknown>;
  if (!Array.isArray(doc.vars) || !Array.isArray(doc.states)) throw new Error('not an ITF trace: no vars or states');
  const vars = doc.vars as string[];
  const states = (doc.states as Record<string, unknown>[]).map((s, i) => {
    const out: Record<string, unknown> = {};
    for (const k of vars) {
      if (!(k in s)) throw new Error(`ITF state ${i} has no variable '${k}'`);
      out[k] = fromItfValue(s[k]);
    }
    return out;
  });
  const stateMeta = (doc.states as Record<string, unknown>[]).map((s) => (s['#meta'] ?? {}) as Record<string, unknown>);
  return { meta: (doc['#meta'] ?? {}) as Record<string, unknown>, vars, states, stateMeta };
}
