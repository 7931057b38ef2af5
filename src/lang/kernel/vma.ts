import { goto_, step, when, type Block } from '../ast.js';
import type { Ctx } from '../context.js';
import { int, oneOf } from '../domain.js';
import type { Ref } from '../layout.js';
import { EFAULT, VMA_STACK_INCOMPLETE_SETUP, vmaAddress, vmaAddressReload } from '../../kernel/vma.js';
import type { VmaField, VmaSnap } from '../../kernel/vma.js';

/**
 * A vm_area_struct's rmap-relevant fields in a layout (the model language's version of
 * src/kernel/vma.ts, same semantics): vm_start, vm_end (exclusive), vm_pgoff in pages,
 * vma->anon_vma (an anon_vma's name or null) and the vm_flags bits the rmap walk tests. Each
 * field is its own location, read and written by plain loads and stores (no READ_ONCE, no
 * lock of its own), so a walker racing with vma_adjust can see a torn (vm_start, vm_pgoff) pair.
 *
 * vma_address() (mm/rmap.c @ v2.6.34) computes from three such loads; nothing orders them, so
 * the compiler may emit them in any of LOAD_ORDERS, and may load vm_start a second time for the
 * range check (`vmaAddressReload`).
 */
export { EFAULT, VMA_STACK_INCOMPLETE_SETUP, vmaAddress, vmaAddressReload, type VmaField, type VmaSnap };

export interface VmaInit {
  readonly start: number;
  readonly end: number;
  readonly pgoff: number;
  readonly anon: string | null;
  readonly flags?: number;
}

/** A VMA starting as `init`; addresses and offsets in 0..max, anon_vma one of `anons` or null. */
export function vmaSpec(init: VmaInit, anons: readonly string[], max = 15) {
  return {
    start: int(0, max, init.start),
    end: int(0, max, init.end),
    pgoff: int(0, max, init.pgoff),
    anon: oneOf<string | null>([null, ...anons], init.anon),
    flags: int(0, VMA_STACK_INCOMPLETE_SETUP, init.flags ?? 0),
  };
}

export interface VmaRefs {
  readonly start: Ref<number>;
  readonly end: Ref<number>;
  readonly pgoff: Ref<number>;
  readonly anon: Ref<string | null>;
  readonly flags: Ref<number>;
}

/** The six orders of vma_address's three plain loads; 0 is the source order. */
export const LOAD_ORDERS: readonly (readonly VmaField[])[] = [
  ['pgoff', 'start', 'end'],
  ['pgoff', 'end', 'start'],
  ['start', 'pgoff', 'end'],
  ['start', 'end', 'pgoff'],
  ['end', 'pgoff', 'start'],
  ['end', 'start', 'pgoff'],
];

/** A plain load of one field. */
export const vmaLoad = <L>(c: Ctx<L>, v: VmaRefs, field: VmaField | 'flags'): number => c.get(v[field]);

/** A plain store of one field (vma_adjust's `vma->vm_start = start;` …). */
export const vmaStore = <L>(c: Ctx<L>, v: VmaRefs, field: VmaField | 'flags', value: number): void =>
  c.set(v[field], value);

/** is_vma_temporary_stack(): exec's stack before shift_arg_pages is done (a8bef8ff6ea1). */
export const isVmaTemporaryStack = <L>(c: Ctx<L>, v: VmaRefs): boolean =>
  (c.get(v.flags) & VMA_STACK_INCOMPLETE_SETUP) !== 0;

/** A walker's locals for vma_address: the fields loaded so far, and the address computed. */
export interface VmaWalker {
  readonly snap: VmaSnap;
  readonly addr: number;
}

export interface VmaAddressCode<L> {
  /** The caller's function, named in the first load's label (`rmap_walk_anon: vma_address: …`). */
  readonly fn: string;
  /** Where an -EFAULT goes (the walk's next avc), or null: the caller checks `addr` itself. */
  readonly efault: string | null;
  /** Index into LOAD_ORDERS. */
  readonly order: number;
  /** The range check's `address < vma->vm_start` loads vm_start again, after the other loads. */
  readonly reload: boolean;
  readonly vma: (c: Ctx<L>) => VmaRefs;
  /** page->index of the page the walk is for. */
  readonly index: (c: Ctx<L>) => number;
}

/**
 * vma_address() as the compiler may emit it: one step per plain load, in `order`; the last
 * computes `addr` (and keeps `snap`). With `efault`, an -EFAULT jumps there leaving `snap` and
 * `addr` as they were before that step (the walk moves on and resets them).
 */
export function vmaAddressLoads<L extends VmaWalker>(o: VmaAddressCode<L>): Block<L> {
  const tail = o.efault ? '; -EFAULT → next avc' : '';
  const onEfault = o.efault ? [goto_<L>(o.efault)] : [];
  const done = (c: Ctx<L>, snap: VmaSnap, start2?: number): boolean => {
    const f = snap as Record<VmaField, number>;
    const addr = start2 === undefined ? vmaAddress(o.index(c), f) : vmaAddressReload(o.index(c), f, start2);
    if (o.efault !== null && addr === EFAULT) return true;
    c.let({ snap, addr } as Partial<L>);
    return false;
  };
  const loads = LOAD_ORDERS[o.order].map((f, k) => {
    const text = `${k === 0 ? `${o.fn}: ` : ''}vma_address: load vma->vm_${f}`;
    const snap = (c: Ctx<L>): VmaSnap => ({ ...c.l.snap, [f]: vmaLoad(c, o.vma(c), f) });
    return k < 2 || o.reload
      ? step<L>(text, (c) => c.let({ snap: snap(c) } as Partial<L>))
      : when<L>(text + tail, (c) => done(c, snap(c)), onEfault);
  });
  if (!o.reload) return loads;
  const again = `vma_address: load vma->vm_start again for the range check${tail}`;
  return [...loads, when<L>(again, (c) => done(c, c.l.snap, vmaLoad(c, o.vma(c), 'start')), onEfault)];
}

/**
 * vma_adjust's plain stores as written in C, one step each (`fn: C1->vm_start = 2`), from
 * `'C1->vm_start = 2; C2->vm_pgoff += 1'` (`=`, `+=` or `-=` a number, on vm_start, vm_end,
 * vm_pgoff or vm_flags of a VMA in `vmas`).
 */
export function vmaStoreSteps<L>(fn: string, vmas: Readonly<Record<string, VmaRefs>>, stores: string): Block<L> {
  return stores.split(';').map((text) => {
    const m = /^(\w+)->vm_(start|end|pgoff|flags) ([-+]?=) (\d+)$/.exec(text.trim());
    if (!m || !vmas[m[1]]) throw new Error(`vma store '${text.trim()}' is not 'VMA->vm_field = n' on a known VMA`);
    const [, v, f, op, n] = m as unknown as [string, string, VmaField | 'flags', string, string];
    const value = (old: number) => (op === '=' ? +n : op === '+=' ? old + +n : old - +n);
    return step<L>(`${fn}: ${text.trim()}`, (c) => vmaStore(c, vmas[v], f, value(vmaLoad(c, vmas[v], f))));
  });
}
