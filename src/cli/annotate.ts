/** CI annotations: on GitHub Actions (GITHUB_ACTIONS=true), one `::error`/`::warning` line per finding. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderAnnotations, type SourceLocator } from '../report/annotations.js';
import type { RunReport } from '../report/run.js';
import type { StatusPolicy } from '../report/status.js';
import type { Io } from './io.js';
import { REPO_ROOT } from './load.js';

export const onGithubActions = (io: Io): boolean => io.env.GITHUB_ACTIONS === 'true';

/** The .ts/.js files under a directory, recursively. */
function sources(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(path.join(dir, e.name)) : /\.(m?ts|m?js)$/.test(e.name) ? [path.join(dir, e.name)] : [],
    );
  } catch {
    return [];
  }
}

const quoted = (name: string) => new RegExp(`(['"\`])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\1`);

const registryFiles = new Map<string, string | undefined>();

/** A registry model's source file: the one under models/ that declares `name: '<model>'`. */
export function registrySource(model: string): string | undefined {
  if (!registryFiles.has(model)) {
    const decl = new RegExp(`name:\\s*${quoted(model).source}`);
    registryFiles.set(
      model,
      sources(path.join(REPO_ROOT, 'models')).find((f) => decl.test(readFileSync(f, 'utf8'))),
    );
  }
  return registryFiles.get(model);
}

/** The model's file as reports name it: relative to the working directory when under it. */
export function modelFile(io: Io, model: string, loaded?: string): string | undefined {
  const file = loaded ?? registrySource(model);
  if (!file) return undefined;
  const rel = path.relative(io.cwd, file).split(path.sep).join('/');
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** Find names in a model's source, for annotation lines; paths relative to the working directory. */
export function locator(io: Io, file: string | undefined): SourceLocator | undefined {
  if (!file) return undefined;
  let lines: string[];
  try {
    lines = readFileSync(path.resolve(io.cwd, file), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  return {
    file,
    lineOf: (name) => {
      const re = quoted(name);
      const i = lines.findIndex((l) => re.test(l));
      return i < 0 ? undefined : i + 1;
    },
  };
}

/**
 * Print the annotations of a command's runs when on GitHub Actions: on stdout (where the runner
 * reads workflow commands), or stderr when stdout carries the JSON document.
 */
export function annotate(io: Io, runs: readonly RunReport[], policy: StatusPolicy, jsonOnStdout = false): void {
  if (!onGithubActions(io)) return;
  const cache = new Map<string, SourceLocator | undefined>();
  const lines = renderAnnotations(runs, policy, (r) => {
    const file = r.file;
    if (!file) return undefined;
    if (!cache.has(file)) cache.set(file, locator(io, file));
    return cache.get(file);
  });
  if (lines.length === 0) return;
  (jsonOnStdout ? io.err : io.out)(lines.join('\n') + '\n');
}
