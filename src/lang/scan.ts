/**
 * What a step body, a local computation or a branch condition does with the thread's locals,
 * read from its source text (`Function.prototype.toString`), for the liveness analysis
 * (src/lang/liveness.ts). The scan over-approximates reads and under-approximates writes, so a
 * local it calls dead is dead:
 *  - reads: every `c.l.NAME` (a body's context `c`) or `l.NAME` (a computation's locals `l`) in
 *    the text, wherever it is (an untaken branch or a string counts too). If the parameter is
 *    used any other way — passed to a helper (`folioPut(c, f(c))`), spread, indexed, aliased,
 *    destructured — the function may read every local (`null`). `c.get`, `c.set`, `c.touch`,
 *    `c.await`, `c.let`, `c.bug`, `c.lockOp` and `c.tid` read no local.
 *  - definite writes: only when the whole function is `(c) => c.let({ a: …, b: … })` or
 *    `(l) => ({ a: …, b: … })`: the keys of that object literal, written on every run that
 *    finishes the step (a run that blocks or raises a BUG has no successor).
 */
export interface LocalUse {
  /** Locals the function may read before writing them; null: any local. */
  readonly reads: readonly string[] | null;
  /** Locals it writes whenever it completes. */
  readonly writes: readonly string[];
}

const IDENT = '[A-Za-z_$][\\w$]*';
const CTX_METHODS = new Set(['get', 'set', 'touch', 'await', 'let', 'bug', 'lockOp', 'tid']);
const cache = new WeakMap<object, LocalUse>();
const ANY: LocalUse = { reads: null, writes: [] };

/** Scan a step body (`ctx`: its parameter is the context) or a local computation/condition (`locals`). */
export function scanLocals(fn: (...a: never[]) => unknown, kind: 'ctx' | 'locals'): LocalUse {
  let u = cache.get(fn);
  if (!u) cache.set(fn, (u = scan(fn.toString(), kind)));
  return u;
}

function scan(src: string, kind: 'ctx' | 'locals'): LocalUse {
  const head = new RegExp(`^\\s*(?:async\\s+)?(?:function\\b[^(]*)?\\(?\\s*(${IDENT})\\s*([,)=])`).exec(src);
  if (!head) return src.trimStart().startsWith('()') ? { reads: [], writes: [] } : ANY;
  const p = head[1];
  const rest = src.slice(head[0].length - 1);
  const reads = new Set<string>();
  const use = new RegExp(`(?<![\\w$])${p.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
  const member = new RegExp(kind === 'ctx' ? `^\\.l\\.(${IDENT})` : `^\\.(${IDENT})`);
  for (let m = use.exec(rest); m; m = use.exec(rest)) {
    // `x.c` is another object's member; `...c` (a spread) is a use of `c`.
    if (rest[m.index - 1] === '.' && rest[m.index - 2] !== '.') continue;
    const after = rest.slice(m.index + p.length);
    const r = member.exec(after);
    if (r) {
      reads.add(r[1]);
      continue;
    }
    const method = kind === 'ctx' ? new RegExp(`^\\.(${IDENT})`).exec(after) : null;
    if (method && CTX_METHODS.has(method[1]) && method[1] !== 'l') continue;
    return ANY;
  }
  return { reads: [...reads], writes: definiteWrites(src, p, kind) };
}

/** The keys of the object literal a function consists of (`c => c.let({…})`, `l => ({…})`). */
function definiteWrites(src: string, p: string, kind: 'ctx' | 'locals'): string[] {
  const q = p.replace(/\$/g, '\\$');
  const form =
    kind === 'ctx'
      ? new RegExp(`^\\s*\\(?\\s*${q}\\s*\\)?\\s*=>\\s*${q}\\.let\\(\\s*\\{([\\s\\S]*)\\}\\s*\\)\\s*$`)
      : new RegExp(`^\\s*\\(?\\s*${q}\\s*(?:,\\s*${IDENT}\\s*)?\\)?\\s*=>\\s*\\(\\s*\\{([\\s\\S]*)\\}\\s*\\)\\s*$`);
  const m = form.exec(src);
  if (!m) return [];
  const parts = topLevel(m[1]);
  if (!parts) return [];
  const keys: string[] = [];
  for (const part of parts) {
    const k = new RegExp(`^\\s*(${IDENT})\\s*(?::|$)`).exec(part);
    if (k) keys.push(k[1]);
  }
  return keys;
}

/** Split an object literal's body at its top-level commas; null if it is not one balanced literal. */
function topLevel(body: string): string[] | null {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (--depth < 0) return null;
    } else if (ch === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || quote) return null;
  parts.push(body.slice(start));
  return parts;
}
