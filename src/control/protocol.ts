// The control socket's protocol (spec section 7): HTTP/1.1 with JSON. Pure: a request in, a
// response out, against the supervisor's small API, so every rule is unit-tested.

import { POLICY_SETTINGS, readChange, type PolicyChange } from '../policy/settings.ts';

export type { PolicyChange };

export interface ControlApi {
  status(): object;
  /**
   * Applies a valid change, to every process type or to `type`'s; returns the policy before
   * and after, as users write it, or why it cannot change (no such type here, or one that
   * runs once, as `release`).
   */
  changePolicy(change: PolicyChange, type?: string): { old: object; new: object } | { refused: string };
  /**
   * A requested restart, of every instance or of `type`'s: not a crash, counted against no
   * budget. False when no app runs; refused when no such type runs here.
   */
  restart(type?: string): boolean | { refused: string };
}

export interface Response {
  readonly status: number;
  readonly body: object;
}

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * One request: `GET /status`, `PATCH /policy` and `POST /restart`, the last two for one
 * process type of a formation with `?type=NAME`.
 */
export function handle(method: string, path: string, body: string, api: ControlApi): Response {
  const [where = '', query = ''] = path.split('?', 2);
  const route = `${method} ${where}`;
  const type = new URLSearchParams(query).get('type') ?? undefined;
  switch (route) {
    case 'GET /status':
      return { status: 200, body: api.status() };
    case 'PATCH /policy': {
      const change = parsePolicyChange(body);
      if ('error' in change) return { status: 400, body: { error: change.error } };
      const changed = api.changePolicy(change, type);
      return 'refused' in changed ? { status: 409, body: { error: changed.refused } } : { status: 200, body: changed };
    }
    case 'POST /restart': {
      const restarted = api.restart(type);
      if (typeof restarted === 'object') return { status: 409, body: { error: restarted.refused } };
      return restarted ? { status: 202, body: { restarting: true } } : { status: 409, body: { error: 'no app is running' } };
    }
    default:
      return { status: 404, body: { error: `no route ${route}: the routes are GET /status, PATCH /policy, POST /restart` } };
  }
}

/** A request body that must be a JSON object: the object, or why it is not one. */
export function parseJsonObject(body: string): { object: Record<string, unknown> } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { error: 'the body is not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: 'the body must be a JSON object' };
  return { object: json as Record<string, unknown> };
}

/** `{"autorestart": "ON_FAILURE", "recovery": "on"}` into a checked change, or the reason it is refused. */
export function parsePolicyChange(body: string): PolicyChange | { error: string } {
  const json = parseJsonObject(body);
  if ('error' in json) return json;
  const change = readChange(json.object);
  if ('error' in change) return change;
  if (Object.keys(change).length === 0) return { error: `nothing to change: give ${POLICY_SETTINGS.map(({ key }) => key).join(', ')}` };
  return change;
}
