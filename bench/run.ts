// procwarden side by side with tini, dumb-init and a bare Node reference (the floor of any
// init written for Node), in one run, variants interleaved. Prints a Markdown report.
//
//   npm run bench            (builds first; needs root for the orphan storm's pid namespaces)
//
// Every variant runs with NODE_OPTIONS and NODE_EXTRA_CA_CERTS unset: the second alone adds
// about 90 ms to any Node start on machines that set it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = resolve('dist/procwarden');
const STANDALONE = resolve('dist/procwarden-linux-x64');
const STANDALONE_SNAPSHOT = resolve('dist/procwarden-linux-x64-snapshot');
const FIXTURES = resolve('bench/fixtures');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 30);
const IDLE_SECONDS = Number(process.env['BENCH_IDLE_SECONDS'] ?? 10);
const ORPHANS = 2000;
const ALTERNATIONS = 5;

/** Everything the bench writes, removed when it ends. */
const WORK = mkdtempSync(join(tmpdir(), 'procwarden-bench-'));
const env: NodeJS.ProcessEnv = { ...process.env, PROCWARDEN_STATE_DIR: join(WORK, 'state') };
delete env['NODE_OPTIONS'];
delete env['NODE_EXTRA_CA_CERTS'];

// What any init written for Node must at least do: spawn the app with inherited stdio,
// forward signals, exit with its code.
const NODE_REFERENCE = `
const { spawn } = require('child_process');
const child = spawn(process.argv[1], process.argv.slice(2), { stdio: 'inherit' });
for (const s of ['SIGTERM','SIGINT','SIGHUP','SIGQUIT','SIGUSR1','SIGUSR2','SIGWINCH','SIGALRM','SIGCONT'])
  process.on(s, () => child.kill(s));
child.on('exit', (code, signal) => process.exit(code ?? 128 + require('os').constants.signals[signal]));
`;

interface Variant {
  readonly name: string;
  readonly argv: (app: readonly string[]) => string[];
}

const VARIANTS: readonly Variant[] = [
  { name: 'procwarden', argv: (app) => [BIN, '--', ...app] },
  { name: 'tini', argv: (app) => ['tini', '-s', '-g', '--', ...app] },
  { name: 'dumb-init', argv: (app) => ['dumb-init', ...app] },
  { name: 'bare Node', argv: (app) => [process.execPath, '-e', NODE_REFERENCE, ...app] },
];

/** section → metric → column → value, printed as one table a section. */
const results = new Map<string, Map<string, Map<string, string>>>();
let section = '';
function record(metric: string, column: string, value: string): void {
  if (!results.has(section)) results.set(section, new Map());
  const metrics = results.get(section)!;
  if (!metrics.has(metric)) metrics.set(metric, new Map());
  metrics.get(metric)!.set(column, value);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

function start(argv: readonly string[], stdio: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const [file, ...args] = argv;
  return spawn(file!, args, { env, stdio: [stdio, stdio, 'ignore'] });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => child.once('exit', () => done()));
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function appOf(initPid: number, comm: string): Promise<number> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(5)) {
    for (const pid of children(initPid)) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return pid;
      } catch {
        // not there yet
      }
    }
  }
  throw new Error(`no ${comm} under ${initPid}`);
}

/** One call of the timing driver (fixtures/driver.py): the median of its rounds, in ms. */
function drive(mode: 'startup' | 'signal' | 'exit', rounds: number, argv: readonly string[]): { medianMs: number; lost: number } {
  const out = spawnSync('python3', [resolve(FIXTURES, 'driver.py'), mode, String(rounds), '--', ...argv], { env, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`driver ${mode} ${argv.join(' ')}: ${out.stderr}`);
  return JSON.parse(out.stdout) as { medianMs: number; lost: number };
}

/** Runs every variant (and `extra`) in alternation, ALTERNATIONS times; the median of the medians. */
function alternate(
  mode: 'startup' | 'signal' | 'exit',
  app: readonly string[],
  extra: { name: string; argv: readonly string[] } | undefined,
  variants: readonly Variant[] = VARIANTS,
): Map<string, { ms: number; lost: number }> {
  const runs = [...variants.map((v) => ({ name: v.name, argv: v.argv(app) })), ...(extra ? [extra] : [])];
  const medians = new Map(runs.map((r) => [r.name, [] as number[]]));
  const lost = new Map(runs.map((r) => [r.name, 0]));
  const rounds = Math.max(1, Math.round((mode === 'signal' ? ROUNDS * 5 : ROUNDS) / ALTERNATIONS));
  for (let i = 0; i < ALTERNATIONS; i++) {
    for (const run of runs) {
      const result = drive(mode, rounds, run.argv);
      medians.get(run.name)!.push(result.medianMs);
      lost.set(run.name, lost.get(run.name)! + result.lost);
    }
  }
  return new Map(runs.map((r) => [r.name, { ms: median(medians.get(r.name)!), lost: lost.get(r.name)! }]));
}

/** Start-up overhead: `INIT true` minus `true`. */
async function startup(): Promise<void> {
  const metric = 'start-up overhead (`INIT true` − `true`)';
  const times = alternate('startup', ['true'], { name: 'direct (no init)', argv: ['true'] });
  const floor = times.get('direct (no init)')!.ms;
  const overhead = (name: string) => times.get(name)!.ms - floor;
  for (const variant of VARIANTS) record(metric, variant.name, fmt(overhead(variant.name)));
  record(metric, 'direct (no init)', `${fmt(floor)} (\`true\` alone)`);
  record(metric, 'ratio', `${(overhead('procwarden') / overhead('bare Node')).toFixed(2)}x bare Node (target ≤ 1.3x)`);
}

function threadCounters(pid: number): { switches: number; cpuTicks: number } {
  let switches = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    for (const key of ['voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches']) {
      switches += Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    }
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { switches, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

function memory(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS'), anon: kib('RssAnon') };
}

/** Memory while the app sleeps, and wake-ups and CPU over an idle window: all variants at once. */
async function idle(): Promise<void> {
  const running = VARIANTS.map((variant) => ({ variant, child: start(variant.argv(['sleep', '1000'])) }));
  for (const { child } of running) await appOf(child.pid!, 'sleep');
  await sleep(1000); // let start-up work (JIT, GC) settle before measuring idle
  const before = running.map(({ child }) => threadCounters(child.pid!));
  await sleep(IDLE_SECONDS * 1000);
  running.forEach(({ variant, child }, i) => {
    const after = threadCounters(child.pid!);
    const { rss, anon } = memory(child.pid!);
    record('resident memory while the app sleeps', variant.name, mib(rss));
    record('private (anonymous) memory', variant.name, mib(anon));
    record(`wake-ups over ${IDLE_SECONDS} s idle (all threads)`, variant.name, String(after.switches - before[i]!.switches));
    record(`CPU over ${IDLE_SECONDS} s idle (ticks)`, variant.name, String(after.cpuTicks - before[i]!.cpuTicks));
  });
  const ended = running.map(({ child }) => exited(child));
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(ended);
}

/** kill(INIT, SIGUSR1) until the app's sigwait returns. */
async function signalLatency(): Promise<void> {
  const metric = 'signal forwarding latency (median, kill → app)';
  const receiver = ['python3', resolve(FIXTURES, 'signal-receiver.py')];
  const times = alternate('signal', receiver, { name: 'direct (no init)', argv: receiver });
  for (const [name, { ms, lost }] of times) record(metric, name, `${fmt(ms)}${lost ? `, ${lost} lost` : ''}`);
  record(metric, 'ratio', `${(times.get('procwarden')!.ms / times.get('tini')!.ms).toFixed(2)}x tini (target ≤ 2.5x)`);
}

/** The app's exit (it reads one line, then exits) to the init's exit. */
async function exitLatency(): Promise<void> {
  const metric = "the app's exit to the init's exit (median)";
  const app = ['head', '-n', '1'];
  const times = alternate('exit', app, { name: 'direct (no init)', argv: app });
  for (const [name, { ms }] of times) record(metric, name, fmt(ms));
  const overhead = (name: string) => times.get(name)!.ms - times.get('direct (no init)')!.ms;
  record(metric, 'ratio', `${(overhead('procwarden') / overhead('bare Node')).toFixed(2)}x bare Node, over \`head\` alone (target ≤ 1.3x)`);
}

/** 2,000 orphans exiting at once under each init as PID 1. */
async function orphanStorm(): Promise<void> {
  if (spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0) {
    record('2,000 orphans at once', 'procwarden', 'skipped: needs root for a pid namespace');
    return;
  }
  for (const variant of VARIANTS.filter((v) => v.name !== 'bare Node')) {
    const runs: { mostZombies: number | null; lastReapedMs: number; reapLagMs: number | null; left: number }[] = [];
    for (const mode of ['zombies', 'timing', 'timing', 'timing']) {
      const argv = ['unshare', '--pid', '--fork', '--mount-proc', ...variant.argv(['python3', resolve(FIXTURES, 'orphan-storm.py'), String(ORPHANS), mode])];
      const out = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
      runs.push(JSON.parse(out.stdout.trim().split('\n').pop()!));
    }
    const most = runs[0]!.mostZombies;
    const last = median(runs.slice(1).map((r) => r.lastReapedMs));
    const left = Math.max(...runs.map((r) => r.left));
    record('2,000 orphans at once: most zombies seen', variant.name, String(most));
    record('2,000 orphans at once: last reaped after (median)', variant.name, `${fmt(last)}${left ? `, ${left} never reaped` : ''}`);
    record('2,000 orphans at once: last reaped after the last exit', variant.name, fmt(runs[0]!.reapLagMs ?? NaN));
  }
}

/**
 * Restart latency (the app's exit to the next instance's first instruction) and crash-loop
 * rate, procwarden beside supervisord (autorestart=true), runit (runsv) and s6
 * (s6-supervise), each restarting a C program that stamps its start and its exit.
 */
async function restart(): Promise<void> {
  const work = mkdtempSync(join(WORK, 'restart-'));
  const crash = join(work, 'crash-stamp');
  if (spawnSync('cc', ['-O2', '-static', '-o', crash, resolve(FIXTURES, 'crash-stamp.c')]).status !== 0) {
    record('restart latency (median, exit → next first instruction)', 'procwarden', 'skipped: no C compiler (cc) to build the crash loop');
    return;
  }
  const supervisors: { name: string; argv: (log: string, dir: string) => string[]; env?: NodeJS.ProcessEnv }[] = [
    {
      name: 'procwarden',
      argv: (log) => [BIN, '--', crash, log],
      env: { AUTORESTART: 'ALWAYS', PROCWARDEN_RESTART_LIMIT: '100000/1h' },
    },
    {
      name: 'supervisord',
      argv: (log, dir) => {
        writeFileSync(join(dir, 'supervisord.conf'), [
          '[supervisord]', 'nodaemon=true', 'logfile=/dev/null', `pidfile=${dir}/supervisord.pid`,
          '[program:app]', `command=${crash} ${log}`, 'autorestart=true', 'startsecs=0', 'startretries=100000',
          'stdout_logfile=/dev/null', 'stderr_logfile=/dev/null', '',
        ].join('\n'));
        return ['supervisord', '-c', join(dir, 'supervisord.conf')];
      },
    },
    { name: 'runit (runsv)', argv: (log, dir) => (writeRun(dir, crash, log), ['runsv', dir]) },
    { name: 's6 (s6-supervise)', argv: (log, dir) => (writeRun(dir, crash, log), ['s6-supervise', dir]) },
  ];
  const metric = 'restart latency (median, exit → next first instruction)';
  const rate = 'crash loop: starts in the first 3 s';
  const medians = new Map<string, number>();
  for (const supervisor of supervisors) {
    const dir = mkdtempSync(join(work, 'svc-'));
    const log = join(dir, 'stamps');
    const child = spawn(supervisor.argv(log, dir)[0]!, supervisor.argv(log, dir).slice(1), {
      env: { ...env, ...supervisor.env },
      stdio: 'ignore',
    });
    const ended = exited(child);
    await sleep(3000);
    child.kill('SIGTERM');
    await Promise.race([ended, sleep(3000).then(() => child.kill('SIGKILL'))]);
    const stamps = existsSync(log)
      ? readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number) as [number, number])
      : [];
    const gaps = stamps.slice(1).map(([start], i) => (start - stamps[i]![1]) / 1e6);
    medians.set(supervisor.name, median(gaps));
    record(metric, supervisor.name, gaps.length ? fmt(median(gaps)) : 'no restart');
    record(rate, supervisor.name, String(stamps.length));
  }
  const ours = medians.get('procwarden')!;
  const faster = [...medians].filter(([name]) => name !== 'procwarden').map(([name, ms]) => `${(ms / ours).toFixed(0)}x ${name.split(' ')[0]}`);
  record(metric, 'ratio', `procwarden faster by ${faster.join(', ')} (target < 10 ms, ≤ 3x runsv)`);

  // The same crash loop under procwarden's default budget: held to what the policy allows.
  const dir = mkdtempSync(join(work, 'budget-'));
  const log = join(dir, 'stamps');
  spawnSync(BIN, ['--', crash, log], { env: { ...env, AUTORESTART: 'ON_FAILURE' }, stdio: 'ignore', timeout: 10_000 });
  record(rate, 'procwarden', `${results.get(section)!.get(rate)!.get('procwarden')} (restart limit 100000/1h); ${readFileSync(log, 'utf8').trim().split('\n').length} with the default 3/1m, then it stops`);
}

/** `procwarden check` on a 200-entry Procfile, process start included. */
async function check(): Promise<void> {
  const commands = [
    'bundle exec puma -C config/puma.rb',
    '(my-app &) && tail -F log/my-app.log',
    'gunicorn app:app --workers 4',
    'nginx',
    'node --max-old-space-size=512 server.js',
    'celery -A proj worker -l info',
    "redis-server --daemonize yes",
    'php-fpm -F',
  ];
  const file = join(mkdtempSync(join(WORK, 'check-')), 'Procfile');
  writeFileSync(file, Array.from({ length: 200 }, (_, i) => `p${i}: ${commands[i % commands.length]} --n ${i}\n`).join(''));
  const times: number[] = [];
  for (let i = 0; i < ALTERNATIONS; i++) times.push(drive('startup', Math.max(1, Math.round(ROUNDS / ALTERNATIONS)), [BIN, 'check', '--procfile', file]).medianMs);
  record('`procwarden check` on a 200-entry Procfile (median wall time)', 'procwarden', `${fmt(median(times))} (target < 300 ms)`);
}

/**
 * The pristine filesystem's cost against the size of the tree, beside `cp -a` (a snapshot
 * by hand) and `rsync -a --delete` (a reset by hand) of the same trees: trees drawn like an
 * app folder (mostly small files, one in a thousand of 2 MB), 100 changes (40 files changed,
 * 30 created, 30 deleted).
 */
async function reset(): Promise<void> {
  const { takeSnapshot } = await import('../src/filesystem/snapshot.ts');
  const { resetToSnapshot } = await import('../src/filesystem/reset.ts');
  const timed = (run: () => unknown) => {
    // Each step starts with the disk idle: it does not pay for the write-back of the last.
    spawnSync('sync');
    const t0 = performance.now();
    run();
    return performance.now() - t0;
  };
  const change = (root: string) => {
    for (let i = 0; i < 40; i++) writeFileSync(join(root, `d${i % 10}`, `f${10 + i}`), 'changed');
    for (let i = 0; i < 30; i++) writeFileSync(join(root, `d${i % 10}`, `new${i}`), 'new');
    for (let i = 0; i < 30; i++) rmSync(join(root, `d${i % 10}`, `f${60 + i}`));
  };
  for (const files of [1_000, 10_000, 100_000]) {
    const work = mkdtempSync(join(WORK, 'reset-'));
    const root = join(work, 'app');
    for (let dir = 0; dir < files / 100; dir++) {
      mkdirSync(join(root, `d${dir}`), { recursive: true });
      for (let file = 0; file < 100; file++) {
        const big = (dir * 100 + file) % 1000 === 999;
        writeFileSync(join(root, `d${dir}`, `f${file}`), big ? Buffer.alloc(2 << 20, 1) : 'x'.repeat(200 + ((file * 37) % 3000)));
      }
    }
    const column = `${files.toLocaleString('en')} files`;
    // The disk's write-back makes one sample of a copy vary by 2x and more: below 100,000
    // files, each pair is taken three times, alternating, and the median reported with the
    // range.
    const rounds = files < 100_000 ? 3 : 1;
    const samples = { snapshot: [] as number[], cp: [] as number[], reset: [] as number[], rsync: [] as number[], idle: [] as number[] };
    let snapshot: ReturnType<typeof takeSnapshot> | undefined;
    let state = '';
    for (let round = 0; round < rounds; round++) {
      state = join(work, `state-${round}`);
      samples.snapshot.push(timed(() => (snapshot = takeSnapshot([root], [], state, 'start'))));
      samples.cp.push(timed(() => spawnSync('cp', ['-a', root, join(work, `copy-${round}`)])));
    }
    change(root);
    const report = resetToSnapshot(snapshot!, state);
    for (let round = 0; round < rounds; round++) {
      change(root);
      samples.reset.push(timed(() => resetToSnapshot(snapshot!, state)));
      change(root);
      samples.rsync.push(timed(() => spawnSync('rsync', ['-a', '--delete', `${join(work, 'copy-0')}/`, `${root}/`])));
      samples.idle.push(timed(() => resetToSnapshot(snapshot!, state)));
    }
    const spread = (values: number[]) => (values.length > 1 ? `${fmt(median(values))} (${fmt(Math.min(...values))} to ${fmt(Math.max(...values))})` : fmt(values[0]!));
    record('snapshot (the start-up delay it adds when taken at start)', column, spread(samples.snapshot));
    record('`cp -a` of the same tree', column, spread(samples.cp));
    record('reset after 100 changes', column, `${spread(samples.reset)}; ${report.removed} removed, ${report.restored} restored`);
    record('`rsync -a --delete` back, after the same changes', column, spread(samples.rsync));
    record('reset with nothing changed (the walk alone)', column, spread(samples.idle));
    rmSync(work, { recursive: true, force: true });
  }
  record('reset after 100 changes', 'target', '10,000 files < 100 ms; 100,000 < 1 s');
  record('snapshot (the start-up delay it adds when taken at start)', 'target', 'no slower than `cp -a`');
}

/** `procwarden status` against a running procwarden: the round trip, the client's own start included. */
async function control(): Promise<void> {
  const running = start([BIN, '--', 'sleep', '1000']);
  for (const deadline = Date.now() + 10_000; !existsSync(join(WORK, 'state', 'control.sock')) && Date.now() < deadline; ) await sleep(10);
  const times: number[] = [];
  for (let i = 0; i < ALTERNATIONS; i++) times.push(drive('startup', Math.max(1, Math.round(ROUNDS / ALTERNATIONS)), [BIN, 'status']).medianMs);
  record('`procwarden status` round trip (median, client start included)', 'procwarden', `${fmt(median(times))} (target < 150 ms)`);
  const ended = exited(running);
  running.kill('SIGTERM');
  await ended;
}

/**
 * The standalone executable (a Node single-executable application) beside the bundle and
 * tini: its size, its start-up overhead and its memory, started from V8's code cache (what
 * `npm run build:standalone` ships) and from a V8 startup snapshot (built here to compare).
 */
async function standalone(): Promise<void> {
  const built = spawnSync(process.execPath, ['scripts/build-standalone.ts', '--snapshot'], { stdio: 'ignore' });
  if (built.status !== 0 || !existsSync(STANDALONE)) throw new Error('build the standalone executable first: npm run build:standalone');
  const { gzipSync } = await import('node:zlib');
  const builds: Variant[] = [
    { name: 'standalone (code cache)', argv: (app) => [STANDALONE, '--', ...app] },
    { name: 'standalone (snapshot)', argv: (app) => [STANDALONE_SNAPSHOT, '--', ...app] },
    { name: 'bundle (dist/procwarden)', argv: (app) => [BIN, '--', ...app] },
    { name: 'tini', argv: (app) => ['tini', '-s', '-g', '--', ...app] },
  ];
  const files: Record<string, string> = {
    'standalone (code cache)': STANDALONE,
    'standalone (snapshot)': STANDALONE_SNAPSHOT,
    'bundle (dist/procwarden)': BIN,
    tini: spawnSync('sh', ['-c', 'command -v tini']).stdout.toString().trim(),
  };
  for (const [name, file] of Object.entries(files)) {
    const bytes = readFileSync(file);
    const needs = file === BIN ? ' + Node.js' : '';
    const size = (length: number) => (length < 1 << 20 ? `${(length / 1024).toFixed(0)} KiB` : mib(length / 1024));
    record('size, raw / gzip -6', name, `${size(bytes.length)} / ${size(gzipSync(bytes).length)}${needs}`);
  }
  // Each warmed once: its native code written into the state dir.
  for (const build of builds) spawnSync(build.argv(['true'])[0]!, build.argv(['true']).slice(1), { env, stdio: 'ignore' });
  const metric = 'start-up overhead (`INIT true` − `true`)';
  const times = alternate('startup', ['true'], { name: 'direct (no init)', argv: ['true'] }, builds);
  const floor = times.get('direct (no init)')!.ms;
  for (const build of builds) record(metric, build.name, fmt(times.get(build.name)!.ms - floor));
  record(metric, 'ratio', `${((times.get(builds[0]!.name)!.ms - floor) / (times.get(builds[2]!.name)!.ms - floor)).toFixed(2)}x the bundle`);
  const running = builds.map((build) => ({ build, child: start(build.argv(['sleep', '1000'])) }));
  for (const { child } of running) await appOf(child.pid!, 'sleep');
  await sleep(1000);
  for (const { build, child } of running) {
    const { rss, anon } = memory(child.pid!);
    record('resident memory while the app sleeps', build.name, mib(rss));
    record('private (anonymous) memory', build.name, mib(anon));
  }
  const ended = running.map(({ child }) => exited(child));
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(ended);
  rmSync(STANDALONE_SNAPSHOT, { force: true });
}

function writeRun(dir: string, crash: string, log: string): void {
  writeFileSync(join(dir, 'run'), `#!/bin/sh\nexec ${crash} ${log}\n`, { mode: 0o755 });
}

const sections: [string, () => Promise<void>][] = [
  ['start-up', startup],
  ['memory and idle', idle],
  ['signal latency', signalLatency],
  ['exit latency', exitLatency],
  ['orphan storm', orphanStorm],
  ['restart', restart],
  ['check', check],
  ['reset', reset],
  ['control', control],
  ['standalone', standalone],
];
const only = process.argv[2];
// A container's first start writes procwarden's native code into the state dir; every later
// start loads it from there. Measured is the usual start: the state dir warmed once here.
spawnSync(BIN, ['--', 'true'], { env, stdio: 'ignore' });
try {
  for (const [name, run] of sections) {
    if (only && !name.startsWith(only)) continue;
    process.stderr.write(`bench: ${name}...\n`);
    section = name;
    await run();
  }
} finally {
  rmSync(WORK, { recursive: true, force: true });
}

const machine = `${spawnSync('nproc').stdout.toString().trim()} cores, Node ${process.versions.node}, ${spawnSync('tini', ['--version']).stdout.toString().trim()}, dumb-init ${spawnSync('dumb-init', ['--version']).stderr.toString().trim().replace(/^dumb-init /, '')}`;
console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${ROUNDS} rounds.`);
for (const [name, metrics] of results) {
  const columns = [...new Set([...metrics.values()].flatMap((row) => [...row.keys()]))];
  const ordered = [...columns.filter((c) => c !== 'ratio'), ...columns.filter((c) => c === 'ratio')];
  console.log(`\n### ${name}\n`);
  console.log(`| metric | ${ordered.join(' | ')} |`);
  console.log(`|---|${ordered.map(() => '---').join('|')}|`);
  for (const [metric, row] of metrics) console.log(`| ${metric} | ${ordered.map((c) => row.get(c) ?? '').join(' | ')} |`);
}
