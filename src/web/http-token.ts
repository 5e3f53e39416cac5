// The web interface's token at start: PROCWARDEN_HTTP_TOKEN's, or the content of
// PROCWARDEN_HTTP_TOKEN_FILE (a mounted secret), read once.

import { readFileSync } from 'node:fs';
import type { HttpSettings } from './http-settings.ts';

/** `settings` with the token read from its file (trimmed), or why it cannot be: a line for exit 2. */
export function readHttpToken(settings: HttpSettings | undefined): HttpSettings | undefined | { error: string } {
  if (settings?.tokenFile === undefined) return settings;
  let token: string;
  try {
    token = readFileSync(settings.tokenFile, 'utf8').trim();
  } catch (error) {
    return { error: `PROCWARDEN_HTTP_TOKEN_FILE: cannot read ${settings.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  if (token === '') return { error: `PROCWARDEN_HTTP_TOKEN_FILE: ${settings.tokenFile} is empty` };
  return { ...settings, token };
}
