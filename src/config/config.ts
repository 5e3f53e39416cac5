// The one validated, typed configuration procwarden runs with. Everything below main()
// receives this object; nothing else reads the environment or the command line.

import type { ExitRules } from '../policy/exit-rules.ts';
import type { Policy } from '../policy/policy.ts';
import type { FormationRequest } from '../procfile/formation.ts';
import type { HealthCheck } from '../health/health-config.ts';
import type { HttpSettings } from '../web/http-settings.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const BACKGROUND_EXITS = ['warn', 'crash'] as const;
export type BackgroundExit = (typeof BACKGROUND_EXITS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface LogConfig {
  readonly level: LogLevel;
  /** PROCWARDEN_LOG_LEVEL set it: it does not follow the policy. */
  readonly levelGiven: boolean;
  readonly format: LogFormat;
  /** Where events go: PROCWARDEN_LOG_FD, or the file PROCWARDEN_LOG_FILE names once opened; stderr (2) when unset. */
  readonly fd?: number;
  /** PROCWARDEN_LOG_FILE: opened (appended to) at start. */
  readonly file?: string;
}

/** Where the app comes from: an explicit COMMAND (a one-off) or a Procfile process type (a service). */
export type AppSource =
  | { readonly kind: 'command'; readonly argv: readonly [string, ...string[]] }
  | {
      readonly kind: 'procfile';
      /** PROCWARDEN_PROCFILE, else ./Procfile, else /.aptible/Procfile. */
      readonly file: string | undefined;
      /** --type or PROCWARDEN_PROCESS_TYPE naming one type, else chosen from the file. */
      readonly type: string | undefined;
      /** Several types at once (`--type web,worker`, `--type all`, `--formation web=1,worker=2`). */
      readonly formation?: FormationRequest | undefined;
      /** PROCWARDEN_ONE_SHOT_TYPES: types that run once, before the others, as `release` does. */
      readonly oneShotTypes?: readonly string[];
    };

/** Where a policy setting's value came from: its default, the environment, a flag, the policy file, the control socket, or the web interface and HTTP API. */
export type PolicySource = 'default' | 'env' | 'flag' | 'file' | 'socket' | 'http';
export type PolicySources = Readonly<Record<'autorestart' | 'autoreplace' | 'recovery', PolicySource>>;

export interface Config {
  readonly source: AppSource;
  readonly policy: Policy;
  /** Which policy settings a flag gave: the policy file does not change those at start. */
  readonly policyFlags: readonly ('autorestart' | 'autoreplace' | 'recovery')[];
  /** Where each live policy setting's value came from, for `procwarden status`. */
  readonly policySources: PolicySources;
  /** PROCWARDEN_POLICY_FILE: read at start, watched for changes. */
  readonly policyFile: string | undefined;
  /** Grace between forwarding a stop signal and SIGKILL to what is left of the app's tree. */
  readonly stopTimeoutMs: number;
  /**
   * PROCWARDEN_STOP_SIGNALS: the signals that begin a stop, by name (SIGTERM); the first is
   * the one procwarden sends itself to stop the app.
   */
  readonly stopSignals: readonly [NodeJS.Signals, ...NodeJS.Signals[]];
  /** The app runs once whatever the policy, which cannot be changed live (Procfile type `release`). */
  readonly runsOnce: boolean;
  /** PROCWARDEN_SUCCESS_EXIT and PROCWARDEN_NO_RESTART_EXIT. */
  readonly exitRules: ExitRules;
  /**
   * For a one-off (an explicit COMMAND): the policy variables that were set and are not
   * applied to it (its policy comes from the flags only), each with the flag to use instead.
   */
  readonly ignoredForOneOff: readonly { readonly variable: string; readonly flag: string }[];
  readonly log: LogConfig;
  /** procwarden's own folder: its native code, later its control socket and snapshots. */
  readonly stateDir: string;
  /** What a long-lived background process that exits while the app runs is: a warning, or a crash of the app. */
  readonly backgroundExit: BackgroundExit;
  /** APTIBLE_DO_NOT_WIPE was set (non-empty): no snapshot and no filesystem reset. */
  readonly doNotWipe: boolean;
  /** The folders put back to their pristine state before a replace or a recovery. */
  readonly wipePaths: readonly string[];
  /** No PROCWARDEN_WIPE_PATHS: the working directory and /tmp, meant for a container's own. */
  readonly wipePathsByDefault: boolean;
  /**
   * What shows that procwarden runs in a container of its own (container-sign.ts), as a
   * phrase; undefined when nothing does: the default wipe paths are then never reset.
   */
  readonly containerSign: string | undefined;
  /** Globs (absolute) left alone by the reset. */
  readonly wipeExclude: readonly string[];
  /** PROCWARDEN_HEALTHCHECK and its options; undefined when none is set. */
  readonly healthCheck?: HealthCheck | undefined;
  /** PROCWARDEN_HTTP and its companions: the web interface and HTTP API; undefined when off. */
  readonly http?: HttpSettings | undefined;
  /** PROCWARDEN_PREFIX=on: the apps' output through procwarden, each line after its instance's name. */
  readonly prefix: boolean;
  /** What the configuration dropped, to be said once events are on. */
  readonly warnings: readonly string[];
}

export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_STATE_DIR = '/run/procwarden';
