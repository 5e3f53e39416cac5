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

/**
 * Calls `onChange` with the file's new text whenever what it says changes, and `onRefused`
 * when it can no longer be read as a policy file (not a regular file, over 64 KiB). Returns
 * the function that stops watching.
 */
export function watchPolicyFile(path: string, initial: string, onChange: (text: string) => void, onRefused: (error: string) => void): () => void {
  const { watch } = requirePayload<typeof ChokidarRuntime>('chokidar');
  let last = initial;
  const watcher = watch(dirname(path), { depth: 0, ignoreInitial: true, followSymlinks: false });
  const readAgain = () => {
    const read = readPolicyFileText(path);
    if ('error' in read) {
      // Mid-swap, or removed: the next change says more. Anything else is refused, once.
      if (/ENOENT|ENOTDIR/.test(read.error) || last === read.error) return;
      last = read.error;
      onRefused(read.error);
      return;
    }
    if (read.text === last) return;
    last = read.text;
    onChange(read.text);
  };
  watcher.on('all', readAgain);
  watcher.on('ready', readAgain);
  return () => void watcher.close();
}
