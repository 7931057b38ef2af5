/**
 * A kernel counterexample printed end to end: a merged PTL section of migration-vs-fault shows
 * each of its kernel steps as a row of its own, bracketed under one step number, and the JSON
 * trace carries the same parts; the printed schedule replays as it is (issue 13 item 5).
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readItf } from '../../src/report/itf.js';
import type { JsonReplay } from '../../src/report/json.js';
import { ROOT, run } from './spawn.js';

const TMP = mkdtempSync(path.join(tmpdir(), 'mmcheck-parts-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SCHEDULE = '0*4,1*2,0*6,1*2,0*25,1*7,2';
const REPLAY = ['replay', 'migration-vs-fault', '--variant', 'upstream', '--property', 'migration-succeeds'];

describe('a kernel trace shows the parts of its merged steps', () => {
  test("finish_fault's PTL section: three rows of reader0, bracketed as step 43", () => {
    const r = run([...REPLAY, '--schedule', SCHEDULE, '--width', '100']);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    const at = lines.findIndex((l) => l.startsWith('43 '));
    const end = lines.findIndex((l) => l.startsWith('44 '));
    expect(lines.slice(at, end).map((l) => l.trimEnd())).toEqual([
      '43 │                       │ ┌ … → finish_fault() │                      │ PTL: reader0',
      '   │                       │ │ finish_fault:      │                      │',
      '   │                       │ │ pte_offset_map_    │                      │',
      '   │                       │ │ lock               │                      │',
      '   │                       │ ├ finish_fault:      │                      │ PTE changed (pte_none →',
      '   │                       │ │ vmf_pte_changed?   │                      │ present(A)):',
      '   │                       │ │ else set_pte_range │                      │ VM_FAULT_NOPAGE',
      '   │                       │ │                    │                      │ (reader0) nopage',
      '   │                       │ │                    │                      │ false→true',
      '   │                       │ └ finish_fault:      │                      │ PTL: free (was reader0)',
      '   │                       │   pte_unmap_unlock   │                      │',
    ]);
    expect(r.out).toContain('┌ … └ one atomic step: kernel steps the compiler merged');
    expect(r.out).toContain(`--schedule '${SCHEDULE}'`);
    expect(r.out).toContain('ended: violation of migration-succeeds after 47 steps');
  });

  test('the JSON trace keeps the merged step and lists its parts', () => {
    const r = run([...REPLAY, '--schedule', SCHEDULE, '--json']);
    const doc = JSON.parse(r.out) as JsonReplay;
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'docs/schema/mmcheck.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect([validate(doc), validate.errors ?? []]).toEqual([true, []]);
    expect(doc.trace.steps).toHaveLength(47);
    const st = doc.trace.steps[42];
    expect([st.step, st.thread, st.label]).toEqual([43, 'reader0', 'finish_fault: pte_offset_map_lock']);
    expect(st.parts?.map((p) => p.label)).toEqual([
      'finish_fault: pte_offset_map_lock',
      'finish_fault: vmf_pte_changed? else set_pte_range',
      'finish_fault: pte_unmap_unlock',
    ]);
    expect(st.parts?.[1].note).toBe('PTE changed (pte_none → present(A)): VM_FAULT_NOPAGE');
  });

  test('mail marks the section with + and |, ITF lists the parts in the state after it', () => {
    const file = path.join(TMP, 'trace.itf.json');
    const r = run([...REPLAY, '--schedule', SCHEDULE, '--format', 'mail', '--itf', file]);
    const lines = r.out.split('\n');
    const at = lines.findIndex((l) => l.trim() === '+   finish_fault()');
    expect(lines.slice(at, at + 12).map((l) => l.trim())).toEqual([
      '+   finish_fault()',
      '|     pte_offset_map_l',
      '|     ock',
      '|     vmf_pte_changed?',
      '|     else',
      '|     set_pte_range',
      '|     /* PTE changed',
      '|     (pte_none ->',
      '|     present(A)):',
      '|     VM_FAULT_NOPAGE',
      '|     */',
      '|     pte_unmap_unlock',
    ]);
    expect(r.out).toContain('Lines from a + down its | are the kernel steps of one atomic step');
    expect(lines.every((l) => l.length <= 72)).toBe(true);
    const itf = readItf(readFileSync(file, 'utf8'));
    expect(itf.states).toHaveLength(48);
    const parts = itf.stateMeta[43].parts as { label: string; changes: { path: string }[] }[];
    expect(parts.map((p) => [p.label, p.changes.map((c) => c.path)])).toEqual([
      ['finish_fault: pte_offset_map_lock', ['ptl[0]']],
      ['finish_fault: vmf_pte_changed? else set_pte_range', ['nopage']],
      ['finish_fault: pte_unmap_unlock', ['ptl[0]']],
    ]);
  });
});
