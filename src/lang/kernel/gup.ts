import { REFCOUNT } from '../../kernel/folio.js';
import { ptePresent } from '../../kernel/pte.js';
import { exit, loop, scope, step, when, type Block, type Node } from '../ast.js';
import type { Ctx } from '../context.js';
import { spinLock, spinUnlock } from '../lock.js';
import { folioPut, type FolioRefs } from './folio.js';
import type { FilePageRefs } from './migrate.js';
import type { FaultLocals } from './shmem-fault.js';

/**
 * Slow GUP's reference through a present PTE (mm/gup.c @ v6.10: follow_page_pte, under the
 * PTL, calls try_grab_page(page, FOLL_GET); f442fa614137 "mm: gup: stop abusing
 * try_grab_folio" renamed it try_grab_folio after 6.10 — the stable trees took it as a backport
 * in August 2024, after 6.10's release — with the same check). Unlike
 * the page-cache lookup's folio_try_get, it does not expect a zero count: a folio that is
 * mapped must be referenced, so `WARN_ON_ONCE(folio_ref_count(folio) <= 0)` and
 * get_user_pages fails with -ENOMEM. A count frozen while the folio is still mapped (option 3
 * of seed 002) hits exactly that.
 */
export function tryGrabPage<L>(c: Ctx<L>, f: FolioRefs, name: string): void {
  c.touch(f.ref);
  const ref = c.get(f.ref);
  if (ref <= 0)
    c.bug(
      REFCOUNT,
      `WARN_ON_ONCE(folio_ref_count(folio) <= 0) in try_grab_page: ${name} is mapped but its count is frozen; get_user_pages fails with -ENOMEM`,
    );
  c.set(f.ref, ref + 1);
  c.set(f.held, c.get(f.held) | (1 << c.tid));
}

/**
 * A slow-GUP thread on mm0's PTE (get_user_pages with FOLL_GET → __get_user_pages): follow_page_pte
 * takes the PTL, grabs the folio a present PTE maps, and drops the PTL — one step: under the PTL
 * the PTE cannot change, and the grab is one atomic on the count, so no other thread can tell
 * the three apart. The caller puts the folio when done; a PTE that is not present goes to
 * faultin_page (`fault`, which continues the loop to follow_page_pte again).
 */
export function slowGup(r: FilePageRefs, init: FaultLocals, fault: Node<FaultLocals>): Block<FaultLocals> {
  const [pte, ptl] = [r.pte.at(0), r.ptl.at(0)];
  const follow = (c: Ctx<FaultLocals>) => {
    spinLock(c, ptl);
    const p = c.get(pte);
    const grab = ptePresent(p) && (tryGrabPage(c, r.folio(p.folio), p.folio), c.let({ f: p.folio }), true);
    spinUnlock(c, ptl);
    return grab;
  };
  return [
    loop([
      scope<FaultLocals>(init, [
        when(
          'follow_page_pte: pte_offset_map_lock; pte_present? try_grab_page; pte_unmap_unlock',
          follow,
          [
            step('put_page: the GUP caller is done with the page', (c) => folioPut(c, r.folio(c.l.f), true), {
              cost: 'atomic',
            }),
            exit(),
          ],
          [],
          { cost: 'lock' },
        ),
      ]),
      fault,
    ]),
  ];
}
