import { describe, expect, test } from '@jest/globals';
import { commit, evaluate, layout, type Body } from '../../../src/lang/index.js';
import { folioSpec, type FolioRefs } from '../../../src/lang/kernel/folio.js';
import { tryGrabPage } from '../../../src/lang/kernel/gup.js';

const l = layout({ folios: { A: folioSpec(['shmem']) } });
const a = (l.refs.folios as Record<string, FolioRefs>).A;
const run = (ref: number, body: Body<object>) => evaluate(l, body, l.state({ folios: { A: { ref } } }), {}, 1);

describe('try_grab_page (FOLL_GET) through a present PTE', () => {
  test('takes a reference and records the caller as a holder', () => {
    const e = run(2, (c) => tryGrabPage(c, a, 'A'));
    const s = commit(l.state({ folios: { A: { ref: 2 } } }), e) as { folios: { A: { ref: number; held: number } } };
    expect([s.folios.A.ref, s.folios.A.held]).toEqual([3, 0b10]);
  });
  test('a frozen count is the WARN_ON_ONCE(folio_ref_count <= 0) and -ENOMEM, not a retry', () => {
    const e = run(0, (c) => tryGrabPage(c, a, 'A'));
    expect(e.violation?.property).toBe('refcount');
    expect(e.violation?.message).toMatch(/WARN_ON_ONCE\(folio_ref_count\(folio\) <= 0\) in try_grab_page.*-ENOMEM/);
    expect(e.writes).toEqual([]);
  });
});
