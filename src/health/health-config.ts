// PROCWARDEN_HEALTHCHECK and its options, read from the environment: Docker's HEALTHCHECK
// options and defaults (docs.docker.com, Dockerfile reference: --interval=30s, --timeout=30s,
// --start-period=0s, --retries=3), so that a HEALTHCHECK moves over unchanged. Pure.

import { parseDuration } from '../config/duration.ts';

/** What a probe does: an HTTP GET (2xx or 3xx is healthy), a TCP connect, or a command (exit 0 is healthy). */
export type Probe =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: string }
  | { readonly kind: 'exec'; readonly command: string };

export interface HealthCheck {
  readonly probe: Probe;
  /** Between the app's start and the first probe, and between a probe's end and the next (ms). */
  readonly intervalMs: number;
  /** A probe that has not answered by then is a failure (ms). */
  readonly timeoutMs: number;
  /** Failures in this time after a start do not count, until a probe has passed (ms). */
  readonly startPeriodMs: number;
  /** Failures in a row that make the app unhealthy. */
  readonly retries: number;
}

export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, retries: 3 } as const;

/** A probe as PROCWARDEN_HEALTHCHECK writes it, or why not. `$PORT` stays as written (see expandPort). */
export function parseProbe(text: string): Probe | { error: string } {
  const value = text.trim();
  if (value.startsWith('exec:')) {
    const command = value.slice('exec:'.length).trim();
    return command === '' ? { error: "'exec:' needs a command (exec:COMMAND)" } : { kind: 'exec', command };
  }
  if (/^https?:\/\//i.test(value)) {
    if (/^https:/i.test(value)) return { error: 'https is not checked: use http://HOST:PORT/PATH (the check runs inside the container)' };
    return { kind: 'http', url: value };
  }
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\$PORT|\$\{PORT\}|\d{1,5})\/?$/i.exec(value);
  if (tcp) return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: tcp[2]! };
  return { error: `'${text}' is not http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND` };
}

/** `$PORT` and `${PORT}` in a probe's URL or port, as the app's PORT (undefined leaves them). */
export function expandPort(probe: Probe, port: number | undefined): Probe {
  if (port === undefined || probe.kind === 'exec') return probe;
  const expand = (text: string) => text.replace(/\$\{PORT\}|\$PORT\b/g, String(port));
  return probe.kind === 'http' ? { kind: 'http', url: expand(probe.url) } : { ...probe, port: expand(probe.port) };
}

/**
 * The health check the environment sets, undefined when PROCWARDEN_HEALTHCHECK is unset or
 * empty, or `{ error }` naming the variable that is wrong.
 */
export function healthCheckFrom(env: Readonly<Record<string, string | undefined>>): HealthCheck | undefined | { error: string } {
  const text = env['PROCWARDEN_HEALTHCHECK'];
  if (text === undefined || text.trim() === '') return undefined;
  const probe = parseProbe(text);
  if ('error' in probe) return { error: `PROCWARDEN_HEALTHCHECK: ${probe.error}` };
  const duration = (name: string, fallback: number, least: number): number | { error: string } => {
    const given = env[name];
    if (given === undefined || given === '') return fallback;
    const ms = parseDuration(given);
    if (ms === undefined || ms < least || ms > 2 ** 31 - 1) return { error: `${name}: '${given}' is not a duration of at least ${least} ms (e.g. 30s)` };
    return ms;
  };
  const intervalMs = duration('PROCWARDEN_HEALTHCHECK_INTERVAL', HEALTH_DEFAULTS.intervalMs, 1);
  const timeoutMs = duration('PROCWARDEN_HEALTHCHECK_TIMEOUT', HEALTH_DEFAULTS.timeoutMs, 1);
  const startPeriodMs = duration('PROCWARDEN_HEALTHCHECK_START_PERIOD', HEALTH_DEFAULTS.startPeriodMs, 0);
  for (const value of [intervalMs, timeoutMs, startPeriodMs]) if (typeof value === 'object') return value;
  const retriesText = env['PROCWARDEN_HEALTHCHECK_RETRIES'];
  const retries = retriesText === undefined || retriesText === '' ? HEALTH_DEFAULTS.retries : Number(retriesText);
  if (!Number.isInteger(retries) || retries < 1 || retries > 1000) return { error: `PROCWARDEN_HEALTHCHECK_RETRIES: '${retriesText}' is not a whole number from 1 to 1000` };
  return { probe, intervalMs: intervalMs as number, timeoutMs: timeoutMs as number, startPeriodMs: startPeriodMs as number, retries };
}

/**
 * What a probe's result means for the streak (pure, Docker's rule): a failure within the
 * start period, before any probe has passed, does not count. Returns the new streak and
 * whether the app is now unhealthy (`retries` failures in a row) or healthy again.
 */
export function afterProbe(
  state: { readonly streak: number; readonly passedOnce: boolean },
  healthy: boolean,
  sinceStartMs: number,
  check: Pick<HealthCheck, 'startPeriodMs' | 'retries'>,
): { streak: number; passedOnce: boolean; counted: boolean; unhealthy: boolean; recovered: boolean } {
  if (healthy) return { streak: 0, passedOnce: true, counted: true, unhealthy: false, recovered: state.streak > 0 };
  const counted = state.passedOnce || sinceStartMs >= check.startPeriodMs;
  const streak = counted ? state.streak + 1 : state.streak;
  return { streak, passedOnce: state.passedOnce, counted, unhealthy: counted && streak >= check.retries, recovered: false };
}
