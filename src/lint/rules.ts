// The pitfall rules as data: one row per rule and per known program, so that a new case is
// one row. Pure.

/**
 * How to rewrite a command so it stays in the foreground: the indexes (in its arguments) of
 * words to drop, words to add after the program, and text to put at the end of one
 * argument's value, inside its closing quote if it has one (nginx's own -g:
 * `-g 'pid /x.pid;'` becomes `-g 'pid /x.pid; daemon off;'`).
 */
export interface Rewrite {
  readonly drop?: readonly number[];
  readonly add?: string;
  readonly append?: { readonly index: number; readonly text: string };
}

export interface DaemonRow {
  /** The program's name (its path's last part), or a pattern for families (php-fpm8.2). */
  readonly program: string | RegExp;
  /**
   * Where programs of different options share the name (apache's httpd and busybox's, cronie's
   * crond and busybox's): whether the one run with these arguments, through busybox
   * (`busybox httpd`) or not, is this row's. A row without it is for a program busybox lacks.
   */
  readonly is?: (args: readonly string[], busybox: boolean) => boolean;
  /**
   * Whether these arguments (after the program) ask for a mode that does its work and exits
   * without starting the server: a configuration test, the version, the help, a signal to a
   * running one (`nginx -t`, `php-fpm -v`, `sshd -T`). Such a line is never a daemon. Each
   * row's modes are the program's own, from the source its row names.
   */
  readonly exitsAtOnce?: (args: readonly string[]) => boolean;
  /** Whether these arguments (after the program) make it go to the background. */
  readonly daemonizes: (args: readonly string[]) => boolean;
  /**
   * What sends it to the background, for these arguments and the program's name (as the
   * linter knows it: `php-fpm8.2`, `/etc/init.d/nginx`): the user's own words where a flag
   * they wrote does it (`redis-server --daemonize yes`, `php-fpm -D`).
   */
  readonly detail: (args: readonly string[], program: string) => string;
  /** The rewrite that keeps it in the foreground; or, where none is right for these arguments, advice. */
  readonly fix: (args: readonly string[], program: string) => Rewrite | string;
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
/** The words at these indexes, as the user wrote them (quotes removed): `--daemonize yes`. */
const said = (args: readonly string[], indexes: readonly number[]) => indexes.map((i) => args[i]).join(' ');
const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);
/** Where redis-server's `--daemonize yes` (or `--daemonize=yes`) is: its word(s). */
const redisDaemonize = (args: readonly string[]): number[] => {
  const at = args.indexOf('--daemonize');
  return at >= 0 ? [at, at + 1].filter((i) => i < args.length) : indexesOf(args, ...args.filter((arg) => arg.startsWith('--daemonize=')));
};
/** Where uwsgi's `--daemonize LOG`, `-d LOG` or `--daemonize=LOG` is: its word(s). */
const uwsgiDaemonize = (args: readonly string[]): number[] => {
  const at = args.findIndex((arg) => arg === '--daemonize' || arg === '-d');
  return at >= 0 ? [at, at + 1].filter((i) => i < args.length) : indexesOf(args, ...args.filter((arg) => arg.startsWith('--daemonize=')));
};
const celeryMultiStart = (args: readonly string[]) => args.includes('multi') && args[args.indexOf('multi') + 1] === 'start';

/** One option of a command line as getopt(3) reads it. */
export interface ShortOption {
  /** The option's letter: `g` for `-g`. */
  readonly letter: string;
  /** Its value, for a letter that takes one: attached (`-c/etc/nginx.conf`) or the next word. */
  readonly value?: string;
  /** The index, in the arguments, of the word the letter is written in. */
  readonly at: number;
  /** The index of the word its value is in: `at`, or the word after. */
  readonly valueAt?: number;
}

/**
 * A program's short options, in order, read as getopt(3) reads them (and nginx's own
 * ngx_get_options, which reads them the same way): letters alone or grouped in one word
 * (`-De`, `-qt`), a value attached to its letter (`-c/etc/nginx.conf`) or in the next word.
 * `valued`: the letters that take a value. Words that are no option are passed over (GNU
 * getopt reads the options after them too), and so are long options (`--daemonize`); `--`
 * ends the options. `(['-qt', '-c', 'x.conf'], 'c')` gives q, t, and c with the value x.conf.
 */
export function shortOptions(args: readonly string[], valued: string): ShortOption[] {
  const options: ShortOption[] = [];
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!;
    if (arg === '--') break;
    if (!/^-[^-]/.test(arg)) continue;
    for (let i = 1; i < arg.length; i++) {
      const letter = arg[i]!;
      if (!valued.includes(letter)) {
        options.push({ letter, at });
        continue;
      }
      if (i + 1 < arg.length) options.push({ letter, value: arg.slice(i + 1), at, valueAt: at });
      else if (at + 1 < args.length) options.push({ letter, value: args[at + 1]!, at, valueAt: ++at });
      else options.push({ letter, at });
      break;
    }
  }
  return options;
}

/** Whether any of these short options has one of `letters`. */
const anyLetter = (options: readonly ShortOption[], letters: string) => options.some((option) => letters.includes(option.letter));

/** nginx's options: -c -e -g -p -s take a value (nginx.org/en/docs/switches.html; ngx_get_options in src/core/nginx.c). */
const nginxOptions = (args: readonly string[]) => shortOptions(args, 'cegps');
/** nginx's -g options with a value, in order: it reads the directives of the last one only. */
const nginxGs = (args: readonly string[]) => nginxOptions(args).filter((option) => option.letter === 'g' && option.valueAt !== undefined);
const DAEMON_OFF = /(?:^|[\s;])daemon\s+off\b/;
const DAEMON_ON = /(?:^|[\s;])daemon\s+on\b/;
/** php-fpm's short options: -c -d -y -p -g take a value (`php-fpm -h`; OPTIONS in sapi/fpm/fpm/fpm_main.c). */
const phpFpmOptions = (args: readonly string[]) => shortOptions(args, 'cdypg');
/** sshd's options: getopt "C:E:b:c:f:g:h:k:o:p:u:46DGQRTdeiqrtV" (sshd.c of OpenSSH 9; sshd(8)). */
const sshdOptions = (args: readonly string[]) => shortOptions(args, 'CEbcfghkopu');
/** httpd's options: getopt "C:c:D:d:E:e:f:vVlLtTSMh?X" and -k (httpd(8): httpd.apache.org/docs/2.4/programs/httpd.html). */
const httpdOptions = (args: readonly string[]) => shortOptions(args, 'CcDdEefk');
/** busybox httpd's options: getopt "c:d:h:e:r:m:u:p:ifv" (httpd_main in networking/httpd.c). */
const busyboxHttpdOptions = (args: readonly string[]) => shortOptions(args, 'cdhermup');
/**
 * Whether an `httpd` is busybox's applet: run as `busybox httpd`, or given an option that
 * apache's httpd has not (its getopt above, and -k), so would refuse: busybox's -p, -u, -r,
 * -m, -i. Otherwise apache's (Alpine's plain `httpd` is busybox's: the linter cannot tell).
 */
const isBusyboxHttpd = (args: readonly string[], busybox: boolean) => busybox || httpdOptions(args).some((option) => !'CcDdEefkvVlLtTSMh?X'.includes(option.letter));
/** busybox crond's options: getopt "l:L:fbSc:d:" (crond_main in miscutils/crond.c). */
const busyboxCrondOptions = (args: readonly string[]) => shortOptions(args, 'lLcd');
/** cronie's crond options: getopt "hnfpsiPx:m:cV" (parse_args in src/cron.c; crond(8)). */
const cronieOptions = (args: readonly string[]) => shortOptions(args, 'xm');
/** rsyslogd's options: getopt "46ACDdf:hi:M:nN:o:qQS:T:u:vwx" (tools/rsyslogd.c of rsyslog 8; rsyslogd(8)). */
const rsyslogdOptions = (args: readonly string[]) => shortOptions(args, 'fiMNoSTu');
/** httpd's last -k (start, restart, graceful, stop, graceful-stop). */
const httpdSignal = (options: readonly ShortOption[]) => options.filter((option) => option.letter === 'k').at(-1);

/** Programs that go to the background by themselves, or with these arguments. */
export const DAEMON_TABLE: readonly DaemonRow[] = [
  {
    program: 'nginx',
    // -t, -T test the configuration, -v, -V print the version, -h, -? the help, -s signals
    // the running nginx: each exits (nginx.org/en/docs/switches.html). -q alone starts it.
    exitsAtOnce: (args) => anyLetter(nginxOptions(args), 'tTvVh?s'),
    // nginx reads the value of its last -g only (ngx_conf_params in ngx_get_options).
    daemonizes: (args) => !DAEMON_OFF.test(nginxGs(args).at(-1)?.value ?? ''),
    detail: (args) => {
      const gs = nginxGs(args);
      const last = gs.at(-1)?.value;
      if (last === undefined) return 'nginx goes to the background unless told `daemon off;`';
      if (DAEMON_ON.test(last)) return `nginx goes to the background: its -g says \`${last}\``;
      if (gs.slice(0, -1).some((g) => DAEMON_OFF.test(g.value!))) {
        return `nginx reads only its last -g (\`${last}\`), not the \`daemon off;\` of an earlier one: it goes to the background`;
      }
      return `nginx goes to the background unless told \`daemon off;\`, which its -g (\`${last}\`) does not say`;
    },
    fix: (args) => {
      const gs = nginxGs(args);
      if (gs.length === 0) return { add: "-g 'daemon off;'" };
      // Another -g would replace the user's: `daemon off;` goes into theirs.
      if (gs.length > 1) return 'nginx reads only its last -g: put the directives of all of them, with `daemon off;`, in one -g';
      const { value, valueAt } = gs[0]!;
      if (DAEMON_ON.test(value!)) return 'make the `daemon on;` of the -g `daemon off;`';
      const glue = /;\s*$/.test(value!) || value!.trim() === '' ? '' : ';';
      return { append: { index: valueAt!, text: `${glue}${/\s$/.test(value!) || value === '' ? '' : ' '}daemon off;` } };
    },
  },
  {
    program: 'redis-server',
    // Read only as the first argument (main() in src/server.c; `redis-server -h`).
    exitsAtOnce: (args) => ['-v', '--version', '-h', '--help', '--test-memory', '--check-system'].includes(args[0] ?? ''),
    daemonizes: (args) => option(args, '--daemonize')?.toLowerCase() === 'yes',
    detail: (args) => `redis-server ${said(args, redisDaemonize(args))} goes to the background`,
    fix: (args) => ({ drop: redisDaemonize(args) }),
  },
  {
    program: 'memcached',
    exitsAtOnce: (args) => has(args, '-h', '--help', '-V', '--version', '-i', '--license'), // memcached(1)
    daemonizes: (args) => has(args, '-d', '--daemon'),
    detail: (args) => `memcached ${said(args, indexesOf(args, '-d', '--daemon'))} goes to the background`,
    fix: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: 'gunicorn',
    exitsAtOnce: (args) => has(args, '-v', '--version', '-h', '--help', '--check-config', '--print-config'), // gunicorn.org/configure
    daemonizes: (args) => has(args, '-D', '--daemon'),
    detail: (args) => `gunicorn ${said(args, indexesOf(args, '-D', '--daemon'))} goes to the background`,
    fix: (args) => ({ drop: indexesOf(args, '-D', '--daemon') }),
  },
  {
    program: 'puma',
    exitsAtOnce: (args) => has(args, '-V', '--version', '-h', '--help'), // puma --help
    daemonizes: (args) => has(args, '-d', '--daemon'),
    detail: (args) => `puma ${said(args, indexesOf(args, '-d', '--daemon'))} goes to the background`,
    fix: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: /^unicorn(_rails)?$/,
    exitsAtOnce: (args) => has(args, '-v', '--version', '-h', '--help'), // unicorn --help
    daemonizes: (args) => has(args, '-D', '--daemonize'),
    detail: (args, program) => `${program} ${said(args, indexesOf(args, '-D', '--daemonize'))} goes to the background`,
    fix: (args) => ({ drop: indexesOf(args, '-D', '--daemonize') }),
  },
  {
    program: /^php-?fpm[\d.]*$|^php[\d.]+-fpm$/,
    // -t (-tt also dumps it) tests the configuration, -v, -h, -?, -i, -m print the version, the
    // help, phpinfo(), the modules: each exits (`php-fpm -h`; OPTIONS in sapi/fpm/fpm/fpm_main.c).
    exitsAtOnce: (args) =>
      anyLetter(phpFpmOptions(args), 'tvh?im') || has(args, '--test', '--version', '--help', '--usage', '--info', '--modules'),
    daemonizes: (args) => !has(args, '-F', '--nodaemonize'),
    detail: (args, program) =>
      has(args, '-D', '--daemonize')
        ? `${program} ${said(args, indexesOf(args, '-D', '--daemonize'))} goes to the background`
        : // The php images' php-fpm.d/zz-docker.conf says daemonize = no: there the line is fine, and -F harmless.
          `${program} goes to the background unless given -F (or its php-fpm.conf says daemonize = no, as the php:fpm images' does)`,
    fix: (args) => ({ drop: indexesOf(args, '-D', '--daemonize'), add: '-F' }),
  },
  {
    program: /^(httpd|apache2|apachectl|apache2ctl)$/,
    is: (args, busybox) => !isBusyboxHttpd(args, busybox),
    // -t tests the configuration, -S and -M dump it, -l, -L list modules and directives, -v, -V
    // print the version, -h, -? the help: each exits (httpd(8)). -T only skips the
    // DocumentRoot check: it starts the server.
    exitsAtOnce: (args) => anyLetter(httpdOptions(args), 'tSMlLvVh?'),
    // -k start, and -k restart or graceful, which start a server that is not running
    // (apachectl(8)), detach unless -X or one of the defines the MPMs read keeps httpd in
    // front (FOREGROUND, NO_DETACH, ONE_PROCESS; server/mpm/event/event.c).
    daemonizes: (args) => {
      const options = httpdOptions(args);
      const foreground = options.some((o) => o.letter === 'X' || (o.letter === 'D' && ['FOREGROUND', 'NO_DETACH', 'ONE_PROCESS', 'DEBUG'].includes(o.value ?? '')));
      return ['start', 'restart', 'graceful'].includes(httpdSignal(options)?.value ?? '') && !foreground;
    },
    detail: (args, program) => {
      const k = httpdSignal(httpdOptions(args))!;
      return `\`${program} ${said(args, [...new Set([k.at, k.valueAt ?? k.at])])}\` ${k.value === 'start' ? 'goes to' : 'starts apache (none runs yet) in'} the background`;
    },
    fix: (args) => {
      const k = httpdSignal(httpdOptions(args))!;
      return { drop: [...new Set([k.at, k.valueAt ?? k.at])], add: '-DFOREGROUND' };
    },
  },
  {
    program: 'pm2',
    exitsAtOnce: (args) => has(args, '-h', '--help'), // pm2 start --help
    daemonizes: (args) => args[0] === 'start',
    detail: () => '`pm2 start` hands the app to a pm2 daemon in the background',
    fix: (args) => `use pm2-runtime, which stays in the foreground: pm2-runtime ${args.join(' ')}`,
  },
  {
    program: 'service',
    daemonizes: (args) => args[1] === 'start' || args[1] === 'restart',
    detail: (args) => `\`service ${args[0]} ${args[1]}\` starts ${args[0]} in the background and returns`,
    fix: (args) => `run ${args[0]} itself in the foreground (its foreground flag), or as a Procfile entry of its own`,
  },
  {
    program: /^\/etc\/init\.d\//,
    daemonizes: (args) => args[0] === 'start' || args[0] === 'restart',
    detail: (args, program) => `the init script \`${program} ${args[0]}\` starts ${basename(program)} in the background and returns`,
    fix: (_, program) => `run ${basename(program)} itself in the foreground (its foreground flag), or as a Procfile entry of its own`,
  },
  {
    program: 'supervisord',
    exitsAtOnce: (args) => has(args, '-h', '--help', '-v', '--version'), // supervisord(1)
    daemonizes: (args) => !has(args, '-n', '--nodaemon'),
    detail: () => 'supervisord goes to the background unless given -n (or its configuration says nodaemon=true)',
    fix: () => ({ add: '-n' }),
  },
  {
    program: 'daemonize',
    daemonizes: () => true,
    detail: () => 'daemonize runs its program in the background',
    fix: () => 'run the program directly, without daemonize',
  },
  {
    program: 'rails',
    exitsAtOnce: (args) => has(args, '-h', '--help'), // rails server --help
    daemonizes: (args) => (args[0] === 'server' || args[0] === 's') && has(args, '-d', '--daemon'),
    detail: (args) => `rails ${args[0]} ${said(args, indexesOf(args, '-d', '--daemon'))} goes to the background`,
    fix: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: 'sidekiq',
    exitsAtOnce: (args) => has(args, '-V', '--version', '-h', '--help'), // sidekiq --help
    daemonizes: (args) => has(args, '-d', '--daemon'),
    detail: (args) => `sidekiq ${said(args, indexesOf(args, '-d', '--daemon'))} goes to the background (and Sidekiq 6 and later refuse it)`,
    fix: (args) => ({ drop: indexesOf(args, '-d', '--daemon') }),
  },
  {
    program: 'celery',
    exitsAtOnce: (args) => has(args, '--version', '--help'), // celery --help
    daemonizes: (args) => has(args, '--detach', '-D') || celeryMultiStart(args),
    detail: (args) =>
      has(args, '--detach', '-D')
        ? `celery ${said(args, indexesOf(args, '--detach', '-D'))} runs the worker in the background`
        : '`celery multi start` runs the workers in the background',
    fix: (args) =>
      celeryMultiStart(args)
        ? 'run one worker in the foreground (`celery -A proj worker`), a Procfile entry for each kind of worker'
        : { drop: indexesOf(args, '--detach', '-D') },
  },
  {
    program: /^uwsgi(_python\d*)?$/,
    exitsAtOnce: (args) => has(args, '--version', '-h', '--help'), // uwsgi --help
    daemonizes: (args) => uwsgiDaemonize(args).length > 0,
    detail: (args) => `uwsgi ${said(args, uwsgiDaemonize(args))} goes to the background`,
    fix: (args) => ({ drop: uwsgiDaemonize(args) }),
  },
  {
    program: 'pg_ctl',
    // Read only as the first argument (main() in src/bin/pg_ctl/pg_ctl.c; pg_ctl(1)).
    exitsAtOnce: (args) => ['--help', '-?', '-V', '--version'].includes(args[0] ?? ''),
    daemonizes: (args) => args.includes('start') || args.includes('restart'),
    detail: (args) => `\`pg_ctl ${args.includes('start') ? 'start' : 'restart'}\` starts PostgreSQL in the background and returns`,
    fix: (args) => `run the server itself in the foreground: postgres -D ${option(args, '-D') ?? option(args, '--pgdata') ?? '$PGDATA'}`,
  },
  {
    program: 'sshd',
    // -t, -T test the configuration and keys, -G prints the configuration, -V the version:
    // each exits (sshd(8) and sshd.c; -G and -V are newer than OpenSSH 7).
    exitsAtOnce: (args) => anyLetter(sshdOptions(args), 'tTGV'),
    // -D, and -d (debug) and -i (inetd), never detach (sshd.c: daemon() unless one of them).
    daemonizes: (args) => !anyLetter(sshdOptions(args), 'Ddi'),
    detail: () => 'sshd goes to the background unless given -D',
    fix: () => ({ add: '-D' }),
  },
  {
    program: 'mysqld_safe',
    exitsAtOnce: (args) => has(args, '--help'), // mysqld_safe --help
    daemonizes: () => true,
    detail: () => 'mysqld_safe starts mysqld as a process of its own and restarts it: a supervisor under procwarden, which then sees neither crash',
    fix: () => 'run the server itself: mysqld (it stays in the foreground)',
  },
  {
    program: 'httpd',
    // busybox's httpd forks to the background unless -f, or -i (inetd mode, which implies
    // -f); -d, -e and -m decode, encode or hash their value, print it and exit (httpd_main).
    is: isBusyboxHttpd,
    exitsAtOnce: (args) => anyLetter(busyboxHttpdOptions(args), 'dem') || has(args, '--help'),
    daemonizes: (args) => !anyLetter(busyboxHttpdOptions(args), 'fi'),
    detail: () => "busybox's httpd goes to the background unless given -f",
    fix: () => ({ add: '-f' }),
  },
  {
    program: 'crond',
    // `busybox crond`: only -f keeps it in front; -d (log to stderr) does not (crond_main).
    is: (_, busybox) => busybox,
    daemonizes: (args) => !anyLetter(busyboxCrondOptions(args), 'f'),
    detail: () => "busybox's crond goes to the background unless given -f",
    // -b, which says the default, would undo a -f before it: it goes.
    fix: (args) => ({ drop: indexesOf(args, '-b'), add: '-f' }),
  },
  {
    program: 'crond',
    // `crond`: busybox's applet (Alpine's crond), cronie's, or dcron's. Each stays in front
    // with -f; cronie also with -n, or with -x (debug flags: main() forks only without them).
    // cronie's -V and -h print and exit.
    is: (_, busybox) => !busybox,
    exitsAtOnce: (args) => anyLetter(cronieOptions(args), 'Vh'),
    daemonizes: (args) => !anyLetter(busyboxCrondOptions(args), 'f') && !anyLetter(cronieOptions(args), 'fnx'),
    detail: () => "crond goes to the background unless given -f (busybox's and cronie's crond both read it; cronie's also -n)",
    fix: (args) => ({ drop: indexesOf(args, '-b'), add: '-f' }),
  },
  {
    program: 'rsyslogd',
    // It forks unless -n, or -N LEVEL (a configuration check, which exits); -v prints the
    // version and -h the help, and exit (rsyslogd.c).
    exitsAtOnce: (args) => anyLetter(rsyslogdOptions(args), 'Nvh?'),
    daemonizes: (args) => !anyLetter(rsyslogdOptions(args), 'n'),
    detail: () => 'rsyslogd goes to the background unless given -n',
    fix: () => ({ add: '-n' }),
  },
  {
    program: 'mongod',
    // --fork (or processManagement.fork in its configuration file, which the linter does
    // not read) runs it as a daemon (mongodb.com/docs/manual/reference/program/mongod).
    exitsAtOnce: (args) => has(args, '--help', '-h', '--version'),
    daemonizes: (args) => has(args, '--fork'),
    detail: () => 'mongod --fork goes to the background',
    fix: (args) => ({ drop: indexesOf(args, '--fork') }),
  },
  {
    program: /^(apachectl|apache2ctl)$/,
    daemonizes: (args) => args[0] === 'start' || args[0] === 'restart' || args[0] === 'graceful',
    detail: (args, program) => `\`${program} ${args[0]}\` starts apache in the background and returns`,
    fix: (args, program) => `run apache in the foreground: ${program} -D FOREGROUND, not ${program} ${args[0]}`,
  },
];

/**
 * The row of DAEMON_TABLE for a program (its name, or an init script's path) run with these
 * arguments (after the program), through busybox (`busybox httpd`) or not, when they send it
 * to the background; undefined when they
 * do not, or ask for a mode that exits at once (`nginx -t`, `php-fpm -v`).
 */
export function daemonRowFor(program: string, args: readonly string[], busybox = false): DaemonRow | undefined {
  return DAEMON_TABLE.find(
    (row) =>
      (typeof row.program === 'string' ? row.program === program : row.program.test(program)) &&
      (row.is?.(args, busybox) ?? !busybox) &&
      !row.exitsAtOnce?.(args) &&
      row.daemonizes(args),
  );
}

/** Wrappers that detach the program from procwarden: it leaves the app's reach. */
export const DETACHERS: ReadonlyMap<string, string> = new Map([
  ['nohup', 'nohup makes the app ignore SIGHUP and is a sign it is meant to outlive its parent'],
  ['setsid', 'setsid takes the app out of its process group: the signals procwarden forwards never reach it'],
  ['disown', 'disown lets a background job outlive the shell that started it'],
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
