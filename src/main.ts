// procwarden: the init for Procfile-based container images. The whole flow, in order:
// note the inherited descriptors, read the configuration, load libc, become the reaper,
// start and supervise the app, exit with its code.

// First: the listeners that keep an early stop signal (see early-signals.ts).
import { listenEarly, releaseSignals } from './signals/early-signals.ts';
import { readdirSync, readFileSync, readlinkSync, writeSync } from 'node:fs';
import { parseInvocation, stateDirFrom } from './config/command-line.ts';
import { whyNotOwnDefaultPaths } from './config/container-sign.ts';
import type { AppSource, Config } from './config/config.ts';
import { helpText } from './config/help.ts';
import { createEventLog, type EventLog } from './events/events.ts';
import { NativeLoadError, loadLibc } from './native/load-libc.ts';
import type { Libc } from './native/libc.ts';
import { ProcfileError, loadProcfile, loadProcfileEntry, type LoadedProcfile } from './procfile/locate.ts';
import type { ProcfileEntry } from './procfile/procfile.ts';
import { execForm } from './procfile/exec-form.ts';
import { RUNS_ONCE, withPort } from './procfile/service-env.ts';
import { formatReport, lintEntries } from './lint/lint-procfile.ts';
import { lintInChild } from './lint/lint-child.ts';
import { PITFALL_MESSAGES } from './lint/rules.ts';
import { bundledShellParser } from './lint/shell-parser.ts';
import { inheritedFds } from './process/inherited-fds.ts';
import { killDescendantsNow } from './process/kill-tree.ts';
import { rawTail, splitNulBlock } from './process/raw-args.ts';
import { SpawnError, type AppLaunch } from './process/spawn-app.ts';
import { supervise } from './supervisor/supervisor.ts';
import { ask, type Reply } from './control/client.ts';
import { parsePolicyFile } from './control/policy-file.ts';
import { readPolicyFileText } from './control/read-policy-file.ts';
import { resolvedPath, resolveWipePaths } from './filesystem/resolve.ts';
import { entryCount, snapshotDir, takeSnapshot, type Snapshot } from './filesystem/snapshot.ts';
import { formatBytes } from './filesystem/snapshot-size.ts';

declare const PROCWARDEN_VERSION: string;

/** Set at build: the standalone executable built from a V8 startup snapshot (bench/ measures it). */
declare const PROCWARDEN_SNAPSHOT: boolean;

let givenFds: number[] = [];

if (PROCWARDEN_SNAPSHOT) process.getBuiltinModule('node:v8').startupSnapshot.setDeserializeMainFunction(start);
else start();

function start(): void {
  listenEarly();
  // First of all, before procwarden opens anything of its own.
  givenFds = readGivenFds();
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      say(`internal error: ${(error as Error).stack ?? String(error)}`);
      killDescendantsNow();
      process.exit(1);
    },
  );
}

async function main(): Promise<number> {
  const invocation = parseInvocation(process.argv.slice(2), process.env, process.cwd(), readLink('/proc/self/ns/uts'));
  // Only a run has an app to stop; the other commands let a signal do what it always does.
  if (invocation.kind !== 'run') releaseSignals();
  switch (invocation.kind) {
    case 'help':
      writeSync(1, helpText(PROCWARDEN_VERSION));
      return 0;
    case 'version':
      writeSync(1, `procwarden ${PROCWARDEN_VERSION}\n`);
      return 0;
    case 'usage-error':
      say(invocation.message);
      return 2;
    case 'check':
      return check(invocation.procfile, invocation.procfileNamedBy, invocation.json);
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

/** `procwarden status|set|restart`: exit 0 answered, 1 refused or nobody answers. */
async function client(
  invocation:
    | { kind: 'status'; stateDir: string; json: boolean }
    | { kind: 'set'; stateDir: string; change: Record<string, string> }
    | { kind: 'restart'; stateDir: string },
): Promise<number> {
  let reply: Reply;
  try {
    reply =
      invocation.kind === 'status'
        ? await ask(resolvedPath(invocation.stateDir), 'GET', '/status')
        : invocation.kind === 'set'
          ? await ask(resolvedPath(invocation.stateDir), 'PATCH', '/policy', invocation.change)
          : await ask(resolvedPath(invocation.stateDir), 'POST', '/restart');
  } catch (error) {
    say((error as Error).message);
    return 1;
  }
  if (reply.status >= 400) {
    say(`refused (${reply.status}): ${String(reply.body['error'])}`);
    return 1;
  }
  const json = invocation.kind === 'status' && !invocation.json ? describeStatus(reply.body) : JSON.stringify(reply.body);
  writeSync(1, `${json}\n`);
  return 0;
}

function describeStatus(status: Record<string, unknown>): string {
  const app = status['app'] as { pid: number; attempt: number; mode: string; uptimeMs: number } | null;
  const policy = status['policy'] as Record<string, string>;
  const pitfalls = status['pitfalls'] as { rule: string; detail: string }[];
  const snapshot = status['snapshot'] as { source?: string; entries?: number; advice?: string; error?: string } | null | undefined;
  const snapshotLine =
    snapshot === null || snapshot === undefined
      ? []
      : [`snapshot: ${snapshot.error !== undefined ? `none (${snapshot.error})` : `${snapshot.source} (${snapshot.entries} entries)${snapshot.advice ? `: ${snapshot.advice}` : ''}`}`];
  return [
    `state: ${String(status['state'])}`,
    `app: ${app ? `pid ${app.pid}, attempt ${app.attempt} (${app.mode}), up ${Math.round(app.uptimeMs / 1000)} s` : 'none'}`,
    `policy: autorestart ${policy['autorestart']}, autoreplace ${policy['autoreplace']}, recovery ${policy['recovery']}`,
    `budgets left: ${String(status['restartsLeft'])} restarts, ${String(status['replacesLeft'])} replacements`,
    ...snapshotLine,
    ...pitfalls.map((pitfall) => `pitfall: ${pitfall.rule}: ${pitfall.detail}`),
  ].join('\n');
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
  writeSync(1, `procwarden: snapshot of ${taken.roots.join(', ')} (${entryCount(taken)} entries, ${formatBytes(taken.bytes)}) in ${snapshotDir(settings.stateDir)}\n`);
  return 0;
}

/** `procwarden check`: exit 0 clean, 1 with findings, 2 when the Procfile cannot be read. */
async function check(file: string | undefined, namedBy: string, json: boolean): Promise<number> {
  let procfile: LoadedProcfile;
  try {
    procfile = loadProcfile(file, namedBy);
  } catch (error) {
    if (!(error instanceof ProcfileError)) throw error;
    say(error.message);
    return 2;
  }
  const findings = lintEntries(procfile.entries, await bundledShellParser());
  writeSync(1, formatReport(procfile.file, procfile.entries, findings, json));
  const code = findings.length === 0 ? 0 : 1;
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
      const { rule, detail, hint, part } = finding;
      events.emit('pitfall', { rule, detail, hint, part, processType: entry.name }, PITFALL_MESSAGES[rule]);
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
  /** The Procfile and the entry, for a service. */
  readonly procfile: { readonly file: string; readonly entry: ProcfileEntry } | undefined;
}

/** The app's environment: procwarden's own, byte for byte, and for a service a PORT (service-env.ts). */
function resolveApp(source: AppSource, environ: readonly Buffer[]): ResolvedApp & { env: readonly Buffer[] } {
  if (source.kind === 'command') {
    const argv = rawTail(splitNulBlock(readFileSync('/proc/self/cmdline')), source.argv) as [Buffer, ...Buffer[]];
    return { argv, command: source.argv, processType: undefined, port: undefined, procfile: undefined, env: environ };
  }
  const { file, entry } = loadProcfileEntry(source.file, source.type);
  const command = ['/bin/sh', '-c', execForm(entry.command) ?? entry.command];
  const { env, port } = withPort(environ);
  return { argv: command.map((word) => Buffer.from(word)) as [Buffer, ...Buffer[]], command, processType: entry.name, port, procfile: { file, entry }, env };
}

/** The policy warnings that configuration cannot say itself: one event each. */
function policyNotices(config: Config, processType: string | undefined): string[] {
  const notices: string[] = [];
  if (config.ignoredForOneOff.length > 0) {
    notices.push(
      `${config.ignoredForOneOff.map(({ variable }) => variable).join(', ')} ${config.ignoredForOneOff.length === 1 ? 'applies' : 'apply'} to Procfile services only: a one-off COMMAND runs once unless a flag says otherwise (${config.ignoredForOneOff
        .map(({ variable, flag }) => `${variable}: ${flag}`)
        .join('; ')})`,
    );
  }
  if (processType === RUNS_ONCE && (config.policy.autorestart !== 'off' || config.policy.autoreplace !== 'off')) {
    notices.push(`the ${RUNS_ONCE} process type runs once: autorestart and autoreplace do not apply to it`);
  }
  return notices;
}

/** The policy file at start: over the environment, under the flags. Null with a line said when it is unusable. */
function readPolicyFile(config: Config): { config: Config; text: string | undefined } | null {
  if (!config.policyFile) return { config, text: undefined };
  const read = readPolicyFileText(config.policyFile);
  if ('error' in read) {
    say(`PROCWARDEN_POLICY_FILE: ${config.policyFile}: ${read.error}`);
    return null;
  }
  const { text } = read;
  const change = parsePolicyFile(text);
  if ('error' in change) {
    say(`PROCWARDEN_POLICY_FILE: ${config.policyFile}: ${change.error}`);
    return null;
  }
  const fromFile = Object.fromEntries(Object.entries(change).filter(([key]) => !config.policyFlags.includes(key as 'recovery')));
  return { config: { ...config, policy: { ...config.policy, ...fromFile } }, text };
}

async function run(unresolved: Config): Promise<number> {
  const wipe = resolveWipePaths(unresolved);
  if ('error' in wipe) {
    say(wipe.error);
    return 2;
  }
  const given: Config = { ...unresolved, wipePaths: wipe.wipePaths, stateDir: wipe.stateDir, warnings: [...unresolved.warnings, ...wipe.warnings] };
  const withFile = readPolicyFile(given);
  if (!withFile) return 2;
  let app: ReturnType<typeof resolveApp>;
  try {
    app = resolveApp(withFile.config.source, splitNulBlock(readFileSync('/proc/self/environ')));
  } catch (error) {
    if (!(error instanceof ProcfileError)) throw error;
    say(error.message);
    return 2;
  }
  const events = createEventLog(withFile.config.log);
  for (const detail of policyNotices(withFile.config, app.processType)) events.emit('procwarden.warning', { detail });
  const config: Config =
    app.processType === RUNS_ONCE
      ? { ...withFile.config, runsOnce: true, policy: { ...withFile.config.policy, autorestart: 'off', autoreplace: 'off', recovery: false } }
      : withFile.config;
  let libc: Libc;
  try {
    libc = loadLibc(config.stateDir);
  } catch (error) {
    if (!(error instanceof NativeLoadError)) throw error;
    say(error.message);
    return 1;
  }
  if (process.pid !== 1 && !libc.becomeSubreaper()) {
    events.emit('procwarden.warning', { detail: 'could not become child subreaper: orphans of the app will not be reaped' });
  }

  const takeTerminal = libc.ownsForegroundOf(0);
  const { env } = app;
  const launch: AppLaunch = {
    argv: app.argv,
    env,
    fds: givenFds,
    takeTerminal,
    listenPid: env.some((variable) => variable.toString('latin1').startsWith('LISTEN_FDS=')),
  };
  // Linted once the app has started (supervise starts it before it first waits), so the
  // linter never delays it.
  const { procfile } = app;
  if (procfile) setImmediate(() => void reportPitfalls(procfile.file, procfile.entry, events));
  let code: number;
  try {
    code = await supervise(config, app, libc, events, launch, withFile.text);
  } catch (error) {
    if (!(error instanceof SpawnError)) throw error;
    say(error.message);
    code = error.exitCode;
  }
  return libc.exitNow(code);
}

/** A symlink's target, undefined when it cannot be read. */
function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function readGivenFds(): number[] {
  const entries = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      entries.push({ fd: Number(name), target: readlinkSync(`/proc/self/fd/${name}`) });
    } catch {
      // The descriptor readdir itself used, closed by now.
    }
  }
  return inheritedFds(entries);
}

/** procwarden's own plain lines: one line on stderr, never through process.stderr (see README). */
function say(line: string): void {
  writeSync(2, `procwarden: ${line}\n`);
}
