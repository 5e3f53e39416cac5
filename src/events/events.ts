// The one place that defines procwarden's events and their fields (spec section 5): one
// JSON line each on stderr, written synchronously to fd 2 (pino transports run in worker
// threads, which do not bundle, and an init must not lose its last lines at exit).

import pino from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogConfig } from '../config/config.ts';

export type StartMode = 'initial' | 'restart' | 'replace' | 'recover';
export type ExitCause = 'crash' | 'clean' | 'stop';

interface EventFields {
  'container.started': { pid: number; attempt: number; mode: StartMode; command: readonly string[] };
  'container.exited': { pid: number; code: number | null; signal: string | null; uptimeMs: number; cause: ExitCause };
  'procwarden.exit': { code: number };
  'procwarden.warning': { detail: string };
}

export type EventName = keyof EventFields;

const EVENTS: { readonly [E in EventName]: { level: 'info' | 'warn'; msg: string } } = {
  'container.started': { level: 'info', msg: 'container has started' },
  'container.exited': { level: 'info', msg: 'container has exited' },
  'procwarden.exit': { level: 'info', msg: 'procwarden exits' },
  'procwarden.warning': { level: 'warn', msg: 'procwarden warning' },
};

export interface EventLog {
  emit<E extends EventName>(event: E, fields: EventFields[E], msg?: string): void;
}

export function createEventLog(config: LogConfig): EventLog {
  const options: pino.LoggerOptions = {
    level: config.level,
    base: null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const destination =
    config.format === 'pretty'
      ? pinoPretty({ destination: 2, sync: true, ignore: 'event', messageFormat: '{event}: {msg}', singleLine: true })
      : pino.destination({ dest: 2, sync: true });
  const logger = pino(options, destination);

  return {
    emit(event, fields, msg) {
      const { level, msg: standard } = EVENTS[event];
      const line: object = { event, ...fields };
      logger[level](line, msg ?? standard);
    },
  };
}
