/**
 * How reports name state paths (report only, never read by the searches). A model lists rules,
 * most specific first; primitives in src/kernel supply rules for their own fields.
 *
 *  - `path`: a pattern over the change paths, `*` standing for one key or index
 *    (`folios.*.locked`, `pte[*]`); `$1`, `$2` … in the texts are what the stars matched.
 *  - `name`: the text that replaces the path (`PG_locked($1)`).
 *  - `as`:
 *     - `value` (default): `name before→after`, values through `names` when given;
 *     - `owner`: a thread id or -1 (free) — `PG_locked(A): migrator`;
 *     - `threads`: a bit mask of thread ids — `+reader0`, or the `add` / `remove` sentences
 *       with `$who` for the threads that joined or left;
 *     - `bookkeeping`: state the model keeps for its properties, not the kernel's: marked as such.
 */
export interface ShowRule {
  readonly path: string;
  readonly name?: string;
  readonly as?: 'value' | 'owner' | 'threads' | 'bookkeeping';
  /** Names for values (`{ '-1': 'free' }`, an enum's members). */
  readonly names?: Readonly<Record<string, string>>;
  /** `threads`: the sentence for threads that joined the set (`$who holds a reference on $1`). */
  readonly add?: string;
  /** `threads`: the sentence for threads that left it. */
  readonly remove?: string;
}
