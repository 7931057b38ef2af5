import { reads, writes } from '../core/access.js';
import type { StepOutcome, StepSpec } from '../core/step.js';

/**
 * A vm_area_struct's rmap-relevant fields: vm_start, vm_end (exclusive), vm_pgoff and
 * vm->anon_vma. Addresses and offsets are in pages (PAGE_SHIFT folded away). VMAs live in the
 * shared state under `vmas[name]`; each field is its own location (`vmas.<name>.start`, ...)
 * and is read and written by plain loads and stores, one field per step, so a reader racing
 * with vma_adjust can see a torn (vm_start, vm_pgoff) pair — the 2.6.34-rc race.
 *
 * API (stable; models 1 and 2 of issue 4 build on it):
 *  - vma(start, end, pgoff, anon, flags?)   a VMA value;  VmaFields, WithVmas
 *  - vmaLoc(name, field)                     the field's location string
 *  - vmaLoad(name, field, into)              plain load of one field (StepSpec)
 *  - vmaStore(name, field, value, readsAlso?) plain store of one field (StepSpec; value may read the state)
 *  - vmaAddress(index, fields)               mm/rmap.c vma_address(): address or EFAULT
 *  - vmaAddressReload(index, fields, start2) the same with vm_start reloaded for the range check
 *  - VMA_STACK_INCOMPLETE_SETUP              flag set on exec's temporary stack (a8bef8ff)
 * A field snapshot (`VmaSnap`) is what a walker has loaded so far (`undefined` = not yet loaded).
 */
export type VmaField = 'start' | 'end' | 'pgoff';

export interface Vma {
  readonly start: number;
  readonly end: number;
  readonly pgoff: number;
  /** vma->anon_vma: name of an anon_vma in `anon_vmas`, or null before the first anon fault. */
  readonly anon: string | null;
  /** vm_flags bits that matter to the rmap walk (e.g. VM_STACK_INCOMPLETE_SETUP). */
  readonly flags: number;
}

export interface WithVmas {
  readonly vmas: Readonly<Record<string, Vma>>;
}

/** exec's temporary stack, set by setup_arg_pages until shift_arg_pages is done (a8bef8ff6ea1). */
export const VMA_STACK_INCOMPLETE_SETUP = 1;

export type VmaName<L> = string | ((l: L) => string);
const nameOf = <L>(v: VmaName<L>, l: L) => (typeof v === 'function' ? v(l) : v);

export function vma(start: number, end: number, pgoff: number, anon: string | null, flags = 0): Vma {
  return { start, end, pgoff, anon, flags };
}

export const vmaLoc = (name: string, field: VmaField | 'flags' | 'anon') => `vmas.${name}.${field}`;

/** -EFAULT: the page is not inside this VMA's range (the walk `continue`s). */
export const EFAULT = -1;

export type VmaSnap = Partial<Record<VmaField, number>>;

/**
 * vma_address() of 2.6.34 mm/rmap.c, in pages:
 *   address = vma->vm_start + (page->index - vma->vm_pgoff);
 *   if (address < vma->vm_start || address >= vma->vm_end) return -EFAULT;
 * over the values the walker loaded (possibly from different moments: a torn snapshot).
 */
export function vmaAddress(index: number, f: Readonly<Record<VmaField, number>>): number {
  const address = f.start + (index - f.pgoff);
  return address < f.start || address >= f.end ? EFAULT : address;
}

/**
 * vma_address() compiled with vm_start loaded twice: once for the address, and again for the
 * range check `address < vma->vm_start` (plain loads: the compiler may reload instead of keeping
 * a register). `startAgain` is the second load.
 */
export function vmaAddressReload(index: number, f: Readonly<Record<VmaField, number>>, startAgain: number): number {
  const address = f.start + (index - f.pgoff);
  return address < startAgain || address >= f.end ? EFAULT : address;
}

/** Plain load of one field of a VMA into the thread's locals. */
export function vmaLoad<S extends WithVmas, L>(
  v: VmaName<L>,
  field: VmaField,
  into: (l: L, value: number) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    footprint: (_s, l) => reads(vmaLoc(nameOf(v, l), field)),
    run: (s, l) => into(l, s.vmas[nameOf(v, l)][field]),
    // Report only: the value the load saw.
    note: (s, l) => `${nameOf(v, l)}->vm_${field} is ${s.vmas[nameOf(v, l)][field]}`,
  };
}

/**
 * Plain store of one field of a VMA (vma_adjust's `vma->vm_start = start;` ...). The value may
 * depend on the state (mremap's new_pgoff from the source VMA): `readsAlso` names the locations
 * `value` reads besides the field itself.
 */
export function vmaStore<S extends WithVmas, L>(
  v: VmaName<L>,
  field: VmaField,
  value: (old: number, l: L, s: S) => number,
  readsAlso: (l: L) => readonly string[] = () => [],
): StepSpec<S, L> {
  return {
    footprint: (_s, l) => [...writes(vmaLoc(nameOf(v, l), field)), ...reads(...readsAlso(l))],
    run: (s, l) => {
      const n = nameOf(v, l);
      const old = s.vmas[n];
      return { s: { ...s, vmas: { ...s.vmas, [n]: { ...old, [field]: value(old[field], l, s) } } } };
    },
  };
}

/** Plain store of vm_flags (setup_arg_pages / shift_arg_pages clearing VM_STACK_INCOMPLETE_SETUP). */
export function vmaSetFlags<S extends WithVmas, L>(v: VmaName<L>, flags: (old: number) => number): StepSpec<S, L> {
  return {
    footprint: (_s, l) => writes(vmaLoc(nameOf(v, l), 'flags')),
    run: (s, l) => {
      const n = nameOf(v, l);
      return { s: { ...s, vmas: { ...s.vmas, [n]: { ...s.vmas[n], flags: flags(s.vmas[n].flags) } } } };
    },
  };
}

/** Plain load of vm_flags. */
export function vmaLoadFlags<S extends WithVmas, L>(
  v: VmaName<L>,
  into: (l: L, flags: number) => StepOutcome<S, L>,
): StepSpec<S, L> {
  return {
    footprint: (_s, l) => reads(vmaLoc(nameOf(v, l), 'flags')),
    run: (s, l) => into(l, s.vmas[nameOf(v, l)].flags),
  };
}
