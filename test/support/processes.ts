// Helpers for end-to-end tests: run the built dist/procwarden for real, as PID 1 of a new
// pid namespace or as a plain process, and kill by PID whatever a test started.

import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach } from 'vitest';

export const BIN = resolve('dist/procwarden');
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

afterEach(() => {
  for (const child of started) {
    if (child.ended) continue;
    for (const grandchild of childrenOf(child.pid)) killQuietly(grandchild);
    killQuietly(child.pid);
  }
  started.clear();
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

interface Options {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly stdin?: 'pipe' | 'ignore';
}

const withState = (options: Options) => ({
  reject: false,
  ...options,
  env: { PROCWARDEN_STATE_DIR: STATE_DIR, PROCWARDEN_WIPE_PATHS: WIPE_ROOT, ...options.env },
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
  return track(execa('unshare', ['--pid', '--fork', '--mount-proc', BIN, ...args], withState(options)));
}

/** dist/procwarden as an ordinary process (it registers as child subreaper). */
export function runPlain(args: readonly string[], options: Options = {}) {
  return track(execa(BIN, args, withState(options)));
}

/** Any other process a test needs, tracked the same way. */
export function runTracked(file: string, args: readonly string[], options: Options = {}) {
  return track(execa(file, args, withState(options)));
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

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `condition` until it holds; fails after `timeoutMs` with what it waited for. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // missing, or (in /proc) gone while being read
  }
}

/** The JSON event lines of a stderr text. */
export function eventsOf(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
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
