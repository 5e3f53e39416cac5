// procwarden's code, and pino, start from V8 code caches made at build time (scripts/build.ts)
// by one run of the bundle as a Procfile service: a start deserializes the functions that run
// compiled instead of compiling them again (bench/README.md, start-up). A cache fits only the
// V8 that made it (Node's version and V8's flags): any other rejects it, and the code is
// compiled from its text as without one.

import type { Script } from 'node:vm';

/** The CommonJS module parameters a payload's code is wrapped in. */
const PARAMETERS = 'exports, require, module, __filename, __dirname';

/**
 * A CommonJS module's code as the function expression a payload carries and V8 compiles:
 * `(function (exports, require, module, __filename, __dirname) {CODE\n})`. The build wraps
 * each module payload so (scripts/bundle-parts.ts); its code cache fits this text only.
 */
export function moduleFunctionSource(code: string): string {
  return `(function (${PARAMETERS}) {${code}\n})`;
}

/** Every script compiled here, by payload name: what the build's run serializes (scripts/code-cache-run.cjs). */
const SCRIPTS = Symbol.for('procwarden.codeScripts');

/** Where that run puts the function that serializes them, called just before procwarden's own _exit. */
const BEFORE_EXIT_NOW = Symbol.for('procwarden.beforeExitNow');

type Registry = { [SCRIPTS]?: Map<string, Script>; [BEFORE_EXIT_NOW]?: () => void };

/**
 * `text` copied into V8's old generation: the copy V8 makes of a string that becomes a
 * property key. A plain copy of procwarden's code (185 KB) would be a young large object, and
 * at start the young generation holds the whole bundle file as Node read it (1 MB, as much as
 * the young generation's first size), so that allocation fails and costs a scavenge of about
 * 0.8 ms. A slice of the file's text is no copy, but would keep all of it (1 MB) for
 * procwarden's life. Longer strings than 16 K characters are hashed by their length alone,
 * so the key costs the copy and no more.
 */
function inOldGeneration(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

/**
 * A payload's module function (moduleFunctionSource), compiled with its code cache when one
 * is given (and fits), then run to the function. `filename` names it in stack traces. Throws
 * a SyntaxError for text that is not JavaScript.
 */
export function compileModule(name: string, source: string, cachedData: Buffer | undefined, filename: string): (...parameters: unknown[]) => void {
  const { Script } = process.getBuiltinModule('node:vm');
  const script = new Script(inOldGeneration(source), { filename, cachedData });
  const registry = globalThis as Registry;
  (registry[SCRIPTS] ??= new Map()).set(name, script);
  return script.runInThisContext() as (...parameters: unknown[]) => void;
}

/** Runs the build's hook, if there is one; at any other time a lookup of an absent property. */
export function beforeExitNow(): void {
  (globalThis as Registry)[BEFORE_EXIT_NOW]?.();
}
