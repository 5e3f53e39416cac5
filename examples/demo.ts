// npm run demo: procwarden's main job, on examples/pidfile-app, in a few seconds.
//
// The app writes a PID file and refuses to start when it finds one. It crashes; a restart
// in place fails on the stale PID file, twice; then Container Recovery resets the
// filesystem to its pristine state and the app is back. The demo prints the app's lines
// and procwarden's events (JSON lines on stderr, made readable here), then stops the
// container as `docker stop` would.
//
// procwarden runs as PID 1 of a new pid namespace when unshare(1) may make one (root), else
// as a child subreaper. It works on a copy of the example in a temporary folder: the
// filesystem reset never touches the checkout.

import { spawn, spawnSync } from 'node:child_process';
import { describeEvent } from '../src/events/pretty.ts';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = resolve('dist/procwarden');
const work = mkdtempSync(join(tmpdir(), 'procwarden-demo-'));
const app = join(work, 'pidfile-app');
cpSync('examples/pidfile-app', app, { recursive: true });

const settings = { AUTORESTART: 'ON_FAILURE', PROCWARDEN_RESTART_LIMIT: '2/1m', CRASH_AFTER: '3' };
const env: NodeJS.ProcessEnv = { ...process.env, ...settings, PROCWARDEN_WIPE_PATHS: app, PROCWARDEN_STATE_DIR: join(work, 'state') };
delete env['NODE_EXTRA_CA_CERTS']; // on machines that set it, it slows every Node start by ~90 ms
const asPid1 = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
const argv = asPid1 ? ['unshare', '--pid', '--fork', '--mount-proc', BIN] : [BIN];

console.log(`examples/pidfile-app: ${readFileSync(join(app, 'Procfile'), 'utf8').trim().split('\n').pop()}`);
console.log('An app that refuses to start while its PID file (tmp/pids/server.pid) is there; it crashes after 3 s.');
console.log(asPid1 ? 'procwarden runs as PID 1 of a new pid namespace.' : 'No permission for a pid namespace here: procwarden runs as a child subreaper.');
console.log(`\n$ ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')} ${asPid1 ? 'unshare --pid --fork --mount-proc ' : ''}procwarden\n`);

const child = spawn(argv[0]!, argv.slice(1), { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
let startedAt: number | undefined;
let recovered = false;
let stopping = false;
let exitCode: number | undefined;

const say = (who: string, text: string) => console.log(`${who.padEnd(10)} │ ${text}`);

function onEvent(event: Record<string, unknown>): void {
  const time = Date.parse(String(event['time']));
  startedAt ??= time;
  const at = `+${((time - startedAt) / 1000).toFixed(2)}s`;
  say('procwarden', `${at.padStart(7)}  ${describeEvent(String(event['event']), event)}`);
  if (event['event'] === 'container.started' && event['mode'] === 'recover') recovered = true;
  if (event['event'] === 'procwarden.exit') exitCode = Number(event['code']);
}

function stopOnceBack(line: string): void {
  if (!recovered || stopping || !line.startsWith('app: serving')) return;
  stopping = true;
  setTimeout(() => {
    console.log('\n$ kill -TERM <procwarden>    # what docker stop sends; procwarden forwards it to the app\n');
    process.kill(procwardenPid(), 'SIGTERM');
  }, 1000);
}

/** procwarden itself: the child of unshare whose command line is procwarden's. */
function procwardenPid(): number {
  if (!asPid1) return child.pid!;
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').split(' ').filter(Boolean);
  const found = children.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('procwarden'));
  return Number(found ?? child.pid);
}

createInterface({ input: child.stdout }).on('line', (line) => {
  say('app', line);
  stopOnceBack(line);
});
createInterface({ input: child.stderr }).on('line', (line) => {
  if (!line.startsWith('{')) return say('app', line);
  try {
    onEvent(JSON.parse(line) as Record<string, unknown>);
  } catch {
    say('procwarden', line);
  }
});

// A demo that never reaches the recovery ends anyway, and says so.
const deadline = setTimeout(() => process.kill(procwardenPid(), 'SIGTERM'), 30_000);
const code = await new Promise<number>((done) => child.once('close', (status) => done(status ?? 1)));
clearTimeout(deadline);
rmSync(work, { recursive: true, force: true });

// The demo succeeds when the app came back through the recovery and stopped cleanly.
const ok = recovered && code === 0 && exitCode === 0;
console.log(
  ok
    ? '\nThe stale PID file defeated both restarts in place; the recovery from a pristine filesystem brought the app back.'
    : `\nThe demo did not go as expected (recovered: ${recovered}, exit code ${code}).`,
);
process.exitCode = ok ? 0 : 1;
