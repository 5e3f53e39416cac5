// procwarden's events as tests read them: the JSON lines of its stderr, by name, typed.

import type { EventFields, EventName } from '../../src/events/events.ts';

/** The JSON event lines of a stderr text. */
export function eventsOf(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export type { EventName };
export type Event<N extends EventName> = EventFields[N] & { event: N; level: string; time: string; msg: string };

/**
 * The events called `name`, in order, from procwarden's stderr (or a terminal's output,
 * where lines end in \r\n and may begin with an echoed ^Z or ^C), or from parsed events.
 */
export function eventsNamed<N extends EventName>(from: string | readonly Record<string, unknown>[], name: N): Event<N>[] {
  const events = typeof from === 'string' ? eventsIn(from) : from;
  return events.filter((event) => event['event'] === name) as unknown as Event<N>[];
}

/** Every event line in a text, skipping what is not one (the app's output on a shared terminal). */
function eventsIn(text: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const line of text.split(/\r?\n/)) {
    const start = line.indexOf('{"');
    if (start < 0) continue;
    try {
      const event = JSON.parse(line.slice(start)) as Record<string, unknown>;
      if (typeof event['event'] === 'string') events.push(event);
    } catch {
      // Not an event: the app's own output.
    }
  }
  return events;
}
