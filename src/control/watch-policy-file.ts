// Watching PROCWARDEN_POLICY_FILE with chokidar. A Kubernetes ConfigMap is a symlink through
// `..data`, which the kubelet swaps atomically: so the file's folder is watched, and the
// file read again (through its symlinks) after any change there, and passed on only when
// what it says has changed. inotify underneath: no wake-up while nothing changes.

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { requirePayload } from '../bundle/payloads.ts';
import type * as ChokidarRuntime from './chokidar-runtime.ts';

export function watchPolicyFile(path: string, initial: string, onChange: (text: string) => void): () => void {
  const { watch } = requirePayload<typeof ChokidarRuntime>('chokidar');
  let last = initial;
  const watcher = watch(dirname(path), { depth: 0, ignoreInitial: true, followSymlinks: false });
  watcher.on('all', () => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // mid-swap, or removed: the next change says more
    }
    if (text === last) return;
    last = text;
    onChange(text);
  });
  return () => void watcher.close();
}
