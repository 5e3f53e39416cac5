// procwarden: the init for Procfile-based container images. The whole flow, in order:
// read the configuration, load libc, note the inherited descriptors, become the reaper,
// start and supervise the app, exit with its code.

// First: the listeners that keep an early stop signal (see early-signals.ts).
import { listenEarly, releaseSignals } from './signals/early-signals.ts';
import { openSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { parseInvocation, stateDirFrom, subcommandMeant } from './config/command-line.ts';
import { whyNotOwnDefaultPaths } from './config/container-sign.ts';
import { unknownVariables } from './config/variables.ts';
import type { AppSource, Config, LogConfig, PolicySources } from './config/config.ts';
import { helpText, SUBCOMMAND_HELP } from './config/help.ts';
import { createEventLog, type EventLog } from './events/events.ts';
import { NativeLoadError, loadFsCalls, loadLibc } from './native/load-libc.ts';
import type { Libc } from './native/libc.ts';
import { ProcfileError, loadProcfile, loadProcfileEntry, procfileHere, type LoadedProcfile } from './procfile/locate.ts';
import { oneOffPolicyNotice, type PolicyNotice } from './config/one-off-policy.ts';
import { unknownTypes, type ProcfileEntry } from './procfile/procfile.ts';
import { execForm } from './procfile/exec-form.ts';
import { DEFAULT_PORT, RUNS_ONCE, withPort } from './procfile/service-env.ts';
import { lintInChild } from './lint/lint-child.ts';
import type * as CheckCommand from './lint/check-command.ts';
import { readGivenFds } from './process/given-fds.ts';
import { bundleDescriptor, requirePayload } from './bundle/payloads.ts';
import { counted } from './events/counted.ts';
import { killEverythingNow } from './process/kill-tree.ts';
import { nodeChildren } from './process/node-children.ts';
import { ownGroups } from './process/own-groups.ts';
import { rawTail, splitNulBlock } from './process/raw-args.ts';
import { SpawnError, type AppLaunch } from './process/spawn-app.ts';
import { supervise, type InstanceSpec } from './supervisor/supervisor.ts';
import { ask, type Reply } from './control/client.ts';
import { changeFor, healthOptionsWithoutCheck, healthSettings, parsePolicyFile, unknownTypeLines, type PolicyChanges } from './control/policy-file.ts';
import { healthCheckFrom, type HealthCheck } from './health/health-config.ts';
import type { PolicyChange } from './policy/settings.ts';
import type { Policy } from './policy/policy.ts';
import { planFormation, type FormationRequest } from './procfile/formation.ts';
import { readPolicyFileText } from './control/read-policy-file.ts';
import { resolvedPath, resolveWipePaths } from './filesystem/resolve.ts';
import { entryCount, snapshotDir, takeSnapshot, type Snapshot } from './filesystem/snapshot.ts';
import { formatBytes } from './filesystem/snapshot-size.ts';
import { readHttpToken } from './web/http-token.ts';

declare const PROCWARDEN_VERSION: string;

/** Set at build: the standalone executable built from a V8 startup snapshot (bench/ measures it). */
declare const PROCWARDEN_SNAPSHOT: boolean;

let givenFds: number[] = [];

if (PROCWARDEN_SNAPSHOT) process.getBuiltinModule('node:v8').startupSnapshot.setDeserializeMainFunction(start);
else start();

function start(): void {
  listenEarly();
  // An error thrown outside main's own chain (in an event handler: a request, a timer) ends
  // procwarden as one inside it does: said, and nothing of the app left running.
  process.on('uncaughtException', internalError);
  process.on('unhandledRejection', internalError);
  main().then((code) => process.exit(code), internalError);
}

/** A bug of procwarden's: one line with its stack, every process below procwarden killed, exit 1. */
function internalError(error: unknown): never {
  say(`internal error: ${(error as Error).stack ?? String(error)}`);
  killEverythingNow();
  process.exit(1);
}

async function main(): Promise<number> {
  const invocation = parseInvocation(process.argv.slice(2), process.env, process.cwd(), readLink('/proc/self/ns/uts'), isTerminal(2));
  // Only a run has an app to stop; the other commands let a signal do what it always does.
  if (invocation.kind !== 'run') releaseSignals();
  switch (invocation.kind) {
    case 'help':
      return print(invocation.topic === undefined ? helpText(PROCWARDEN_VERSION) : SUBCOMMAND_HELP[invocation.topic]);
    case 'version':
      return print(`procwarden ${PROCWARDEN_VERSION}\n`);
    case 'usage-error':
      say(invocation.message);
      return 2;
    case 'check':
      return check(invocation.procfile, invocation.procfileNamedBy, invocation.json, invocation.programs);
    case 'snapshot':
      return snapshot(invocation);
    case 'status':
    case 'set':
    case 'restart':
      return client(invocation);
    case 'run':
      return run(invocation.config);
  }
}

/** `procwarden status|set|restart`: exit 0 answered, 1 refused or not reached (one line says why: control/connect-error.ts). */
async function client(
  invocation:
    | { kind: 'status'; stateDir: string; json: boolean }
    | { kind: 'set'; stateDir: string; change: Record<string, string>; type?: string; json: boolean }
    | { kind: 'restart'; stateDir: string; type?: string; json: boolean },
): Promise<number> {
  let reply: Reply;
  const forType = invocation.kind !== 'status' && invocation.type !== undefined ? `?type=${encodeURIComponent(invocation.type)}` : '';
  try {
    reply =
      invocation.kind === 'status'
        ? await ask(resolvedPath(invocation.stateDir), 'GET', '/status')
        : invocation.kind === 'set'
          ? await ask(resolvedPath(invocation.stateDir), 'PATCH', `/policy${forType}`, invocation.change)
          : await ask(resolvedPath(invocation.stateDir), 'POST', `/restart${forType}`);
  } catch (error) {
    say((error as Error).message);
    return 1;
  }
  if (reply.status >= 400) {
    say(`refused (${reply.status}): ${String(reply.body['error'])}`);
    return 1;
  }
  if (invocation.json) return print(`${JSON.stringify(reply.body)}\n`);
  if (invocation.kind === 'status') return print(`${describeStatus(reply.body)}\n`);
  if (invocation.kind === 'restart') return print(`restarting${invocation.type === undefined ? '' : ` the ${invocation.type} instances`}\n`);
  return print(`${describeChange(reply.body as { old: Record<string, string>; new: Record<string, string> }, invocation.type)}\n`);
}

/** What `procwarden set` changed, as a sentence: `autorestart ON_FAILURE -> ALWAYS`. */
function describeChange({ old, new: now }: { old: Record<string, string>; new: Record<string, string> }, type: string | undefined): string {
  const changed = Object.keys(now).filter((key) => old[key] !== now[key]).map((key) => `${key} ${old[key]} -> ${now[key]}`);
  const whose = type === undefined ? '' : ` for ${type}`;
  return changed.length === 0
    ? `nothing changed${whose}: the policy already was that`
    : `policy changed${whose}: ${changed.join(', ')}; it applies to the next exit, and to a start procwarden waits to make`;
}

/** `text` on stdout; a reader that has gone (\`procwarden status | head -1\`) ends it quietly. Returns 0. */
function print(text: string): number {
  try {
    writeSync(1, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
  return 0;
}

type AppView = { pid: number; attempt: number; mode: string; uptimeMs: number } | null;
const describeApp = (app: AppView) => (app ? `pid ${app.pid}, attempt ${app.attempt} (${app.mode}), up ${Math.round(app.uptimeMs / 1000)} s` : 'none');
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const clock = (iso: string) => iso.slice(11, 19);

/** One instance (or the lone app) as `procwarden status` prints it: a line a fact. */
function describeInstance(view: Record<string, unknown>): string[] {
  const policy = view['policy'] as Record<string, string>;
  const sources = (view['policySources'] ?? {}) as Record<string, string>;
  const health = view['health'] as { status: string; failingStreak: number; lastOutput?: string; lastCheckSecondsAgo?: number } | undefined;
  const lastExit = view['lastExit'] as { code: number | null; signal: string | null; cause: string; uptimeMs: number; at: string } | null;
  const lastDecision = view['lastDecision'] as { action: string; reason: string; at: string } | null;
  const nextStart = view['nextStart'] as { mode: string; at: string } | null;
  const count = (counts: Record<string, number>) => Object.entries(counts).map(([what, n]) => `${what} ${n}`).join(', ') || 'none';
  const setting = (key: string, label: string) => `${label} ${policy[key]}${sources[key] ? ` (${sources[key]})` : ''}`;
  const budgets = [
    ...(policy['autorestart'] !== 'OFF' ? [counted(Number(view['restartsLeft']), 'restart')] : []),
    ...(policy['autoreplace'] !== 'OFF' ? [counted(Number(view['replacesLeft']), 'replacement')] : []),
  ];
  return [
    `${view['processType'] === undefined ? 'command:' : `process type ${String(view['processType'])}:`} ${(view['command'] as string[]).join(' ')}`,
    `state: ${String(view['state'])}`,
    `app: ${describeApp(view['app'] as AppView)}`,
    ...(health ? [`health: ${health.status}${health.failingStreak > 0 ? ` (${health.failingStreak} failures in a row)` : ''}${health.lastOutput ? `, last: ${health.lastOutput}${health.lastCheckSecondsAgo === undefined ? '' : `, ${health.lastCheckSecondsAgo} s ago`}` : ''}`] : []),
    ...(lastExit ? [`last exit: ${lastExit.signal ?? `exit code ${lastExit.code}`} (${lastExit.cause}) after ${seconds(lastExit.uptimeMs)}, at ${clock(lastExit.at)}`] : []),
    ...(lastDecision ? [`last decision: ${lastDecision.action} (${lastDecision.reason}), at ${clock(lastDecision.at)}`] : []),
    ...(nextStart ? [`next start: ${nextStart.mode} at ${clock(nextStart.at)}`] : []),
    `policy: ${setting('autorestart', 'autorestart')}, ${setting('autoreplace', 'autoreplace')}, ${setting('recovery', 'recovery')}`,
    ...(budgets.length > 0 ? [`budgets left: ${budgets.join(', ')}`] : []),
    `starts: ${count(view['starts'] as Record<string, number>)}; exits: ${count(view['exits'] as Record<string, number>)}`,
  ];
}

function describeStatus(status: Record<string, unknown>): string {
  const instances = status['instances'] as Record<string, unknown>[] | undefined;
  // A formation: each instance's facts, each line after its name.
  const lines = instances ? instances.flatMap((view) => describeInstance(view).map((line) => `${String(view['process'])}: ${line}`)) : describeInstance(status);
  return [...lines, ...describeCommon(status)].join('\n');
}

/** The snapshot, the policy file's last refusal and the pitfalls: the container's, whatever runs in it. */
function describeCommon(status: Record<string, unknown>): string[] {
  const pitfalls = status['pitfalls'] as { rule: string; detail: string }[];
  const refused = status['policyFileRejected'] as { error: string; at: string } | null | undefined;
  const snapshot = status['snapshot'] as { source?: string; entries?: number; advice?: string; error?: string } | null | undefined;
  const snapshotLine =
    snapshot === null || snapshot === undefined
      ? []
      : [`snapshot: ${snapshot.error !== undefined ? `none (${snapshot.error})` : `${snapshot.source} (${counted(Number(snapshot.entries), 'entry', 'entries')})${snapshot.advice ? `: ${snapshot.advice}` : ''}`}`];
  return [
    ...snapshotLine,
    ...(refused ? [`policy file: the last change was refused at ${clock(refused.at)}: ${refused.error}`] : []),
    ...pitfalls.map((pitfall) => `pitfall: ${pitfall.rule}: ${pitfall.detail}`),
  ];
}

/**
 * `procwarden snapshot`, an image build step: the pristine snapshot, so that a container start
 * copies nothing. Exit 0 taken (or not needed), 1 failed (nothing left behind), 2 refused: the
 * default paths outside a container, or paths that can never be wiped.
 */
function snapshot(given: Extract<ReturnType<typeof parseInvocation>, { kind: 'snapshot' }>): number {
  if (given.doNotWipe) {
    say('APTIBLE_DO_NOT_WIPE is set: no snapshot is needed');
    return 0;
  }
  const notOwn = whyNotOwnDefaultPaths(given);
  if (notOwn !== undefined) {
    say(`no snapshot: ${notOwn}`);
    return 2;
  }
  const resolved = resolveWipePaths(given);
  if ('error' in resolved) {
    say(resolved.error);
    return 2;
  }
  for (const warning of resolved.warnings) say(warning);
  const settings = { ...given, ...resolved };
  let taken: Snapshot;
  try {
    taken = takeSnapshot(settings.wipePaths, settings.wipeExclude, settings.stateDir, 'build');
  } catch (error) {
    say(`cannot take the snapshot of ${settings.wipePaths.join(', ')}: ${(error as Error).message}`);
    return 1;
  }
  print(`procwarden: snapshot of ${taken.roots.join(', ')} (${counted(entryCount(taken), 'entry', 'entries')}, ${formatBytes(taken.bytes)}) in ${snapshotDir(settings.stateDir)}\n`);
  return 0;
}

/** `procwarden check`: exit 0 clean, 1 with findings, 2 when the Procfile cannot be read. */
async function check(file: string | undefined, namedBy: string, json: boolean, programs: boolean): Promise<number> {
  let procfile: LoadedProcfile;
  try {
    procfile = loadProcfile(file, namedBy);
  } catch (error) {
    if (!(error instanceof ProcfileError)) throw error;
    say(error.message);
    return 2;
  }
  if (procfile.entries.length === 0) {
    // As a start would fail on it.
    say(`${procfile.file}: it has no process type`);
    return 2;
  }
  const outcome = await requirePayload<typeof CheckCommand>('lint').lintReport(procfile.file, procfile.entries, {
    json,
    programs,
    path: process.env['PATH'] ?? '',
    cwd: process.cwd(),
  });
  if ('unavailable' in outcome) {
    say(outcome.unavailable);
    return 2;
  }
  print(outcome.text);
  const { code } = outcome;
  // V8 goes on optimizing the parser's WebAssembly in its own threads, and a normal exit
  // waits for them: 0.6 s for a 200-entry Procfile. _exit does not.
  try {
    return loadLibc(stateDirFrom(process.env)).exitNow(code);
  } catch {
    return code;
  }
}

/** The findings for the entry that runs, as `pitfall` events; never in the way of the app. */
async function reportPitfalls(procfile: string, entry: ProcfileEntry, events: EventLog): Promise<void> {
  try {
    for (const finding of await lintInChild(procfile, entry.name)) {
      if (finding.severity === 'info') continue;
      const { rule, detail, hint, part } = finding;
      events.emit('pitfall', { rule, detail, hint, part, processType: entry.name });
    }
  } catch (error) {
    events.emit('procwarden.warning', { detail: `the Procfile linter failed: ${(error as Error).message}` });
  }
}

/** The app to run: an explicit COMMAND as raw bytes, or a Procfile entry under /bin/sh -c. */
interface ResolvedApp {
  readonly argv: readonly [Buffer, ...Buffer[]];
  readonly command: readonly string[];
  readonly processType: string | undefined;
  readonly port: number | undefined;
  /** A service's PORT when it is set to something that is no port number (service-env.ts). */
  readonly notPort?: string | undefined;
  /** The Procfile, its entries and the entry, for a service. */
  readonly procfile: { readonly file: string; readonly entry: ProcfileEntry; readonly entries: readonly ProcfileEntry[] } | undefined;
}

/** The app's environment: procwarden's own, byte for byte, and for a service a PORT (service-env.ts). */
function resolveApp(source: AppSource, environ: readonly Buffer[]): ResolvedApp & { env: readonly Buffer[] } {
  if (source.kind === 'command') {
    const argv = rawTail(splitNulBlock(readFileSync('/proc/self/cmdline')), source.argv) as [Buffer, ...Buffer[]];
    return { argv, command: source.argv, processType: undefined, port: undefined, procfile: undefined, env: environ };
  }
  const { file, entry, entries } = loadProcfileEntry(source.file, source.type);
  const command = ['/bin/sh', '-c', execForm(entry.command) ?? entry.command];
  const { env, port, notPort } = withPort(environ);
  return { argv: command.map((word) => Buffer.from(word)) as [Buffer, ...Buffer[]], command, processType: entry.name, port, notPort, procfile: { file, entry, entries }, env };
}

/**
 * What a service's configuration names that the Procfile lacks, and so does nothing: the
 * types of PROCWARDEN_ONE_SHOT_TYPES, and the lines of the policy file for a type. One event each.
 */
function unknownTypesNamed(
  config: Config,
  policyFile: { readonly path: string; readonly text: string } | undefined,
  procfile: { readonly file: string; readonly entries: readonly ProcfileEntry[] } | undefined,
): string[] {
  if (procfile === undefined) return [];
  const oneShotTypes = config.source.kind === 'procfile' ? (config.source.oneShotTypes ?? []) : [];
  return [
    ...(policyFile === undefined ? [] : unknownTypeLines(policyFile.path, policyFile.text, procfile)),
    ...unknownTypes(oneShotTypes.map((type) => ({ where: 'PROCWARDEN_ONE_SHOT_TYPES', type })), procfile.file, procfile.entries),
  ];
}

/**
 * The policy events that configuration cannot say itself, one each: for a one-off, the
 * policy variables it does not take (a notice in an image with a Procfile, whose services
 * they are for; a warning where none is: one-off-policy.ts); for `release`, that it runs once.
 */
function policyNotices(config: Config, processType: string | undefined): PolicyNotice[] {
  const notices: PolicyNotice[] = [];
  if (config.ignoredForOneOff.length > 0) {
    const oneOff = oneOffPolicyNotice(config.ignoredForOneOff, procfileHere(process.env['PROCWARDEN_PROCFILE'] || undefined));
    if (oneOff) notices.push(oneOff);
  }
  if (processType === RUNS_ONCE && (config.policy.autorestart !== 'off' || config.policy.autoreplace !== 'off')) {
    notices.push({ event: 'procwarden.warning', detail: `the ${RUNS_ONCE} process type runs once: autorestart and autoreplace do not apply to it` });
  }
  return notices;
}

/** The policy file at start: over the environment, under the flags. Null with a line said when it is unusable. */
function readPolicyFile(config: Config): { config: Config; text: string | undefined; changes: PolicyChanges } | null {
  if (!config.policyFile) return { config, text: undefined, changes: new Map() };
  const read = readPolicyFileText(config.policyFile);
  if ('error' in read) {
    say(`PROCWARDEN_POLICY_FILE: ${config.policyFile}: ${read.error}`);
    return null;
  }
  const { text } = read;
  const changes = parsePolicyFile(text);
  if ('error' in changes) {
    say(`PROCWARDEN_POLICY_FILE: ${config.policyFile}: ${changes.error}`);
    return null;
  }
  const { policy, sources } = withFileChange(config, changeFor(changes, undefined));
  return { config: { ...config, policy, policySources: sources }, text, changes };
}

/** `config`'s policy with a change from the policy file, but for what a flag set; and where each setting now comes from. */
function withFileChange(config: Config, change: PolicyChange): { policy: Policy; sources: PolicySources } {
  const fromFile = Object.fromEntries(Object.entries(change).filter(([key]) => !config.policyFlags.includes(key as 'recovery')));
  const sources = { ...config.policySources, ...Object.fromEntries(Object.keys(fromFile).map((key) => [key, 'file'])) } as PolicySources;
  return { policy: { ...config.policy, ...fromFile }, sources };
}

/** A one-shot type's policy: it runs once, whatever was set. */
function runOnce(policy: Policy): Policy {
  return { ...policy, autorestart: 'off', autoreplace: 'off', recovery: false };
}

/**
 * The instances of a formation (`--type web,worker`, `--formation`), each with its PORT and
 * PS (foreman's), under its type's policy. Throws ProcfileError.
 */
function formationSpecs(
  config: Config,
  source: Extract<AppSource, { kind: 'procfile' }>,
  formation: FormationRequest,
  environ: readonly Buffer[],
  changes: PolicyChanges,
  launch: Omit<AppLaunch, 'argv' | 'env'>,
): { file: string; specs: [InstanceSpec, ...InstanceSpec[]]; entries: ProcfileEntry[]; procfileEntries: readonly ProcfileEntry[] } {
  const procfile = loadProcfile(source.file, 'PROCWARDEN_PROCFILE');
  const { port: givenPort, notPort } = withPort(environ);
  // A formation counts its instances' ports from PORT: it must be one.
  if (notPort !== undefined) throw new ProcfileError(`PORT: '${notPort}' is not a port number from 1 to 65535 (a formation counts its instances' ports from it)`);
  const planned = planFormation(procfile.entries, formation, givenPort ?? DEFAULT_PORT, new Set(source.oneShotTypes ?? []));
  if ('error' in planned) throw new ProcfileError(`${procfile.file}: ${planned.error}`);
  const others = environ.filter((entry) => !/^(PORT|PS)=/.test(entry.toString('latin1')));
  const specs = planned.map(({ name, entry, port, oneShot, type }): InstanceSpec => {
    const command = ['/bin/sh', '-c', execForm(entry.command) ?? entry.command];
    const { policy, sources } = withFileChange(config, changeFor(changes, type));
    return {
      name,
      sources,
      app: { command, processType: type, port },
      launch: { ...launch, argv: command.map((word) => Buffer.from(word)) as [Buffer, ...Buffer[]], env: [...others, Buffer.from(`PORT=${port}`), Buffer.from(`PS=${name}`)] },
      policy: oneShot ? runOnce(policy) : policy,
      oneShot,
    };
  }) as [InstanceSpec, ...InstanceSpec[]];
  return { file: procfile.file, specs, entries: [...new Set(planned.map(({ entry }) => entry))], procfileEntries: procfile.entries };
}

async function run(unresolved: Config): Promise<number> {
  const wipe = resolveWipePaths(unresolved);
  if ('error' in wipe) {
    say(wipe.error);
    return 2;
  }
  let libc: Libc;
  try {
    libc = loadLibc(wipe.stateDir);
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    say(error.message);
    return 1;
  }
  // Before procwarden opens anything it keeps, but for its bundle file.
  const bundle = bundleDescriptor();
  givenFds = readGivenFds(loadFsCalls(wipe.stateDir), bundle === undefined ? [] : [bundle]);
  const http = readHttpToken(unresolved.http);
  if (http && 'error' in http) {
    say(http.error);
    return 2;
  }
  const given: Config = { ...unresolved, http, wipePaths: wipe.wipePaths, stateDir: wipe.stateDir, warnings: [...unresolved.warnings, ...wipe.warnings] };
  const withFile = readPolicyFile(given);
  if (!withFile) return 2;
  const environ = splitNulBlock(readFileSync('/proc/self/environ'));
  const { source } = withFile.config;
  const formation = source.kind === 'procfile' ? source.formation : undefined;
  let app: ReturnType<typeof resolveApp> | undefined;
  let formationOf: ((launch: Omit<AppLaunch, 'argv' | 'env'>) => ReturnType<typeof formationSpecs>) | undefined;
  /** A service's Procfile and its entries. */
  let procfile: { readonly file: string; readonly entries: readonly ProcfileEntry[] } | undefined;
  try {
    if (source.kind === 'procfile' && formation) {
      // Read now, so that a Procfile that lacks a type is exit 2 before anything starts.
      const read = formationSpecs(withFile.config, source, formation, environ, withFile.changes, { fds: [], takeTerminal: false, listenPid: false });
      procfile = { file: read.file, entries: read.procfileEntries };
      formationOf = (launch) => formationSpecs(withFile.config, source, formation, environ, withFile.changes, launch);
    } else {
      app = resolveApp(source, environ);
      procfile = app.procfile;
    }
  } catch (error) {
    if (!(error instanceof ProcfileError)) throw error;
    say(error.message);
    return 2;
  }
  // A lone Procfile type takes its own lines of the policy file (`web.AUTORESTART=`) over the
  // plain ones, as each instance of a formation does.
  const typed = app?.processType === undefined ? undefined : withFileChange(withFile.config, changeFor(withFile.changes, app.processType));
  const fileConfig: Config = typed ? { ...withFile.config, policy: typed.policy, policySources: typed.sources } : withFile.config;
  // The health check of each type: the environment's, under the policy file's lines.
  const healthOf = (type: string | undefined): HealthCheck | undefined | { error: string } =>
    withFile.text === undefined ? withFile.config.healthCheck : healthCheckFrom({ ...process.env, ...healthSettings(withFile.text, type) });
  for (const type of formationOf ? [...new Set(formationOf({ fds: [], takeTerminal: false, listenPid: false }).specs.map((spec) => spec.app.processType))] : [app?.processType]) {
    const health = healthOf(type);
    if (health && 'error' in health) {
      say(`PROCWARDEN_POLICY_FILE: ${withFile.config.policyFile}: ${health.error}`);
      return 2;
    }
  }
  const log = openLog(withFile.config.log);
  if ('error' in log) {
    say(log.error);
    return 2;
  }
  // A descriptor given for the events is procwarden's, not one the app inherits.
  if (log.fd !== undefined) givenFds = givenFds.filter((fd) => fd !== log.fd);
  const events = createEventLog(log);
  const policyFile = withFile.config.policyFile !== undefined && withFile.text !== undefined ? { path: withFile.config.policyFile, text: withFile.text } : undefined;
  for (const detail of [
    ...unknownVariables(process.env),
    ...unknownTypesNamed(withFile.config, policyFile, procfile),
    ...healthOptionsWithoutCheck(process.env, policyFile, procfile?.entries.map(({ name }) => name) ?? []),
  ]) {
    events.emit('procwarden.warning', { detail });
  }
  for (const { event, detail } of policyNotices(fileConfig, app?.processType)) events.emit(event, { detail });
  if (app?.notPort !== undefined) {
    events.emit('procwarden.warning', { detail: `PORT: '${app.notPort}' is not a port number from 1 to 65535: the ${app.processType} service gets it as it is, and container.started names no port` });
  }
  const config: Config = app?.processType === RUNS_ONCE ? { ...fileConfig, runsOnce: true, policy: runOnce(fileConfig.policy) } : fileConfig;
  if (process.pid !== 1 && !libc.becomeSubreaper()) {
    events.emit('procwarden.warning', { detail: 'could not become child subreaper: orphans of the app will not be reaped' });
  }

  const listenPid = environ.some((variable) => variable.toString('latin1').startsWith('LISTEN_FDS='));
  // A formation's instances never take the terminal: procwarden keeps it, so that ^C stops them all.
  const formed = formationOf?.({ fds: givenFds, takeTerminal: false, listenPid });
  const specs: [InstanceSpec, ...InstanceSpec[]] = formed
    ? (formed.specs.map((spec) => ({ ...spec, health: healthOf(spec.app.processType) as HealthCheck | undefined })) as [InstanceSpec, ...InstanceSpec[]])
    : [
        {
          name: undefined,
          app: { command: app!.command, processType: app!.processType, port: app!.port },
          // With PROCWARDEN_PREFIX the app writes to pipes: the terminal stays procwarden's.
          launch: { argv: app!.argv, env: app!.env, fds: givenFds, takeTerminal: !config.prefix && libc.ownsForegroundOf(0), listenPid },
          policy: config.policy,
          sources: config.policySources,
          health: healthOf(app!.processType) as HealthCheck | undefined,
          oneShot: false,
        },
      ];
  // Linted once the apps have started (supervise starts them before it first waits), so the
  // linter never delays them.
  const linted = formed ? formed.entries.map((entry) => ({ file: formed.file, entry })) : app?.procfile ? [app.procfile] : [];
  for (const { file, entry } of linted) setImmediate(() => void reportPitfalls(file, entry, events));
  let code: number;
  try {
    code = await supervise(config, specs, libc, events, withFile.text, procfile);
  } catch (error) {
    if (!(error instanceof SpawnError)) throw error;
    say(`${error.message}${error.exitCode === 127 && source.kind === 'command' ? notFoundHint(source.argv[0]) : ''}`);
    // A formation's other instances may run already: none outlives procwarden.
    killEverythingNow();
    code = error.exitCode;
  }
  // procwarden's own children (a Procfile's lint, still parsing when the app ended at once; a
  // health check's command) never outlive it: as a subreaper, they would run on, orphaned.
  if (nodeChildren.size > 0 || ownGroups.size > 0) killEverythingNow();
  return libc.exitNow(code);
}

/**
 * What a COMMAND that was not found was meant to be: a type of the Procfile here, or a
 * subcommand it is a typo of (`procwarden statsu`); empty when neither.
 */
function notFoundHint(program: string): string {
  const subcommand = subcommandMeant(program);
  return typeHint(program) || (subcommand === undefined ? '' : `; did you mean \`procwarden ${subcommand}\`?`);
}

/** A COMMAND that was not found but is a type of the Procfile here: what was meant. */
function typeHint(program: string): string {
  try {
    const { entries } = loadProcfile(process.env['PROCWARDEN_PROCFILE'] || undefined, 'PROCWARDEN_PROCFILE');
    return entries.some(({ name }) => name === program) ? `; ${program} is a process type of the Procfile: did you mean \`procwarden --type ${program}\`?` : '';
  } catch {
    return '';
  }
}

/** The events' destination, opened: PROCWARDEN_LOG_FILE appended to, PROCWARDEN_LOG_FD checked to be open; or why not. */
function openLog(log: LogConfig): LogConfig | { error: string } {
  if (log.file !== undefined) {
    try {
      return { ...log, fd: openSync(log.file, 'a', 0o640) };
    } catch (error) {
      return { error: `PROCWARDEN_LOG_FILE: cannot open ${log.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  if (log.fd !== undefined) {
    // One procwarden was given, open for writing: Node opens descriptors of its own from 3 on,
    // which are no place for events.
    const given = log.fd <= 2 || givenFds.includes(log.fd);
    let writable = false;
    try {
      writeSync(log.fd, '');
      writable = true;
    } catch {
      // Not open, or not for writing.
    }
    if (!given || !writable) return { error: `PROCWARDEN_LOG_FD: descriptor ${log.fd} is not one procwarden was given open for writing (give it one: 3>events.log)` };
  }
  return log;
}

/**
 * Whether descriptor `fd` is a terminal, from what it is open on (a pseudo-terminal, a
 * virtual console, the console): node:tty's isatty would load node:net with it, 1 to 2 ms of
 * every start.
 */
function isTerminal(fd: number): boolean {
  return /^\/dev\/(pts\/\d+|tty\w*|console)$/.test(readLink(`/proc/self/fd/${fd}`) ?? '');
}

/** A symlink's target, undefined when it cannot be read. */
function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** procwarden's own plain lines: one line on stderr, never through process.stderr (see README). */
function say(line: string): void {
  writeSync(2, `procwarden: ${line}\n`);
}
