import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../src/config/command-line.ts';
import { httpSettingsFrom } from '../../src/web/http-settings.ts';
import { liveness } from '../../src/web/liveness.ts';
import { prometheusText } from '../../src/web/metrics.ts';
import type { InstanceView, StatusView } from '../../src/web/status-view.ts';
import { readTutumChange, tutumService, tutumServices } from '../../src/web/tutum.ts';

/** An instance as `GET /status` shows it, running its first attempt under OFF/OFF. */
function instance(more: Partial<InstanceView> = {}): InstanceView {
  return {
    processType: 'web',
    state: 'running',
    app: { pid: 42, attempt: 1, mode: 'initial', uptimeMs: 1000 },
    starts: { initial: 1 },
    exits: {},
    policy: { autorestart: 'OFF', autoreplace: 'OFF', recovery: 'ON' },
    restartsLeft: 3,
    replacesLeft: 3,
    nextStart: null,
    ...more,
  };
}

const formation = (): StatusView => {
  const web1 = instance({ process: 'web.1' });
  const web2 = instance({ process: 'web.2', state: 'waiting', app: null, nextStart: { mode: 'restart', at: '2026-01-01T00:00:05.000Z' }, restartsLeft: 1 });
  const worker = instance({ process: 'worker.1', processType: 'worker', starts: { initial: 1, restart: 2 }, exits: { crash: 2 }, policy: { autorestart: 'ALWAYS', autoreplace: 'ON_FAILURE', recovery: 'OFF' } });
  return { ...web1, instances: [web1, web2, worker] };
};

describe('PROCWARDEN_HTTP', () => {
  it('is off when unset, and reads [HOST:]PORT, the token and the metrics setting', () => {
    expect(httpSettingsFrom({})).toBeUndefined();
    expect(httpSettingsFrom({ PROCWARDEN_HTTP: '127.0.0.1:9000' })).toEqual({ host: '127.0.0.1', port: 9000, metricsPublic: false });
    expect(httpSettingsFrom({ PROCWARDEN_HTTP: '9000', PROCWARDEN_HTTP_TOKEN: 't' })).toEqual({ host: '0.0.0.0', port: 9000, token: 't', metricsPublic: false });
    expect(httpSettingsFrom({ PROCWARDEN_HTTP: '[::1]:80', PROCWARDEN_HTTP_METRICS: 'Public' })).toEqual({ host: '::1', port: 80, metricsPublic: true });
    expect(httpSettingsFrom({ PROCWARDEN_HTTP: '0.0.0.0:9000', PROCWARDEN_HTTP_TOKEN_FILE: '/run/secrets/t' })).toMatchObject({ tokenFile: '/run/secrets/t' });
  });

  it.each([
    [{ PROCWARDEN_HTTP: 'localhost:http' }, /^PROCWARDEN_HTTP: 'localhost:http' is not \[HOST:\]PORT/],
    [{ PROCWARDEN_HTTP: '70000' }, /is not \[HOST:\]PORT/],
    [{ PROCWARDEN_HTTP: '0.0.0.0:9000' }, /^PROCWARDEN_HTTP: 0\.0\.0\.0 is reachable from outside the container: set PROCWARDEN_HTTP_TOKEN/],
    [{ PROCWARDEN_HTTP: '9000' }, /reachable from outside/],
    [{ PROCWARDEN_HTTP: '127.0.0.1:1', PROCWARDEN_HTTP_TOKEN: 'a', PROCWARDEN_HTTP_TOKEN_FILE: '/b' }, /both set/],
    [{ PROCWARDEN_HTTP: '127.0.0.1:1', PROCWARDEN_HTTP_METRICS: 'open' }, /^PROCWARDEN_HTTP_METRICS: 'open' is not one of token, public/],
  ])('refuses %j as a usage error (exit 2)', (env, message) => {
    const invocation = parseInvocation(['--', 'true'], env);
    expect(invocation.kind).toBe('usage-error');
    expect(invocation.kind === 'usage-error' && invocation.message).toMatch(message);
  });
});

describe("Tutum's service API", () => {
  it('lists the process types as services, with Tutum field names and values', () => {
    const list = tutumServices(formation());
    expect(list.meta).toEqual({ limit: 2, next: null, offset: 0, previous: null, total_count: 2 });
    expect(list.objects.map(({ name, state }) => [name, state])).toEqual([
      ['web', 'Partly running'],
      ['worker', 'Running'],
    ]);
    expect(tutumService(formation(), 'worker')).toEqual({
      uuid: 'worker',
      resource_uri: '/api/v1/service/worker/',
      name: 'worker',
      state: 'Running',
      autorestart: 'ALWAYS',
      autoreplace: 'ON_FAILURE',
      autodestroy: 'OFF',
      current_num_containers: 1,
      running_num_containers: 1,
      stopped_num_containers: 0,
      target_num_containers: 1,
    });
    expect(tutumService(formation(), 'nope')).toBeUndefined();
    const command: InstanceView = { ...instance() };
    delete (command as { processType?: string }).processType;
    expect(tutumServices(command).objects[0]!.name).toBe('app');
  });

  it.each([
    ['{"autorestart": "ALWAYS"}', { autorestart: 'always' }],
    ['{"auto restart": "on_failure", "autoreplace": "OFF"}', { autorestart: 'on-failure', autoreplace: 'off' }],
    ['{"Auto_Replace": "Always"}', { autoreplace: 'always' }],
  ])('reads %s', (body, change) => {
    const read = readTutumChange(body);
    expect(read).toEqual(Object.fromEntries(Object.entries(change).map(([key, value]) => [key, value.replace('-', '_')])));
  });

  it.each([
    ['nope', /not JSON/],
    ['{}', /nothing to change/],
    ['{"target_num_containers": 3}', /target_num_containers: not a field procwarden changes/],
    ['{"autorestart": "SOMETIMES"}', /autorestart: 'SOMETIMES' is not one of OFF, ON_FAILURE, ALWAYS/],
  ])('refuses %s', (body, message) => {
    const read = readTutumChange(body);
    expect('error' in read && read.error).toMatch(message);
  });
});

describe('GET /metrics', () => {
  it("is Prometheus' text format, a series a process type, as a Prometheus parser reads it", () => {
    const text = prometheusText(formation(), new Map([['web.2', 4]]), Date.parse('2026-01-01T00:00:02.500Z'));
    const families = new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family]));
    const value = (name: string, labels: Record<string, string>) => families.get(name)?.metrics.find((metric) => Object.entries(labels).every(([key, v]) => metric.labels?.[key] === v))?.value;
    expect(families.get('procwarden_starts_total')?.type).toBe('COUNTER');
    expect(value('procwarden_starts_total', { mode: 'restart', process: 'worker' })).toBe('2');
    expect(value('procwarden_starts_total', { mode: 'initial', process: 'web' })).toBe('2');
    expect(value('procwarden_exits_total', { cause: 'crash', process: 'worker' })).toBe('2');
    expect(value('procwarden_exits_total', { cause: 'unhealthy', process: 'web' })).toBe('0');
    expect(value('procwarden_health_failures_total', { process: 'web' })).toBe('4');
    expect(families.get('procwarden_app_up')?.type).toBe('GAUGE');
    expect(value('procwarden_app_up', { process: 'web' })).toBe('0');
    expect(value('procwarden_app_up', { process: 'worker' })).toBe('1');
    expect(value('procwarden_restarts_left', { process: 'web' })).toBe('1');
    expect(value('procwarden_replacements_left', { process: 'worker' })).toBe('3');
    expect(value('procwarden_next_start_seconds', { process: 'web' })).toBe('2.5');
    expect(value('procwarden_next_start_seconds', { process: 'worker' })).toBe('0');
  });
});

describe('GET /healthz', () => {
  it('is 200 while every instance runs and passes its check (or has none, or is in its start period)', () => {
    expect(liveness(instance())).toEqual({ status: 200, body: { live: true, instances: [{ process: 'web', state: 'running' }] } });
    expect(liveness(instance({ health: { status: 'starting', failingStreak: 0 } })).status).toBe(200);
    expect(liveness(instance({ health: { status: 'healthy', failingStreak: 0 } })).status).toBe(200);
  });

  it('is 503 with the state while one fails its check or waits for a start', () => {
    expect(liveness(instance({ health: { status: 'failing', failingStreak: 1 } }))).toEqual({
      status: 503,
      body: { live: false, instances: [{ process: 'web', state: 'running', health: 'failing' }] },
    });
    expect(liveness(formation())).toMatchObject({ status: 503, body: { instances: [{ process: 'web.1' }, { process: 'web.2', state: 'waiting' }, { process: 'worker.1' }] } });
  });
});
