// podman as the suite runs it: with the suite's own containers.conf (CONTAINERS_CONF), every
// container, image, volume and pod it makes labelled with the run's label, and removed at the
// end by id, found by that label (global-setup.ts). Nothing is ever named by the suite but
// with the run's id in the name, and nothing is ever pulled (--pull=never).

import { execa, type Result } from 'execa';
import { inject } from 'vitest';
import { until } from '../support/until.ts';

/** What global-setup.ts made for this run, handed to every test file. */
export interface SuiteRun {
  /** The run's id: part of every name and tag the suite gives. */
  readonly id: string;
  /** `KEY=VALUE`, on every object the suite makes. */
  readonly label: string;
  /** The suite's containers.conf. */
  readonly conf: string;
  /** A folder of the run's own (build contexts, bundles, bind mounts); removed at the end. */
  readonly work: string;
  /** The base image: a static busybox, dash as /bin/sh, the machine's python3 (python:3.12-slim's stand-in). */
  readonly base: string;
  /** Dockerfile.example's final stage, built from the file itself on the base. */
  readonly example: string;
  /** test/container/apps, bind-mounted read-only at /checks in the checks that run its apps. */
  readonly apps: string;
  /** The standalone executable the images hold. */
  readonly standalone: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    suiteRun: SuiteRun;
  }
}

/** The run, in a test file. */
export const suiteRun = (): SuiteRun => inject('suiteRun');

export type Outcome = Result<{ reject: false }>;

/** `podman ARGS` with the suite's containers.conf; never rejects: the exit code and output are the caller's to check. */
export function podman(conf: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Outcome> {
  return execa('podman', args, {
    reject: false,
    env: { CONTAINERS_CONF: conf },
    timeout: options.timeoutMs ?? 180_000,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
  }) as Promise<Outcome>;
}

/** `podman ARGS` that must succeed: its stdout, trimmed; throws with its stderr otherwise. */
export async function podmanOk(conf: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await podman(conf, args, options);
  if (result.exitCode !== 0) throw new Error(`podman ${args.join(' ')}: exit ${result.exitCode}\n${result.stderr}`);
  return result.stdout.trim();
}

/** The flags every `podman run` and `podman create` of the suite takes. */
export const runFlags = (run: SuiteRun) => ['--pull=never', '--label', run.label];

/** A container run to its end (`podman run`, attached): its exit code, stdout (the app's) and stderr (procwarden's events). */
export function runToEnd(run: SuiteRun, args: readonly string[], timeoutMs = 120_000): Promise<Outcome> {
  return podman(run.conf, ['run', ...runFlags(run), ...args], { timeoutMs });
}

/** A container started in the background (`podman run -d`): its id. */
export function startDetached(run: SuiteRun, args: readonly string[]): Promise<string> {
  return podmanOk(run.conf, ['run', '-d', ...runFlags(run), ...args]);
}

/** What a container has written so far: stdout (the app's lines) and stderr (procwarden's events and the app's). */
export async function logsOf(run: SuiteRun, id: string): Promise<{ stdout: string; stderr: string }> {
  const result = await podman(run.conf, ['logs', id]);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Polls the container's logs until `seen` holds of them (a deadline, never a plain wait); returns them. */
export async function logsOnceThey(run: SuiteRun, id: string, seen: (logs: { stdout: string; stderr: string }) => boolean, what: string, timeoutMs = 60_000) {
  let logs = { stdout: '', stderr: '' };
  await until(async () => seen((logs = await logsOf(run, id))), `${what} in the logs of ${id}`, timeoutMs, 100);
  return logs;
}

/** The exit code of a container, once it has exited (`podman wait`, within `timeoutMs`). */
export async function exitCodeOf(run: SuiteRun, id: string, timeoutMs = 60_000): Promise<number> {
  return Number(await podmanOk(run.conf, ['wait', id], { timeoutMs }));
}

/** `podman exec [--user USER] ID ARGS`: its exit code and output. */
export function execIn(run: SuiteRun, id: string, args: readonly string[], user?: string): Promise<Outcome> {
  return podman(run.conf, ['exec', ...(user === undefined ? [] : ['--user', user]), id, ...args]);
}

/** `procwarden status` in the container through `podman exec` (as `user`, when given), once the control socket answers: it opens once the app has run. */
export async function procwardenStatus(run: SuiteRun, id: string, user?: string): Promise<string> {
  let status = '';
  await until(async () => {
    const result = await execIn(run, id, ['procwarden', 'status'], user);
    status = result.stdout;
    return result.exitCode === 0;
  }, `procwarden status in ${id}${user === undefined ? '' : ` as ${user}`}`, 30_000, 100);
  return status;
}

/** The host port a container's `port` is published on (`-p 127.0.0.1::PORT`). */
export async function hostPort(run: SuiteRun, id: string, port: number): Promise<number> {
  const published = await podmanOk(run.conf, ['port', id, `${port}/tcp`]);
  return Number(/:(\d+)$/.exec(published.split('\n')[0] ?? '')?.[1]);
}

/** GET http://127.0.0.1:PORT/PATH, retried until it answers (the app may still be starting) or `timeoutMs` passes. */
export async function httpGet(port: number, path = '/', timeoutMs = 30_000): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`nothing answered on port ${port} within ${timeoutMs} ms: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
