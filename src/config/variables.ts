// Every environment variable procwarden reads whose name starts with PROCWARDEN_, so that a
// typo (PROCWARDEN_STOPTIMEOUT) is said rather than silently ignored. Pure.

import { closest, distance } from 'fastest-levenshtein';

/** The PROCWARDEN_ variables procwarden knows (README, Flags and environment). */
export const KNOWN_VARIABLES: readonly string[] = [
  'PROCWARDEN_AUTORESTART',
  'PROCWARDEN_AUTOREPLACE',
  'PROCWARDEN_BACKGROUND_EXIT',
  'PROCWARDEN_BACKOFF',
  'PROCWARDEN_BACKOFF_RESET',
  'PROCWARDEN_FORMATION',
  'PROCWARDEN_HEALTHCHECK',
  'PROCWARDEN_HEALTHCHECK_INTERVAL',
  'PROCWARDEN_HEALTHCHECK_RETRIES',
  'PROCWARDEN_HEALTHCHECK_START_PERIOD',
  'PROCWARDEN_HEALTHCHECK_TIMEOUT',
  'PROCWARDEN_HTTP',
  'PROCWARDEN_HTTP_METRICS',
  'PROCWARDEN_HTTP_TOKEN',
  'PROCWARDEN_HTTP_TOKEN_FILE',
  'PROCWARDEN_LOG_FD',
  'PROCWARDEN_LOG_FILE',
  'PROCWARDEN_LOG_FORMAT',
  'PROCWARDEN_LOG_LEVEL',
  'PROCWARDEN_NO_RESTART_EXIT',
  'PROCWARDEN_ONE_SHOT_TYPES',
  'PROCWARDEN_POLICY_FILE',
  'PROCWARDEN_PREFIX',
  'PROCWARDEN_PROCESS_TYPE',
  'PROCWARDEN_PROCFILE',
  'PROCWARDEN_RECOVERY',
  'PROCWARDEN_REPLACE_LIMIT',
  'PROCWARDEN_RESTART_LIMIT',
  'PROCWARDEN_STATE_DIR',
  'PROCWARDEN_STOP_SIGNALS',
  'PROCWARDEN_STOP_TIMEOUT',
  'PROCWARDEN_SUCCESS_EXIT',
  'PROCWARDEN_THROTTLE',
  'PROCWARDEN_WIPE_EXCLUDE',
  'PROCWARDEN_WIPE_PATHS',
];

/**
 * The variables procwarden reads by the names Tutum and Aptible gave them, without the
 * PROCWARDEN_ prefix (README, Flags and environment).
 */
export const PLATFORM_VARIABLES: readonly string[] = ['AUTORESTART', 'AUTOREPLACE', 'APTIBLE_DO_NOT_WIPE'];

/**
 * One warning for each variable of `env` that starts with PROCWARDEN_ and is none procwarden
 * knows, naming the nearest known one when it is near enough to be a typo (a third of its
 * length or less); and for each that is within two letters of a PLATFORM_VARIABLES name
 * without being one (AUTORESTRAT, AUTO_RESTART), naming it: any other name is the app's.
 */
export function unknownVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  const names = Object.keys(env).sort();
  const prefixed = names
    .filter((name) => name.startsWith('PROCWARDEN_') && !KNOWN_VARIABLES.includes(name))
    .map((name) => {
      const near = closest(name, KNOWN_VARIABLES as string[]);
      const typo = distance(name, near) <= Math.max(2, Math.floor(name.length / 3));
      return `${name}: unknown, and ignored${typo ? `; did you mean ${near}?` : ''}`;
    });
  const platform = names
    .filter((name) => !name.startsWith('PROCWARDEN_') && !PLATFORM_VARIABLES.includes(name))
    .flatMap((name) => {
      const near = PLATFORM_VARIABLES.find((known) => mayBeWithinTwo(name, known) && distance(name, known) <= 2);
      return near ? [`${name}: not a variable procwarden reads, and ignored; did you mean ${near}?`] : [];
    });
  return [...prefixed, ...platform];
}

/**
 * False when `name` is surely more than two edits from `known`: their lengths differ by more,
 * or more than two of its letters are none of `known`'s (each must be replaced or removed).
 * It spares the edit distance for nearly every variable of a start's environment (measured:
 * the first check of 35 variables took 0.8 ms with the distance for each).
 */
function mayBeWithinTwo(name: string, known: string): boolean {
  if (Math.abs(name.length - known.length) > 2) return false;
  let foreign = 0;
  for (const letter of name) if (!known.includes(letter) && ++foreign > 2) return false;
  return true;
}
