/**
 * Finding the model a command names: a registry name (models/index.ts) or a path to a model
 * file (.js/.mjs/.cjs: imported by Node; .ts/.mts: loaded with jiti).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ModelError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { models } from '../../models/index.js';

/** The repository root (this file is dist/src/cli/load.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LoadedModel {
  readonly model: Model;
  /** How the user named it: what replay commands repeat. */
  readonly ref: string;
  /** The absolute path of the model file, when it came from one. */
  readonly file?: string;
}

export function registry(): readonly Model[] {
  return models;
}

const MODEL_EXT = /\.(m?js|cjs|m?ts)$/;

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || MODEL_EXT.test(ref);
}

export async function loadModel(ref: string, cwd: string): Promise<LoadedModel> {
  const found = models.find((m) => m.name === ref);
  if (found) return { model: found, ref };
  if (!looksLikePath(ref)) {
    throw new ModelError(
      `unknown model '${ref}' (known: ${models.map((m) => m.name).join(', ')}; or give a path to a model file)`,
      'unknown-model',
    );
  }
  const file = path.resolve(cwd, ref);
  if (!existsSync(file)) throw new ModelError(`model file '${ref}' not found`, 'unknown-model');
  if (statSync(file).isDirectory())
    throw new ModelError(`model file '${ref}' is a directory; give the model's .ts/.js file`, 'unknown-model');
  if (!statSync(file).isFile()) throw new ModelError(`model file '${ref}' is not a regular file`, 'unknown-model');
  let mod: Record<string, unknown>;
  try {
    mod = /\.m?ts$/.test(file)
      ? await importTs(file)
      : ((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`cannot load model file '${ref}': ${loadFailure(e, file)}`, 'model-threw');
  }
  return { model: checkShape(unwrapDefault(mod.default), ref, file), ref, file };
}

/** The first line of a load error, with the loader's noise (data: URLs, long module text) cut. */
function loadFailure(e: unknown, file: string): string {
  const msg = (e instanceof Error ? e.message : String(e))
    .replace(/\s*\n\s*/g, ' ')
    .replace(/data:[^\s'"]+/g, `'${file}'`);
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(msg);
  if (missing) return `it imports '${missing[1]}', which cannot be resolved from ${path.dirname(file)}`;
  return msg.length > 300 ? msg.slice(0, 299) + '…' : msg;
}

/** A CommonJS module compiled from `export default` holds the model under `default`. */
function unwrapDefault(m: unknown): unknown {
  const inner = (m as { default?: unknown } | null | undefined)?.default;
  return m && typeof m === 'object' && !('build' in m) && inner && typeof inner === 'object' ? inner : m;
}

/** The module text says CommonJS (`module.exports`, `exports.x =`, `require(`). */
function looksCommonJs(file: string): boolean {
  try {
    return /\bmodule\.exports\b|^\s*exports\.\w+\s*=|\brequire\(/m.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

function checkShape(m: unknown, ref: string, file: string): Model {
  const o = m as Partial<Model> | undefined;
  const cjs = looksCommonJs(file);
  if (cjs && (!o || typeof o !== 'object' || typeof o.build !== 'function'))
    throw new ModelError(
      `model file '${ref}' is a CommonJS module whose exports are not a model: write an ES module with \`export default defineModel({...})\` (or set module.exports to the model)`,
      'bad-model',
    );
  if (!o || typeof o !== 'object')
    throw new ModelError(`model file '${ref}' has no default export (expected a Model, see defineModel)`, 'bad-model');
  const missing: string[] = [];
  if (typeof o.name !== 'string') missing.push('name');
  if (typeof o.build !== 'function') missing.push('build');
  if (!o.variants || typeof o.variants !== 'object' || Object.keys(o.variants).length === 0) missing.push('variants');
  if (!o.params || typeof o.params !== 'object') missing.push('params');
  if (missing.length)
    throw new ModelError(
      `the default export of '${ref}' is not a model (missing or bad: ${missing.join(', ')})`,
      'bad-model',
    );
  return o as Model;
}

/** A .ts file inside this repository has a compiled twin under dist/. */
function compiledTwin(file: string): string | null {
  const rel = path.relative(REPO_ROOT, file);
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.startsWith('dist' + path.sep)) return null;
  const twin = path.join(REPO_ROOT, 'dist', rel.replace(/\.ts$/, '.js').replace(/\.mts$/, '.mjs'));
  return existsSync(twin) ? twin : null;
}

/**
 * Load a TypeScript model with jiti (a maintained TypeScript loader): its imports resolve
 * relative to the file, `./x.js` finding `x.ts`. `mmcheck/…` names this checker's compiled
 * modules (`import { defineModel } from 'mmcheck/core/model.js'`), so a model outside the
 * repository shares the checker's classes.
 */
async function importTs(file: string): Promise<Record<string, unknown>> {
  const twin = compiledTwin(file);
  if (twin) return (await import(pathToFileURL(twin).href)) as Record<string, unknown>;
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, {
    alias: { 'mmcheck/': path.join(REPO_ROOT, 'dist', 'src') + '/' },
    fsCache: false,
    moduleCache: false,
    interopDefault: false,
  });
  return jiti.import<Record<string, unknown>>(file);
}
