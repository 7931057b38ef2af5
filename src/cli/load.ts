/**
 * Finding the model a command names: a registry name (models/index.ts) or a path to a model
 * file (.js/.mjs: imported; .ts/.mts: transpiled in memory with the `typescript` package).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ModelError, errorMessage } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { models } from '../../models/index.js';

/** The repository root (this file is dist/src/cli/load.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LoadedModel {
  readonly model: Model;
  /** How the user named it: what replay commands repeat. */
  readonly ref: string;
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
  if (!existsSync(file) || !statSync(file).isFile())
    throw new ModelError(`model file '${ref}' not found`, 'unknown-model');
  let mod: Record<string, unknown>;
  try {
    mod = /\.m?ts$/.test(file) ? await importTs(file) : await import(pathToFileURL(file).href);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`cannot load model file '${ref}': ${errorMessage(e)}`, 'model-threw');
  }
  return { model: checkShape(mod.default, ref), ref };
}

function checkShape(m: unknown, ref: string): Model {
  const o = m as Partial<Model> | undefined;
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
 * Transpile a TypeScript model in memory and import it as a data: URL. Import specifiers are
 * rewritten to absolute file URLs (relative ones against the file, packages as resolved from
 * it), since a data: module cannot resolve them itself.
 */
async function importTs(file: string): Promise<Record<string, unknown>> {
  const twin = compiledTwin(file);
  if (twin) return import(pathToFileURL(twin).href);
  let ts: typeof import('typescript');
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new ModelError(
      `cannot load '${file}': the 'typescript' package is not installed (compile the model to .js first)`,
      'bad-model',
    );
  }
  const source = readFileSync(file, 'utf8');
  const req = createRequire(file);
  const rewrite = (spec: string): string => {
    if (spec.startsWith('node:') || spec.startsWith('data:') || spec.startsWith('file:')) return spec;
    if (spec.startsWith('.') || path.isAbsolute(spec)) {
      const target = path.resolve(path.dirname(file), spec);
      if (!existsSync(target) && /\.js$/.test(target) && existsSync(target.replace(/\.js$/, '.ts')))
        throw new ModelError(
          `cannot load '${file}': it imports '${spec}', which exists only as TypeScript (compile the model and its imports to .js)`,
          'bad-model',
        );
      return pathToFileURL(target).href;
    }
    try {
      const resolved = req.resolve(spec);
      return path.isAbsolute(resolved) ? pathToFileURL(resolved).href : spec;
    } catch {
      return spec;
    }
  };
  const transformer: import('typescript').TransformerFactory<import('typescript').SourceFile> = (ctx) => {
    const visit = (node: import('typescript').Node): import('typescript').Node => {
      const f = ctx.factory;
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier))
        return f.updateImportDeclaration(
          node,
          node.modifiers,
          node.importClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text)),
          node.attributes,
        );
      if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
        return f.updateExportDeclaration(
          node,
          node.modifiers,
          node.isTypeOnly,
          node.exportClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text)),
          node.attributes,
        );
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments.length > 0 &&
        ts.isStringLiteral(node.arguments[0])
      )
        return f.updateCallExpression(node, node.expression, node.typeArguments, [
          f.createStringLiteral(rewrite(node.arguments[0].text)),
          ...node.arguments.slice(1),
        ]);
      return ts.visitEachChild(node, visit, ctx);
    };
    return (sf) => ts.visitNode(sf, visit) as import('typescript').SourceFile;
  };
  const out = ts.transpileModule(source, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: false,
      sourceMap: false,
    },
    transformers: { after: [transformer] },
  });
  const diag = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diag)
    throw new ModelError(
      `cannot compile '${file}': ${ts.flattenDiagnosticMessageText(diag.messageText, ' ')}`,
      'bad-model',
    );
  return import(`data:text/javascript;base64,${Buffer.from(out.outputText).toString('base64')}`);
}
