/**
 * `npm run docs:update`: regenerate every checked block in README.md and docs/ (see
 * docs-blocks.ts) from what mmcheck prints now; `-- --check` only reports stale blocks (exit 1).
 * A bad marker or a command that fails is one line on stderr and exit 2.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DocsError, ROOT, docFiles, regenerate } from './docs-blocks.js';

async function main(check: boolean): Promise<number> {
  let stale = 0;
  let blocks = 0;
  for (const file of docFiles()) {
    const { text, changed } = await regenerate(file);
    for (const b of changed) console.log(`${check ? 'stale' : 'updated'}: ${path.relative(ROOT, file)}:${b.line}`);
    stale += changed.length;
    blocks += (text.match(/^<!-- mmcheck: /gm) ?? []).length;
    if (!check && changed.length > 0) writeFileSync(file, text);
  }
  console.log(`${blocks} checked blocks, ${stale} ${check ? 'stale' : 'updated'}`);
  return check && stale > 0 ? 1 : 0;
}

main(process.argv.includes('--check')).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (!(e instanceof DocsError)) throw e;
    console.error(`docs:update: ${e.message}`);
    process.exitCode = 2;
  },
);
