/** Command-line helpers shared by the benchmarks. */

/** The positive number after `--name`, or `dflt` when the flag is absent. */
export function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

/** The comma-separated names after `--name`, or null when the flag is absent. */
export function listArg(name: string): Set<string> | null {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return null;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a comma-separated list`);
  return new Set(v.split(','));
}
