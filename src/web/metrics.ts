// `GET /metrics`: what procwarden saw, in Prometheus' text format (0.0.4), a series for each
// process type (`process`, `app` for a COMMAND): the restarts an in-container recovery hides
// from the orchestrator's own counters. Pure.

import { byType, type InstanceView, type StatusView } from './status-view.ts';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const START_MODES = ['initial', 'restart', 'replace', 'recover'] as const;
const EXIT_CAUSES = ['crash', 'clean', 'stop', 'requested', 'formation', 'unhealthy'] as const;

/** A label value, escaped as the text format wants. */
const label = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');

const sum = (instances: readonly InstanceView[], of: (instance: InstanceView) => number) => instances.reduce((total, instance) => total + of(instance), 0);

/**
 * The metrics of `status` at wall time `nowMs`. `healthFailures`: `health.failed` events by
 * instance name ('' for a lone app), as the event feed counted them.
 */
export function prometheusText(status: StatusView, healthFailures: ReadonlyMap<string, number>, nowMs: number): string {
  const types = [...byType(status)];
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [labels: string, value: number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}{${labels}} ${value}`));
  };
  const each = (value: (instances: readonly InstanceView[]) => number): [string, number][] => types.map(([name, instances]) => [`process="${label(name)}"`, value(instances)]);
  metric(
    'procwarden_starts_total',
    'counter',
    'Starts of the app by mode: initial, restart (in place), replace and recover (pristine filesystem).',
    types.flatMap(([name, instances]) => START_MODES.map((mode): [string, number] => [`mode="${mode}",process="${label(name)}"`, sum(instances, ({ starts }) => starts[mode] ?? 0)])),
  );
  metric(
    'procwarden_exits_total',
    'counter',
    'Exits of the app by cause: crash, clean, stop, requested, formation, unhealthy.',
    types.flatMap(([name, instances]) => EXIT_CAUSES.map((cause): [string, number] => [`cause="${cause}",process="${label(name)}"`, sum(instances, ({ exits }) => exits[cause] ?? 0)])),
  );
  metric(
    'procwarden_health_failures_total',
    'counter',
    'Health probes that failed.',
    each((instances) => sum(instances, ({ process }) => healthFailures.get(process ?? '') ?? 0)),
  );
  metric('procwarden_app_up', 'gauge', 'Whether every instance of the process type runs (1) or not (0).', each((instances) => (instances.every(({ state }) => state === 'running') ? 1 : 0)));
  metric('procwarden_restarts_left', 'gauge', 'Restarts left in the autorestart budget window (fewest of the instances).', each((instances) => Math.min(...instances.map(({ restartsLeft }) => restartsLeft))));
  metric('procwarden_replacements_left', 'gauge', 'Replacements left in the autoreplace budget window (fewest of the instances).', each((instances) => Math.min(...instances.map(({ replacesLeft }) => replacesLeft))));
  metric(
    'procwarden_next_start_seconds',
    'gauge',
    'Seconds until a start that waits out a backoff or a throttle; 0 when none waits.',
    each((instances) => {
      const due = instances.flatMap(({ nextStart }) => (nextStart ? [Date.parse(nextStart.at)] : []));
      return due.length === 0 ? 0 : Math.max(0, Math.min(...due) - nowMs) / 1000;
    }),
  );
  return `${lines.join('\n')}\n`;
}
