import { DEFAULT_STOP_SIGNALS } from '../signals/signal-table.ts';
import { DEFAULT_STATE_DIR, DEFAULT_STOP_TIMEOUT_MS, LOG_FORMATS, LOG_LEVELS } from './config.ts';
import { formatDuration } from './duration.ts';
import { DEFAULT_BACKOFF, DEFAULT_REPLACE_BUDGET, DEFAULT_RESTART_BUDGET, DEFAULT_THROTTLE_MS, type Budget } from '../policy/policy.ts';

export const USAGE = 'usage: procwarden [OPTIONS] [--] COMMAND [ARG...]';

const budget = ({ tries, windowMs }: Budget) => `${tries}/${formatDuration(windowMs)}`;

export function helpText(version: string): string {
  return `procwarden ${version}: the init for Procfile-based container images

${USAGE}
       procwarden [OPTIONS] [--type NAME]     run a process type from the Procfile
       procwarden [OPTIONS] --type web,worker | --type all | --formation web=2,worker=1
                                             run several types at once (a formation)
       procwarden check [--procfile PATH] [--programs] [--json]
                                             lint a Procfile: exit 0 clean, 1 pitfalls, 2 unreadable
       procwarden status [--json]            ask the running procwarden (control socket)
       procwarden set [--type TYPE] [--autorestart P] [--autoreplace P] [--recovery on|off]
                                             change its policy (or one type's); applies to the next exit
       procwarden restart [--type TYPE]      restart the app (or one type's instances) now (not a
                                             crash); during a backoff or throttle: the start now
       procwarden snapshot                   take the pristine snapshot now (an image build step)
       procwarden --help | --version

Runs COMMAND as the app, directly (exec form, no shell), and does the duties of PID 1:
reaps every zombie, forwards signals to the app's process group, stops the whole process
tree on a stop signal (SIGTERM, SIGINT, SIGQUIT), and exits with the app's exit code (128+N
when signal N killed it). A one-off COMMAND takes its policy from the flags only.
With no COMMAND, it runs a Procfile process type (a service) under /bin/sh -c (with 'exec'
before the last of simple commands joined by &&), with PORT=5000 unless PORT is set: the Procfile
is $PROCWARDEN_PROCFILE, else ./Procfile, else /.aptible/Procfile; the type is --type or
$PROCWARDEN_PROCESS_TYPE, else the only entry, else web. The type 'release' runs once.
When the app exits on its own, a policy may start it again:
  1. restart   in place, if --autorestart matches the exit (budget PROCWARDEN_RESTART_LIMIT)
  2. replace   fresh, if --autoreplace matches the exit (budget PROCWARDEN_REPLACE_LIMIT):
               the tree killed, the wipe paths put back as they were before the first start
  3. recover   like replace, if --recovery is on: unlimited, at most one per PROCWARDEN_THROTTLE
  4. otherwise procwarden exits with the app's exit code.

Options:
  --autorestart P  OFF, ON_FAILURE (an exit code other than 0, or a signal) or ALWAYS
                   (default OFF; for a service also env AUTORESTART)
  --autoreplace P  OFF, ON_FAILURE or ALWAYS (default OFF; for a service also env AUTOREPLACE)
  --recovery S     Container Recovery, ON or OFF (default ON for a Procfile process type,
                   OFF for an explicit COMMAND; for a service also env PROCWARDEN_RECOVERY)
  --type NAME      the Procfile process type to run (env PROCWARDEN_PROCESS_TYPE); a list
                   (web,worker) or 'all' (every type but release) runs them at once
  --formation F    foreman's formation, TYPE=COUNT,... (web=2,worker=1; all=1 for every
                   type): instances web.1, web.2 ... with PS set and PORT 5000 for the first
                   type, +100 a type, +1 an instance (env PROCWARDEN_FORMATION)
  -h, --help       show this help and exit
  -V, --version    show the version and exit
  --               end of options: what follows is COMMAND, even if it starts with '-'
Flags win over the environment; values are case-insensitive. AUTORESTART, AUTOREPLACE,
PROCWARDEN_RECOVERY and PROCWARDEN_POLICY_FILE apply to Procfile services only.

Environment:
  PROCWARDEN_RESTART_LIMIT restarts allowed in a sliding window, TRIES/WINDOW (default ${budget(DEFAULT_RESTART_BUDGET)})
  PROCWARDEN_REPLACE_LIMIT replacements allowed in a sliding window (default ${budget(DEFAULT_REPLACE_BUDGET)})
  PROCWARDEN_THROTTLE      least time between the starts of two recoveries (default ${formatDuration(DEFAULT_THROTTLE_MS)})
  PROCWARDEN_HEALTHCHECK   http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND ($PORT is the
                           app's): after _RETRIES failures in a row, the app is stopped and the
                           policy acts as for a crash; with _INTERVAL, _TIMEOUT, _START_PERIOD,
                           _RETRIES as Docker's HEALTHCHECK (default 30s, 30s, 0s, 3)
  PROCWARDEN_BACKOFF       FIRST..MAX or off: the wait before a start by a policy, doubling
                           with each quick exit in a row (default ${formatDuration(DEFAULT_BACKOFF.firstMs)}..${formatDuration(DEFAULT_BACKOFF.maxMs)})
  PROCWARDEN_BACKOFF_RESET a run this long starts the backoff again (default ${formatDuration(DEFAULT_BACKOFF.resetMs)})
  PROCWARDEN_STOP_TIMEOUT  grace after a stop signal, while procwarden waits for every process
                           of the app's tree, before SIGKILL to what is left (default ${formatDuration(DEFAULT_STOP_TIMEOUT_MS)})
  PROCWARDEN_STOP_SIGNALS  the signals that stop the app, comma-separated; the first is the
                           one procwarden sends itself (default ${DEFAULT_STOP_SIGNALS.join(',')})
  PROCWARDEN_SUCCESS_EXIT  exits that count as success, e.g. 0,143,SIGTERM: ON_FAILURE does
                           not act on them, and procwarden exits 0 for them
  PROCWARDEN_NO_RESTART_EXIT  exits after which nothing starts the app again, e.g. 78
  PROCWARDEN_LOG_LEVEL     ${LOG_LEVELS.join(', ')} (default: info when a policy is on, else warn)
  PROCWARDEN_LOG_FORMAT    ${LOG_FORMATS.join(', ')} (default: pretty, a sentence a line, on a terminal; json,
                           one JSON event a line, elsewhere)
  PROCWARDEN_LOG_FD        a descriptor for the events instead of stderr (3>events.log)
  PROCWARDEN_LOG_FILE      a file for the events instead of stderr, appended to
  PROCWARDEN_STATE_DIR     procwarden's own folder (default ${DEFAULT_STATE_DIR}; when its user
                           cannot have it, procwarden-<uid> in the temporary folder)
  PROCWARDEN_BACKGROUND_EXIT  warn (default) or crash: what a background process of the
                           app that ran over a second and exits while the app goes on is
  PROCWARDEN_POLICY_FILE   an env-format file of AUTORESTART, AUTOREPLACE, PROCWARDEN_RECOVERY
                           (TYPE.AUTORESTART=... for one type of a formation), read at start
                           (over the environment, under the flags) and watched
  PROCWARDEN_PROCFILE      the Procfile (default ./Procfile, else /.aptible/Procfile)
  PROCWARDEN_PROCESS_TYPE  the process type to run, or a list, or all
  PROCWARDEN_FORMATION     the formation to run, TYPE=COUNT,...
  PROCWARDEN_ONE_SHOT_TYPES  types of a formation that run once, to completion, before the
                           others start, as release does (e.g. migrate)
  PROCWARDEN_PREFIX        on: each output line after the time and its instance's name,
                           as foreman prints it (the apps then see no terminal); default off
  PROCWARDEN_WIPE_PATHS    folders put back before a replace or a recovery, colon-separated
                           (default: the working directory and /tmp, in a container procwarden
                           is PID 1 of; never /, /proc, /sys, /dev)
  PROCWARDEN_WIPE_EXCLUDE  globs the reset leaves alone, colon-separated
  APTIBLE_DO_NOT_WIPE      any non-empty value: never reset the filesystem
  PROCWARDEN_HTTP          [HOST:]PORT: the web interface and HTTP API (Tutum's Crash Recovery
                           page, /status, /api/v1/service/, /metrics, /healthz); default off
  PROCWARDEN_HTTP_TOKEN    its token (Authorization: Bearer, or the page's login); needed unless
                           HOST is loopback; or PROCWARDEN_HTTP_TOKEN_FILE, a file that holds it
  PROCWARDEN_HTTP_METRICS  public: /metrics without the token (default token)
Durations are a number with ms, s, m or h: 500ms, 10s, 2m, 1h.

Signals forwarded to the app's process group:
  SIGTERM SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH SIGALRM SIGCONT
A stop signal also goes to every process of the app's tree outside that group.

Exit codes:
  the app's code (a formation's: the instance's whose end stopped it; after a stop signal,
  the first non-zero of its instances'); 128+N when signal N killed it (after a stop where a shell died of the
  signal: the code of the last process of its tree to end); 0 for an exit listed in
  PROCWARDEN_SUCCESS_EXIT; 126 COMMAND not executable;
  127 COMMAND not found; 2 usage or configuration error; 1 procwarden itself failed
  (for one, no folder lets it run its native code: on a read-only root, give it
  --tmpfs /run:exec).
`;
}

/** Each subcommand's own help: what `procwarden help SUBCOMMAND` and `procwarden SUBCOMMAND --help` print. */
export const SUBCOMMAND_HELP: Readonly<Record<'check' | 'status' | 'set' | 'restart' | 'snapshot', string>> = {
  check: `usage: procwarden check [--procfile PATH] [--programs] [--json]

Lints the Procfile for the app-runs-in-the-background mistake (an app sent to the
background, a daemonizing program, an idle foreground) and says the fix for each.
The Procfile is --procfile, else $PROCWARDEN_PROCFILE, else ./Procfile, else
/.aptible/Procfile. Exit 0 clean, 1 pitfalls found, 2 unreadable or empty.
  --programs  also fail when an entry's program is not there (run it in the image, where
              they are: RUN procwarden check --programs), naming the nearest one
  --json      the findings as JSON
`,
  status: `usage: procwarden status [--json]

Asks the running procwarden (its control socket, found through $PROCWARDEN_STATE_DIR):
what runs, its state, the last exit and decision and why, the next start, health, the
policy and where each setting came from, budgets left, counts since start.
Exit 0 answered, 1 nobody answers (or the socket may not be opened by this user: run it
as procwarden's user or root).
  --json   the answer as JSON
`,
  set: `usage: procwarden set [--type TYPE] [--autorestart P] [--autoreplace P] [--recovery on|off] [--json]

Changes the running procwarden's policy; it applies to the next exit (and to a start
procwarden waits to make). P is OFF, ON_FAILURE or ALWAYS (or Docker's no, on-failure,
always). --type changes one process type of a formation. Exit 0 changed, 1 refused or
nobody answers, 2 a bad value.
  --json   the answer as JSON (the policy before and after)
`,
  restart: `usage: procwarden restart [--type TYPE] [--json]

Restarts the app now: its stop signal, the grace, a start that counts as no crash and
spends no budget. While procwarden waits out a backoff or a throttle, the start now.
--type restarts one process type's instances. Exit 0 restarting, 1 refused or nobody
answers.
  --json   the answer as JSON
`,
  snapshot: `usage: procwarden snapshot

Takes the pristine snapshot of the wipe paths now, in the state dir: an image build step
(RUN procwarden snapshot), so that a container start copies nothing. It takes no
arguments: the paths come from $PROCWARDEN_WIPE_PATHS (and $PROCWARDEN_WIPE_EXCLUDE).
`,
};
