// A formation: which process types of the Procfile run, and how many instances of each
// (foreman's `--formation web=1,worker=2`, its `-m`), each with the PORT foreman gives it.
// Pure.

import { noSuchType, type ProcfileEntry } from './procfile.ts';

/** Heroku's release phase: runs once, before the other types, whatever the policy. */
export const RELEASE_TYPE = 'release';

/** What was asked for: named types (one instance each), every type, or counts by type. */
export type FormationRequest =
  | { readonly kind: 'types'; readonly types: readonly string[] }
  | { readonly kind: 'counts'; readonly counts: readonly { readonly type: string; readonly count: number }[] };

/** One instance to run. */
export interface PlannedInstance {
  readonly type: string;
  /** 1-based, per type. */
  readonly index: number;
  /** `web.1`: foreman's name for it, and its PS variable. */
  readonly name: string;
  readonly entry: ProcfileEntry;
  /** Runs once, to completion, before the others start. */
  readonly oneShot: boolean;
  /** Its PORT (see planFormation). */
  readonly port: number;
}

const TYPE = /^[A-Za-z0-9_-]+$/;

/**
 * `--type` as users write it: `web`, `web,worker`, or `all` (every type but `release`).
 * `{ error }` for an empty list or a name that is no process type's.
 */
export function parseTypes(text: string): FormationRequest | { error: string } {
  const types = text.split(',').map((word) => word.trim());
  if (types.length === 1 && types[0] === 'all') return { kind: 'counts', counts: [{ type: 'all', count: 1 }] };
  const bad = types.find((type) => !TYPE.test(type));
  if (bad !== undefined) return { error: `'${bad}' is not a process type's name (letters, digits, '_' and '-')` };
  return { kind: 'types', types: [...new Set(types)] };
}

/**
 * foreman's formation: `web=1,worker=2`, `all=1` for every type (but `release`), later
 * entries over earlier ones; a count of 0 leaves a type out. `{ error }` names the bad entry.
 */
export function parseFormation(text: string): FormationRequest | { error: string } {
  const counts: { type: string; count: number }[] = [];
  for (const word of text.split(',').map((entry) => entry.trim())) {
    const match = /^([A-Za-z0-9_-]+)=(\d+)$/.exec(word);
    if (!match) return { error: `'${word}' is not TYPE=COUNT (e.g. web=1,worker=2)` };
    const count = Number(match[2]);
    if (count > 100) return { error: `'${word}': at most 100 instances of a type` };
    counts.push({ type: match[1]!, count });
  }
  return { kind: 'counts', counts };
}

/**
 * The instances a request runs, in the Procfile's order, one-shot types (`release` and
 * `oneShotTypes`) first. Ports as foreman gives them: `basePort` (PORT when it was set, else
 * 5000) for the first type that is not one-shot, 100 more for each next type, 1 more for
 * each next instance of a type; a one-shot type gets `basePort`. `{ error }` names a type the
 * Procfile lacks, or a request that runs nothing.
 */
export function planFormation(
  entries: readonly ProcfileEntry[],
  request: FormationRequest,
  basePort: number,
  oneShotTypes: ReadonlySet<string>,
): PlannedInstance[] | { error: string } {
  const types = entries.map(({ name }) => name);
  const counts = new Map<string, number>();
  const asked = request.kind === 'types' ? request.types.map((type) => ({ type, count: 1 })) : request.counts;
  for (const { type, count } of asked) {
    if (type === 'all') {
      for (const name of types) if (name !== RELEASE_TYPE) counts.set(name, count);
      continue;
    }
    if (!types.includes(type)) return { error: noSuchType(type, types) };
    counts.set(type, count);
  }
  const oneShot = (type: string) => type === RELEASE_TYPE || oneShotTypes.has(type);
  const chosen = entries.filter(({ name }) => (counts.get(name) ?? 0) > 0);
  if (chosen.length === 0) return { error: 'the formation runs no process' };
  const ordered = [...chosen.filter(({ name }) => oneShot(name)), ...chosen.filter(({ name }) => !oneShot(name))];
  let typeIndex = 0;
  const planned = ordered.flatMap((entry) => {
    const once = oneShot(entry.name);
    const base = once ? basePort : basePort + 100 * typeIndex++;
    return Array.from({ length: once ? 1 : counts.get(entry.name)! }, (_, i) => ({
      type: entry.name,
      index: i + 1,
      name: `${entry.name}.${i + 1}`,
      entry,
      oneShot: once,
      port: once ? basePort : base + i,
    }));
  });
  const over = planned.find(({ port }) => port > 65_535);
  if (over) return { error: `${over.name} would get PORT ${over.port}, over 65535: give a lower PORT` };
  return planned;
}
