import { describe, expect, it } from 'vitest';
import { afterProbe, expandPort, healthCheckFrom, parseProbe } from '../../src/health/health-config.ts';

describe('PROCWARDEN_HEALTHCHECK', () => {
  it('reads the three kinds of probe', () => {
    expect(parseProbe('http://127.0.0.1:$PORT/health')).toEqual({ kind: 'http', url: 'http://127.0.0.1:$PORT/health' });
    expect(parseProbe('tcp://localhost:5432')).toEqual({ kind: 'tcp', host: 'localhost', port: '5432' });
    expect(parseProbe('tcp://[::1]:${PORT}')).toEqual({ kind: 'tcp', host: '::1', port: '${PORT}' });
    expect(parseProbe('exec: pg_isready -q')).toEqual({ kind: 'exec', command: 'pg_isready -q' });
  });

  it('refuses what is none of them, https and an empty command, saying why', () => {
    expect(parseProbe('ftp://x')).toEqual({ error: "'ftp://x' is not http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND" });
    expect(parseProbe('https://x/')).toMatchObject({ error: expect.stringMatching(/^https is not checked/) });
    expect(parseProbe('exec:')).toEqual({ error: "'exec:' needs a command (exec:COMMAND)" });
    expect(parseProbe('tcp://host')).toMatchObject({ error: expect.any(String) });
  });

  it('expands $PORT and ${PORT} to the app port', () => {
    expect(expandPort({ kind: 'http', url: 'http://h:$PORT/a?p=${PORT}' }, 5100)).toEqual({ kind: 'http', url: 'http://h:5100/a?p=5100' });
    expect(expandPort({ kind: 'tcp', host: 'h', port: '$PORT' }, 5001)).toEqual({ kind: 'tcp', host: 'h', port: '5001' });
    expect(expandPort({ kind: 'exec', command: 'curl localhost:$PORT' }, 5000)).toEqual({ kind: 'exec', command: 'curl localhost:$PORT' });
  });

  it("takes Docker's HEALTHCHECK defaults: 30s, 30s, 0s, 3", () => {
    expect(healthCheckFrom({ PROCWARDEN_HEALTHCHECK: 'exec:true' })).toEqual({ probe: { kind: 'exec', command: 'true' }, intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, retries: 3 });
    expect(healthCheckFrom({})).toBeUndefined();
    expect(healthCheckFrom({ PROCWARDEN_HEALTHCHECK: ' ' })).toBeUndefined();
    expect(
      healthCheckFrom({ PROCWARDEN_HEALTHCHECK: 'exec:true', PROCWARDEN_HEALTHCHECK_INTERVAL: '5s', PROCWARDEN_HEALTHCHECK_TIMEOUT: '2s', PROCWARDEN_HEALTHCHECK_START_PERIOD: '1m', PROCWARDEN_HEALTHCHECK_RETRIES: '5' }),
    ).toMatchObject({ intervalMs: 5000, timeoutMs: 2000, startPeriodMs: 60_000, retries: 5 });
    expect(healthCheckFrom({ PROCWARDEN_HEALTHCHECK: 'exec:true', PROCWARDEN_HEALTHCHECK_TIMEOUT: '0s' })).toEqual({ error: "PROCWARDEN_HEALTHCHECK_TIMEOUT: '0s' is not a duration of at least 1 ms (e.g. 30s)" });
  });
});

describe('the streak of failures (Docker rule)', () => {
  const check = { startPeriodMs: 1000, retries: 3 };
  const fresh = { streak: 0, passedOnce: false };

  it('a failure in the start period, before any pass, does not count', () => {
    expect(afterProbe(fresh, false, 500, check)).toMatchObject({ streak: 0, counted: false, unhealthy: false });
    expect(afterProbe(fresh, false, 1000, check)).toMatchObject({ streak: 1, counted: true });
  });

  it('once a probe has passed, every failure counts, start period or not', () => {
    const passed = afterProbe(fresh, true, 100, check);
    expect(afterProbe(passed, false, 200, check)).toMatchObject({ streak: 1, counted: true });
  });

  it('RETRIES failures in a row: unhealthy; a pass in between starts again, and says recovered', () => {
    let state = { streak: 0, passedOnce: true };
    const results = [false, false, true, false, false, false].map((healthy, i) => {
      const next = afterProbe(state, healthy, 2000 + i, check);
      state = next;
      return [next.streak, next.unhealthy, next.recovered];
    });
    expect(results).toEqual([
      [1, false, false],
      [2, false, false],
      [0, false, true],
      [1, false, false],
      [2, false, false],
      [3, true, false],
    ]);
  });
});
