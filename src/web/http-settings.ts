// PROCWARDEN_HTTP and its companions, read into one setting of the configuration. Pure: the
// token file is named here and read at start (http-token.ts).

/** The environment, as the command line's reader gets it. */
type Environment = Readonly<Record<string, string | undefined>>;

/** The web interface and HTTP API, as configured: on when PROCWARDEN_HTTP is set. */
export interface HttpSettings {
  /** The address to listen on: PROCWARDEN_HTTP's HOST, `0.0.0.0` (every interface) when only a PORT is given. */
  readonly host: string;
  /** The TCP port; 0 takes a free one (the `http.listening` event says which). */
  readonly port: number;
  /** PROCWARDEN_HTTP_TOKEN. */
  readonly token?: string;
  /** PROCWARDEN_HTTP_TOKEN_FILE: a file (a mounted secret) whose content, trimmed, is the token. */
  readonly tokenFile?: string;
  /** PROCWARDEN_HTTP_METRICS=public: /metrics is served without the token. */
  readonly metricsPublic: boolean;
}

/** Whether `host` is the loopback interface only: nothing outside the container reaches it. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The web settings from the environment: undefined when PROCWARDEN_HTTP is not set, or why
 * they are refused (a message that starts with the variable): a bad address, both token
 * variables, or a listener beyond loopback with no token.
 */
export function httpSettingsFrom(env: Environment): HttpSettings | undefined | { error: string } {
  const text = env['PROCWARDEN_HTTP']?.trim();
  if (text === undefined || text === '') return undefined;
  const address = /^(?:\[([0-9A-Fa-f:.]+)\]:|([^:[\]]+):)?(\d{1,5})$/.exec(text);
  const port = Number(address?.[3]);
  if (!address || port > 65_535) return { error: `PROCWARDEN_HTTP: '${text}' is not [HOST:]PORT (e.g. 9000, 127.0.0.1:9000, 0.0.0.0:9000, [::1]:9000)` };
  const host = address[1] ?? address[2] ?? '0.0.0.0';
  const token = nonEmpty(env['PROCWARDEN_HTTP_TOKEN']);
  const tokenFile = nonEmpty(env['PROCWARDEN_HTTP_TOKEN_FILE']);
  if (token !== undefined && tokenFile !== undefined) return { error: 'PROCWARDEN_HTTP_TOKEN and PROCWARDEN_HTTP_TOKEN_FILE are both set: give one' };
  if (token === undefined && tokenFile === undefined && !isLoopback(host)) {
    return { error: `PROCWARDEN_HTTP: ${host} is reachable from outside the container: set PROCWARDEN_HTTP_TOKEN or PROCWARDEN_HTTP_TOKEN_FILE (or listen on 127.0.0.1)` };
  }
  const metrics = nonEmpty(env['PROCWARDEN_HTTP_METRICS'])?.trim().toLowerCase() ?? 'token';
  if (metrics !== 'token' && metrics !== 'public') return { error: `PROCWARDEN_HTTP_METRICS: '${env['PROCWARDEN_HTTP_METRICS']}' is not one of token, public` };
  return { host, port, ...(token === undefined ? {} : { token }), ...(tokenFile === undefined ? {} : { tokenFile }), metricsPublic: metrics === 'public' };
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}
