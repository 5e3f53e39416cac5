// The state dir procwarden keeps its snapshot, its control socket and its native code in:
// PROCWARDEN_STATE_DIR (/run/procwarden) when procwarden's user can have it as a private
// folder (private.ts), else a private folder of that user in the temporary folder,
// `procwarden-<uid>`. A procwarden that is not root (`docker run --user 1000:1000`, `USER`
// in the image) can make nothing in /run, and one run as another user than the image's
// build must not trust what that user left there: either way it gets a folder of its own,
// and `procwarden snapshot` run as that user at build time writes to the same folder.

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { whyNotPrivateDir } from './private.ts';

/** `<temporary folder>/procwarden-<uid>`: the state dir of a procwarden run as `uid` (default: its own euid) whose configured one is not usable. */
export function fallbackStateDir(uid: number = process.geteuid!()): string {
  return join(tmpdir(), `procwarden-${uid}`);
}

/**
 * The state dir to use, made (mode 0700) if missing: `configured` when it is, or can be made, a
 * private folder of procwarden's user; else fallbackStateDir() when that one is; else
 * `configured` (whatever uses it then says why it fails). `warning`: set when `configured`
 * exists but is not procwarden's (a build-time snapshot there is not used), for the events.
 */
export function usableStateDir(configured: string): { readonly dir: string; readonly warning?: string } {
  const why = whyNotPrivateDir(configured);
  if (why === undefined) return { dir: configured };
  const fallback = fallbackStateDir();
  if (fallback === configured || whyNotPrivateDir(fallback) !== undefined) return { dir: configured };
  if (!why.exists) return { dir: fallback };
  return {
    dir: fallback,
    warning: `the state dir ${configured} is not private to procwarden (${why.reason}): procwarden keeps its state in ${fallback}, and does not use a snapshot another user took in ${configured}`,
  };
}
