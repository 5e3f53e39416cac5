import { DEFAULT_STATE_DIR, DEFAULT_STOP_TIMEOUT_MS, LOG_FORMATS, LOG_LEVELS } from './config.ts';
import { formatDuration } from './duration.ts';

export const USAGE = 'usage: procwarden [OPTIONS] [--] COMMAND [ARG...]';

export function helpText(version: string): string {
  return `procwarden ${version}: the init for Procfile-based container images

${USAGE}
       procwarden --help | --version

Runs COMMAND as the app, directly (exec form, no shell), and does the duties of PID 1:
reaps every zombie, forwards signals to the app's process group, stops the whole process
tree on SIGTERM/SIGINT, and exits with the app's exit code (128+N when signal N killed it).

Options:
  -h, --help       show this help and exit
  -V, --version    show the version and exit
  --               end of options: what follows is COMMAND, even if it starts with '-'

Environment:
  PROCWARDEN_STOP_TIMEOUT  grace after forwarding SIGTERM/SIGINT before SIGKILL to the
                           whole tree (default ${formatDuration(DEFAULT_STOP_TIMEOUT_MS)}; units ms, s, m, h)
  PROCWARDEN_LOG_LEVEL     ${LOG_LEVELS.join(', ')} (default: warn for a plain init)
  PROCWARDEN_LOG_FORMAT    ${LOG_FORMATS.join(', ')} (default json: one JSON event a line on stderr)
  PROCWARDEN_STATE_DIR     procwarden's own folder (default ${DEFAULT_STATE_DIR})

Signals forwarded to the app's process group:
  SIGTERM SIGINT SIGHUP SIGQUIT SIGUSR1 SIGUSR2 SIGWINCH SIGALRM SIGCONT

Exit codes:
  the app's code; 128+N when signal N killed it; 126 COMMAND not executable;
  127 COMMAND not found; 2 usage or configuration error; 1 procwarden itself failed.
`;
}
