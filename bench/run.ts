// procwarden side by side with tini, dumb-init and a bare Node reference (the floor of any
// init written for Node), in one run, variants interleaved. Prints a Markdown report.
//
//   npm run bench            (builds first; needs root for the orphan storm's pid namespaces)
//
// Every variant runs with NODE_OPTIONS and NODE_EXTRA_CA_CERTS unset: the second alone adds
// about 90 ms to any Node start on machines that set it.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const BIN = resolve('dist/procwarden');
const FIXTURES = resolve('bench/fixtures');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 30);
const IDLE_SECONDS = Number(process.env['BENCH_IDLE_SECONDS'] ?? 10);
const ORPHANS = 2000;

const env: NodeJS.ProcessEnv = { ...process.env };
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

const results = new Map<string, Map<string, string>>();
function record(metric: string, variant: string, value: string): void {
  if (!results.has(metric)) results.set(metric, new Map());
  results.get(metric)!.set(variant, value);
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

async function timeRun(argv: readonly string[]): Promise<number> {
  const t0 = performance.now();
  await exited(start(argv));
  return performance.now() - t0;
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

/** Start-up overhead: `INIT true` minus `true`, medians of interleaved runs. */
async function startup(): Promise<void> {
  const times = new Map<string, number[]>([['true', []], ...VARIANTS.map((v) => [v.name, []] as [string, number[]])]);
  for (let round = 0; round < ROUNDS; round++) {
    times.get('true')!.push(await timeRun(['true']));
    for (const variant of VARIANTS) times.get(variant.name)!.push(await timeRun(variant.argv(['true'])));
  }
  const floor = median(times.get('true')!);
  const overhead = (name: string) => median(times.get(name)!) - floor;
  for (const variant of VARIANTS) record('start-up overhead (`INIT true` − `true`)', variant.name, fmt(overhead(variant.name)));
  record('start-up overhead (`INIT true` − `true`)', 'ratio', `${(overhead('procwarden') / overhead('bare Node')).toFixed(2)}x bare Node (target ≤ 1.3x)`);
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
  for (const { child } of running) child.kill('SIGTERM');
  await Promise.all(running.map(({ child }) => exited(child)));
}

/** kill(INIT, SIGUSR1) until the app's sigwait returns, median of interleaved rounds. */
async function signalLatency(): Promise<void> {
  const receiver = ['python3', resolve(FIXTURES, 'signal-receiver.py')];
  const direct = { name: 'direct (no init)', argv: () => receiver };
  const running = [...VARIANTS, direct].map((variant) => {
    const child = start(variant.argv(receiver), 'pipe');
    return { variant, child, samples: [] as number[], lost: 0 };
  });
  const nextByte = (child: ChildProcess) => new Promise<void>((done) => child.stdout!.once('data', () => done()));
  await Promise.all(running.map(({ child }) => nextByte(child)));
  for (let round = 0; round < ROUNDS * 5; round++) {
    for (const run of running) {
      const got = nextByte(run.child);
      const t0 = performance.now();
      process.kill(run.child.pid!, 'SIGUSR1');
      const timeout = sleep(1000).then(() => 'lost' as const);
      if ((await Promise.race([got, timeout])) === 'lost') run.lost++;
      else run.samples.push(performance.now() - t0);
    }
  }
  for (const { variant, samples, lost } of running) {
    record('signal forwarding latency (median, kill → app)', variant.name, `${fmt(median(samples))}${lost ? `, ${lost} lost` : ''}`);
  }
  const of = (name: string) => median(running.find((r) => r.variant.name === name)!.samples);
  record('signal forwarding latency (median, kill → app)', 'ratio', `${(of('procwarden') / of('tini')).toFixed(2)}x tini (target ≤ 2.5x)`);
  for (const { child } of running) child.kill('SIGKILL');
}

/** The app's exit (it reads one line, then exits) to the init's exit. */
async function exitLatency(): Promise<void> {
  const app = ['head', '-n', '1'];
  const all = [...VARIANTS, { name: 'direct (no init)', argv: () => app }];
  const samples = new Map(all.map((v) => [v.name, [] as number[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of all) {
      const child = start(variant.argv(app), 'pipe');
      if (variant.name !== 'direct (no init)') await appOf(child.pid!, 'head');
      const done = exited(child);
      const t0 = performance.now();
      child.stdin!.write('\n');
      await done;
      samples.get(variant.name)!.push(performance.now() - t0);
    }
  }
  for (const [name, values] of samples) record("the app's exit to the init's exit (median)", name, fmt(median(values)));
  const of = (name: string) => median(samples.get(name)!);
  record("the app's exit to the init's exit (median)", 'ratio', `${(of('procwarden') / of('bare Node')).toFixed(2)}x bare Node (target ≤ 1.3x)`);
}

/** 2,000 orphans exiting at once under each init as PID 1. */
async function orphanStorm(): Promise<void> {
  if (spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status !== 0) {
    record('2,000 orphans at once', 'procwarden', 'skipped: needs root for a pid namespace');
    return;
  }
  for (const variant of VARIANTS.filter((v) => v.name !== 'bare Node')) {
    const runs: { mostZombies: number | null; lastReapedMs: number; left: number }[] = [];
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
  }
}

const sections: [string, () => Promise<void>][] = [
  ['start-up', startup],
  ['memory and idle', idle],
  ['signal latency', signalLatency],
  ['exit latency', exitLatency],
  ['orphan storm', orphanStorm],
];
const only = process.argv[2];
for (const [name, section] of sections) {
  if (only && !name.startsWith(only)) continue;
  process.stderr.write(`bench: ${name}...\n`);
  await section();
}

const columns = [...VARIANTS.map((v) => v.name), 'direct (no init)', 'ratio'];
const used = columns.filter((c) => [...results.values()].some((row) => row.has(c)));
const machine = `${spawnSync('nproc').stdout.toString().trim()} cores, Node ${process.versions.node}, ${spawnSync('tini', ['--version']).stdout.toString().trim()}, dumb-init ${spawnSync('dumb-init', ['--version']).stderr.toString().trim().replace(/^dumb-init /, '')}`;
console.log(`Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; ${ROUNDS} rounds.\n`);
console.log(`| metric | ${used.join(' | ')} |`);
console.log(`|---|${used.map(() => '---').join('|')}|`);
for (const [metric, row] of results) console.log(`| ${metric} | ${used.map((c) => row.get(c) ?? '').join(' | ')} |`);
