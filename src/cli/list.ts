/** `mmcheck list`: the models, their parameters and variants. */
import { errorMessage } from '../core/errors.js';
import { instantiate } from '../core/instantiate.js';
import type { Model } from '../core/model.js';
import type { Palette } from '../report/palette.js';
import { renderTable } from '../report/table.js';
import wrapAnsi from 'wrap-ansi';
import { wrap } from '../report/wrap.js';

export function renderModel(m: Model, p: Palette, width = 80): string {
  const lines: string[] = wrapAnsi(`${p.bold(m.name)} — ${m.title}`, width, { hard: true }).split('\n');
  for (const l of wrap(m.story, width - 2)) lines.push('  ' + p.dim(l));
  const params = Object.entries(m.params);
  lines.push('', '  parameters:' + (params.length ? '' : ' none'));
  if (params.length)
    lines.push(
      renderTable(
        [{ header: 'name' }, { header: 'default', align: 'right' }, { header: 'range' }, { header: 'meaning' }],
        params.map(([k, s]) => [k, String(s.default), `${s.min}..${s.max}`, s.doc]),
        { palette: p, indent: '    ', width },
      ),
    );
  const variants = Object.entries(m.variants);
  lines.push('', '  variants:');
  lines.push(
    renderTable(
      [{ header: 'name' }, { header: 'expected violated' }, { header: 'description' }],
      variants.map(([name, v], i) => [
        i === 0 ? `${name} (default)` : name,
        Object.entries(v.expect)
          .filter(([, x]) => x === 'violated')
          .map(([k]) => k)
          .join(', ') || '—',
        v.doc,
      ]),
      { palette: p, indent: '    ', width },
    ),
  );
  try {
    const inst = instantiate(m);
    lines.push('', '  properties:');
    lines.push(
      renderTable(
        [{ header: 'name' }, { header: 'kind' }, { header: 'meaning' }],
        inst.properties.map((q) => [q.name, q.kind, q.doc]),
        { palette: p, indent: '    ', width },
      ),
    );
  } catch (e) {
    lines.push('', `  properties: ${p.red(`cannot build the model: ${errorMessage(e)}`)}`);
  }
  return lines.join('\n');
}

export function renderList(models: readonly Model[], p: Palette, width = 80): string {
  return models.map((m) => renderModel(m, p, width)).join('\n\n') + '\n';
}
