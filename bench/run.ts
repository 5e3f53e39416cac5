// procwarden side by side with tini, dumb-init and a bare Node reference (the floor of any
// init written for Node), in one run, variants interleaved. Prints a Markdown report.
//
//   npm run bench                          (builds first; needs root for the pid namespaces)
//   node bench/run.ts start-up,native      (only the sections named, after a build)
//
// Every variant runs with NODE_OPTIONS and NODE_EXTRA_CA_CERTS unset: the second alone adds
// about 90 ms to any Node start on machines that set it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = resolve('dist/procwarden');
const STANDALONE = resolve('dist/procwarden-linux-x64');
const STANDALONE_SNAPSHOT = resolve('dist/procwarden-linux-x64-snapshot');
/**
 * Another build of the same two to put beside them in the native section (an A/B), named by
 * BENCH_B_NAME: BENCH_B_BUNDLE and BENCH_B_STANDALONE, paths to executables built elsewhere
 * (the koffi build of bench/README.md's A/B: commit 8645f79, PROCWARDEN_NATIVE=koffi).
 */
const B_NAME = process.env['BENCH_B_NAME'] ?? 'B';
const B_BUNDLE = process.env['BENCH_B_BUNDLE'] ? resolve(process.env['BENCH_B_BUNDLE']) : undefined;
const B_STANDALONE = process.env['BENCH_B_STANDALONE'] ? resolve(process.env['BENCH_B_STANDALONE']) : undefined;
const PID1 = ['unshare', '--pid', '--fork', '--mount-proc'];
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
/** Where cold starts get their state dirs: each start a new one (the driver's BENCH_FRESH_STATE). */
const FRESH = join(WORK, 'fresh');
mkdirSync(FRESH);
let freshDirs = 0;
/** The environment of a cold start: a state dir that does not exist yet, as at a container's first start. */
const coldEnv = (): NodeJS.ProcessEnv => ({ ...env, PROCWARDEN_STATE_DIR: join(FRESH, `start-${++freshDirs}`) });

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

function start(argv: readonly string[], stdio: 'ignore' | 'pipe' = 'ignore', startEnv: NodeJS.ProcessEnv = env): ChildProcess {
  const [file, ...args] = argv;
  return spawn(file!, args, { env: startEnv, stdio: [stdio, stdio, 'ignore'] });
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

type DriverMode = 'startup' | 'signal' | 'exit' | 'exec' | 'stop' | 'sigwindow';
interface DriverResult {
  readonly medianMs: number;
  readonly samplesMs: number[];
  /** sigwindow: exec until SIGQUIT and SIGHUP are caught, one a round. */
  readonly handlersMs?: number[];
  readonly lost: number;
}

/** The init that `unshare --fork` (pid `unsharePid`) has started: its child, once it has exec'd. */
async function initUnder(unsharePid: number): Promise<number> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(5)) {
    const [init] = children(unsharePid);
    if (init !== undefined && !readFileSync(`/proc/${init}/cmdline`, 'latin1').startsWith('unshare\0')) return init;
  }
  throw new Error(`no init under ${unsharePid}`);
}

/** One call of the timing driver (fixtures/driver.py): the median of its rounds, in ms. `cold`: each start with a fresh state dir. */
function drive(mode: DriverMode, rounds: number, argv: readonly string[], cold = false): DriverResult {
  const driverEnv = cold ? { ...env, BENCH_FRESH_STATE: FRESH } : env;
  const out = spawnSync('python3', [resolve(FIXTURES, 'driver.py'), mode, String(rounds), '--', ...argv], { env: driverEnv, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`driver ${mode} ${argv.join(' ')}: ${out.stderr}`);
  return JSON.parse(out.stdout) as DriverResult;
}

/** Runs every variant (and `extra`) in alternation, ALTERNATIONS times; the median of the medians. */
function alternate(
  mode: DriverMode,
  app: readonly string[],
  extra: { name: string; argv: readonly string[] } | undefined,
  variants: readonly Variant[] = VARIANTS,
  options: { cold?: boolean; wrap?: readonly string[] } = {},
): Map<string, { ms: number; lost: number }> {
  const wrap = options.wrap ?? [];
  const runs = [...variants.map((v) => ({ name: v.name, argv: [...wrap, ...v.argv(app)] })), ...(extra ? [{ ...extra, argv: [...wrap, ...extra.argv] }] : [])];
  const medians = new Map(runs.map((r) => [r.name, [] as number[]]));
  const lost = new Map(runs.map((r) => [r.name, 0]));
  const rounds = Math.max(1, Math.round((mode === 'signal' ? ROUNDS * 5 : ROUNDS) / ALTERNATIONS));
  for (let i = 0; i < ALTERNATIONS; i++) {
    for (const run of runs) {
      const result = drive(mode, rounds, run.argv, options.cold);
      medians.get(run.name)!.push(result.medianMs);
      lost.set(run.name, lost.get(run.name)! + result.lost);
    }
  }
  return new Map(runs.map((r) => [r.name, { ms: median(medians.get(r.name)!), lost: lost.get(r.name)! }]));
}

/**
 * Start-up overhead: `INIT true` minus `true`, cold (each start with a state dir of its own
 * that does not exist yet, as every container's first start: procwarden writes its native
 * code there) and warm (the state dir of an earlier start, as a restarted container's), as
 * a plain process and as PID 1 of a new pid namespace.
 */
async function startup(): Promise<void> {
  for (const [label, cold, wrap] of [
    ['cold', true, []],
    ['warm', false, []],
    ['cold, as PID 1', true, PID1],
  ] as const) {
    const metric = `start-up overhead (\`INIT true\` − \`true\`), ${label}`;
    const times = alternate('startup', ['true'], { name: 'direct (no init)', argv: ['true'] }, VARIANTS, { cold, wrap });
    const floor = times.get('direct (no init)')!.ms;
    const overhead = (name: string) => times.get(name)!.ms - floor;
    for (const variant of VARIANTS) record(metric, variant.name, fmt(overhead(variant.name)));
    record(metric, 'direct (no init)', `${fmt(floor)} (\`${wrap.length ? 'unshare … true' : 'true'}\` alone)`);
    record(metric, 'ratio', `${(overhead('procwarden') / overhead('bare Node')).toFixed(2)}x bare Node (target ≤ 1.2x)`);
  }
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

/**
 * Memory while the app sleeps, and wake-ups and CPU over an idle window: all variants at
 * once, started cold (each with a state dir of its own that does not exist yet); then
 * procwarden once more, warm, in the state dir its cold start left.
 */
async function idle(): Promise<void> {
  const running = VARIANTS.map((variant) => {
    const startEnv = coldEnv();
    return { variant, startEnv, child: start(variant.argv(['sleep', '1000']), 'ignore', startEnv) };
  });
  for (const { child } of running) await appOf(child.pid!, 'sleep');
  await sleep(1000); // let start-up work (JIT, GC) settle before measuring idle
  const before = running.map(({ child }) => threadCounters(child.pid!));
  await sleep(IDLE_SECONDS * 1000);
  running.forEach(({ variant, child }, i) => {
    const after = threadCounters(child.pid!);
    const { rss, anon } = memory(child.pid!);
    record('resident memory while the app sleeps, cold', variant.name, mib(rss));
    record('private (anonymous) memory, cold', variant.name, mib(anon));
    record(`wake-ups over ${IDLE_SECONDS} s idle (all threads)`, variant.name, String(after.switches - before[i]!.switches));
    record(`CPU over ${IDLE_SECONDS} s idle (ticks)`, variant.name, String(after.cpuTicks - before[i]!.cpuTicks));
  });
  const memoryOf = (name: string) => memory(running.find(({ variant }) => variant.name === name)!.child.pid!);
  const ours = memoryOf('procwarden');
  const node = memoryOf('bare Node');
  record('resident memory while the app sleeps, cold', 'ratio', `bare Node + ${mib(ours.rss - node.rss)} (target ≤ + 6 MiB)`);
  record('private (anonymous) memory, cold', 'ratio', `${(ours.anon / node.anon).toFixed(2)}x bare Node (target ≤ 10 MiB)`);
  const ended = running.map(({ child }) => exited(child));
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(ended);

  const warmEnv = running.find(({ variant }) => variant.name === 'procwarden')!.startEnv;
  const warm = start(VARIANTS[0]!.argv(['sleep', '1000']), 'ignore', warmEnv);
  await appOf(warm.pid!, 'sleep');
  await sleep(1000);
  const { rss, anon } = memory(warm.pid!);
  record('resident memory while the app sleeps, warm', 'procwarden', mib(rss));
  record('private (anonymous) memory, warm', 'procwarden', mib(anon));
  const warmEnded = exited(warm);
  warm.kill('SIGTERM');
  await warmEnded;
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
  record(metric, 'ratio', `${(overhead('procwarden') / overhead('bare Node')).toFixed(2)}x bare Node, over \`head\` alone (target ≤ 1.2x)`);
}

/** SIGTERM to the init (its app a `sleep`, which leaves no descendants) until the init is reaped. */
async function stopLatency(): Promise<void> {
  const metric = 'SIGTERM to the init until it has exited (median), app `sleep`';
  const times = alternate('stop', ['sleep', '1000'], { name: 'direct (no init)', argv: ['sleep', '1000'] });
  for (const [name, { ms }] of times) record(metric, name, fmt(ms));
  const ours = times.get('procwarden')!.ms;
  record(metric, 'ratio', `${(ours / times.get('tini')!.ms).toFixed(2)}x tini, ${(ours / times.get('dumb-init')!.ms).toFixed(2)}x dumb-init, ${(ours / times.get('bare Node')!.ms).toFixed(2)}x bare Node`);
}

/** A static C program that prints its first instruction's monotonic clock (fixtures/exec-stamp.c). */
function execStamp(): string | undefined {
  const stamp = join(WORK, 'exec-stamp');
  if (!existsSync(stamp) && spawnSync('cc', ['-O2', '-static', '-o', stamp, resolve(FIXTURES, 'exec-stamp.c')]).status !== 0) return undefined;
  return stamp;
}

/**
 * The native layer: the bundle and the standalone executable (and the B build, when given)
 * beside bare Node, cold, as PID 1 of a new pid namespace: the start of `unshare` to the app's
 * first instruction, and the memory while the app sleeps.
 */
async function nativeLayer(): Promise<void> {
  const stamp = execStamp();
  if (!stamp) {
    record('start-up to the app\'s exec', 'procwarden', 'skipped: no C compiler (cc) to build the stamp');
    return;
  }
  const builds: Variant[] = [
    { name: 'bundle', argv: (app) => [BIN, '--', ...app] },
    ...(B_BUNDLE ? [{ name: `bundle, ${B_NAME}`, argv: (app: readonly string[]) => [B_BUNDLE, '--', ...app] }] : []),
    { name: 'standalone', argv: (app) => [STANDALONE, '--', ...app] },
    ...(B_STANDALONE ? [{ name: `standalone, ${B_NAME}`, argv: (app: readonly string[]) => [B_STANDALONE, '--', ...app] }] : []),
    VARIANTS.find((v) => v.name === 'bare Node')!,
  ];
  // The same app as a Procfile service (`web: STAMP`): the path most containers take, with
  // its JSON events (pino) and its Procfile; PROCWARDEN_PROCFILE, and no restart, given
  // through env(1).
  const procfile = join(WORK, 'Procfile.exec-stamp');
  writeFileSync(procfile, `web: ${stamp}\n`);
  const service = (name: string, binary: string): Variant => ({ name: `${name}, Procfile service`, argv: () => ['env', `PROCWARDEN_PROCFILE=${procfile}`, 'PROCWARDEN_RECOVERY=off', binary] });
  const services = [service('bundle', BIN), service('standalone', STANDALONE)];
  const metric = "start-up to the app's exec, cold, as PID 1 (median, over `unshare` + the app alone)";
  const times = alternate('exec', [stamp], { name: 'direct (no init)', argv: [stamp] }, [...builds, ...services], { cold: true, wrap: PID1 });
  const floor = times.get('direct (no init)')!.ms;
  const overhead = (name: string) => times.get(name)!.ms - floor;
  const node = overhead('bare Node');
  for (const build of builds) record(metric, build.name, `${fmt(overhead(build.name))}${build.name === 'bare Node' ? '' : ` (${(overhead(build.name) / node).toFixed(2)}x bare Node)`}`);
  record(metric, 'direct (no init)', `${fmt(floor)} (\`unshare … app\` alone)`);
  const serviceMetric = "start-up to the app's exec, cold, as PID 1, the app a Procfile service (`web: APP`, JSON events on a pipe)";
  for (const name of ['bundle', 'standalone']) {
    const ms = overhead(`${name}, Procfile service`);
    record(serviceMetric, name, `${fmt(ms)} (${(ms / node).toFixed(2)}x bare Node's one-off; the one-off + ${fmt(ms - overhead(name))})`);
  }

  // Memory: each build started cold three times as PID 1, the median taken.
  const samples = new Map(builds.map((b) => [b.name, [] as { rss: number; anon: number }[]]));
  for (let round = 0; round < 3; round++) {
    for (const build of builds) {
      const child = start([...PID1, ...build.argv(['sleep', '1000'])], 'ignore', coldEnv());
      const init = await initUnder(child.pid!);
      await appOf(init, 'sleep');
      await sleep(1000);
      samples.get(build.name)!.push(memory(init));
      const ended = exited(child);
      process.kill(init, 'SIGTERM');
      await ended;
    }
  }
  const mid = (name: string, key: 'rss' | 'anon') => median(samples.get(name)!.map((m) => m[key]));
  for (const build of builds) {
    const vs = (key: 'rss' | 'anon') => (build.name === 'bare Node' ? '' : ` (bare Node + ${mib(mid(build.name, key) - mid('bare Node', key))})`);
    record('resident memory while the app sleeps, cold, as PID 1', build.name, `${mib(mid(build.name, 'rss'))}${vs('rss')}`);
    record('private (anonymous) memory, cold, as PID 1', build.name, `${mib(mid(build.name, 'anon'))}${vs('anon')}`);
  }
}

/**
 * The early-signal window: procwarden as PID 1 of a new pid namespace, its
 * /proc/PID/status busy-polled from its exec until SigCgt shows SIGTERM caught (Node's own
 * early handler) and until it shows SIGQUIT and SIGHUP caught (procwarden's handlers).
 * Until then a signal at SIG_DFL sent to a namespace's PID 1 is dropped by the kernel.
 */
async function earlySignals(): Promise<void> {
  const rounds = Math.max(3, Math.round(ROUNDS / 3));
  const inits: Variant[] = [
    { name: 'procwarden (bundle)', argv: (app) => [BIN, '--', ...app] },
    { name: 'standalone', argv: (app) => [STANDALONE, '--', ...app] },
    VARIANTS.find((v) => v.name === 'bare Node')!,
  ];
  const spread = (values: number[]) => `${fmt(median(values))} (${fmt(Math.min(...values))} to ${fmt(Math.max(...values))})`;
  for (const init of inits) {
    const result = drive('sigwindow', rounds, [...PID1, ...init.argv(['sleep', '1000'])], true);
    record('exec to SIGTERM caught (Node\'s early handler), median (range)', init.name, spread(result.samplesMs));
    record('exec to SIGQUIT and SIGHUP caught (the init\'s own handlers), median (range)', init.name, spread(result.handlersMs!));
  }
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
      // A one-off COMMAND takes its policy from flags only.
      argv: (log) => [BIN, '--autorestart', 'ALWAYS', '--', crash, log],
      // Restarts at once, as the other supervisors make them: the latency is procwarden's own.
      env: { PROCWARDEN_RESTART_LIMIT: '100000/1h', PROCWARDEN_BACKOFF: 'off' },
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
  spawnSync(BIN, ['--autorestart', 'ON_FAILURE', '--', crash, log], { env, stdio: 'ignore', timeout: 10_000 });
  record(rate, 'procwarden', `${results.get(section)!.get(rate)!.get('procwarden')} (restart limit 100000/1h, no backoff); ${readFileSync(log, 'utf8').trim().split('\n').length} with the default 3/1m and backoff 1s..30s, then it stops`);
}

/**
 * A formation (issue 14): the restart latency of one instance while another type runs
 * beside it (the same crash loop as the restart section, as a Procfile type), procwarden's
 * memory with 1 and with 5 instances, and its idle wake-ups with 5.
 */
async function formation(): Promise<void> {
  const work = mkdtempSync(join(WORK, 'formation-'));
  const crash = join(work, 'crash-stamp');
  const metric = 'restart latency of one instance, another type beside it (median, exit → next first instruction)';
  if (spawnSync('cc', ['-O2', '-static', '-o', crash, resolve(FIXTURES, 'crash-stamp.c')]).status !== 0) {
    record(metric, 'procwarden', 'skipped: no C compiler (cc) to build the crash loop');
    return;
  }
  const log = join(work, 'stamps');
  const procfile = join(work, 'Procfile');
  writeFileSync(procfile, `crash: exec ${crash} ${log}\nweb: exec sleep 1000\nworker: exec sleep 1000\n`);
  const formationEnv = (extra: NodeJS.ProcessEnv) => ({ ...coldEnv(), PROCWARDEN_PROCFILE: procfile, PROCWARDEN_RECOVERY: 'off', ...extra });
  const loop = start([BIN, '--type', 'crash,web'], 'ignore', formationEnv({ AUTORESTART: 'ALWAYS', PROCWARDEN_RESTART_LIMIT: '100000/1h', PROCWARDEN_BACKOFF: 'off' }));
  const loopEnded = exited(loop);
  await sleep(3000);
  loop.kill('SIGTERM');
  await loopEnded;
  const stamps = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ').map(Number) as [number, number]);
  const gaps = stamps.slice(1).map(([begun], i) => (begun - stamps[i]![1]) / 1e6);
  record(metric, 'procwarden', `${fmt(median(gaps))} (${stamps.length} starts in 3 s; target < 10 ms)`);

  const sizes = [1, 5];
  const measured = new Map<number, { rss: number; anon: number; switches: number }>();
  for (const count of sizes) {
    const child = start([BIN, '--formation', `web=${count}`], 'ignore', formationEnv({}));
    for (const deadline = Date.now() + 10_000; children(child.pid!).length < count && Date.now() < deadline; ) await sleep(10);
    await sleep(1000); // start-up work (JIT, GC) settles
    const before = threadCounters(child.pid!);
    await sleep(IDLE_SECONDS * 1000);
    const after = threadCounters(child.pid!);
    measured.set(count, { ...memory(child.pid!), switches: after.switches - before.switches });
    const ended = exited(child);
    child.kill('SIGTERM');
    await ended;
  }
  const one = measured.get(1)!;
  const five = measured.get(5)!;
  for (const count of sizes) {
    const { rss, anon, switches } = measured.get(count)!;
    record(`memory with web=${count}`, 'procwarden', `${mib(rss)} resident, ${mib(anon)} anonymous`);
    record(`wake-ups over ${IDLE_SECONDS} s idle with web=${count}`, 'procwarden', String(switches));
  }
  record('memory an extra instance costs', 'procwarden', `${mib((five.rss - one.rss) / 4)} resident, ${mib((five.anon - one.anon) / 4)} anonymous (target < 1 MiB)`);
  rmSync(work, { recursive: true, force: true });
}

/**
 * Health checks (issue 15): procwarden's wake-ups and CPU over the idle window with no check,
 * and with each kind of probe every 200 ms against a python http.server the app runs: the
 * probe count, wake-ups (all threads) and CPU per probe.
 */
async function health(): Promise<void> {
  const work = mkdtempSync(join(WORK, 'health-'));
  const procfile = join(work, 'Procfile');
  const port = 18_000 + (process.pid % 1000);
  writeFileSync(procfile, `web: exec python3 -m http.server ${port} --bind 127.0.0.1\n`);
  const intervalMs = 200;
  const kinds: [string, string | undefined][] = [
    ['no health check', undefined],
    ['http', `http://127.0.0.1:${port}/`],
    ['tcp', `tcp://127.0.0.1:${port}`],
    ['exec', 'exec:true'],
  ];
  const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString()) || 100;
  for (const [name, check] of kinds) {
    const child = start([BIN], 'ignore', {
      ...coldEnv(),
      PROCWARDEN_PROCFILE: procfile,
      PROCWARDEN_RECOVERY: 'off',
      ...(check ? { PROCWARDEN_HEALTHCHECK: check, PROCWARDEN_HEALTHCHECK_INTERVAL: `${intervalMs}ms`, PROCWARDEN_HEALTHCHECK_START_PERIOD: '5s' } : {}),
    });
    await appOf(child.pid!, 'python3');
    await sleep(2000); // the server listening, start-up work settled
    const before = threadCounters(child.pid!);
    await sleep(IDLE_SECONDS * 1000);
    const after = threadCounters(child.pid!);
    const probes = check ? Math.round((IDLE_SECONDS * 1000) / intervalMs) : 0;
    const cpuMs = ((after.cpuTicks - before.cpuTicks) * 1000) / ticksPerSecond;
    record(`wake-ups over ${IDLE_SECONDS} s (all threads)`, name, `${after.switches - before.switches}${check ? ` (about ${probes} probes)` : ''}`);
    record(`CPU over ${IDLE_SECONDS} s`, name, `${cpuMs.toFixed(0)} ms${check ? ` (${(cpuMs / probes).toFixed(2)} ms a probe)` : ''}`);
    const ended = exited(child);
    child.kill('SIGTERM');
    await ended;
  }
  rmSync(work, { recursive: true, force: true });
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
 * 30 created, 30 deleted). BENCH_RESET_B: another checkout's src/filesystem (the code
 * before a change), timed on the same trees, alternating, in columns marked "(B)". Then
 * procwarden's memory with 100,000 files in its wipe roots (and BENCH_B_BUNDLE's).
 */
async function reset(): Promise<void> {
  type Snapshotting = { takeSnapshot: (roots: string[], exclude: string[], stateDir: string, source: 'start') => unknown };
  type Resetting = { resetToSnapshot: (snapshot: never, stateDir: string) => { removed: number; restored: number } };
  const load = async (folder: string) => ({
    ...((await import(join(folder, 'snapshot.ts'))) as Snapshotting),
    ...((await import(join(folder, 'reset.ts'))) as Resetting),
  });
  // Run from src/, not the bundle: the addon as `npm run build` made it.
  const addon = { exports: {} };
  process.dlopen(addon, resolve('dist/native/libc.node'));
  (await import('../src/native/load-libc.ts')).provideAddon(addon.exports as Parameters<typeof import('../src/native/load-libc.ts').provideAddon>[0]);
  const implementations = [{ name: '', code: await load(resolve('src/filesystem')) }];
  if (process.env['BENCH_RESET_B']) implementations.push({ name: ' (B)', code: await load(resolve(process.env['BENCH_RESET_B'])) });
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
  const makeTree = (root: string, files: number) => {
    for (let dir = 0; dir < files / 100; dir++) {
      mkdirSync(join(root, `d${dir}`), { recursive: true });
      for (let file = 0; file < 100; file++) {
        const big = (dir * 100 + file) % 1000 === 999;
        writeFileSync(join(root, `d${dir}`, `f${file}`), big ? Buffer.alloc(2 << 20, 1) : 'x'.repeat(200 + ((file * 37) % 3000)));
      }
    }
  };
  for (const files of [1_000, 10_000, 100_000]) {
    const work = mkdtempSync(join(WORK, 'reset-'));
    const root = join(work, 'app');
    makeTree(root, files);
    const column = `${files.toLocaleString('en')} files`;
    // The disk's write-back makes one sample of a copy vary by 2x and more: below 100,000
    // files, each pair is taken three times, alternating, and the median reported with the
    // range.
    const rounds = files < 100_000 ? 3 : 1;
    const spread = (values: number[]) => (values.length > 1 ? `${fmt(median(values))} (${fmt(Math.min(...values))} to ${fmt(Math.max(...values))})` : fmt(values[0]!));
    const runs = implementations.map(({ name, code }) => ({ name, code, snapshot: undefined as unknown, state: '', report: { removed: 0, restored: 0 }, samples: { snapshot: [] as number[], reset: [] as number[], idle: [] as number[] } }));
    const cp: number[] = [];
    const rsync: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const run of runs) {
        run.state = join(work, `state${run.name ? '-b' : ''}-${round}`);
        run.samples.snapshot.push(timed(() => (run.snapshot = run.code.takeSnapshot([root], [], run.state, 'start'))));
      }
      cp.push(timed(() => spawnSync('cp', ['-a', root, join(work, `copy-${round}`)])));
    }
    for (const run of runs) {
      change(root);
      run.report = run.code.resetToSnapshot(run.snapshot as never, run.state);
    }
    for (let round = 0; round < rounds; round++) {
      for (const run of runs) {
        change(root);
        run.samples.reset.push(timed(() => run.code.resetToSnapshot(run.snapshot as never, run.state)));
        run.samples.idle.push(timed(() => run.code.resetToSnapshot(run.snapshot as never, run.state)));
      }
      change(root);
      rsync.push(timed(() => spawnSync('rsync', ['-a', '--delete', `${join(work, 'copy-0')}/`, `${root}/`])));
    }
    for (const run of runs) {
      record('snapshot (the start-up delay it adds when taken at start)', `${column}${run.name}`, spread(run.samples.snapshot));
      record('reset after 100 changes', `${column}${run.name}`, `${spread(run.samples.reset)}; ${run.report.removed} removed, ${run.report.restored} restored`);
      record('reset with nothing changed (the walk alone)', `${column}${run.name}`, spread(run.samples.idle));
    }
    record('`cp -a` of the same tree', column, spread(cp));
    record('`rsync -a --delete` back, after the same changes', column, spread(rsync));
    rmSync(work, { recursive: true, force: true });
  }
  record('reset after 100 changes', 'target', '10,000 files < 100 ms; 100,000 < 1 s');
  record('snapshot (the start-up delay it adds when taken at start)', 'target', 'no slower than `cp -a`');
  await resetMemory(makeTree);
}

/**
 * procwarden's memory (VmRSS, RssAnon) with 100,000 files in its wipe roots: while the app
 * runs after the start-time snapshot, and after a reset; beside procwarden with no snapshot
 * (APTIBLE_DO_NOT_WIPE), and BENCH_B_BUNDLE's build when given.
 */
async function resetMemory(makeTree: (root: string, files: number) => void): Promise<void> {
  const work = mkdtempSync(join(WORK, 'reset-memory-'));
  const root = join(work, 'app');
  makeTree(root, 100_000);
  const builds = [{ name: 'procwarden', bin: BIN }, ...(B_BUNDLE ? [{ name: B_NAME, bin: B_BUNDLE }] : [])];
  const measure = async (bin: string, extra: NodeJS.ProcessEnv) => {
    const marks = mkdtempSync(join(work, 'marks-'));
    // The first run waits for `crash`, then exits 1 (a replace: the reset); the next one sleeps.
    const app = `n=$(ls ${marks} | grep -c run); touch ${marks}/run$n; if [ "$n" -eq 0 ]; then while [ ! -e ${marks}/crash ]; do sleep 0.05; done; exit 1; fi; exec sleep 1000`;
    const child = start([bin, '--autoreplace', 'ON_FAILURE', '--', 'sh', '-c', app], 'ignore', {
      ...env,
      PROCWARDEN_STATE_DIR: join(marks, 'state'),
      PROCWARDEN_WIPE_PATHS: root,
      PROCWARDEN_REPLACE_LIMIT: '5/1m',
      ...extra,
    });
    const until = async (path: string) => {
      for (const deadline = Date.now() + 120_000; !existsSync(path); ) {
        if (Date.now() > deadline) throw new Error(`bench: ${path} never came`);
        await sleep(20);
      }
    };
    await until(join(marks, 'run0'));
    await sleep(500);
    const running = memory(child.pid!);
    writeFileSync(join(marks, 'crash'), '');
    await until(join(marks, 'run1'));
    await sleep(500);
    const afterReset = memory(child.pid!);
    child.kill('SIGTERM');
    await exited(child);
    return { running, afterReset };
  };
  const show = ({ rss, anon }: { rss: number; anon: number }) => `${mib(rss)} resident, ${mib(anon)} anonymous`;
  for (const { name, bin } of builds) {
    const { running, afterReset } = await measure(bin, {});
    record('memory with 100,000 files in the wipe roots, while the app runs', name, show(running));
    record('memory with 100,000 files in the wipe roots, after a reset', name, show(afterReset));
  }
  const { running } = await measure(BIN, { APTIBLE_DO_NOT_WIPE: '1' });
  record('memory with 100,000 files in the wipe roots, while the app runs', 'no snapshot (APTIBLE_DO_NOT_WIPE)', show(running));
  rmSync(work, { recursive: true, force: true });
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

/** One GET with a connection of its own (no keep-alive), over TCP (`port`) or a UNIX socket; resolves with the body once read. */
function getOnce(target: { port: number } | { socketPath: string }, path: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((done, fail) => {
    const request = httpRequest({ ...target, host: '127.0.0.1', path, headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? done(body) : fail(new Error(`${path}: ${response.statusCode} ${body}`))));
    });
    request.on('error', fail);
    request.end();
  });
}

/** The median of `rounds` timings of `step` (ms). */
async function timed(rounds: number, step: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const begun = performance.now();
    await step();
    times.push(performance.now() - begun);
  }
  return median(times);
}

/**
 * The web interface (issue 16). Off (PROCWARDEN_HTTP unset) it must cost nothing: start-up
 * (`INIT true`, cold) and memory beside BENCH_B_BUNDLE's build (the one before it) when
 * given, and beside the same build with PROCWARDEN_HTTP set. On: the memory the server adds
 * (listening, then with the page loaded and its event stream open), wake-ups over the idle
 * window with the event stream open, the page's load (GET / and GET /status on one kept-alive
 * connection, as a browser loads it) and a status round trip over HTTP beside one over the
 * control socket, both from this process on a connection of their own (no client start).
 */
async function web(): Promise<void> {
  const port = 19_000 + (process.pid % 1000);
  const token = 'bench-token';
  const httpEnv = { PROCWARDEN_HTTP: `127.0.0.1:${port}`, PROCWARDEN_HTTP_TOKEN: token };
  const auth = { authorization: `Bearer ${token}` };
  const builds: Variant[] = [
    { name: 'HTTP off', argv: (app) => ['env', BIN, '--', ...app] },
    ...(B_BUNDLE ? [{ name: `${B_NAME}, no web interface`, argv: (app: readonly string[]) => ['env', B_BUNDLE, '--', ...app] }] : []),
    { name: 'HTTP on', argv: (app) => ['env', ...Object.entries(httpEnv).map(([key, value]) => `${key}=${value}`), BIN, '--', ...app] },
  ];
  const metric = 'start-up overhead (`INIT true` − `true`), cold (`true` ends before the server would open)';
  const times = alternate('startup', ['true'], { name: 'direct (no init)', argv: ['env', 'true'] }, builds, { cold: true });
  const floor = times.get('direct (no init)')!.ms;
  for (const build of builds) record(metric, build.name, fmt(times.get(build.name)!.ms - floor));

  // Off and on side by side, the app sleeping; B beside them when given.
  const running = builds.map((build) => {
    const startEnv = coldEnv();
    return { build, startEnv, child: start(build.argv(['sleep', '1000']), 'ignore', startEnv) };
  });
  for (const { child } of running) await appOf(child.pid!, 'sleep');
  const on = running.find(({ build }) => build.name === 'HTTP on')!;
  // Listening (seen in /proc/net/tcp, without a connection), then after one request: the
  // HTTP server and the interface's code are loaded on the first connection.
  const portListens = () => readFileSync('/proc/net/tcp', 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`) && line.trim().split(/\s+/)[3] === '0A');
  for (const deadline = Date.now() + 10_000; !portListens(); await sleep(10)) if (Date.now() > deadline) throw new Error('the web interface did not listen');
  await sleep(1000); // start-up work (JIT, GC) settles
  const listening = memory(on.child.pid!);
  const first = await timed(1, () => getOnce({ port }, '/healthz'));
  await sleep(1000);
  const answered = memory(on.child.pid!);
  const off = running.map(({ build, child }) => ({ build, ...memory(child.pid!) }));
  const pageLoad = await timed(ROUNDS, async () => {
    await (await fetch(`http://127.0.0.1:${port}/`, { headers: auth })).text();
    await (await fetch(`http://127.0.0.1:${port}/status`, { headers: auth })).json();
  });
  const stream = await fetch(`http://127.0.0.1:${port}/events`, { headers: auth });
  const reader = stream.body!.getReader();
  await reader.read();
  // Idle is after the last request's own timers: its kept-alive connection closed by the
  // server 5 s after it (Node's keepAliveTimeout; the client's is 4 s), and the 10 s idle
  // timeout it had armed, which wakes Node's timer list once even after the connection closed.
  await sleep(12_000);
  const loaded = memory(on.child.pid!);
  const before = running.map(({ child }) => threadCounters(child.pid!));
  await sleep(IDLE_SECONDS * 1000);
  running.forEach(({ build, child }, i) => {
    const after = threadCounters(child.pid!);
    record(`wake-ups over ${IDLE_SECONDS} s idle (all threads)${build.name === 'HTTP on' ? ', the event stream open' : ''}`, build.name, String(after.switches - before[i]!.switches));
    record(`CPU over ${IDLE_SECONDS} s idle (ticks)`, build.name, String(after.cpuTicks - before[i]!.cpuTicks));
  });
  for (const { build, rss, anon } of off) {
    if (build.name === 'HTTP on') continue;
    record('resident / private memory while the app sleeps, cold', build.name, `${mib(rss)} / ${mib(anon)}`);
  }
  const offMemory = off.find(({ build }) => build.name === 'HTTP off')!;
  const added = (what: { rss: number; anon: number }) => `${mib(what.rss)} / ${mib(what.anon)} (+ ${mib(what.rss - offMemory.rss)} / + ${mib(what.anon - offMemory.anon)})`;
  record('resident / private memory while the app sleeps, cold', 'HTTP on', `listening: ${added(listening)}; after one request: ${added(answered)}; with the page loaded ${ROUNDS} times and its event stream open: ${added(loaded)}`);
  record('the first request (`GET /healthz`: the HTTP server and the interface\'s code loaded then)', 'HTTP on', fmt(first));
  record('the page\'s load (GET / and GET /status, one kept-alive connection; median)', 'HTTP on', fmt(pageLoad));
  const socketPath = join(on.startEnv['PROCWARDEN_STATE_DIR']!, 'control.sock');
  const overTcp = await timed(ROUNDS, () => getOnce({ port }, '/status', auth));
  const overSocket = await timed(ROUNDS, () => getOnce({ socketPath }, '/status'));
  record('`GET /status` round trip, a connection each (median, no client start)', 'HTTP on', `${fmt(overTcp)} over TCP; ${fmt(overSocket)} over the control socket`);
  await reader.cancel();
  const ended = running.map(({ child }) => exited(child));
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(ended);
}

/**
 * The standalone executable (a Node single-executable application) beside the bundle and
 * tini: its size, its start-up overhead and its memory, started from V8's code cache (what
 * `npm run build:standalone` ships) and from a V8 startup snapshot (built here to compare).
 */
async function standalone(): Promise<void> {
  const built = spawnSync(process.execPath, ['scripts/build-standalone.ts', '--snapshot'], { stdio: 'ignore' });
  if (built.status !== 0 || !existsSync(STANDALONE)) throw new Error('build the standalone executable first: npm run build:standalone');
  evictFromPageCache([STANDALONE_SNAPSHOT]);
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
  const metric = 'start-up overhead (`INIT true` − `true`), cold';
  const times = alternate('startup', ['true'], { name: 'direct (no init)', argv: ['true'] }, builds, { cold: true });
  const floor = times.get('direct (no init)')!.ms;
  for (const build of builds) record(metric, build.name, fmt(times.get(build.name)!.ms - floor));
  record(metric, 'ratio', `${((times.get(builds[0]!.name)!.ms - floor) / (times.get(builds[2]!.name)!.ms - floor)).toFixed(2)}x the bundle`);
  const running = builds.map((build) => ({ build, child: start(build.argv(['sleep', '1000']), 'ignore', coldEnv()) }));
  for (const { child } of running) await appOf(child.pid!, 'sleep');
  await sleep(1000);
  for (const { build, child } of running) {
    const { rss, anon } = memory(child.pid!);
    record('resident memory while the app sleeps, cold', build.name, mib(rss));
    record('private (anonymous) memory, cold', build.name, mib(anon));
  }
  const ended = running.map(({ child }) => exited(child));
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(ended);
  rmSync(STANDALONE_SNAPSHOT, { force: true });
}

/**
 * Drops `files` from the page cache (after a sync; posix_fadvise DONTNEED). A file the build
 * has just written sits in the cache in large folios, and a process that maps it is then
 * charged whole folios: the standalone executable showed 13 MiB more resident memory fresh
 * from the build than read back from disk, as a container reads it.
 */
function evictFromPageCache(files: readonly string[]): void {
  spawnSync('sync');
  const script = 'import os, sys\nfor f in sys.argv[1:]:\n    fd = os.open(f, os.O_RDONLY)\n    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)\n    os.close(fd)';
  spawnSync('python3', ['-c', script, ...files.filter((file) => existsSync(file))], { stdio: 'inherit' });
}

function writeRun(dir: string, crash: string, log: string): void {
  writeFileSync(join(dir, 'run'), `#!/bin/sh\nexec ${crash} ${log}\n`, { mode: 0o755 });
}

const sections: [string, () => Promise<void>][] = [
  ['start-up', startup],
  ['memory and idle', idle],
  ['signal latency', signalLatency],
  ['exit latency', exitLatency],
  ['stop latency', stopLatency],
  ['native', nativeLayer],
  ['early signals', earlySignals],
  ['orphan storm', orphanStorm],
  ['restart', restart],
  ['formation', formation],
  ['health', health],
  ['check', check],
  ['reset', reset],
  ['control', control],
  ['web', web],
  ['standalone', standalone],
];
/** `node bench/run.ts start-up,memory`: only the sections whose names start so. */
const only = process.argv[2]?.split(',');
// A container's first start writes procwarden's native code into the state dir; a restarted
// container's loads it from there. Sections measure cold starts unless a row says warm; the
// warm rows, the signal, exit, stop, restart and control sections use this state dir, warmed
// once here.
evictFromPageCache([BIN, STANDALONE, process.execPath, ...(B_BUNDLE ? [B_BUNDLE] : []), ...(B_STANDALONE ? [B_STANDALONE] : [])]);
spawnSync(BIN, ['--', 'true'], { env, stdio: 'ignore' });
try {
  for (const [name, run] of sections) {
    if (only && !only.some((prefix) => name.startsWith(prefix))) continue;
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
