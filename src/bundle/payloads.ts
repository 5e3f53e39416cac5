// Payloads that travel in dist/procwarden after its first code (bootstrap.ts): a function the
// code never calls, whose body is one comment a payload, then an index of them:
//
//   function procwardenPayloads() {
//   /*procwarden-payload:NAME:ENCODING:DATA*/      ENCODING: text, raw or brotli
//   /*procwarden-index:{"start":START,"payloads":{"NAME":[OFFSET,LENGTH,"ENCODING"],...}}*/
//   }
//
// DATA is code itself (text: ASCII JavaScript with no comment end in it), or base64 of the
// bytes (raw), or of their brotli compression (brotli). START is the function's byte offset
// in the file; OFFSET and LENGTH place each payload's DATA from there, so that a payload is
// read from the file with two small reads (the file's last 4 KB, then its bytes) and never a
// search. At start, the bootstrap reads none: Node has read the whole file already, and the
// function's text (its toString(), a slice of what Node read) holds the code and its cache.
//
// V8 skips a comment of 1.5 MB in about 1 ms; the same bytes as a string literal take it
// 7 to 11 ms to compile, at every start. So procwarden's own code and its code cache, its
// native code and code that a plain init does not need at start (pino, the shell parser, the
// web interface) ride here. What is rarely needed is compressed, so that every start reads
// (and V8 scans) less: each 100 KB of the file costs every start about 0.15 ms.
//
// In the standalone executable (a Node single-executable application) the same payloads are
// its assets, stored raw: Node maps them with the executable, so reading one copies nothing.
//
// This module is part of the bootstrap, which runs as an ES module where a package.json says
// "type": "module": so it imports no module at its top (Node's built-ins are reached with
// process.getBuiltinModule), as esbuild would make such an import a require().

import { compileModule } from './code-cache.ts';

const PREFIX = 'procwarden-payload:';

/** A payload that is native code, loaded by src/native/native-cache.ts. */
export type NativePayloadName = 'libc';
/** A payload that is a CommonJS module, run by requirePayload. */
export type ModulePayloadName = 'pino' | 'tree-sitter' | 'chokidar' | 'web' | 'lint';
/**
 * `code`: procwarden's own code (bootstrap.ts); `NAME-cache`: the V8 code cache of that
 * module, where the build made one (code-cache.ts).
 */
export type PayloadName = NativePayloadName | ModulePayloadName | 'code' | `${'code' | ModulePayloadName}-cache` | 'tree-sitter-wasm' | 'tree-sitter-bash-wasm';
export type PayloadEncoding = 'text' | 'raw' | 'brotli';

/** Whether this is the standalone executable (a Node single-executable application). */
export function isStandalone(): boolean {
  return process.getBuiltinModule('node:sea').isSea();
}

const INDEX = 'procwarden-index:';

/** The name of the function that holds the payloads (its declaration ends the bundle file). */
export const PAYLOAD_FUNCTION = 'procwardenPayloads';

/** Where the index is looked for: it is the file's last comment, and its size grows with the payloads' names alone. */
const INDEX_WINDOW = 4096;

export interface Payload {
  readonly name: PayloadName;
  /**
   * How it travels in dist/procwarden: code that a start runs (procwarden's own, pino) as
   * text, read as it is; other bytes a start needs (the code caches, the native addon at a
   * container's first start) raw, as decompressing would load node:zlib, 2 to 4 ms; what
   * only the linter, the policy-file watch or the web interface reads, compressed with
   * brotli.
   */
  readonly encoding: PayloadEncoding;
  /** The payload itself (bundleWithPayloads compresses it when `brotli`). */
  readonly bytes: Uint8Array;
}

/** The index: where the payload function starts in the file (bytes), and each payload's data from there. */
interface PayloadIndex {
  readonly start: number;
  readonly payloads: Partial<Record<PayloadName, [offset: number, length: number, encoding: PayloadEncoding]>>;
}

/**
 * A bundle file's bytes: `code` (the first code, starting with its `#!` line), then the
 * payload function: each payload's comment, in the order given, then their index
 * (scripts/build.ts). Pure, but for loading node:zlib. Throws for a text payload that is not
 * ASCII or holds a comment's end.
 */
export function bundleWithPayloads(code: Uint8Array, payloads: readonly Payload[]): Buffer {
  const opening = `\nfunction ${PAYLOAD_FUNCTION}() {`;
  const parts: string[] = [opening];
  const index: PayloadIndex = { start: code.length + 1, payloads: {} };
  let offset = opening.length - 1;
  for (const { name, encoding, bytes } of payloads) {
    const data = encoding === 'text' ? asText(name, bytes) : Buffer.from(encoding === 'brotli' ? compressed(bytes) : bytes).toString('base64');
    const head = `\n/*${PREFIX}${name}:${encoding}:`;
    index.payloads[name] = [offset + head.length, data.length, encoding];
    parts.push(`${head}${data}*/`);
    offset += head.length + data.length + '*/'.length;
  }
  parts.push(`\n/*${INDEX}${JSON.stringify(index)}*/\n}\n`);
  return Buffer.concat([Buffer.from(code), Buffer.from(parts.join(''), 'latin1')]);
}

/** `bytes` as brotli compresses them at its best (quality 11, a 16 MiB window): a quarter less than gzip -9 here. */
function compressed(bytes: Uint8Array): Buffer {
  const zlib = process.getBuiltinModule('node:zlib');
  const { BROTLI_PARAM_QUALITY, BROTLI_MAX_QUALITY, BROTLI_PARAM_LGWIN, BROTLI_PARAM_SIZE_HINT } = zlib.constants;
  return zlib.brotliCompressSync(bytes, { params: { [BROTLI_PARAM_QUALITY]: BROTLI_MAX_QUALITY, [BROTLI_PARAM_LGWIN]: 24, [BROTLI_PARAM_SIZE_HINT]: bytes.length } });
}

/** A text payload's bytes as the comment's text; throws where they are not ASCII, or would end the comment. */
function asText(name: PayloadName, bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('latin1');
  if (/[^\x00-\x7f]/.test(text)) throw new Error(`payload '${name}' is stored as text, but is not ASCII`);
  if (text.includes('*/')) throw new Error(`payload '${name}' is stored as text, but holds '*/', which would end its comment`);
  return text;
}

/**
 * Where the bootstrap keeps its descriptor of the bundle file, open for procwarden's life
 * (close-on-exec, as Node opens every file): a payload read late (the web interface's code,
 * the linter's) comes from the file procwarden started from, even once that path is gone or
 * holds another build (an upgrade in place).
 */
const BUNDLE_FD = Symbol.for('procwarden.bundleFd');

/**
 * What fstat said of the bundle file at start (its size, and when its content last changed,
 * in ms): a payload read later from a file written since comes from other bytes than the code
 * running. (Not its ctime: the removal of its name, which leaves procwarden's copy as it was,
 * changes that too.)
 */
const BUNDLE_STAT = Symbol.for('procwarden.bundleStat');

type BundleStat = { readonly size: number; readonly mtimeMs: number };

/** Keeps `fd` (the bundle file's, open for reading) for the payloads read later, and what the file is now. */
export function keepBundleDescriptor(fd: number): void {
  (globalThis as { [BUNDLE_FD]?: number })[BUNDLE_FD] = fd;
  (globalThis as { [BUNDLE_STAT]?: BundleStat })[BUNDLE_STAT] = statOf(fd);
}

function statOf(fd: number): BundleStat {
  const { size, mtimeMs } = process.getBuiltinModule('node:fs').fstatSync(fd);
  return { size, mtimeMs };
}

/**
 * Throws when the bundle file procwarden started from was written over in place since (`cp
 * NEW OLD` writes into the same file; a removal, `mv` or `install` leaves procwarden's copy
 * alone): its payloads are no longer the running code's.
 */
function checkBundleUnchanged(fd: number): void {
  const atStart = (globalThis as { [BUNDLE_STAT]?: BundleStat })[BUNDLE_STAT];
  const now = statOf(fd);
  if (atStart && (now.size !== atStart.size || now.mtimeMs !== atStart.mtimeMs)) {
    throw new Error(
      `${__filename} was written over in place since procwarden started (as \`cp NEW OLD\` does), so what it carries is not this procwarden's any more: restart procwarden; upgrade it by replacing the file (\`mv\`, \`install\`), which leaves a running procwarden its own`,
    );
  }
}

/** The bundle file's descriptor the bootstrap keeps; undefined in the standalone executable and in tests. */
export function bundleDescriptor(): number | undefined {
  return (globalThis as { [BUNDLE_FD]?: number })[BUNDLE_FD];
}

/**
 * The payloads named, as stored in a bundle file, given by path or by a descriptor open for
 * reading (left open), found through its index: a text payload's bytes as they are, any
 * other decoded from base64, still compressed if so stored; a name the file does not carry is
 * absent. Throws the file's read errors.
 */
export function readPayloadsFromFile(file: string | number, names: readonly PayloadName[]): Map<PayloadName, { encoding: PayloadEncoding; bytes: Buffer }> {
  const { closeSync, fstatSync, openSync, readSync } = process.getBuiltinModule('node:fs');
  const found = new Map<PayloadName, { encoding: PayloadEncoding; bytes: Buffer }>();
  const fd = typeof file === 'number' ? file : openSync(file, 'r');
  try {
    const read = (start: number, length: number) => {
      const bytes = Buffer.allocUnsafe(length);
      return bytes.subarray(0, readSync(fd, bytes, 0, length, start));
    };
    const size = fstatSync(fd).size;
    const index = indexIn(read(Math.max(0, size - INDEX_WINDOW), Math.min(size, INDEX_WINDOW)).toString('latin1'));
    if (!index) return found;
    for (const name of names) {
      const entry = index.payloads[name];
      if (!entry) continue;
      const data = read(index.start + entry[0], entry[1]);
      found.set(name, { encoding: entry[2], bytes: entry[2] === 'text' ? data : Buffer.from(data.toString('latin1'), 'base64') });
    }
    return found;
  } finally {
    if (fd !== file) closeSync(fd);
  }
}

/** The index that ends `text` (a bundle file's tail, or the payload function's text), or undefined. */
function indexIn(text: string): PayloadIndex | undefined {
  const start = text.lastIndexOf(`/*${INDEX}`);
  // The index holds no '*': the first after its start ends it.
  const end = text.indexOf('*', start + 2);
  return start < 0 || end < 0 ? undefined : (JSON.parse(text.slice(start + 2 + INDEX.length, end)) as PayloadIndex);
}

/**
 * The payloads named, from the text of the payload function (its toString(): a slice of the
 * file as Node read it, so nothing is read again), as their comments hold them: a text
 * payload's code, any other's base64. A name the text does not carry is absent.
 */
export function payloadsInText(text: string, names: readonly PayloadName[]): Map<PayloadName, { encoding: PayloadEncoding; data: string }> {
  const found = new Map<PayloadName, { encoding: PayloadEncoding; data: string }>();
  const index = indexIn(text);
  for (const name of names) {
    const entry = index?.payloads[name];
    if (entry) found.set(name, { encoding: entry[2], data: text.slice(entry[0], entry[0] + entry[1]) });
  }
  return found;
}

/** One payload of a bundle file (readPayloadsFromFile), or undefined. */
export function findPayloadInFile(file: string | number, name: PayloadName): { encoding: PayloadEncoding; bytes: Buffer } | undefined {
  return readPayloadsFromFile(file, [name]).get(name);
}

/**
 * Where the bootstrap keeps the payload function's text (its toString(): a slice of the file
 * as Node read it) for the start: the payloads a start needs (the native code, pino) are
 * sliced from it, not read from the file again. It holds the whole file (1 MB) alive, so
 * the start's release collection lets it go first (runtime/release-heap.ts); payloads needed
 * later are read from the file.
 */
const BUNDLE_TEXT = Symbol.for('procwarden.bundleText');

type TextSlot = { [BUNDLE_TEXT]?: string };

/** Keeps `text` (the payload function's) for the payloads the start reads. */
export function keepBundleText(text: string): void {
  (globalThis as TextSlot)[BUNDLE_TEXT] = text;
}

/** Lets the payload function's text go: later payloads are read from the file. */
export function releaseBundleText(): void {
  delete (globalThis as TextSlot)[BUNDLE_TEXT];
}

/** A payload's bytes as stored: still compressed if so stored. */
function storedPayload(name: PayloadName): { encoding: PayloadEncoding; bytes: Buffer } | undefined {
  const text = (globalThis as TextSlot)[BUNDLE_TEXT];
  if (text !== undefined) {
    const found = payloadsInText(text, [name]).get(name);
    return found && { encoding: found.encoding, bytes: Buffer.from(found.data, found.encoding === 'text' ? 'latin1' : 'base64') };
  }
  if (isStandalone()) {
    const sea = process.getBuiltinModule('node:sea');
    return sea.getAssetKeys().includes(name) ? { encoding: 'raw', bytes: Buffer.from(sea.getRawAsset(name)) } : undefined;
  }
  const fd = bundleDescriptor();
  if (fd !== undefined) checkBundleUnchanged(fd);
  return findPayloadInFile(fd ?? __filename, name);
}

/** A payload of the running bundle, decoded; undefined when it is not there. */
function payloadIfAny(name: PayloadName): Buffer | undefined {
  const payload = storedPayload(name);
  // zlib is loaded only here: loading it costs a start 2 to 4 ms.
  return payload && (payload.encoding === 'brotli' ? process.getBuiltinModule('node:zlib').brotliDecompressSync(payload.bytes) : payload.bytes);
}

/** A payload of the running bundle, decoded; throws when it is not there (not built with npm run build). */
export function readPayload(name: PayloadName): Buffer {
  const payload = payloadIfAny(name);
  if (!payload) throw new Error(`${isStandalone() ? process.execPath : __filename} carries no '${name}' payload: build it with npm run build`);
  return payload;
}

/**
 * A CommonJS module carried as a payload (pino, web-tree-sitter), compiled now, in the
 * bundle's place, from its code cache when the build made one (pino's: code-cache.ts).
 */
export function requirePayload<T>(name: ModulePayloadName): T {
  const module = { exports: {} };
  const source = readPayload(name).toString('utf8');
  compileModule(name, source, payloadIfAny(`${name}-cache`), `procwarden:${name}`)(module.exports, require, module, __filename, __dirname);
  return module.exports as T;
}
