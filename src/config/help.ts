import { DEFAULT_STATE_DIR, DEFAULT_STOP_TIMEOUT_MS, LOG_FORMATS, LOG_LEVELS } from './config.ts';
import { formatDuration } from './duration.ts';
import { DEFAULT_REPLACE_BUDGET, DEFAULT_RESTART_BUDGET, DEFAULT_THROTTLE_MS, type Budget } from '../policy/policy.ts';

export const USAGE = 'usage: procwarden [OPTIONS] [--] COMMAND [ARG...]';

const budget = ({ tries, windowMs }: Budget) => `${tries}/${formatDuration(windowMs)}`;

export function helpText(version: string): string {
  return `procwarden ${version}: the init for Procfile-based container images

${USAGE}
       procwarden [OPTIONS] [--type NAME]     run a process type from the Procfile
       procwarden check [--procfile PATH] [--json]
                                             lint a Procfile: exit 0 clean, 1 pitfalls, 2 unreadable
       procwarden status [--json]            ask the running procwarden (control socket)
       procwarden set [--autorestart P] [--autoreplace P] [--recovery on|off]
                                             change its policy; applies to the next exit
       procwarden restart                    restart the app now (not counted as a crash)
       procwarden snapshot                   take the pristine snapshot now (an image build step)
       procwarden --help | --version

Runs COMMAND as the app, directly (exec form, no shell), and does the duties of PID 1:
reaps every zombie, forwards signals to the app's process group, stops the whole process
tree on SIGTERM/SIGINT, and exits with the app's exit code (128+N when signal N killed it).
With no COMMAND, it runs a Procfile process type (a service) under /bin/sh -c: the Procfile
is $PROCWARDEN_PROCFILE, else ./Procfile, else /.aptible/Procfile; the type is --type or
$PROCWARDEN_PROCESS_TYPE, else the only entry, else web.
When the app exits on its own, a policy may start it again:
  1. restart   in place, if --autorestart matches the exit (budget PROCWARDEN_RESTART_LIMIT)
  2. replace   fresh, if --autoreplace matches the exit (budget PROCWARDEN_REPLACE_LIMIT):
               the tree killed, the wipe paths put back as they were before the first start
  3. recover   like replace, if --recovery is on: unlimited, at most one per PROCWARDEN_THROTTLE
  4. otherwise procwarden exits with the app's exit code.

Options:
  --autorestart P  OFF, ON_FAILURE (an exit code other than 0, or a signal) or ALWAYS
                   (env AUTORESTART; default OFF)
  --autoreplace P  OFF, ON_FAILURE or ALWAYS (env AUTOREPLACE; default OFF)
  --recovery S     Container Recovery, ON or OFF (env PROCWARDEN_RECOVERY; default ON for
                   a Procfile process type, OFF for an explicit COMMAND)
  --type NAME      the Procfile process type to run (env PROCWARDEN_PROCESS_TYPE)
  -h, --help       show this help and exit
  -V, --version    show the version and exit
  --               end of options: what follows is COMMAND, even if it starts with '-'
Flags win over the environment; values are case-insensitive.

Environment:
  PROCWARDEN_RESTART_LIMIT restarts allowed in a sliding window, TRIES/WINDOW (default ${budget(DEFAULT_RESTART_BUDGET)})
  PROCWARDEN_REPLACE_LIMIT replacements allowed in a sliding window (default ${budget(DEFAULT_REPLACE_BUDGET)})
  PROCWARDEN_THROTTLE      least time between the starts of two recoveries (default ${formatDuration(DEFAULT_THROTTLE_MS)})
  PROCWARDEN_STOP_TIMEOUT  grace after forwarding SIGTERM/SIGINT before SIGKILL to the
                           whole tree (default ${formatDuration(DEFAULT_STOP_TIMEOUT_MS)})
  PROCWARDEN_LOG_LEVEL     ${LOG_LEVELS.join(', ')} (default: info when a policy is on, else warn)
  PROCWARDEN_LOG_FORMAT    ${LOG_FORMATS.join(', ')} (default json: one JSON event a line on stderr)
  PROCWARDEN_STATE_DIR     procwarden's own folder (default ${DEFAULT_STATE_DIR})
  PROCWARDEN_BACKGROUND_EXIT  warn (default) or crash: what a background process of the
                           app that ran over a second and exits while the app goes on is
  PROCWARDEN_POLICY_FILE   an env-format file of AUTORESTART, AUTOREPLACE, PROCWARDEN_RECOVERY,
                           read at start (over the environment, under the flags) and watched
  PROCWARDEN_PROCFILE      the Procfile (default ./Procfile, else /.aptible/Procfile)
  PROCWARDEN_PROCESS_TYPE  the process type to run
  PROCWARDEN_WIPE_PATHS    folders put back before a replace or a recovery, colon-separated
                           (default: the working directory and /tmp; never /, /proc, /sys, /dev)
  PROCWARDEN_WIPE_EXCLUDE  globs the reset leaves alone, colon-separated
  APTIBLE_DO_NOT_WIPE      any non-empty value: never reset the filesystem
Durations are a number with ms, s, m or h: 500ms, 10s, 2m, 1h.

Signals forwarded to the app's process group:
  SIGTERM SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH SIGALRM SIGCONT

Exit codes:
  the app's code; 128+N when signal N killed it; 126 COMMAND not executable;
  127 COMMAND not found; 2 usage or configuration error; 1 procwarden itself failed
  (for one, no folder lets it run its native code: on a read-only root, give it
  --tmpfs /run:exec).
`;
}
