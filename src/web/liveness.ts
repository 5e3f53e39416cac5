// `GET /healthz`, for a liveness probe: 200 while every instance runs and passes its health
// check (or has none, or is in its start period), 503 otherwise, with each one's state. A
// container that stays down is then the orchestrator's to replace. Pure.

import { instancesOf, typeNameOf, type StatusView } from './status-view.ts';

/** The answer to `GET /healthz` for `status`. */
export function liveness(status: StatusView): { status: 200 | 503; body: { live: boolean; instances: { process: string; state: string; health?: string }[] } } {
  const instances = instancesOf(status).map((instance) => ({
    process: instance.process ?? typeNameOf(instance),
    state: instance.state,
    ...(instance.health ? { health: instance.health.status } : {}),
  }));
  const live = instances.every(({ state, health }) => state === 'running' && health !== 'failing' && health !== 'unhealthy');
  return { status: live ? 200 : 503, body: { live, instances } };
}
