// The health checks of one start of an app: a probe one interval after the start, then one
// interval after each probe ends (Docker's schedule), one timer at a time and nothing in
// between; `health.failed` and `health.ok` events; and, after RETRIES failures in a row that
// count, the app is reported unhealthy once.

import type { EventLog } from '../events/events.ts';
import { monotonicMs } from '../clock/monotonic.ts';
import { afterProbe, type HealthCheck, type Probe } from './health-config.ts';
import { runProbe } from './probe.ts';

/** What `procwarden status` says of an app's health. */
export interface HealthView {
  /** `starting`: no probe has passed yet; `healthy`; `failing`: failures in a row, fewer than RETRIES; `unhealthy`: RETRIES of them. */
  readonly status: 'starting' | 'healthy' | 'failing' | 'unhealthy';
  readonly failingStreak: number;
  readonly lastOutput?: string;
  readonly lastCheckSecondsAgo?: number;
}

export interface HealthWatch {
  /** The app ended: no more probes (one under way ends at once: a command's group is killed, and its result ignored). */
  stop(): void;
  view(): HealthView;
}

/**
 * Probes `probe` (its $PORT already expanded) under `check`'s schedule from now, the app's
 * start. `unhealthy` is called once, when RETRIES failures in a row count; the probes stop
 * then. `process`: the instance's name in a formation, for the events.
 */
export function watchHealth(check: HealthCheck, probe: Probe, env: NodeJS.ProcessEnv, events: EventLog, unhealthy: () => void, process?: string): HealthWatch {
  const startedAt = monotonicMs();
  let state = { streak: 0, passedOnce: false };
  let stopped = false;
  let lastOutput: string | undefined;
  let lastCheckAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  /** Ends a probe under way when the app ends. */
  const cancel = new AbortController();
  const named = process === undefined ? {} : { process };

  const probeOnce = async (): Promise<void> => {
    const result = await runProbe(probe, check.timeoutMs, env, cancel.signal);
    if (stopped) return;
    lastOutput = result.output;
    lastCheckAt = monotonicMs();
    const next = afterProbe(state, result.healthy, lastCheckAt - startedAt, check);
    state = { streak: next.streak, passedOnce: next.passedOnce };
    if (!result.healthy) {
      events.emit('health.failed', { probe: probe.kind, output: result.output, streak: next.streak, retries: check.retries, counted: next.counted, ...named });
    } else if (next.recovered) {
      events.emit('health.ok', { probe: probe.kind, output: result.output, ...named });
    }
    if (next.unhealthy) {
      stopped = true;
      unhealthy();
      return;
    }
    schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => void probeOnce(), check.intervalMs);
  };
  schedule();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      cancel.abort();
    },
    view() {
      const status = state.streak >= check.retries ? 'unhealthy' : state.streak > 0 ? 'failing' : state.passedOnce ? 'healthy' : 'starting';
      return {
        status,
        failingStreak: state.streak,
        ...(lastOutput === undefined ? {} : { lastOutput }),
        ...(lastCheckAt === undefined ? {} : { lastCheckSecondsAgo: Math.round((monotonicMs() - lastCheckAt) / 1000) }),
      };
    },
  };
}
