// One health probe: an HTTP GET, a TCP connect or a command, with a timeout. The modules it
// needs (node:http, node:net, node:child_process) are loaded at the first probe, never when
// no health check is set.

import { nodeChildren } from '../process/node-children.ts';
import { ownGroups } from '../process/own-groups.ts';
import type { Probe } from './health-config.ts';

/** What a command's output is kept to for the event (bytes): its last 4 KiB. */
export const OUTPUT_KEPT_BYTES = 4096;

export interface ProbeResult {
  readonly healthy: boolean;
  /** What it said: the HTTP status, the command's output (its last 4 KiB), or why it failed. */
  readonly output: string;
}

/**
 * Runs `probe` once. `env`: the app's environment (NAME=value), for a command. Never
 * rejects: a probe that fails or does not answer within `timeoutMs` is unhealthy, with why.
 * A command runs in a process group of its own, which is procwarden's (own-groups.ts), never
 * the app's: when it hangs, it is killed at the timeout with everything it started, and what
 * it leaves running when it exits is killed then; all of it is reaped. `cancel`: the app
 * has ended, the probe is over at once (a command killed as at a timeout; its result is
 * of no use).
 */
export function runProbe(probe: Probe, timeoutMs: number, env: NodeJS.ProcessEnv, cancel?: AbortSignal): Promise<ProbeResult> {
  switch (probe.kind) {
    case 'http':
      return httpProbe(probe.url, timeoutMs, cancel);
    case 'tcp':
      return tcpProbe(probe.host, Number(probe.port), timeoutMs, cancel);
    case 'exec':
      return execProbe(probe.command, timeoutMs, env, cancel);
  }
}

const CANCELLED: ProbeResult = { healthy: false, output: 'cancelled: the app has ended' };

/** Calls `then` once `cancel` fires (at once when it has); returns what stops listening. */
function onCancel(cancel: AbortSignal | undefined, then: () => void): () => void {
  if (!cancel) return () => {};
  if (cancel.aborted) {
    queueMicrotask(then);
    return () => {};
  }
  cancel.addEventListener('abort', then, { once: true });
  return () => cancel.removeEventListener('abort', then);
}

const seconds = (ms: number) => `${ms / 1000} s`;

function httpProbe(url: string, timeoutMs: number, cancel: AbortSignal | undefined): Promise<ProbeResult> {
  const http = process.getBuiltinModule('node:http');
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      request.destroy();
      resolve(result);
    };
    const request = http.get(url, { agent: false, headers: { 'user-agent': 'procwarden-healthcheck' } }, (response) => {
      const status = response.statusCode ?? 0;
      response.resume();
      settle({ healthy: status >= 200 && status < 400, output: `HTTP ${status}` });
    });
    request.on('error', (error) => settle({ healthy: false, output: error.message }));
    const timer = setTimeout(() => settle({ healthy: false, output: `no answer within ${seconds(timeoutMs)}` }), timeoutMs);
    const stopListening = onCancel(cancel, () => settle(CANCELLED));
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number, cancel: AbortSignal | undefined): Promise<ProbeResult> {
  const net = process.getBuiltinModule('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopListening();
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => settle({ healthy: true, output: `connected to ${host}:${port}` }));
    socket.once('error', (error) => settle({ healthy: false, output: error.message }));
    const timer = setTimeout(() => settle({ healthy: false, output: `no connection within ${seconds(timeoutMs)}` }), timeoutMs);
    const stopListening = onCancel(cancel, () => settle(CANCELLED));
  });
}

/** SIGKILL to every process left in a group; none left is fine. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // None left.
  }
}

function execProbe(command: string, timeoutMs: number, env: NodeJS.ProcessEnv, cancel: AbortSignal | undefined): Promise<ProbeResult> {
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve) => {
    // A session and process group of its own (detached), so that a timeout kills what it
    // started too; procwarden's own, from before anything in it can end (the reaper would
    // take an orphan of it for the app's).
    const child = spawn('/bin/sh', ['-c', command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const { pid } = child;
    if (pid !== undefined) {
      nodeChildren.add(pid);
      ownGroups.add(pid);
    }
    let output = Buffer.alloc(0);
    const keep = (chunk: Buffer) => {
      output = Buffer.concat([output, chunk]);
      if (output.length > OUTPUT_KEPT_BYTES) output = output.subarray(output.length - OUTPUT_KEPT_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let ended: 'timed out' | 'cancelled' | undefined;
    const end = (why: 'timed out' | 'cancelled') => {
      ended ??= why;
      if (pid !== undefined) killGroup(pid);
    };
    const timer = setTimeout(() => end('timed out'), timeoutMs);
    const stopListening = onCancel(cancel, () => end('cancelled'));
    child.once('error', (error) => {
      clearTimeout(timer);
      stopListening();
      resolve({ healthy: false, output: error.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      stopListening();
      if (pid !== undefined) {
        nodeChildren.delete(pid);
        // What it left running (a `&` with its output elsewhere) ends with it; the reaper
        // takes each as procwarden's own, and forgets the group once the last is reaped.
        killGroup(pid);
        ownGroups.prune();
      }
      const said = output.toString('utf8').trim();
      if (ended === 'cancelled') resolve(CANCELLED);
      else if (ended === 'timed out') resolve({ healthy: false, output: `no exit within ${seconds(timeoutMs)}: killed${said ? `; it said: ${said}` : ''}` });
      else resolve({ healthy: code === 0, output: said || (signal ? `killed by ${signal}` : `exit code ${code}`) });
    });
  });
}
