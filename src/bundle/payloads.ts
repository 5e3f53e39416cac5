// Payloads that travel in dist/procwarden after its first code (bootstrap.ts), one comment
// each, and an index of them at the file's end:
//
//   /*procwarden-payload:NAME:ENCODING:BASE64*/      ENCODING: raw or gzip
//   /*procwarden-index:{"NAME":[OFFSET,LENGTH,"ENCODING"],...}*/
//
// OFFSET and LENGTH (bytes) place each payload's BASE64 in the file, so a payload is read with
// two small reads (the file's last 4 KB, then its bytes) and never a search of the file.
//
// V8 skips a comment of 1.5 MB in about 1 ms; the same bytes as a string literal take it
// 7 to 11 ms to compile, at every start. So procwarden's own code and its code cache, its
// native code and code that a plain init does not need at start (pino, the shell parser, the
// web interface) ride here, and are read back from the file when needed. What is rarely
// needed is gzipped, so that every start reads less.
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
export type PayloadEncoding = 'raw' | 'gzip';

/** Whether this is the standalone executable (a Node single-executable application). */
export function isStandalone(): boolean {
  return process.getBuiltinModule('node:sea').isSea();
}

const INDEX = 'procwarden-index:';

/** Where the index is looked for: it is the file's last comment, and its size grows with the payloads' names alone. */
const INDEX_WINDOW = 4096;

export interface Payload {
  readonly name: PayloadName;
  /**
   * How it travels in dist/procwarden: what a start needs (the code and its cache, pino, the
   * native addon at a container's first start) raw, as inflating would load node:zlib, some
   * 7 ms; what only the linter, the policy-file watch or the web interface reads, gzipped.
   */
  readonly encoding: PayloadEncoding;
  /** The payload itself (bundleWithPayloads gzips it when `gzip`). */
  readonly bytes: Uint8Array;
}

type PayloadIndex = Partial<Record<PayloadName, [offset: number, length: number, encoding: PayloadEncoding]>>;

/**
 * A bundle file's bytes: `code` (the first code, starting with its `#!` line), then each
 * payload's comment, in the order given, then their index (scripts/build.ts). Pure, but for
 * loading node:zlib.
 */
export function bundleWithPayloads(code: Uint8Array, payloads: readonly Payload[]): Buffer {
  const parts: Buffer[] = [Buffer.from(code)];
  const index: PayloadIndex = {};
  let offset = code.length;
  for (const { name, encoding, bytes } of payloads) {
    const stored = encoding === 'gzip' ? process.getBuiltinModule('node:zlib').gzipSync(bytes, { level: 9 }) : bytes;
    const base64 = Buffer.from(stored).toString('base64');
    const head = `\n/*${PREFIX}${name}:${encoding}:`;
    index[name] = [offset + head.length, base64.length, encoding];
    parts.push(Buffer.from(`${head}${base64}*/`, 'latin1'));
    offset += head.length + base64.length + '*/'.length;
  }
  parts.push(Buffer.from(`\n/*${INDEX}${JSON.stringify(index)}*/\n`, 'latin1'));
  return Buffer.concat(parts);
}

/**
 * Where the bootstrap keeps its descriptor of the bundle file, open for procwarden's life
 * (close-on-exec, as Node opens every file): a payload read late (the web interface's code,
 * the linter's) comes from the file procwarden started from, even once that path is gone or
 * holds another build (an upgrade in place).
 */
const BUNDLE_FD = Symbol.for('procwarden.bundleFd');

/** Keeps `fd` (the bundle file's, open for reading) for the payloads read later. */
export function keepBundleDescriptor(fd: number): void {
  (globalThis as { [BUNDLE_FD]?: number })[BUNDLE_FD] = fd;
}

/** The bundle file's descriptor the bootstrap keeps; undefined in the standalone executable and in tests. */
export function bundleDescriptor(): number | undefined {
  return (globalThis as { [BUNDLE_FD]?: number })[BUNDLE_FD];
}

/**
 * The payloads named, as stored in a bundle file, given by path or by a descriptor open for
 * reading (left open), found through its index: each decoded from base64, still gzipped if
 * so stored; a name the file does not carry is absent. Throws the file's read errors.
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
    const tail = read(Math.max(0, size - INDEX_WINDOW), Math.min(size, INDEX_WINDOW));
    const start = tail.lastIndexOf(`/*${INDEX}`);
    const end = tail.lastIndexOf('*/');
    if (start < 0 || end < start) return found;
    const index = JSON.parse(tail.toString('latin1', start + 2 + INDEX.length, end)) as PayloadIndex;
    for (const name of names) {
      const entry = index[name];
      if (entry) found.set(name, { encoding: entry[2], bytes: Buffer.from(read(entry[0], entry[1]).toString('latin1'), 'base64') });
    }
    return found;
  } finally {
    if (fd !== file) closeSync(fd);
  }
}

/** One payload of a bundle file (readPayloadsFromFile), or undefined. */
export function findPayloadInFile(file: string | number, name: PayloadName): { encoding: PayloadEncoding; bytes: Buffer } | undefined {
  return readPayloadsFromFile(file, [name]).get(name);
}

/** A payload of the running bundle, decoded; undefined when it is not there. */
function payloadIfAny(name: PayloadName): Buffer | undefined {
  if (isStandalone()) {
    const sea = process.getBuiltinModule('node:sea');
    return sea.getAssetKeys().includes(name) ? Buffer.from(sea.getRawAsset(name)) : undefined;
  }
  const payload = findPayloadInFile(bundleDescriptor() ?? __filename, name);
  // zlib is loaded only here: loading it costs a start about 7 ms.
  return payload && (payload.encoding === 'gzip' ? process.getBuiltinModule('node:zlib').gunzipSync(payload.bytes) : payload.bytes);
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
  const code = readPayload(name).toString('utf8');
  compileModule(name, code, payloadIfAny(`${name}-cache`), `procwarden:${name}`)(module.exports, require, module, __filename, __dirname);
  return module.exports as T;
}
