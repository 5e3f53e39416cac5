// The app's long-lived background processes that end while it goes on (orphans procwarden
// reaps): the runtime side of the "app runs in the background" mistake. Each is a
// `background-exit` pitfall; with PROCWARDEN_BACKGROUND_EXIT=crash, the first stands for the
// app's crash.

import type { Config } from '../config/config.ts';
import type { EventLog } from '../events/events.ts';
import type { Libc } from '../native/libc.ts';
import type { AppExit } from '../process/exit-status.ts';
import type { ProcStat } from '../process/proc-stat.ts';
import { msSinceBoot } from '../process/process-table.ts';
import { monotonicMs } from '../clock/monotonic.ts';

/** A background process that lived this long (ms) before exiting is worth a pitfall. */
const BACKGROUND_MIN_AGE_MS = 1000;

/** Pitfalls told one by one for one start of the app; the rest are counted. */
const BACKGROUND_EXITS_TOLD = 10;

export interface BackgroundExits {
  /** An orphan of the app's ended (`zombie`: what /proc said of it just before it was reaped). */
  ended(pid: number, exit: AppExit, zombie: ProcStat): void;
  /** A new start of the app: counts begin again. */
  reset(): void;
  /** Says how many were counted past those told, once the app has ended. */
  tellUntold(): void;
}

/** `crashed`: called once a start, with PROCWARDEN_BACKGROUND_EXIT=crash, for the first that counts. */
export function watchBackgroundExits(config: Config, libc: Libc, events: EventLog, crashed: (exit: AppExit) => void): BackgroundExits {
  // Start times in /proc count from boot: the boot clock is read once, at the first
  // background exit (not at every one, nor at every start).
  let bootToMonotonicMs: number | undefined;
  let told = 0;
  let untold = 0;
  let crash = false;
  return {
    reset() {
      told = 0;
      untold = 0;
      crash = false;
    },
    tellUntold() {
      if (untold === 0) return;
      events.emit('procwarden.warning', { detail: `${untold} more background processes of the app ended while it ran, past the ${BACKGROUND_EXITS_TOLD} told one by one` });
      untold = 0;
    },
    ended(pid, exit, zombie) {
      // Once one counts as the app's crash, the rest are procwarden's own killing.
      if (crash) return;
      bootToMonotonicMs ??= msSinceBoot() - monotonicMs();
      const ageMs = Math.round(bootToMonotonicMs + monotonicMs() - (zombie.startTicks * 1000) / libc.clockTicksPerSecond);
      if (ageMs < BACKGROUND_MIN_AGE_MS) return;
      // A burst (2,000 orphans ending together) is one fact, not 2,000 lines: the first few
      // are told one by one, the rest counted and told once the app ends.
      if (told >= BACKGROUND_EXITS_TOLD) {
        if (untold === 0) {
          events.emit('procwarden.warning', {
            detail: `${BACKGROUND_EXITS_TOLD} background processes of the app have ended while it goes on: further ones are counted, and told when the app ends`,
          });
        }
        untold += 1;
        return;
      }
      told += 1;
      crash = config.backgroundExit === 'crash';
      const how = exit.signal === null ? `exit code ${exit.code}` : exit.signal;
      events.emit(
        'pitfall',
        {
          rule: 'background-exit',
          detail: `${zombie.comm} (pid ${pid}) ran in the background for ${(ageMs / 1000).toFixed(1)} s and ended (${how}) while the app goes on${crash ? ': treated as a crash of the app' : ''}`,
          hint: crash
            ? 'run it in the foreground, or as a Procfile entry of its own'
            : 'run it in the foreground, or as a Procfile entry of its own; PROCWARDEN_BACKGROUND_EXIT=crash makes procwarden treat this as a crash',
          pid,
          command: zombie.comm,
          code: exit.code,
          signal: exit.signal,
          uptimeMs: ageMs,
        },
      );
      if (crash) crashed(exit);
    },
  };
}
