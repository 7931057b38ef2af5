/** The `--sanity` lines of `mmcheck check`. */
import type { SanityReport } from '../explore/sanity/sanity.js';
import { formatCount } from '../report/format.js';
import type { Palette } from '../report/palette.js';

export function renderSanity(r: SanityReport, p: Palette): string {
  const parts: string[] = [];
  if (r.symmetry)
    parts.push(
      r.symmetry.outcome === 'holds'
        ? `symmetry declaration holds on all ${formatCount(r.symmetry.states)} reachable states`
        : p.yellow(`symmetry declaration checked on only ${formatCount(r.symmetry.states)} states (the limit)`),
    );
  const ref = r.reference;
  const cut = ref.kind === 'incomplete' ? p.yellow(` (${ref.strategy} incomplete)`) : '';
  parts.push(`${ref.strategy} agrees on ${ref.compared} verdict${ref.compared === 1 ? '' : 's'}${cut}`);
  const head = r.complete ? 'sanity:' : p.yellow('sanity (incomplete, not a pass):');
  return `  ${head} ${parts.join(' · ')}`;
}
