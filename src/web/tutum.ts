// Tutum's service API, as scripts written against it expect (`GET /api/v1/service/`,
// `GET|PATCH /api/v1/service/NAME/`): a service is a process type, its containers its
// instances; its fields are Tutum's names and values. Pure.

import { parseJsonObject } from '../control/protocol.ts';
import { readChange, type PolicyChange } from '../policy/settings.ts';
import { byType, type InstanceView, type StatusView } from './status-view.ts';

/** A service as Tutum's API showed one, with the fields procwarden can fill. */
export interface TutumService {
  readonly uuid: string;
  readonly resource_uri: string;
  readonly name: string;
  /** Tutum's states: Starting, Running, Partly running, Stopping, Stopped, Not running. */
  readonly state: string;
  /** OFF, ON_FAILURE, ALWAYS. */
  readonly autorestart: string;
  readonly autoreplace: string;
  /** Always OFF: a container does not destroy itself. */
  readonly autodestroy: 'OFF';
  readonly current_num_containers: number;
  readonly running_num_containers: number;
  readonly stopped_num_containers: number;
  readonly target_num_containers: number;
}

/** Tutum's list answer: `meta` (one page holds all) and `objects`. */
export interface TutumList {
  readonly meta: { readonly limit: number; readonly next: null; readonly offset: number; readonly previous: null; readonly total_count: number };
  readonly objects: readonly TutumService[];
}

export const SERVICE_ROOT = '/api/v1/service/';

/** The state of a service in Tutum's words, from its instances' supervisor states. */
function tutumState(instances: readonly InstanceView[]): string {
  const states = instances.map(({ state }) => state);
  const running = states.filter((state) => state === 'running').length;
  if (running === states.length) return 'Running';
  if (running > 0) return 'Partly running';
  if (states.includes('starting')) return 'Starting';
  if (states.includes('stopping')) return 'Stopping';
  if (states.includes('waiting')) return 'Not running';
  return 'Stopped';
}

function service(name: string, instances: readonly InstanceView[]): TutumService {
  const running = instances.filter(({ state }) => state === 'running').length;
  const { policy } = instances[0]!;
  return {
    uuid: name,
    resource_uri: `${SERVICE_ROOT}${encodeURIComponent(name)}/`,
    name,
    state: tutumState(instances),
    autorestart: policy.autorestart,
    autoreplace: policy.autoreplace,
    autodestroy: 'OFF',
    current_num_containers: instances.length,
    running_num_containers: running,
    stopped_num_containers: instances.length - running,
    target_num_containers: instances.length,
  };
}

/** Every process type as a Tutum service, in a Tutum list. */
export function tutumServices(status: StatusView): TutumList {
  const objects = [...byType(status)].map(([name, instances]) => service(name, instances));
  return { meta: { limit: objects.length, next: null, offset: 0, previous: null, total_count: objects.length }, objects };
}

/** The process type `name` as a Tutum service, or undefined when none runs here. */
export function tutumService(status: StatusView, name: string): TutumService | undefined {
  const instances = byType(status).get(name);
  return instances ? service(name, instances) : undefined;
}

/**
 * A Tutum PATCH body into a change: `autorestart` and `autoreplace`, also spelled
 * `"auto restart"` (Tutum's crash recovery doc), `auto_restart` or `AutoRestart`; values
 * OFF, ON_FAILURE, ALWAYS in any case. Or why it is refused.
 */
export function readTutumChange(body: string): PolicyChange | { error: string } {
  const json = parseJsonObject(body);
  if ('error' in json) return json;
  const named: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(json.object)) {
    const key = field.toLowerCase().replace(/[\s_-]/g, '');
    if (key !== 'autorestart' && key !== 'autoreplace') return { error: `${field}: not a field procwarden changes (autorestart, autoreplace)` };
    named[key] = value;
  }
  if (Object.keys(named).length === 0) return { error: 'nothing to change: give autorestart, autoreplace' };
  return readChange(named);
}
