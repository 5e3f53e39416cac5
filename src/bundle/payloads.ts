// Payloads that travel at the end of dist/procwarden, one comment each:
//
//   /*procwarden-payload:NAME:BASE64*/
//
// V8 skips a comment of 1.5 MB in about 1 ms; the same bytes as a string literal take it
// 7 to 11 ms to compile, at every start. So koffi's native part and code that a plain init
// does not need at start (pino) ride here, and are read back from the file when needed.

import { readFileSync } from 'node:fs';

const PREFIX = 'procwarden-payload:';

export type PayloadName = 'koffi' | 'pino';

/** The comment that carries a payload (used by scripts/build.ts). Pure. */
export function payloadComment(name: PayloadName, bytes: Uint8Array): string {
  return `\n/*${PREFIX}${name}:${Buffer.from(bytes).toString('base64')}*/`;
}

/** A payload's bytes from the text of a bundle, or undefined. Pure. */
export function findPayload(bundle: string, name: PayloadName): Buffer | undefined {
  // The prefix also stands in this module's own code, above the payloads: take the last.
  const marker = `/*${PREFIX}${name}:`;
  const start = bundle.lastIndexOf(marker);
  if (start < 0) return undefined;
  const end = bundle.indexOf('*/', start);
  if (end < 0) return undefined;
  return Buffer.from(bundle.slice(start + marker.length, end), 'base64');
}

/** A payload of the running bundle; throws when it is not there (not built with npm run build). */
export function readPayload(name: PayloadName): Buffer {
  const payload = findPayload(readFileSync(__filename, 'latin1'), name);
  if (!payload) throw new Error(`${__filename} carries no '${name}' payload: build it with npm run build`);
  return payload;
}
