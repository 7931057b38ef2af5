/**
 * The thread permutations a symmetry reduction has used, each interned once as a small id
 * (0: the identity), with its inverse: both engines' canonicalisers keep their canonical
 * permutation as an id (src/explore/system/canon.ts, src/engine/symmetry.ts), and DPOR renames
 * footprints and sleep sets through `to`/`from`.
 */
export class PermutationIds {
  private readonly perms: Int32Array[] = [];
  private readonly inverses: Int32Array[] = [];
  private readonly ids = new Map<string | number, number>();
  /** Radix for numeric permutation keys (`n^n` below 2^53), or 0: string keys. */
  readonly radix: number;

  constructor(readonly n: number) {
    this.radix = Math.pow(n, n) < Number.MAX_SAFE_INTEGER ? n : 0;
    this.intern(Int32Array.from({ length: n }, (_, i) => i));
  }

  /** Thread → canonical slot for permutation `id`. */
  to(id: number): Int32Array {
    return this.perms[id];
  }

  /** Canonical slot → thread for permutation `id`. */
  from(id: number): Int32Array {
    return this.inverses[id];
  }

  get count(): number {
    return this.perms.length;
  }

  /** A permutation as a number in base `radix` (only when `radix` > 0). */
  numericKey(to: ArrayLike<number>): number {
    let k = 0;
    for (let t = this.n - 1; t >= 0; t--) k = k * this.radix + to[t];
    return k;
  }

  /** The id of permutation `to` (thread → slot), interning a copy the first time. */
  intern(to: Int32Array): number {
    const k = this.radix > 0 ? this.numericKey(to) : to.join(',');
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.perms.length;
      this.ids.set(k, id);
      const p = Int32Array.from(to);
      const inv = new Int32Array(this.n);
      for (let t = 0; t < this.n; t++) inv[p[t]] = t;
      this.perms.push(p);
      this.inverses.push(inv);
    }
    return id;
  }
}
