import type { Footprint } from '../../system/transition.js';

/**
 * The DFS stack of the DPOR search (dpor.ts), one array per field, indexed by depth k.
 * Frame k stands for state s_k (kept by the search's DporStates); transition k is the step that led from s_{k-1} to s_k (frame 0 has
 * no transition). Thread sets are bit masks over thread ids.
 */
export class DporStack {
  // ---- Frame k: the state s_k and what the search knows about it.
  /** s_k's key in the visited table (fingerprint lanes a and b; its slot moves when the table grows). */
  readonly keyA: number[] = [];
  readonly keyB: number[] = [];
  /** s_k's slot in the visited table, valid while the table has grown `slotGrows[k]` times. */
  readonly slot: number[] = [];
  readonly slotGrows: number[] = [];
  /** Permutation id of s_k against its stored canonical form (0: identity, or no symmetry). */
  readonly perm: number[] = [];
  /** Threads enabled in s_k. */
  readonly enabled: number[] = [];
  /** Backtrack set of s_k: threads the search must explore from it. */
  readonly backtrack: number[] = [];
  /** Threads already explored from s_k. */
  readonly done: number[] = [];
  /** Sleep set of s_k: threads whose step from s_k an explored sibling already covers. */
  readonly sleep: number[] = [];
  /** Threads a revisit of s_k does not explore again: the earlier visit did (its summary stands for them). */
  readonly skip: number[] = [];
  /** Whether s_k was visited before (a revisit that explores the threads asleep then, awake now). */
  readonly revisit: boolean[] = [];
  /** For a revisit: s_k's stored sleep set, in s_k's threads (-1 for a first visit). */
  readonly storedSleep: number[] = [];
  /** For a revisit: s_k's stored summary, in canonical slots (the column holds k while s_k is on the stack). */
  readonly storedSummary: number[] = [];
  /** Footprint of each thread's next step from s_k (empty for a finished thread). */
  readonly nextFootprint: Footprint[][] = [];
  /**
   * The events met in s_k's subtree so far (s_k's next steps included): per access code, the
   * threads whose step met conflicts with it (events.ts; grown in place, interned when s_k is stored).
   */
  readonly summary: Int32Array[] = [];
  /** Lowest depth a back edge from s_k's subtree reached (k itself: no open cycle through s_k). */
  readonly lowLink: number[] = [];
  /** Length of the search's `tainted` list when frame k was pushed. */
  readonly taintedAt: number[] = [];

  // ---- Transition k: the step from s_{k-1} to s_k.
  /** Transition k's thread. */
  readonly thread: number[] = [];
  /** Transition k's footprint. */
  readonly footprint: Footprint[] = [];
  /** Vector clock of transition k: per thread q, the depth of q's last transition that happens-before it. */
  readonly clock: Int32Array[] = [];
  /** Depth of the previous transition of transition k's thread (0: none), restored when k pops. */
  readonly previousLast: number[] = [];
}
