// One health probe: an HTTP GET, a TCP connect or a command, with a timeout. The modules it
// needs (node:http, node:net, node:child_process) are loaded at the first probe, never when
// no health check is set.

import { nodeChildren } from '../process/node-children.ts';
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
 * A command that hangs is killed at the timeout, with everything it started (its own process
 * group), and reaped.
 */
export function runProbe(probe: Probe, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<ProbeResult> {
  switch (probe.kind) {
    case 'http':
      return httpProbe(probe.url, timeoutMs);
    case 'tcp':
      return tcpProbe(probe.host, Number(probe.port), timeoutMs);
    case 'exec':
      return execProbe(probe.command, timeoutMs, env);
  }
}

const seconds = (ms: number) => `${ms / 1000} s`;

function httpProbe(url: string, timeoutMs: number): Promise<ProbeResult> {
  const http = process.getBuiltinModule('node:http');
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
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
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const net = process.getBuiltinModule('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const settle = (result: ProbeResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => settle({ healthy: true, output: `connected to ${host}:${port}` }));
    socket.once('error', (error) => settle({ healthy: false, output: error.message }));
    const timer = setTimeout(() => settle({ healthy: false, output: `no connection within ${seconds(timeoutMs)}` }), timeoutMs);
  });
}

function execProbe(command: string, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<ProbeResult> {
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve) => {
    // A process group of its own (detached), so that a timeout kills what it started too.
    const child = spawn('/bin/sh', ['-c', command], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) nodeChildren.add(child.pid);
    let output = Buffer.alloc(0);
    const keep = (chunk: Buffer) => {
      output = Buffer.concat([output, chunk]);
      if (output.length > OUTPUT_KEPT_BYTES) output = output.subarray(output.length - OUTPUT_KEPT_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Ended meanwhile.
        }
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ healthy: false, output: error.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) nodeChildren.delete(child.pid);
      const said = output.toString('utf8').trim();
      if (timedOut) resolve({ healthy: false, output: `no exit within ${seconds(timeoutMs)}: killed${said ? `; it said: ${said}` : ''}` });
      else resolve({ healthy: code === 0, output: said || (signal ? `killed by ${signal}` : `exit code ${code}`) });
    });
  });
}
