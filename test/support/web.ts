// Helpers for the web interface's end-to-end tests: procwarden with PROCWARDEN_HTTP on a free
// loopback port, the address it took (its `http.listening` event), and requests to it.

import { join } from 'node:path';
import { eventsNamed, runPlain, scratch, stderrSoFar, until } from './processes.ts';

export const TOKEN = 'test-token-0123456789';

/**
 * procwarden running `args` (`-- sleep 1000` unless told) with the web interface on
 * 127.0.0.1 (a free port) and TOKEN, a state dir of its own, its events at info.
 */
export async function withWeb(env: Record<string, string> = {}, args: readonly string[] = ['--autorestart', 'ALWAYS', '--', 'sleep', '1000']) {
  const stateDir = join(scratch(), 'state');
  const run = runPlain(args, {
    env: { PROCWARDEN_STATE_DIR: stateDir, PROCWARDEN_LOG_LEVEL: 'info', PROCWARDEN_STOP_TIMEOUT: '200ms', PROCWARDEN_HTTP: '127.0.0.1:0', PROCWARDEN_HTTP_TOKEN: TOKEN, ...env },
  });
  const stderr = stderrSoFar(run);
  await until(() => eventsNamed(stderr(), 'http.listening').length > 0, 'the web interface to listen');
  const { port } = eventsNamed(stderr(), 'http.listening')[0]!;
  const base = `http://127.0.0.1:${port}`;
  const cli = (...words: string[]) => runPlain(words, { env: { PROCWARDEN_STATE_DIR: stateDir } });
  /** One request; `token` false sends none. */
  const call = (method: string, path: string, options: { body?: string; token?: string | false; headers?: Record<string, string> } = {}) =>
    fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(options.token === false ? {} : { authorization: `Bearer ${options.token ?? TOKEN}` }), ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
  return { run, stderr, port, base, call, cli, stateDir };
}
