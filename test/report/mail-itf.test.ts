/**
 * --format mail (plain ASCII, ≤72 columns, one column per CPU, the property and a reproduce
 * command that runs as printed) and --itf (the Informal Trace Format, read back and replayed).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import putAndWait from '../../models/kernel/put-and-wait.js';
import { runCli } from '../../src/cli/app.js';
import type { Io } from '../../src/cli/io.js';
import { instantiate } from '../../src/core/instantiate.js';
import { replay } from '../../src/explore/strategies/replay.js';
import { parseSchedule } from '../../src/explore/results/schedule.js';
import { System } from '../../src/explore/system/system.js';
import { wrapCommand } from '../../src/report/format.js';
import { readItf, THREADS_VAR, toItfValue, fromItfValue } from '../../src/report/itf.js';
import { toAscii } from '../../src/report/mail.js';

const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-mail-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => void (out += s),
    err: (s) => void (err += s),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: TMP,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** What a POSIX shell makes of the printed command: backslash-newlines removed, words split, quotes removed. */
function shellWords(text: string): string[] {
  const joined = text.replace(/\\\n/g, '');
  const words: string[] = [];
  for (const m of joined.matchAll(/'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2]);
  return words;
}

describe('--format mail', () => {
  // readers=0: the seed's oops (the fault route), not a read(2)'s.
  const args = [
    'check',
    'put-and-wait-vs-migration',
    '--param',
    'readers=0',
    '--property',
    'refcount',
    '--format',
    'mail',
  ];

  test('plain ASCII within 72 columns, one column per CPU, the chain nested as linux-mm draws it', async () => {
    const r = await cli(...args);
    expect(r.code).toBe(1);
    for (const l of r.out.split('\n')) {
      expect(l.length).toBeLessThanOrEqual(72);
      expect(l).toMatch(/^[\x20-\x7e]*$/);
    }
    expect(r.out).not.toContain('\u001b[');
    expect(r.out).toMatch(/^CPU0 \(migrator\) {2,}CPU1 \(fault0\)$/m);
    const cpu1 = r.out.indexOf('CPU1 (fault0)') - r.out.lastIndexOf('\n', r.out.indexOf('CPU1 (fault0)')) - 1;
    // The fault's frames, each one space deeper, in the second column.
    const lines = r.out.split('\n');
    const frame = (f: string) => lines.find((l) => l.trimStart() === `${f}()` && l.length > cpu1);
    expect(frame('handle_pte_fault')!.indexOf('handle_pte_fault')).toBe(cpu1);
    expect(frame('do_swap_page')!.indexOf('do_swap_page')).toBe(cpu1 + 1);
    expect(frame('migration_entry_wait')!.indexOf('migration_entry_wait')).toBe(cpu1 + 2);
    // The migrator's failed or successful branch is said, not left blank.
    expect(r.out).toContain('/* folio_ref_freeze(A, 3)');
    expect(r.out).toMatch(/refcount \(assertion\) is violated after step \d+:\nVM_BUG_ON_PAGE/);
  });

  test('the reproduce command runs as printed and replays the violation', async () => {
    const r = await cli(...args);
    const cmd = r.out.slice(r.out.indexOf('Reproduce:') + 'Reproduce:'.length).trim();
    const words = shellWords(cmd);
    expect(words.slice(0, 3)).toEqual(['npx', 'mmcheck', 'replay']);
    const again = await cli(...words.slice(2));
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/ended: violation of refcount after \d+ steps/);
    const mail = await cli(...words.slice(2), '--format', 'mail');
    expect(mail.out).toContain('refcount (assertion) is violated');
  });

  test('a long schedule is broken after its commas inside the quotes and still parses', () => {
    const schedule = Array.from({ length: 40 }, (_x, i) => `${i % 3}*${(i % 4) + 1}`).join(',');
    const lines = wrapCommand(`  mmcheck replay m --variant v --schedule '${schedule}'`, 72, '      ');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(72);
    expect(lines.length).toBeGreaterThan(3);
    const words = shellWords(lines.join('\n'));
    expect(words[words.length - 2]).toBe('--schedule');
    expect(parseSchedule(words[words.length - 1], 3)).toEqual(parseSchedule(schedule, 3));
  });

  test('--json with --format mail is a usage error', async () => {
    const r = await cli('check', 'peterson', '--json', '--format', 'mail');
    expect(r.code).toBe(2);
    expect(r.err).toBe('mmcheck: error: --json and --format mail contradict each other (give one)\n');
  });

  test('replay --json with --format mail is a usage error too (the mail was silently dropped)', async () => {
    const r = await cli(
      'replay',
      'peterson',
      '--variant',
      'no-turn',
      '--schedule',
      '0,1,0*2,1*2',
      '--json',
      '--format',
      'mail',
    );
    expect(r).toEqual({
      code: 2,
      out: '',
      err: 'mmcheck: error: --json and --format mail contradict each other (give one)\n',
    });
  });

  test('typographic characters are spelled in ASCII', () => {
    expect(toAscii('a → b … ≤3 — ✗ é')).toBe('a -> b ... <=3 - x ?');
  });
});

describe('--itf', () => {
  test('values: integers as #bigint, null as #unserializable, records and lists as JSON; decoded back', () => {
    const v = { a: 3, b: [true, 'x', null], c: { d: -1 }, e: undefined };
    expect(toItfValue(v)).toEqual({
      a: { '#bigint': '3' },
      b: [true, 'x', { '#unserializable': 'null' }],
      c: { d: { '#bigint': '-1' } },
    });
    expect(fromItfValue(toItfValue(v))).toEqual({ a: 3, b: [true, 'x', null], c: { d: -1 } });
  });

  test('check --itf writes one full state per step; read back, every state is the replayed one', async () => {
    const file = path.join(TMP, 'refcount.itf.json');
    const r = await cli('check', 'put-and-wait-vs-migration', '--property', 'refcount', '--itf', file);
    expect(r.code).toBe(1);
    const text = readFileSync(file, 'utf8');
    const raw = JSON.parse(text) as { '#meta': Record<string, unknown>; states: Record<string, unknown>[] };
    expect(raw['#meta']).toMatchObject({ format: 'ITF', 'mmcheck::property': 'refcount' });
    expect(text).toMatch(/"#bigint": "-?\d+"/);
    // Every integer in a state is a #bigint: no bare JSON number outside #meta.
    const numbers = (v: unknown): number =>
      typeof v === 'number'
        ? 1
        : v && typeof v === 'object'
          ? Object.values(v).reduce((n: number, x) => n + numbers(x), 0)
          : 0;
    for (const st of raw.states) expect(numbers({ ...st, '#meta': null })).toBe(0);
    const itf = readItf(text);
    const schedule = String(itf.meta['mmcheck::schedule']);
    const inst = instantiate(putAndWait, 'v5.0-rc4');
    const sys = new System(inst);
    const tids = parseSchedule(schedule, sys.n);
    expect(itf.states).toHaveLength(tids.length + 1);
    let g = sys.initial();
    itf.states.forEach((st, i) => {
      expect(itf.stateMeta[i].index).toBe(i);
      for (const k of Object.keys(g.s as object)) expect(st[k]).toEqual((g.s as Record<string, unknown>)[k]);
      const threads = st[THREADS_VAR] as { name: string; pc: number; locals: unknown }[];
      expect(threads.map((t) => [t.name, t.pc, t.locals])).toEqual(
        g.t.map((t, tid): unknown[] => [sys.names[tid], t.pc, t.l as unknown]),
      );
      if (i === 0) expect(st['mbt::actionTaken']).toBe('init');
      else expect(st['mbt::nondetPicks']).toEqual({ thread: { tag: 'Some', value: tids[i - 1] } });
      if (i < tids.length) g = sys.exec(g, tids[i]).g;
    });
    const end = replay(new System(inst, ['refcount']), schedule);
    expect(end.kind === 'replayed' && end.end).toBe('violation');
  });

  test('replay --itf writes the replayed counterexample; no counterexample writes nothing and says so', async () => {
    const file = path.join(TMP, 'replay.itf.json');
    const r = await cli('replay', 'peterson', '--variant', 'no-turn', '--schedule', '0,1,0*2,1*2', '--itf', file);
    expect(r.code).toBe(1);
    expect(readItf(readFileSync(file, 'utf8')).states).toHaveLength(7);
    const none = await cli('check', 'peterson', '--itf', path.join(TMP, 'none.json'));
    expect(none.code).toBe(0);
    expect(none.err).toMatch(/no counterexample: the ITF file '.*none\.json' was not written/);
  });
});
