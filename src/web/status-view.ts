// What the web interface reads of `procwarden status` (the supervisor's view of each
// instance): the shape of the control protocol's `GET /status`, for the pure modules that
// turn it into Tutum's service objects, Prometheus metrics and the liveness answer. Pure.

import type { PolicyView } from '../events/events.ts';

/** One instance (or the lone app) as `GET /status` shows it. */
export interface InstanceView {
  /** The Procfile process type; none for an explicit COMMAND. */
  readonly processType?: string;
  /** A formation's instance name (`web.1`). */
  readonly process?: string;
  /** The supervisor's state: starting, running, stopping, waiting, stopped. */
  readonly state: string;
  /** The app's process while one runs: its pid, the attempt (1 first), the start's mode, how long up (ms). */
  readonly app: { readonly pid: number; readonly attempt: number; readonly mode: string; readonly uptimeMs: number } | null;
  /** Its health check, when it has one: `starting`, `healthy`, `failing`, `unhealthy`. */
  readonly health?: { readonly status: string; readonly failingStreak: number };
  /** Starts by mode (initial, restart, replace, recover) and exits by cause, since procwarden started. */
  readonly starts: Readonly<Record<string, number>>;
  readonly exits: Readonly<Record<string, number>>;
  readonly policy: PolicyView;
  /** Restarts and replacements left in their windows. */
  readonly restartsLeft: number;
  readonly replacesLeft: number;
  /** The start that waits out a backoff or a throttle: its mode and when (ISO 8601). */
  readonly nextStart: { readonly mode: string; readonly at: string } | null;
}

/** `GET /status`: the first instance's view, and every instance's in a formation. */
export type StatusView = InstanceView & { readonly instances?: readonly InstanceView[] };

/** Every instance of a status: a formation's, or the lone app. */
export const instancesOf = (status: StatusView): readonly InstanceView[] => status.instances ?? [status];

/** The name procwarden gives an instance's process type on the web (Tutum's service name, the metrics' `process`): `app` for a COMMAND. */
export const typeNameOf = (instance: InstanceView): string => instance.processType ?? 'app';

/** The process types of a status, in order, each with its instances. */
export function byType(status: StatusView): Map<string, InstanceView[]> {
  const types = new Map<string, InstanceView[]>();
  for (const instance of instancesOf(status)) {
    const name = typeNameOf(instance);
    types.set(name, [...(types.get(name) ?? []), instance]);
  }
  return types;
}
