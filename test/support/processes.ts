// Helpers for end-to-end tests: run the built dist/procwarden for real, as PID 1 of a new
// pid namespace or as a plain process, and kill by PID whatever a test started.

import { execa } from 'execa';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { shellQuote } from './shell-quote.ts';
import { until } from './until.ts';

export { eventsNamed, eventsOf, type Event, type EventName } from './events.ts';
export { finishes, until } from './until.ts';
export { shellQuote } from './shell-quote.ts';

export const BIN = resolve('dist/procwarden');
/** The standalone executable (npm run build:standalone): Node.js inside, run as it is. */
export const STANDALONE = resolve('dist/procwarden-linux-x64');
export const FIXTURES = resolve('test/fixtures');

/** A state dir of this test file's own, so tests never write to the machine's /run/procwarden. */
export const STATE_DIR = mkdtempSync(join(tmpdir(), 'procwarden-state-'));
/**
 * The wipe root of every run that does not name its own: the default (the working
 * directory and /tmp) would reset the checkout and the machine's real /tmp.
 */
export const WIPE_ROOT = mkdtempSync(join(tmpdir(), 'procwarden-wipe-'));
afterAll(() => {
  rmSync(STATE_DIR, { recursive: true, force: true });
  rmSync(WIPE_ROOT, { recursive: true, force: true });
});

/**
 * Everything a test starts, killed by PID (never by name) when the test ends, and only while
 * it still runs: pids are reused (pid_max is 32768 here), and a pid whose process has ended
 * may already belong to another test's process in the other worker.
 */
const started = new Set<{ readonly pid: number; ended: boolean }>();
const folders: string[] = [];

const adopted: { readonly pid: number; readonly startTicks: string }[] = [];

afterEach(() => {
  for (const child of started) {
    if (child.ended) continue;
    // The whole tree below it, read before anything is killed: an orphan would be
    // reparented out of reach (a procwarden under script(1) and unshare, or its app's
    // children when procwarden itself is killed as a plain process).
    for (const descendant of descendantsOf(child.pid)) killQuietly(descendant);
    killQuietly(child.pid);
  }
  started.clear();
  for (const { pid, startTicks } of adopted.splice(0)) if (startTicksOf(pid) === startTicks) killQuietly(pid);
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** A temporary folder of the test's own, removed after it. */
export function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'procwarden-test-'));
  folders.push(folder);
  return folder;
}

/**
 * A process the test started outside any tracked run (a sentinel started by a script that
 * then exec'd procwarden): killed after the test, by pid, only if it is still that process.
 */
export function adopt(pid: number): void {
  const startTicks = startTicksOf(pid);
  if (startTicks) adopted.push({ pid, startTicks });
}

interface Options {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly stdin?: 'pipe' | 'ignore';
  /** The executable runAsPid1, runPlain and runOnTerminal run: BIN unless told (STANDALONE). */
  readonly binary?: string;
}

const withState = ({ binary: _binary, ...options }: Options) => ({
  reject: false,
  ...options,
  // Starts by a policy at once (no backoff) unless a test says otherwise: most tests are about
  // what a policy does, not when; the backoff's own tests set it.
  env: { PROCWARDEN_STATE_DIR: STATE_DIR, PROCWARDEN_WIPE_PATHS: WIPE_ROOT, PROCWARDEN_BACKOFF: 'off', ...options.env },
});

function track<T extends PromiseLike<unknown> & { readonly pid?: number | undefined }>(child: T): T {
  if (child.pid === undefined) return child;
  const entry = { pid: child.pid, ended: false };
  started.add(entry);
  const end = () => {
    entry.ended = true;
  };
  child.then(end, end);
  return child;
}

/** dist/procwarden as PID 1 of a new pid namespace with its own /proc. */
export function runAsPid1(args: readonly string[], options: Options = {}) {
  return track(execa('unshare', ['--pid', '--fork', '--mount-proc', options.binary ?? BIN, ...args], withState(options)));
}

/** dist/procwarden as an ordinary process (it registers as child subreaper). */
export function runPlain(args: readonly string[], options: Options = {}) {
  return track(execa(options.binary ?? BIN, args, withState(options)));
}

/** Any other process a test needs, tracked the same way. */
export function runTracked(file: string, args: readonly string[], options: Options = {}) {
  return track(execa(file, args, withState(options)));
}

/**
 * procwarden as PID 1 of a new pid namespace that owns a pseudo-terminal, as `docker run -it`
 * gives one: script(1) makes the terminal, setsid --ctty makes PID 1 its session leader, and
 * procwarden starts as its foreground process group. procwarden's stderr (its events) and
 * the app's output both arrive on `output`; `type` sends keys (\x03 is ^C, \x1a ^Z).
 */
export function runOnTerminal(args: readonly string[], options: Options = {}) {
  const inner = ['unshare', '--pid', '--fork', '--mount-proc', 'setsid', '--ctty', options.binary ?? BIN, ...args].map(shellQuote).join(' ');
  // Events as JSON lines, which the tests read, unless a test asks for the terminal's default.
  const run = runTracked('script', ['-qfec', inner, '/dev/null'], { ...options, stdin: 'pipe', env: { TERM: 'dumb', PROCWARDEN_LOG_FORMAT: 'json', ...options.env } });
  const output = stdoutSoFar(run);
  return { run, output, type: (keys: string) => void run.stdin!.write(keys) };
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * The host pid of procwarden when `unsharePid` runs it as PID 1 of a namespace: the child of
 * unshare whose command line is procwarden's (before its exec, it is still unshare).
 */
export async function pid1Of(unsharePid: number): Promise<number> {
  const isProcwarden = (pid: number) => readIfExists(`/proc/${pid}/cmdline`).includes('procwarden');
  let found: number | undefined;
  await until(() => (found = childrenOf(unsharePid).find(isProcwarden)) !== undefined, 'procwarden to start under unshare');
  return found!;
}

/** Every process below `pid`, breadth first. */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0; ) {
    for (const child of childrenOf(queue.shift()!)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * `pid` and every process below it, one line each (pid, state, wait channel, signals pending
 * and caught, command line): what a failure reports when a run did not end in time.
 */
export function treeReport(pid: number): string {
  return [pid, ...descendantsOf(pid)]
    .map((each) => {
      const line = [statusField(each, 'State'), `wchan=${readIfExists(`/proc/${each}/wchan`)}`, `ShdPnd=${statusField(each, 'ShdPnd')}`, `SigCgt=${statusField(each, 'SigCgt')}`];
      return `${each} ${line.join(' ')} ${readIfExists(`/proc/${each}/cmdline`).replaceAll('\0', ' ').trim()}`;
    })
    .join('\n');
}

/** The host pid of the process that the pid namespace of `pid1` (its PID 1) numbers `nsPid`, or 0. */
export function hostPidOf(pid1: number, nsPid: number): number {
  return [pid1, ...descendantsOf(pid1)].find((pid) => statusField(pid, 'NSpid').split(/\s+/).at(-1) === String(nsPid)) ?? 0;
}

const exeOf = (pid: number): string => {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
};

/**
 * Whether `pid` runs procwarden's own code already: the standalone executable itself, or
 * for dist/procwarden (#!/usr/bin/env node) the node that env exec'd, with the script as its
 * first argument. (Before that it is still unshare, setsid or env, with the same command line.)
 */
export function runsProcwarden(pid: number, binary = BIN): boolean {
  const exe = exeOf(pid);
  if (binary !== BIN) return exe === binary;
  return basename(exe) === 'node' && readIfExists(`/proc/${pid}/cmdline`).split('\0')[1] === BIN;
}

/** The host pid of the procwarden somewhere below `root` (under script, unshare, setsid): the shallowest one. */
export async function procwardenBelow(root: number, binary = BIN): Promise<number> {
  let found: number | undefined;
  await until(() => (found = descendantsOf(root).find((pid) => runsProcwarden(pid, binary))) !== undefined, `procwarden to start below pid ${root}`);
  return found!;
}

/**
 * The moment procwarden's executable starts below unshare (`unsharePid`): busy-polled, not
 * timer-polled, so that `at` is within a few microseconds of the exec. Blocks the test's
 * event loop for as long as it takes (unshare forks and execs in a few milliseconds).
 */
export function waitForExec(unsharePid: number, binary = BIN, timeoutMs = 5000): { pid: number; at: number } {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const pid = childrenOf(unsharePid).find((child) => runsProcwarden(child, binary));
    if (pid !== undefined) return { pid, at: performance.now() };
    if (performance.now() > deadline) throw new Error(`procwarden (${binary}) was not exec'd below unshare within ${timeoutMs} ms`);
  }
}

/** Busy-waits until `performance.now()` reaches `at`: a timer's 1 to 10 ms of lateness matters for early signals. */
export function busyWaitUntil(at: number): void {
  while (performance.now() < at) {
    // spin
  }
}

/** One field of /proc/PID/status (`SigCgt`, `SigIgn`, `SigBlk`, `State`...), or '' when the process is gone. */
export function statusField(pid: number, field: string): string {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(readIfExists(`/proc/${pid}/status`))?.[1]?.trim() ?? '';
}

/** Whether `pid` has a handler for signal number `signal` (its SigCgt mask). */
export function catches(pid: number, signal: number): boolean {
  const mask = statusField(pid, 'SigCgt');
  return mask !== '' && ((BigInt(`0x${mask}`) >> BigInt(signal - 1)) & 1n) === 1n;
}

/** The fields of /proc/PID/stat after the command name, from `state` on (index 0 is state, 2 pgrp, 5 tpgid, 19 starttime). */
function statFields(pid: number): string[] {
  const stat = readIfExists(`/proc/${pid}/stat`);
  return stat === '' ? [] : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function startTicksOf(pid: number): string {
  return statFields(pid)[19] ?? '';
}

/** The process group of `pid`, as this test's pid namespace numbers it. */
export function processGroupOf(pid: number): number {
  return Number(statFields(pid)[2]);
}

/** Whether `pid` is in the foreground process group of its controlling terminal. */
export function holdsTerminal(pid: number): boolean {
  const fields = statFields(pid);
  return fields.length > 0 && fields[2] === fields[5];
}

/** USER_HZ: the unit of start times in /proc/PID/stat, 100 on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** How long `pid` has been running, in ms (10 ms steps), or -1 when it is gone. */
export function ageMs(pid: number): number {
  const startTicks = Number(startTicksOf(pid));
  if (!startTicks) return -1;
  const uptimeSeconds = Number(readIfExists('/proc/uptime').split(' ')[0]);
  return Math.round((uptimeSeconds - startTicks / TICKS_PER_SECOND) * 1000);
}

/**
 * The live processes whose environment holds `NAME=value`: what an app's tree inherited, so
 * whatever is left of it after procwarden has exited, wherever it was reparented.
 */
export function processesWithEnv(variable: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (environ.split('\0').includes(variable) && isAlive(Number(name))) found.push(Number(name));
  }
  return found;
}

/** PF_EXITING in /proc/PID/stat's flags: the process has begun to exit. */
const PF_EXITING = 0x4;
/** SIGKILL's bit in a /proc/PID/status signal mask. */
const SIGKILL_BIT = 1n << 8n;

/**
 * Whether `pid` is gone, or doomed: a SIGKILL pending, exiting, or a zombie. What a process
 * killed a moment ago looks like, where one nobody killed is plainly alive. `status` is read
 * before `stat`: a SIGKILL taken off the pending set in between has set PF_EXITING by then.
 */
export function killedOrGone(pid: number): boolean {
  const pending = ['SigPnd', 'ShdPnd'].map((field) => statusField(pid, field));
  if (pending.some((mask) => mask !== '' && (BigInt(`0x${mask}`) & SIGKILL_BIT) !== 0n)) return true;
  const fields = statFields(pid);
  if (fields.length === 0) return true;
  return fields[0] === 'Z' || fields[0] === 'X' || (Number(fields[6]) & PF_EXITING) !== 0;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // missing, or (in /proc) gone while being read
  }
}

/** One HTTP request to procwarden's control socket, as `procwarden restart|status|set` sends it. */
export function controlRequest(socketPath: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** What a running process has written to stderr so far, read as it grows. */
export function stderrSoFar(run: { stderr: NodeJS.ReadableStream | null }): () => string {
  return textSoFar(run.stderr!);
}

/** What a running process has written to stdout so far, read as it grows. */
export function stdoutSoFar(run: { stdout: NodeJS.ReadableStream | null }): () => string {
  return textSoFar(run.stdout!);
}

function textSoFar(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

/** The body of examples/well-behaved-service's answer, once its line on stdout names its port. */
export async function askWellBehavedService(stdout: () => string): Promise<string> {
  const listening = /serving on port (\d+)/;
  await until(() => listening.test(stdout()), 'the service to listen');
  return (await fetch(`http://127.0.0.1:${listening.exec(stdout())![1]}/`)).text();
}
