// What a Procfile service finds in its environment besides procwarden's own. Pure.

/**
 * foreman's and honcho's PORT when none is set: 5000 (foreman's `--port` default, also
 * Heroku's local convention), so that `web: gunicorn -b 0.0.0.0:$PORT app:app` binds
 * somewhere rather than to port 0 or an empty string.
 */
export const DEFAULT_PORT = 5000;

/**
 * The service's environment (NAME=value entries, raw bytes) with PORT added when missing or
 * empty (`docker run -e PORT=`: as if unset), and the port it names. When PORT is set to
 * something that is no port number from 1 to 65535, `port` is undefined and `notPort` is
 * what it says: the service gets it as it is.
 */
export function withPort(env: readonly Buffer[]): { env: readonly Buffer[]; port: number | undefined; notPort?: string } {
  const given = env.find((entry) => entry.subarray(0, 5).toString('latin1') === 'PORT=');
  if (given === undefined || given.length === 5) {
    return { env: [...env.filter((entry) => entry !== given), Buffer.from(`PORT=${DEFAULT_PORT}`)], port: DEFAULT_PORT };
  }
  const text = given.subarray(5).toString('latin1');
  const port = /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 65_535 ? Number(text) : undefined;
  return port === undefined ? { env, port, notPort: text } : { env, port };
}

/**
 * Heroku's release phase: the `release` type runs once, like a one-off, whatever the policy
 * (a migration that fails must fail the deploy, not run again).
 */
export const RUNS_ONCE = 'release';
