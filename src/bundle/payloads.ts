// Payloads that travel at the end of dist/procwarden, one comment each:
//
//   /*procwarden-payload:NAME:ENCODING:BASE64*/      ENCODING: raw or gzip
//
// V8 skips a comment of 1.5 MB in about 1 ms; the same bytes as a string literal take it
// 7 to 11 ms to compile, at every start. So procwarden's native code and code that a plain
// init does not need at start (pino, the shell parser, the web interface) ride here, and are
// read back from the file when needed. What is rarely needed is gzipped, so that every start
// reads less. The payload needed most (the native code, at a container's first start) comes
// last and pino before it: a payload is looked for in the file's last 64 KB first, then its
// last 512 KB, and only then in the whole file.
//
// In the standalone executable (a Node single-executable application) the same payloads are
// its assets, stored raw: Node maps them with the executable, so reading one copies nothing.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { compileFunction } from 'node:vm';

const PREFIX = 'procwarden-payload:';

/** A payload that is native code, loaded by src/native/native-cache.ts. */
export type NativePayloadName = 'libc';
export type PayloadName = NativePayloadName | 'pino' | 'tree-sitter' | 'tree-sitter-wasm' | 'tree-sitter-bash-wasm' | 'chokidar' | 'web';
export type PayloadEncoding = 'raw' | 'gzip';

/** The comment that carries a payload, its bytes already encoded (used by scripts/build.ts). Pure. */
export function payloadComment(name: PayloadName, encoding: PayloadEncoding, bytes: Uint8Array): string {
  return `\n/*${PREFIX}${name}:${encoding}:${Buffer.from(bytes).toString('base64')}*/`;
}

/** A payload as stored in the text of a bundle, or undefined. Pure. */
export function findPayload(bundle: string, name: PayloadName): { encoding: PayloadEncoding; bytes: Buffer } | undefined {
  // The prefix also stands in this module's own code, above the payloads: take the last.
  const marker = `/*${PREFIX}${name}:`;
  const start = bundle.lastIndexOf(marker);
  if (start < 0) return undefined;
  const colon = bundle.indexOf(':', start + marker.length);
  const end = bundle.indexOf('*/', start);
  if (colon < 0 || end < colon) return undefined;
  const encoding = bundle.slice(start + marker.length, colon);
  if (encoding !== 'raw' && encoding !== 'gzip') return undefined;
  return { encoding, bytes: Buffer.from(bundle.slice(colon + 1, end), 'base64') };
}

/** Whether this is the standalone executable (a Node single-executable application). */
export function isStandalone(): boolean {
  return process.getBuiltinModule('node:sea').isSea();
}

/** The bytes a window of this size would read at the end of a file, growing: 64 KB, 512 KB, the whole file. */
const TAIL_WINDOWS = [64 << 10, 512 << 10, Infinity];

/**
 * A payload as stored at the end of `file`, read from as little of its tail as holds it.
 * The payloads follow the code, so a tail that holds the payload's marker holds the payload,
 * and a tail that reaches back into the code holds every payload.
 */
export function findPayloadInFile(file: string, name: PayloadName): ReturnType<typeof findPayload> {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    for (const window of TAIL_WINDOWS) {
      const start = Math.max(0, size - window);
      const tail = Buffer.allocUnsafe(size - start);
      readSync(fd, tail, 0, tail.length, start);
      const payload = findPayload(tail.toString('latin1'), name);
      if (payload || start === 0) return payload;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** A payload of the running bundle, decoded; throws when it is not there (not built with npm run build). */
export function readPayload(name: PayloadName): Buffer {
  if (isStandalone()) return Buffer.from(process.getBuiltinModule('node:sea').getRawAsset(name));
  const payload = findPayloadInFile(__filename, name);
  if (!payload) throw new Error(`${__filename} carries no '${name}' payload: build it with npm run build`);
  // zlib is loaded only here: loading it costs a start about 7 ms.
  return payload.encoding === 'gzip' ? process.getBuiltinModule('node:zlib').gunzipSync(payload.bytes) : payload.bytes;
}

/** A CommonJS module carried as a payload (pino, web-tree-sitter), compiled now, in the bundle's place. */
export function requirePayload<T>(name: PayloadName): T {
  const module = { exports: {} };
  const code = readPayload(name).toString('utf8');
  const wrapper = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: `procwarden:${name}` });
  wrapper(module.exports, require, module, __filename, __dirname);
  return module.exports as T;
}
