/**
 * Dependency footprints. A step names the shared locations it reads and writes; two steps of
 * different threads are dependent when they touch a common location and at least one writes it.
 * Locations are strings chosen by the primitive that built the step ("folio.ref", "pte.0",
 * "mutex.17"). A blocked step's footprint must include what its guard reads, so that the step
 * that would enable it is seen as racing with it.
 */
export interface Access {
  readonly loc: string;
  readonly write: boolean;
}

export const reads = (...locs: string[]): Access[] => locs.map((loc) => ({ loc, write: false }));
export const writes = (...locs: string[]): Access[] => locs.map((loc) => ({ loc, write: true }));

/** One location read and written (an atomic read-modify-write, a lock acquire). */
export const rmw = (...locs: string[]): Access[] => writes(...locs);
