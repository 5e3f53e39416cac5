// The one place that defines procwarden's events and their fields (spec section 5): one
// JSON line each on stderr, written synchronously to fd 2 (pino transports run in worker
// threads, which do not bundle, and an init must not lose its last lines at exit).

import type pino from 'pino';
import { requirePayload } from '../bundle/payloads.ts';
import { prettyLine } from './pretty.ts';
import type { LogConfig, LogLevel } from '../config/config.ts';
import type { ResetOutcome, SnapshotOutcome } from '../filesystem/pristine.ts';
import type { Decision } from '../policy/decide.ts';
import type * as PinoRuntime from './pino-runtime.ts';
import { writeAll } from '../runtime/write-all.ts';

export type StartMode = 'initial' | 'restart' | 'replace' | 'recover';
/** The supervisor's states (supervisor/transitions.ts), as `supervisor.state` and `procwarden status` name them. */
export type SupervisorState = 'starting' | 'running' | 'stopping' | 'waiting' | 'stopped';
/**
 * `formation`: stopped because another instance of the formation asked for the container's
 * replace or recovery; `unhealthy`: stopped after its health check failed RETRIES times in a row.
 */
export type ExitCause = 'crash' | 'clean' | 'stop' | 'requested' | 'formation' | 'unhealthy';

/** Every event procwarden writes, by name, and the fields it carries (README, Events). */
export interface EventFields {
  'container.started': {
    pid: number;
    attempt: number;
    mode: StartMode;
    command: readonly string[];
    processType?: string;
    /** A service's PORT: its own, or foreman's 5000 when none was set. */
    port?: number;
    /** A formation's instance: `web.1`. */
    process?: string;
  };
  'container.exited': {
    pid: number;
    attempt: number;
    code: number | null;
    signal: string | null;
    uptimeMs: number;
    cause: ExitCause;
    /** The kernel's OOM killer ended the app. */
    oom?: true;
    /** The signal that ended it dumped core. */
    coreDumped?: true;
    process?: string;
  };
  /** The policy's decision after an exit (policy/decide.ts), and the instance it is about in a formation. */
  'recovery.decision': Decision & { process?: string };
  'fs.reset': ResetOutcome;
  'fs.snapshot': SnapshotOutcome;
  'supervisor.state': { from: SupervisorState; to: SupervisorState; process?: string };
  pitfall: {
    rule: string;
    detail: string;
    hint: string;
    /** Static findings: the offending part of the Procfile command. */
    part?: string;
    processType?: string;
    /** background-exit: the process that exited. */
    pid?: number;
    command?: string;
    code?: number | null;
    signal?: string | null;
    uptimeMs?: number;
    /** daemonized: what the app left running (killed before the policy acts). */
    leftovers?: readonly { pid: number; command: string }[];
  };
  'policy.changed': { old: PolicyView; new: PolicyView; source: 'socket' | 'file' | 'http'; /** The one process type of a formation it changed. */ processType?: string };
  'policy.rejected': { source: 'file'; error: string };
  /** A health probe failed: `counted` false within the start period, before any probe passed. */
  'health.failed': { probe: 'http' | 'tcp' | 'exec'; output: string; streak: number; retries: number; counted: boolean; process?: string };
  /** A probe passed after failures. */
  'health.ok': { probe: 'http' | 'tcp' | 'exec'; output: string; process?: string };
  /** The web interface and HTTP API listen (PROCWARDEN_HTTP): the address and port taken. */
  'http.listening': { host: string; port: number };
  'procwarden.exit': { code: number };
  'procwarden.warning': { detail: string };
  /** What is worth knowing and asks for nothing (level info): a one-off's policy variables in an image with a Procfile. */
  'procwarden.notice': { detail: string };
}

export type EventName = keyof EventFields;

/** The `msg` of a `pitfall` event, by rule: what is wrong, in a few words. */
export const PITFALL_MESSAGES: Readonly<Record<string, string>> = {
  'background-app': 'the app runs in the background',
  'idle-foreground': 'the foreground only idles',
  daemonizes: 'a program sends itself to the background',
  detached: 'the app is detached from procwarden',
  'background-exit': 'a background process exited while the app goes on',
  daemonized: 'the app exited and left processes running',
  'missing-program': 'a program the Procfile runs is not there',
  'shell-parent': 'the shell stays in front of the app',
};

/** Each event's level and its `msg`: fixed, or told by its fields. */
const EVENTS: { readonly [E in EventName]: { level: 'debug' | 'info' | 'warn'; msg: string | ((fields: EventFields[E]) => string) } } = {
  'container.started': { level: 'info', msg: 'container has started' },
  'container.exited': { level: 'info', msg: 'container has exited' },
  'recovery.decision': { level: 'info', msg: ({ action }) => (action === 'stop' ? 'container stays stopped' : 'container recovery initiated') },
  'fs.reset': { level: 'info', msg: 'filesystem reset' },
  'fs.snapshot': { level: 'info', msg: 'pristine snapshot ready' },
  'supervisor.state': { level: 'debug', msg: 'supervisor state' },
  pitfall: { level: 'warn', msg: ({ rule }) => PITFALL_MESSAGES[rule] ?? 'pitfall' },
  'policy.changed': { level: 'info', msg: 'policy changed' },
  'policy.rejected': { level: 'warn', msg: 'policy change refused' },
  'health.failed': { level: 'warn', msg: ({ streak, retries, counted }) => (counted ? `health check failed (${streak} of ${retries} in a row)` : 'health check failed (in the start period: not counted)') },
  'health.ok': { level: 'info', msg: 'health check passes again' },
  'http.listening': { level: 'info', msg: 'web interface and HTTP API listening' },
  'procwarden.exit': { level: 'info', msg: 'procwarden exits' },
  'procwarden.warning': { level: 'warn', msg: 'procwarden warning' },
  'procwarden.notice': { level: 'info', msg: 'procwarden notice' },
};

/** A policy as events and the control socket show it: values as users write them. */
export interface PolicyView {
  autorestart: string;
  autoreplace: string;
  recovery: 'ON' | 'OFF';
}

/** An event as its JSON line says it: `time` (ISO 8601), `level`, `event`, `msg`, and its fields. */
export type EventLine = { readonly time: string; readonly level: 'debug' | 'info' | 'warn'; readonly event: EventName; readonly msg: string } & Readonly<Record<string, unknown>>;

export interface EventLog {
  emit<E extends EventName>(event: E, fields: EventFields[E]): void;
  /**
   * Every event from now on, whatever the log level, to `listener` as it is emitted (the web
   * page's live feed); returns what ends it. Nothing is built for listeners while there are none.
   */
  subscribe(listener: (line: EventLine) => void): () => void;
  /** From now on, events at `level` and above are written (a policy turned on live turns events on). */
  setLevel(level: LogLevel): void;
  /** The last pitfall events, for `procwarden status`. */
  pitfalls(): readonly EventFields['pitfall'][];
}

const PITFALLS_KEPT = 20;

/** pino's level numbers: an event is written when its level reaches the configured one. */
const LEVEL_VALUES: Readonly<Record<LogLevel, number>> = {
  trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity,
};

/**
 * pino is loaded on the first event that will be written, not before: a plain init at its
 * default level writes none on a good day, and compiling pino and loading the Node modules
 * it needs would cost every start about 10 ms. When info events are on, it is loaded at
 * once, so that the cost is paid before the app starts, not in the middle of its events.
 */
export function createEventLog(given: LogConfig): EventLog {
  let config = given;
  const fd = config.fd ?? 2;
  let threshold = LEVEL_VALUES[config.level];
  const pretty = config.format === 'pretty';
  let logger = !pretty && threshold <= LEVEL_VALUES.info ? createLogger(config, fd) : undefined;
  const pitfalls: EventFields['pitfall'][] = [];
  const listeners = new Set<(line: EventLine) => void>();
  return {
    pitfalls: () => pitfalls,
    subscribe(listener) {
      // Wrapped, so that one listener subscribed twice is two subscriptions.
      const entry = (line: EventLine) => listener(line);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    setLevel(level) {
      config = { ...config, level };
      threshold = LEVEL_VALUES[level];
      if (logger) logger.level = level;
    },
    emit(event, fields) {
      if (event === 'pitfall') {
        pitfalls.push(fields as EventFields['pitfall']);
        if (pitfalls.length > PITFALLS_KEPT) pitfalls.shift();
      }
      const { level, msg } = EVENTS[event] as { level: 'debug' | 'info' | 'warn'; msg: string | ((fields: object) => string) };
      const text = () => (typeof msg === 'string' ? msg : msg(fields));
      if (listeners.size > 0) {
        const line: EventLine = { time: new Date().toISOString(), level, event, msg: text(), ...fields };
        for (const listener of listeners) listener(line);
      }
      if (LEVEL_VALUES[level] < threshold) return;
      if (pretty) {
        writeAll(fd, prettyLine(new Date().toISOString(), level, event, fields as Record<string, unknown>));
        return;
      }
      // An event that cannot be written (a full disk, a reader gone) is lost, never the app:
      // nothing a log destination does stops procwarden.
      try {
        logger ??= createLogger(config, fd);
        const line: object = { event, ...fields };
        logger[level](line, text());
      } catch {
        // Lost.
      }
    },
  };
}

/**
 * JSON lines through pino, written synchronously to `fd` by writeAll (the bundle carries pino
 * without its own destination and transports: scripts/bundle-parts.ts).
 */
function createLogger(config: LogConfig, fd: number): pino.Logger {
  const { pino: pinoModule } = requirePayload<typeof PinoRuntime>('pino');
  const options: pino.LoggerOptions = {
    level: config.level,
    base: null,
    timestamp: pinoModule.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return pinoModule(options, { write: (line: string) => writeAll(fd, line) });
}
