// The pitfall rules as data: one row per rule and per known program, so that a new case is
// one row. Pure.

/** How to rewrite a command so it stays in the foreground: words to drop, words to add after the program. */
export interface Rewrite {
  readonly drop?: readonly number[];
  readonly add?: string;
}

export interface DaemonRow {
  /** The program's name (its path's last part), or a pattern for families (php-fpm8.2). */
  readonly program: string | RegExp;
  /** Whether these arguments (after the program) make it go to the background. */
  readonly daemonizes: (args: readonly string[]) => boolean;
  readonly detail: string;
  readonly rewrite?: (args: readonly string[]) => Rewrite;
  /** Advice where no rewrite exists. */
  readonly advice?: string;
}

const has = (args: readonly string[], ...flags: string[]) => args.some((arg) => flags.includes(arg));
const indexesOf = (args: readonly string[], ...flags: string[]) =>
  args.flatMap((arg, i) => (flags.includes(arg) ? [i] : []));
/** `--flag value` or `--flag=value`. */
const option = (args: readonly string[], flag: string): string | undefined => {
  const at = args.indexOf(flag);
  if (at >= 0) return args[at + 1];
  return args.find((arg) => arg.startsWith(`${flag}=`))?.slice(flag.length + 1);
};

/** Programs that go to the background by themselves, or with these arguments. */
export const DAEMON_TABLE: readonly DaemonRow[] = [
  {
    program: 'nginx',
    daemonizes: (args) => !/daemon\s+off/.test(option(args, '-g') ?? ''),
    detail: 'nginx goes to the background unless told `daemon off;`',
    rewrite: () => ({ add: "-g 'daemon off;'" }),
  },
  {
    program: 'redis-server',
    daemonizes: (args) => option(args, '--daemonize')?.toLowerCase() === 'yes',
    detail: 'redis-server --daemonize yes goes to the background',
    rewrite: (args) => ({ drop: [args.indexOf('--daemonize'), args.indexOf('--daemonize') + 1].filter((i) => i >= 0) }),
  },
  {
    program: 'memcached',
    daemonizes: (args) => has(args, '-d', '--daemon'),
    detail: 'memcached -d goes to the background',
    rewrite: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: 'gunicorn',
    daemonizes: (args) => has(args, '-D', '--daemon'),
    detail: 'gunicorn --daemon goes to the background',
    rewrite: (args) => ({ drop: indexesOf(args, '-D', '--daemon') }),
  },
  {
    program: 'puma',
    daemonizes: (args) => has(args, '-d', '--daemon'),
    detail: 'puma -d goes to the background',
    rewrite: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: /^unicorn(_rails)?$/,
    daemonizes: (args) => has(args, '-D', '--daemonize'),
    detail: 'unicorn -D goes to the background',
    rewrite: (args) => ({ drop: indexesOf(args, '-D', '--daemonize') }),
  },
  {
    program: /^php-?fpm[\d.]*$|^php[\d.]+-fpm$/,
    daemonizes: (args) => !has(args, '-F', '--nodaemonize'),
    detail: 'php-fpm goes to the background unless given -F',
    rewrite: (args) => ({ drop: indexesOf(args, '-D', '--daemonize'), add: '-F' }),
  },
  {
    program: /^(httpd|apache2|apachectl|apache2ctl)$/,
    daemonizes: (args) => option(args, '-k') === 'start',
    detail: 'apache `-k start` goes to the background',
    rewrite: (args) => ({ drop: [args.indexOf('-k'), args.indexOf('-k') + 1], add: '-DFOREGROUND' }),
  },
  {
    program: 'pm2',
    daemonizes: (args) => args[0] === 'start',
    detail: 'pm2 start hands the app to a pm2 daemon in the background',
    advice: 'use pm2-runtime, which stays in the foreground: pm2-runtime start ...',
  },
  {
    program: 'service',
    daemonizes: (args) => args[1] === 'start' || args[1] === 'restart',
    detail: '`service X start` starts X in the background and returns',
    advice: 'run the program itself in the foreground (its foreground flag), or as a Procfile entry of its own',
  },
  {
    program: /^\/etc\/init\.d\//,
    daemonizes: (args) => args[0] === 'start' || args[0] === 'restart',
    detail: 'an init script `start` starts its program in the background and returns',
    advice: 'run the program itself in the foreground (its foreground flag), or as a Procfile entry of its own',
  },
  {
    program: 'supervisord',
    daemonizes: (args) => !has(args, '-n', '--nodaemon'),
    detail: 'supervisord goes to the background unless given -n',
    rewrite: () => ({ add: '-n' }),
  },
  {
    program: 'daemonize',
    daemonizes: () => true,
    detail: 'daemonize runs its program in the background',
    advice: 'run the program directly, without daemonize',
  },
  {
    program: 'rails',
    daemonizes: (args) => (args[0] === 'server' || args[0] === 's') && has(args, '-d', '--daemon'),
    detail: 'rails server -d goes to the background',
    rewrite: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: 'sidekiq',
    daemonizes: (args) => has(args, '-d', '--daemon'),
    detail: 'sidekiq -d goes to the background (and Sidekiq 6 and later refuse it)',
    rewrite: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: 'celery',
    daemonizes: (args) => has(args, '--detach', '-D') || (args.includes('multi') && args[args.indexOf('multi') + 1] === 'start'),
    detail: 'celery --detach, and `celery multi start`, run the workers in the background',
    advice: 'run one worker in the foreground (`celery -A proj worker`), a Procfile entry for each kind of worker',
  },
  {
    program: /^uwsgi(_python\d*)?$/,
    daemonizes: (args) => args.some((arg) => arg === '--daemonize' || arg.startsWith('--daemonize=') || arg === '-d'),
    detail: 'uwsgi --daemonize goes to the background',
    rewrite: (args) => {
      const at = args.findIndex((arg) => arg === '--daemonize' || arg === '-d');
      return { drop: at >= 0 ? [at, at + 1] : indexesOf(args, ...args.filter((arg) => arg.startsWith('--daemonize='))) };
    },
  },
  {
    program: 'pg_ctl',
    daemonizes: (args) => args.includes('start') || args.includes('restart'),
    detail: '`pg_ctl start` starts PostgreSQL in the background and returns',
    advice: 'run the server itself in the foreground: postgres -D $PGDATA',
  },
  {
    program: 'sshd',
    daemonizes: (args) => !has(args, '-D'),
    detail: 'sshd goes to the background unless given -D',
    rewrite: () => ({ add: '-D' }),
  },
  {
    program: 'mysqld_safe',
    daemonizes: () => true,
    detail: 'mysqld_safe starts mysqld as a process of its own and restarts it: a supervisor under procwarden, which then sees neither crash',
    advice: 'run the server itself: mysqld (it stays in the foreground)',
  },
  {
    program: /^(apachectl|apache2ctl)$/,
    daemonizes: (args) => args[0] === 'start' || args[0] === 'restart' || args[0] === 'graceful',
    detail: '`apachectl start` starts apache in the background and returns',
    advice: 'run apache in the foreground: apache2ctl -D FOREGROUND (or httpd -DFOREGROUND)',
  },
];

/** Wrappers that detach the program from procwarden: it leaves the app's reach. */
export const DETACHERS: ReadonlyMap<string, string> = new Map([
  ['nohup', 'nohup makes the app ignore SIGHUP and is a sign it is meant to outlive its parent'],
  ['setsid', 'setsid takes the app out of its process group: the signals procwarden forwards never reach it'],
  ['disown', 'disown lets a background job outlive the shell that started it'],
]);

/**
 * Wrappers that only run another program: the linter looks through them (with how many
 * of their own arguments to skip before the program).
 */
export const PASS_THROUGH: ReadonlyMap<string, (args: readonly string[]) => number> = new Map<string, (args: readonly string[]) => number>([
  ['exec', () => 0],
  ['command', () => 0],
  ['time', () => 0],
  ['nice', (args) => (args[0] === '-n' ? 2 : args[0]?.startsWith('-') ? 1 : 0)],
  ['env', (args) => args.findIndex((arg) => !arg.includes('=') && !arg.startsWith('-'))],
  ['gosu', () => 1],
  ['su-exec', () => 1],
  ['setuidgid', () => 1],
  ['chpst', (args) => args.findIndex((arg, i) => !arg.startsWith('-') && !args[i - 1]?.startsWith('-'))],
  ['dumb-init', () => 0],
  ['tini', (args) => (args[0] === '--' ? 1 : 0)],
  ['npx', () => 0],
  ['bundle', (args) => (args[0] === 'exec' ? 1 : -1)],
  ['python', (args) => (args[0] === '-m' ? 1 : -1)],
  ['python3', (args) => (args[0] === '-m' ? 1 : -1)],
]);

/**
 * Shells that run a command line given as a string (`sh -c '...'`): the linter reads that
 * line too. Each gives how many of its arguments come before the shell's own options
 * (`busybox sh -c`), or -1 when these arguments run no shell.
 */
export const SHELLS: ReadonlyMap<string, (args: readonly string[]) => number> = new Map<string, (args: readonly string[]) => number>([
  ['sh', () => 0],
  ['bash', () => 0],
  ['dash', () => 0],
  ['ash', () => 0],
  ['zsh', () => 0],
  ['busybox', (args) => (args[0] === 'sh' || args[0] === 'ash' ? 1 : -1)],
]);

/** A shell's long options that take the next word as their value (`bash --rcfile FILE`, `zsh --emulate sh`). */
const SHELL_OPTIONS_WITH_VALUE = new Set(['--rcfile', '--init-file', '--emulate']);

/**
 * Where, in a shell's options and operands, the string `-c` runs is: the first word that is
 * no option, once `-c` was given, alone or among others (`-ec`, `-lc`, `-c -e`, `-c --`).
 * `-o NAME` and `-O NAME` take a word each (`bash -euo pipefail -c ...`). Undefined when
 * the shell runs no -c string (a script, or standard input).
 */
export function commandStringAt(args: readonly string[]): number | undefined {
  let dashC = false;
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!;
    if (arg === '--' || arg === '-') return dashC && at + 1 < args.length ? at + 1 : undefined;
    if (SHELL_OPTIONS_WITH_VALUE.has(arg)) {
      at += 1;
      continue;
    }
    if (arg.startsWith('--')) continue;
    if (/^[-+][a-zA-Z]+$/.test(arg)) {
      if (arg.startsWith('-') && arg.includes('c')) dashC = true;
      at += arg.slice(1).replace(/[^oO]/g, '').length;
      continue;
    }
    return dashC ? at : undefined;
  }
  return undefined;
}

/** Words the shell runs itself (POSIX special and regular builtins, and dash's): never looked up on the PATH. */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  ':', '.', '[', 'alias', 'bg', 'break', 'cd', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export', 'false', 'fg',
  'getopts', 'hash', 'jobs', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set', 'shift', 'test', 'times',
  'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);

/** Commands that only idle: as the foreground they keep the container up while doing nothing. */
export function isIdle(program: string, args: readonly string[]): boolean {
  switch (program) {
    case 'tail':
      return args.some((arg) => /^-[a-zA-Z]*[fF]/.test(arg) || arg === '--follow' || arg.startsWith('--follow='));
    case 'sleep':
      return args.length === 1 && (args[0] === 'infinity' || Number(args[0]) >= 86_400);
    case 'wait':
      // `wait "$child"` waits for the app it names, and gives its exit: the standard
      // signal-forwarding wrapper, not an idle foreground (lint.ts).
      return args.length === 0;
    default:
      return false;
  }
}
