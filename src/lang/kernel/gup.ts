import { REFCOUNT } from '../../kernel/folio.js';
import type { Ctx } from '../context.js';
import type { FolioRefs } from './folio.js';

/**
 * Slow GUP's reference through a present PTE (mm/gup.c @ v6.10: follow_page_pte, under the
 * PTL, calls try_grab_folio — try_grab_page before the 6.10 rename — with FOLL_GET). Unlike
 * the page-cache lookup's folio_try_get, it does not expect a zero count: a folio that is
 * mapped must be referenced, so `WARN_ON_ONCE(folio_ref_count(folio) <= 0)` and
 * get_user_pages fails with -ENOMEM. A count frozen while the folio is still mapped (option 3
 * of seed 002) hits exactly that.
 */
export function tryGrabFolio<L>(c: Ctx<L>, f: FolioRefs, name: string): void {
  c.touch(f.ref);
  const ref = c.get(f.ref);
  if (ref <= 0)
    c.bug(
      REFCOUNT,
      `WARN_ON_ONCE(folio_ref_count(folio) <= 0) in try_grab_folio: ${name} is mapped but its count is frozen; get_user_pages fails with -ENOMEM`,
    );
  c.set(f.ref, ref + 1);
  c.set(f.held, c.get(f.held) | (1 << c.tid));
}
