// Reads the command line and the environment into one validated Config, once, at the edge.
// Pure: no I/O, so every rule here is unit-tested with plain arrays and objects.

import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  BACKGROUND_EXITS,
  DEFAULT_STATE_DIR,
  DEFAULT_STOP_TIMEOUT_MS,
  LOG_FORMATS,
  LOG_LEVELS,
  type AppSource,
  type Config,
  type LogConfig,
  type LogFormat,
  type LogLevel,
  type PolicySources,
} from './config.ts';
import { DEFAULT_BACKOFF, DEFAULT_REPLACE_BUDGET, DEFAULT_RESTART_BUDGET, DEFAULT_THROTTLE_MS, recoversAtAll, type Budget, type Policy } from '../policy/policy.ts';
import { notOneOf, POLICY_SETTINGS, type LiveKey, type PolicySetting } from '../policy/settings.ts';
import { parseBudget } from './budget.ts';
import { parseExitList, type ExitMatch } from '../policy/exit-rules.ts';
import { canBeStopSignal, DEFAULT_STOP_SIGNALS, parseSignal } from '../signals/signal-table.ts';
import { parseDuration } from './duration.ts';
import { USAGE } from './help.ts';
import { parseFormation, parseTypes } from '../procfile/formation.ts';
import { healthCheckFrom } from '../health/health-config.ts';
import { containerSign } from './container-sign.ts';
import { httpSettingsFrom } from '../web/http-settings.ts';
import { nearestName } from './did-you-mean.ts';

export type Invocation =
  | { readonly kind: 'run'; readonly config: Config }
  | {
      readonly kind: 'snapshot';
      readonly wipePaths: readonly string[];
      readonly wipePathsByDefault: boolean;
      readonly wipeExclude: readonly string[];
      readonly containerSign: string | undefined;
      readonly stateDir: string;
      readonly doNotWipe: boolean;
    }
  | { readonly kind: 'status'; readonly stateDir: string; readonly json: boolean }
  | { readonly kind: 'set'; readonly stateDir: string; readonly change: Record<string, string>; readonly type?: string; readonly json: boolean }
  | { readonly kind: 'restart'; readonly stateDir: string; readonly type?: string; readonly json: boolean }
  | { readonly kind: 'check'; readonly procfile: string | undefined; readonly procfileNamedBy: string; readonly json: boolean; readonly programs: boolean }
  /** `topic`: a subcommand's help (`procwarden help status`, `procwarden status --help`). */
  | { readonly kind: 'help'; readonly topic?: Subcommand }
  | { readonly kind: 'version' }
  | { readonly kind: 'usage-error'; readonly message: string };

export type Environment = Readonly<Record<string, string | undefined>>;

/** Subcommands of the spec that this version does not provide yet (spec section 1). */
const PLANNED_SUBCOMMANDS = new Set<string>();

const CHECK_OPTIONS = {
  procfile: { type: 'string' },
  json: { type: 'boolean' },
  programs: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

export const CHECK_USAGE = 'usage: procwarden check [--procfile PATH] [--programs] [--json]';

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  autorestart: { type: 'string' },
  autoreplace: { type: 'string' },
  recovery: { type: 'string' },
  type: { type: 'string', multiple: true },
  formation: { type: 'string', multiple: true },
} as const satisfies ParseArgsConfig['options'];

type OptionValues = {
  help?: boolean;
  version?: boolean;
  autorestart?: string;
  autoreplace?: string;
  recovery?: string;
  type?: string[];
  formation?: string[];
};

class UsageError extends Error {}

/**
 * `cwd`: the working directory, the default wipe root besides /tmp. `utsNamespace`: the link
 * /proc/self/ns/uts (`uts:[N]`), read by the caller, undefined when unreadable: one of the
 * signs of a container (container-sign.ts). `stderrIsTerminal`: procwarden's stderr is a
 * terminal, where events are written for people by default.
 */
export function parseInvocation(args: readonly string[], env: Environment, cwd = '/app', utsNamespace?: string, stderrIsTerminal = false): Invocation {
  try {
    return parse(args, env, cwd, utsNamespace, stderrIsTerminal);
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'usage-error', message: error.message };
    throw error;
  }
}

/** The subcommands, each with its own --help. */
export const SUBCOMMANDS = ['check', 'status', 'set', 'restart', 'snapshot'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];
const isSubcommand = (word: string | undefined): word is Subcommand => (SUBCOMMANDS as readonly (string | undefined)[]).includes(word);

/**
 * The subcommand that a COMMAND which was not found is a typo of (`statsu`: `status`,
 * `hlep`: `help`); undefined when none is near, for a path (`./statsu`), which names a
 * program, and for a name of three letters or fewer: those are one letter from other
 * programs (`sed` and `seq` from `set`), which an image may lack.
 */
export function subcommandMeant(program: string): string | undefined {
  return program.includes('/') || program.length < 4 ? undefined : nearestName(program, [...SUBCOMMANDS, 'help']);
}

/**
 * An error of node:util's parseArgs in procwarden's own words: `unknown option --x`,
 * `--type needs a value`.
 */
function optionError(error: unknown, usage: string): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  const said =
    code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? `unknown option ${option ?? ''}`.trim()
      : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
        ? /argument missing|requires an argument|<value>/.test(message)
          ? `${option ?? 'an option'} needs a value`
          : `${option ?? 'an option'} takes no value`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? `unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ''}`.trim()
          : message.split('\n')[0]!;
  return new UsageError(`${said}\n${usage}`);
}

function parse(args: readonly string[], env: Environment, cwd: string, utsNamespace: string | undefined, stderrIsTerminal: boolean): Invocation {
  const first = args[0];
  if (first === 'help') {
    const topic = args[1];
    if (args.length > 2 || (topic !== undefined && !isSubcommand(topic))) throw new UsageError(`usage: procwarden help [${SUBCOMMANDS.join('|')}]`);
    return topic === undefined ? { kind: 'help' } : { kind: 'help', topic };
  }
  if (isSubcommand(first) && args.slice(1).some((word) => word === '--help' || word === '-h')) return { kind: 'help', topic: first };
  if (first === 'check') return parseCheck(args.slice(1), env);
  if (first === 'status' || first === 'set' || first === 'restart') return parseClient(first, args.slice(1), env);
  if (first === 'snapshot') {
    if (args.length > 1) throw new UsageError('usage: procwarden snapshot (it takes no arguments: the wipe paths come from the environment)');
    const { wipePaths, wipePathsByDefault, wipeExclude } = wipeSettings(env, cwd);
    return {
      kind: 'snapshot',
      wipePaths,
      wipePathsByDefault,
      wipeExclude,
      containerSign: containerSign(utsNamespace, env),
      stateDir: stateDirFrom(env),
      doNotWipe: (env['APTIBLE_DO_NOT_WIPE'] ?? '') !== '',
    };
  }
  if (first !== undefined && PLANNED_SUBCOMMANDS.has(first)) {
    throw new UsageError(
      `'${first}' is a procwarden subcommand this version does not have yet; to run a program named ${first}, write: procwarden -- ${first}`,
    );
  }

  const { optionArgs, command } = splitAtCommand(args);
  let values: OptionValues = {};
  try {
    if (optionArgs.length > 0) ({ values } = parseArgs({ args: [...optionArgs], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw optionError(error, USAGE);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [program, ...programArgs] = command;
  if (program === '') throw new UsageError(`COMMAND is an empty string\n${USAGE}`);
  if (program !== undefined && (values.type !== undefined || values.formation !== undefined)) {
    throw new UsageError(`--${values.type !== undefined ? 'type' : 'formation'} chooses Procfile process types: it does not go with a COMMAND\n${USAGE}`);
  }
  const source: AppSource = program === undefined ? procfileSource(values, env) : { kind: 'command', argv: [program, ...programArgs] };

  // A Procfile process type is a service: its policy comes from the flags, the policy file
  // and the environment, and Container Recovery is on unless turned off. An explicit COMMAND
  // is a one-off (`docker run IMAGE -- python manage.py migrate`): an image's ENV written for
  // its services must not run a migration four times, so its policy comes from the flags
  // only, and Container Recovery is off unless asked for.
  const service = source.kind === 'procfile';
  const policy = readPolicy(values, env, { service });
  const healthCheck = healthCheckFrom(env);
  if (healthCheck && 'error' in healthCheck) throw new UsageError(healthCheck.error);
  const http = httpSettingsFrom(env);
  if (http && 'error' in http) throw new UsageError(http.error);
  return {
    kind: 'run',
    config: {
      source,
      policy,
      policyFlags: POLICY_SETTINGS.map(({ key }) => key).filter((key) => values[key] !== undefined),
      policySources: Object.fromEntries(
        POLICY_SETTINGS.map((setting) => [setting.key, values[setting.key] !== undefined ? 'flag' : service && settingFromEnv(env, setting).value !== undefined ? 'env' : 'default']),
      ) as PolicySources,
      policyFile: service ? nonEmpty(env['PROCWARDEN_POLICY_FILE']) : undefined,
      ignoredForOneOff: service ? [] : POLICY_VARIABLES.filter(({ variable }) => nonEmpty(env[variable]) !== undefined),
      stopTimeoutMs: durationFrom(env, 'PROCWARDEN_STOP_TIMEOUT', DEFAULT_STOP_TIMEOUT_MS),
      stopSignals: stopSignalsFrom(env),
      runsOnce: false,
      exitRules: { success: exitListFrom(env, 'PROCWARDEN_SUCCESS_EXIT'), noRestart: exitListFrom(env, 'PROCWARDEN_NO_RESTART_EXIT') },
      log: {
        // Events are on for a service or when a policy can start the app again; a plain init is quiet.
        level: oneOf(
          env,
          'PROCWARDEN_LOG_LEVEL',
          LOG_LEVELS,
          (source.kind === 'procfile' || recoversAtAll(policy) ? 'info' : 'warn') satisfies LogLevel,
        ),
        levelGiven: nonEmpty(env['PROCWARDEN_LOG_LEVEL']) !== undefined,
        ...logDestination(env, cwd, stderrIsTerminal),
      },
      stateDir: stateDirFrom(env),
      backgroundExit: oneOf(env, 'PROCWARDEN_BACKGROUND_EXIT', BACKGROUND_EXITS, 'warn'),
      prefix: oneOf(env, 'PROCWARDEN_PREFIX', ['on', 'off'] as const, 'off') === 'on',
      ...(healthCheck ? { healthCheck } : {}),
      ...(http ? { http } : {}),
      ...wipeSettings(env, cwd),
      containerSign: containerSign(utsNamespace, env),
      doNotWipe: (env['APTIBLE_DO_NOT_WIPE'] ?? '') !== '',
    },
  };
}

/**
 * Where events go (PROCWARDEN_LOG_FD, PROCWARDEN_LOG_FILE: one of them at most, else stderr)
 * and in what format: PROCWARDEN_LOG_FORMAT, else `pretty` for a terminal and `json` for
 * anything else (a log drain, a file, a pipe).
 */
function logDestination(env: Environment, cwd: string, stderrIsTerminal: boolean): Pick<LogConfig, 'format' | 'fd' | 'file'> {
  const fdText = nonEmpty(env['PROCWARDEN_LOG_FD']);
  const fileText = nonEmpty(env['PROCWARDEN_LOG_FILE']);
  if (fdText !== undefined && fileText !== undefined) throw new UsageError('PROCWARDEN_LOG_FD and PROCWARDEN_LOG_FILE are both set: give one');
  if (fdText !== undefined && !/^\d{1,4}$/.test(fdText.trim())) throw new UsageError(`PROCWARDEN_LOG_FD: '${fdText}' is not a descriptor number (e.g. 3)`);
  const fd = fdText === undefined ? undefined : Number(fdText);
  if (fd === 0) throw new UsageError("PROCWARDEN_LOG_FD: 0 is procwarden's standard input, not a place for events");
  const toTerminal = stderrIsTerminal && fd === undefined && fileText === undefined;
  return {
    format: oneOf(env, 'PROCWARDEN_LOG_FORMAT', LOG_FORMATS, toTerminal ? 'pretty' : ('json' satisfies LogFormat)),
    ...(fd === undefined ? {} : { fd }),
    ...(fileText === undefined ? {} : { file: resolve(cwd, fileText) }),
  };
}

/** What runs from the Procfile: one type (as before formations), or a formation. */
function procfileSource(values: OptionValues, env: Environment): AppSource {
  const once = (name: 'type' | 'formation'): string | undefined => {
    const given = values[name];
    if (given && given.length > 1) throw new UsageError(`--${name} is given ${given.length} times: give it once (${name === 'type' ? '--type web,worker runs both' : '--formation web=1,worker=2'})`);
    return given?.[0];
  };
  const typeFlag = once('type');
  const formationFlag = once('formation');
  if (typeFlag !== undefined && formationFlag !== undefined) throw new UsageError(`--type and --formation both choose the process types: give one\n${USAGE}`);
  const [formationText, formationName] =
    formationFlag !== undefined ? [formationFlag, '--formation'] : typeFlag !== undefined ? [undefined, ''] : [nonEmpty(env['PROCWARDEN_FORMATION']), 'PROCWARDEN_FORMATION'];
  const [typeText, typeName] = typeFlag !== undefined ? [typeFlag, '--type'] : formationText !== undefined ? [undefined, ''] : [nonEmpty(env['PROCWARDEN_PROCESS_TYPE']), 'PROCWARDEN_PROCESS_TYPE'];
  const oneShotTypes = (nonEmpty(env['PROCWARDEN_ONE_SHOT_TYPES']) ?? '').split(',').map((type) => type.trim()).filter(Boolean);
  const file = nonEmpty(env['PROCWARDEN_PROCFILE']);
  const more = oneShotTypes.length > 0 ? { oneShotTypes } : {};
  if (formationText !== undefined) {
    const formation = parseFormation(formationText);
    if ('error' in formation) throw new UsageError(`${formationName}: ${formation.error}`);
    return { kind: 'procfile', file, type: undefined, formation, ...more };
  }
  if (typeText === undefined) return { kind: 'procfile', file, type: undefined, ...more };
  const request = parseTypes(typeText);
  if ('error' in request) throw new UsageError(`${typeName}: ${request.error}`);
  // One type named: as before formations.
  if (request.kind === 'types' && request.types.length === 1) return { kind: 'procfile', file, type: request.types[0], ...more };
  return { kind: 'procfile', file, type: undefined, formation: request, ...more };
}

/** The variables that set a service's policy, and the flag that sets a one-off's. */
const POLICY_VARIABLES = [
  ...POLICY_SETTINGS.flatMap(({ variable, alias, flag }) => [{ variable, flag }, ...(alias ? [{ variable: alias, flag }] : [])]),
  { variable: 'PROCWARDEN_POLICY_FILE', flag: POLICY_SETTINGS.map(({ flag }) => flag).join(', ').replace(/, (?=[^,]*$)/, ' and ') },
];

function stopSignalsFrom(env: Environment): Config['stopSignals'] {
  const text = nonEmpty(env['PROCWARDEN_STOP_SIGNALS']);
  if (text === undefined) return DEFAULT_STOP_SIGNALS;
  const signals: NodeJS.Signals[] = [];
  for (const word of text.split(',').map((entry) => entry.trim()).filter(Boolean)) {
    const signal = parseSignal(word);
    if (signal === undefined) throw new UsageError(`PROCWARDEN_STOP_SIGNALS: '${word}' is not a signal (e.g. SIGTERM,SIGQUIT)`);
    if (!canBeStopSignal(signal)) throw new UsageError(`PROCWARDEN_STOP_SIGNALS: ${signal} cannot be a stop signal (procwarden cannot catch it, or leaves it to the system)`);
    if (!signals.includes(signal)) signals.push(signal);
  }
  const [first, ...rest] = signals;
  if (first === undefined) throw new UsageError(`PROCWARDEN_STOP_SIGNALS: '${text}' names no signal (e.g. SIGTERM,SIGQUIT)`);
  return [first, ...rest];
}

function exitListFrom(env: Environment, name: string): readonly ExitMatch[] {
  const text = nonEmpty(env[name]);
  if (text === undefined) return [];
  const list = parseExitList(text, parseSignal);
  if ('error' in list) throw new UsageError(`${name}: ${list.error}`);
  return list;
}

export const CLIENT_USAGE = {
  status: 'usage: procwarden status [--json]',
  set: 'usage: procwarden set [--type TYPE] [--autorestart P] [--autoreplace P] [--recovery on|off] [--json]',
  restart: 'usage: procwarden restart [--type TYPE] [--json]',
} as const;

/** The control socket's client: the same state dir as the running procwarden's. */
function parseClient(command: 'status' | 'set' | 'restart', args: readonly string[], env: Environment): Invocation {
  const type = { type: 'string' } as const;
  const json = { type: 'boolean' } as const;
  const options =
    command === 'status' ? { json } : command === 'set' ? { autorestart: OPTIONS.autorestart, autoreplace: OPTIONS.autoreplace, recovery: OPTIONS.recovery, type, json } : { type, json };
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...args], options: options as ParseArgsConfig['options'] & object, strict: true, allowPositionals: false }));
  } catch (error) {
    throw optionError(error, CLIENT_USAGE[command]);
  }
  const stateDir = stateDirFrom(env);
  const asJson = values['json'] === true;
  if (command === 'status') return { kind: 'status', stateDir, json: asJson };
  const chosen = typeof values['type'] === 'string' ? { type: values['type'] } : {};
  if (command === 'restart') return { kind: 'restart', stateDir, json: asJson, ...chosen };
  const change = Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'type'));
  if (Object.keys(change).length === 0) throw new UsageError(`nothing to set\n${CLIENT_USAGE.set}`);
  // Checked here as well as by the server, so that a typo is one line before any request.
  for (const setting of POLICY_SETTINGS) {
    const text = change[setting.key];
    if (text !== undefined) readSetting(setting, text, setting.flag);
  }
  return { kind: 'set', stateDir, change, json: asJson, ...chosen };
}

/** `procwarden check [--procfile PATH] [--json]`: the Procfile is the flag's, else PROCWARDEN_PROCFILE's, else found. */
function parseCheck(args: readonly string[], env: Environment): Invocation {
  try {
    const { values } = parseArgs({ args: [...args], options: CHECK_OPTIONS, strict: true, allowPositionals: false });
    return {
      kind: 'check',
      procfile: values.procfile ?? nonEmpty(env['PROCWARDEN_PROCFILE']),
      procfileNamedBy: values.procfile === undefined ? 'PROCWARDEN_PROCFILE' : '--procfile',
      json: values.json ?? false,
      programs: values.programs ?? false,
    };
  } catch (error) {
    throw optionError(error, CHECK_USAGE);
  }
}

/**
 * Options come before COMMAND; the first word that is not an option starts COMMAND, and
 * everything after it belongs to the app (`procwarden ls -la` runs `ls -la`). `--` ends the
 * options explicitly.
 */
function splitAtCommand(args: readonly string[]): { optionArgs: readonly string[]; command: readonly string[] } {
  const commandAfter = (terminator: number) => {
    if (terminator === args.length - 1) throw new UsageError(`'--' must be followed by COMMAND\n${USAGE}`);
    return { optionArgs: args.slice(0, terminator), command: args.slice(terminator + 1) };
  };
  // No option before the command (an image's ENTRYPOINT, most often): nothing to parse, and
  // parseArgs's first call costs a start about 0.5 ms.
  const first = args[0];
  if (first === undefined || !first.startsWith('-')) return { optionArgs: [], command: args };
  if (first === '--') return commandAfter(0);
  const { tokens } = parseArgs({ args: [...args], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option-terminator') return commandAfter(token.index);
    if (token.kind === 'positional') {
      return { optionArgs: args.slice(0, token.index), command: args.slice(token.index) };
    }
  }
  return { optionArgs: args, command: [] };
}

/**
 * Flags win over the environment; each bad value names where it came from. A one-off's
 * autorestart, autoreplace and Container Recovery come from the flags alone; its budgets and
 * throttle from the environment, as a service's.
 */
function readPolicy(flags: OptionValues, env: Environment, { service }: { service: boolean }): Policy {
  const policyEnv: Environment = service ? env : {};
  const [autorestart, autoreplace, recovery] = POLICY_SETTINGS;
  // Container Recovery is on for a service unless turned off; everything else is off.
  const valueOf = <K extends LiveKey>(setting: PolicySetting<K>, fallback: Policy[K]): Policy[K] => {
    const fromFlag = flags[setting.key];
    if (fromFlag !== undefined) return readSetting(setting, fromFlag, setting.flag);
    const { name, value } = settingFromEnv(policyEnv, setting);
    return value === undefined ? fallback : readSetting(setting, value, name);
  };
  return {
    autorestart: valueOf(autorestart, 'off'),
    autoreplace: valueOf(autoreplace, 'off'),
    recovery: valueOf(recovery, service),
    restartBudget: budgetFrom(env, 'PROCWARDEN_RESTART_LIMIT', DEFAULT_RESTART_BUDGET),
    replaceBudget: budgetFrom(env, 'PROCWARDEN_REPLACE_LIMIT', DEFAULT_REPLACE_BUDGET),
    throttleMs: durationFrom(env, 'PROCWARDEN_THROTTLE', DEFAULT_THROTTLE_MS),
    backoff: backoffFrom(env),
  };
}

/** PROCWARDEN_BACKOFF (`1s..30s`, `off`) and PROCWARDEN_BACKOFF_RESET (a duration). */
function backoffFrom(env: Environment): Policy['backoff'] {
  const text = nonEmpty(env['PROCWARDEN_BACKOFF']);
  const resetMs = durationFrom(env, 'PROCWARDEN_BACKOFF_RESET', DEFAULT_BACKOFF.resetMs);
  if (text === undefined) return { ...DEFAULT_BACKOFF, resetMs };
  if (text.trim().toLowerCase() === 'off') return undefined;
  const [first, max, ...more] = text.split('..');
  const firstMs = first === undefined ? undefined : parseDuration(first);
  const maxMs = max === undefined ? undefined : parseDuration(max);
  if (more.length > 0 || firstMs === undefined || maxMs === undefined || firstMs <= 0 || maxMs < firstMs || maxMs > LONGEST_TIMER_MS) {
    throw new UsageError(`PROCWARDEN_BACKOFF: '${text}' is not FIRST..MAX (two durations, the first above 0 and at most the second, e.g. 1s..30s) or off`);
  }
  return { firstMs, maxMs, resetMs };
}

/**
 * A setting's value in the environment, under its variable or its other spelling (AUTORESTART,
 * PROCWARDEN_AUTORESTART), and the name it was found under. Both at once is a usage error.
 */
function settingFromEnv(env: Environment, setting: PolicySetting): { name: string; value: string | undefined } {
  const value = nonEmpty(env[setting.variable]);
  const other = setting.alias === undefined ? undefined : nonEmpty(env[setting.alias]);
  if (value !== undefined && other !== undefined) throw new UsageError(`${setting.variable} and ${setting.alias} are two spellings of one setting: give one`);
  return other === undefined ? { name: setting.variable, value } : { name: setting.alias!, value: other };
}

/** A policy setting's value, or a usage error that names where it came from (`name`). */
function readSetting<K extends LiveKey>(setting: PolicySetting<K>, text: string, name: string): Policy[K] {
  const value = setting.read(text);
  if (value === undefined) throw new UsageError(`${name}: ${notOneOf(setting, text)}`);
  return value;
}

function budgetFrom(env: Environment, name: string, fallback: Budget): Budget {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const budget = parseBudget(text);
  if (!budget) throw new UsageError(`${name}: '${text}' is not TRIES/WINDOW (a whole number, '/', a duration, e.g. 3/1m)`);
  return budget;
}

/**
 * The longest timer Node has: 2^31 - 1 ms, about 24.8 days. A longer one fires after 1 ms
 * (with a TimeoutOverflowWarning), so a longer duration for a timer is refused, not misread.
 */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

function durationFrom(env: Environment, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`${name}: '${text}' is not a duration (a number with ms, s, m or h, e.g. 10s)`);
  }
  if (ms > LONGEST_TIMER_MS) throw new UsageError(`${name}: '${text}' is longer than procwarden can wait (at most 596h, about 24.8 days)`);
  return ms;
}

/** Never wipe roots (spec section 4): the whole system, and the kernel's own filesystems. */
const NEVER_WIPED = ['/proc', '/sys', '/dev'];
const neverWiped = (path: string) => path === '/' || NEVER_WIPED.some((root) => path === root || path.startsWith(`${root}/`));

function wipeSettings(env: Environment, cwd: string): Pick<Config, 'wipePaths' | 'wipePathsByDefault' | 'wipeExclude' | 'warnings'> {
  const listed = nonEmpty(env['PROCWARDEN_WIPE_PATHS']);
  const warnings: string[] = [];
  let wipePaths: string[];
  if (listed === undefined) {
    wipePaths = [cwd, '/tmp'].filter((path) => {
      if (!neverWiped(path)) return true;
      warnings.push(`the working directory is ${path}, which is never wiped: it is left out of the wipe paths (set PROCWARDEN_WIPE_PATHS)`);
      return false;
    });
  } else {
    wipePaths = listed
      .split(':')
      .filter(Boolean)
      .map((path) => resolve(cwd, path));
    const bad = wipePaths.find(neverWiped);
    if (bad !== undefined) throw new UsageError(`PROCWARDEN_WIPE_PATHS: '${bad}' can never be wiped (nor can /, /proc, /sys or /dev)`);
  }
  const wipeExclude = (nonEmpty(env['PROCWARDEN_WIPE_EXCLUDE']) ?? '').split(':').filter(Boolean).map((glob) => resolve(cwd, glob));
  return { wipePaths: [...new Set(wipePaths)], wipePathsByDefault: listed === undefined, wipeExclude, warnings };
}

/** PROCWARDEN_STATE_DIR, validated; throws a usage error (see parseInvocation) when it is not absolute. */
export function stateDirFrom(env: Environment): string {
  return absolutePath(env, 'PROCWARDEN_STATE_DIR', DEFAULT_STATE_DIR);
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function absolutePath(env: Environment, name: string, fallback: string): string {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!text.startsWith('/')) throw new UsageError(`${name}: '${text}' is not an absolute path`);
  // `//`, `/./`, `x/..` and a trailing slash go: a path is compared as a path, not a string.
  return resolve(text);
}

function oneOf<const T extends string>(env: Environment, name: string, allowed: readonly T[], fallback: T): T {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  return oneOfText(text, name, allowed);
}

/** Case-insensitive: ON_FAILURE, on_failure and On_Failure are one value. */
function oneOfText<const T extends string>(text: string, name: string, allowed: readonly T[]): T {
  const value = text.trim().toLowerCase();
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) {
    throw new UsageError(`${name}: '${text}' is not one of ${allowed.join(', ')}`);
  }
  return found;
}
