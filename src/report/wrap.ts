/** Word wrapping for fixed-width report columns. */
import stringWidth from 'string-width';
import { stripVTControlCharacters } from 'node:util';
import wrapAnsi from 'wrap-ansi';

/**
 * Wrap text to lines of at most `width` characters: breaks at spaces, keeps `function:` with
 * what follows when it fits, and splits words longer than the width after `_`, `.`, `(`, `[`,
 * `,` or `>` where it can (else hard).
 */
export function wrap(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter((x) => x !== '')) {
      const len = [...word].length;
      const lineLen = [...line].length;
      if (line && lineLen + 1 + len <= w) {
        line += ' ' + word;
        continue;
      }
      if (line) lines.push(line);
      if (len <= w) {
        line = word;
        continue;
      }
      const pieces = splitLong(word, w);
      lines.push(...pieces.slice(0, -1));
      line = pieces[pieces.length - 1];
    }
    lines.push(line);
  }
  return lines;
}

function splitLong(word: string, w: number): string[] {
  const out: string[] = [];
  let rest = [...word];
  while (rest.length > w) {
    let at = -1;
    for (let i = w; i >= Math.ceil(w / 2); i--) {
      if ('_.([,>'.includes(rest[i - 1])) {
        at = i;
        break;
      }
    }
    if (at < 0) at = w;
    out.push(rest.slice(0, at).join(''));
    rest = rest.slice(at);
  }
  out.push(rest.join(''));
  return out;
}

/** Pad to a visible width (the text must hold no colour codes). */
export function pad(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const n = width - [...s].length;
  if (n <= 0) return s;
  return align === 'left' ? s + ' '.repeat(n) : ' '.repeat(n) + s;
}

/**
 * Wrap each line of a report block to `width` columns, colour codes kept: a line keeps its
 * indentation and its continuation lines are indented two more.
 */
export function wrapIndented(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (stringWidth(line) <= width) return line;
      const indent = /^ */.exec(stripVTControlCharacters(line))![0].length;
      const parts = wrapAnsi(line, Math.max(20, width - indent - 2), { hard: true }).split('\n');
      return parts.map((l, i) => ' '.repeat(i === 0 ? indent : indent + 2) + l).join('\n');
    })
    .join('\n');
}
