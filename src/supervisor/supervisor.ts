// The app's life under procwarden: start it, pass signals on, stop it on SIGTERM/SIGINT
// with a grace period, and return the exit code procwarden leaves with, once no process
// of the tree is left.

import type { Config } from '../config/config.ts';
import type { EventLog } from '../events/events.ts';
import type { Libc } from '../native/libc.ts';
import { decodeWaitStatus, exitCodeFor, type AppExit } from '../process/exit-status.ts';
import { killTree } from '../process/kill-tree.ts';
import { readDescendants } from '../process/process-table.ts';
import { startReaper } from '../process/reaper.ts';
import { spawnApp, type AppLaunch } from '../process/spawn-app.ts';
import { configureSignals, signalGroup } from '../signals/signals.ts';

/** Signal listeners do not hold Node's event loop open; this handle does, and never fires in practice. */
const KEEP_ALIVE_MS = 2 ** 31 - 1;

export async function supervise(config: Config, libc: Libc, events: EventLog, launch: AppLaunch): Promise<number> {
  const keepAlive = setInterval(() => {}, KEEP_ALIVE_MS);
  let appPid = 0;
  let startedAt = 0;
  let stopping = false;
  let stopTimer: NodeJS.Timeout | undefined;
  const { promise: appExited, resolve: onAppExit } = Promise.withResolvers<AppExit>();

  const reaper = startReaper(libc, (pid, status) => {
    if (pid !== appPid) return;
    const exit = decodeWaitStatus(status);
    if (exit) onAppExit(exit);
  });

  configureSignals(libc, {
    forward: (signal) => signalGroup(appPid, signal),
    stop: () => {
      if (stopping) return;
      stopping = true;
      // After the grace, SIGKILL to everything, including processes that left the app's
      // process group (setsid) and so never saw the forwarded signal.
      stopTimer = setTimeout(() => {
        for (const { pid } of readDescendants()) signalProcess(pid);
      }, config.stopTimeoutMs);
    },
  });

  appPid = spawnApp(libc, launch);
  startedAt = performance.now();
  events.emit('container.started', { pid: appPid, attempt: 1, mode: 'initial', command: config.command });

  const exit = await appExited;
  clearTimeout(stopTimer);
  const cause = stopping ? 'stop' : exit.code === 0 ? 'clean' : 'crash';
  events.emit('container.exited', {
    pid: appPid,
    code: exit.code,
    signal: exit.signal,
    uptimeMs: Math.round(performance.now() - startedAt),
    cause,
  });

  // Whatever the app left running goes with it: as PID 1 the kernel would kill it anyway
  // when procwarden exits; as a subreaper, nothing else would.
  await killTree(reaper);
  clearInterval(keepAlive);
  const code = exitCodeFor(exit);
  events.emit('procwarden.exit', { code });
  return code;
}

function signalProcess(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
