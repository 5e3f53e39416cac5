// The events the web page shows: the last ones, kept from procwarden's start, and each new one
// as it is emitted, to whoever listens (the page's server-sent events). Made only when
// PROCWARDEN_HTTP is set; it runs nothing between events.

import type { EventLine, EventLog } from '../events/events.ts';

/** The last events the page shows on opening. */
export const EVENTS_KEPT = 50;

export interface EventFeed {
  /** The last EVENTS_KEPT events at info level and above, oldest first. */
  recent(): readonly EventLine[];
  /** Each new event at info level and above, from now on; returns what ends it. */
  listen(listener: (line: EventLine) => void): () => void;
  /** `health.failed` events counted since start, by the instance they name (`web.1`), '' for a lone app. */
  healthFailures(): ReadonlyMap<string, number>;
}

/** Starts keeping `events`' lines: call it before the apps start, so that the first start is in the feed. */
export function createEventFeed(events: EventLog): EventFeed {
  const kept: EventLine[] = [];
  const listeners = new Set<(line: EventLine) => void>();
  const failures = new Map<string, number>();
  events.subscribe((line) => {
    if (line.level === 'debug') return;
    if (line.event === 'health.failed') {
      const process = typeof line['process'] === 'string' ? line['process'] : '';
      failures.set(process, (failures.get(process) ?? 0) + 1);
    }
    kept.push(line);
    if (kept.length > EVENTS_KEPT) kept.shift();
    for (const listener of listeners) listener(line);
  });
  return {
    recent: () => kept,
    listen(listener) {
      const entry = (line: EventLine) => listener(line);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    healthFailures: () => failures,
  };
}
