// procwarden's code, and pino, start from V8 code caches made at build time (scripts/build.ts)
// by one run of the bundle as a Procfile service: a start deserializes the functions that run
// compiled instead of compiling them again (bench/README.md, start-up). A cache fits only the
// V8 that made it (Node's version and V8's flags): any other rejects it, and the code is
// compiled from its text as without one.

import type { Script } from 'node:vm';

/** The CommonJS module parameters a payload's code is wrapped in. */
const PARAMETERS = 'exports, require, module, __filename, __dirname';

/** Every script compiled here, by payload name: what the build's run serializes (scripts/code-cache-run.cjs). */
const SCRIPTS = Symbol.for('procwarden.codeScripts');

/** Where that run puts the function that serializes them, called just before procwarden's own _exit. */
const BEFORE_EXIT_NOW = Symbol.for('procwarden.beforeExitNow');

type Registry = { [SCRIPTS]?: Map<string, Script>; [BEFORE_EXIT_NOW]?: () => void };

/**
 * CommonJS module text, compiled with its code cache when one is given (and fits), as a
 * function of the module parameters. `filename` names it in stack traces. Throws a
 * SyntaxError for text that is not JavaScript.
 */
export function compileModule(name: string, code: string, cachedData: Buffer | undefined, filename: string): (...parameters: unknown[]) => void {
  const { Script } = process.getBuiltinModule('node:vm');
  const script = new Script(`(function (${PARAMETERS}) {${code}\n})`, { filename, cachedData });
  const registry = globalThis as Registry;
  (registry[SCRIPTS] ??= new Map()).set(name, script);
  return script.runInThisContext() as (...parameters: unknown[]) => void;
}

/** Runs the build's hook, if there is one; at any other time a lookup of an absent property. */
export function beforeExitNow(): void {
  (globalThis as Registry)[BEFORE_EXIT_NOW]?.();
}
