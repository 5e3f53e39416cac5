// Watching PROCWARDEN_POLICY_FILE with chokidar. A Kubernetes ConfigMap is a symlink through
// `..data`, which the kubelet swaps atomically: so the file's folder is watched, and the
// file read again (through its symlinks) after any change there, and passed on only when
// what it says has changed. inotify underneath: no wake-up while nothing changes. Once the
// watch is in place, the file is read once more: a change made between the start's read and
// the watch is not missed.

import { dirname } from 'node:path';
import { readPolicyFileText } from './read-policy-file.ts';
import { requirePayload } from '../bundle/payloads.ts';
import type * as ChokidarRuntime from './chokidar-runtime.ts';

/** How long the file may be missing before that is said (ms): an editor's or a swap's moment without it is not a removal. */
export const GONE_AFTER_MS = 1000;

/**
 * Calls `onChange` with the file's new text whenever what it says changes, and `onRefused`
 * when it can no longer be read as a policy file (not a regular file, over 64 KiB, or gone
 * for GONE_AFTER_MS: the policy stays as it is). Returns the function that stops watching.
 */
export function watchPolicyFile(path: string, initial: string, onChange: (text: string) => void, onRefused: (error: string) => void): () => void {
  const { watch } = requirePayload<typeof ChokidarRuntime>('chokidar');
  let last = initial;
  let goneTimer: NodeJS.Timeout | undefined;
  const watcher = watch(dirname(path), { depth: 0, ignoreInitial: true, followSymlinks: false });
  const refuse = (error: string) => {
    if (last === error) return;
    last = error;
    onRefused(error);
  };
  const readAgain = () => {
    clearTimeout(goneTimer);
    const read = readPolicyFileText(path);
    if ('error' in read) {
      // Mid-swap, or removed: said only if it stays so. Anything else is refused, once.
      if (/ENOENT|ENOTDIR/.test(read.error)) {
        goneTimer = setTimeout(() => {
          if ('error' in readPolicyFileText(path)) refuse('it is gone: the policy stays as it is, and a file put back applies what it changes');
        }, GONE_AFTER_MS);
        goneTimer.unref();
        return;
      }
      refuse(read.error);
      return;
    }
    if (read.text === last) return;
    last = read.text;
    onChange(read.text);
  };
  watcher.on('all', readAgain);
  watcher.on('ready', readAgain);
  return () => {
    clearTimeout(goneTimer);
    void watcher.close();
  };
}
