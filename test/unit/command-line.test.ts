import { describe, expect, it } from 'vitest';
import { parseInvocation, subcommandMeant } from '../../src/config/command-line.ts';

const run = (args: string[], env: Record<string, string> = {}) => {
  const invocation = parseInvocation(args, env);
  if (invocation.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(invocation)}`);
  return invocation.config;
};
const argvOf = (args: string[], env: Record<string, string> = {}) => {
  const { source } = run(args, env);
  if (source.kind !== 'command') throw new Error('expected a COMMAND');
  return source.argv;
};
const usageError = (args: string[], env: Record<string, string> = {}) => {
  const invocation = parseInvocation(args, env);
  if (invocation.kind !== 'usage-error') throw new Error(`expected a usage error, got ${invocation.kind}`);
  return invocation.message;
};

describe('the command line', () => {
  it('takes everything from the first word on as COMMAND, options of the app included', () => {
    expect(argvOf(['ls', '-la', '--', 'x'])).toEqual(['ls', '-la', '--', 'x']);
  });

  it('takes what follows -- as COMMAND even when it looks like an option', () => {
    expect(argvOf(['--', '--help'])).toEqual(['--help']);
    expect(argvOf(['--', 'ls', '--version'])).toEqual(['ls', '--version']);
  });

  it('keeps arguments byte for byte: spaces, quotes, empty strings, unicode', () => {
    const args = ['printf', 'a b', '"q"', "'s'", '', 'héllo wörld ✓', '$HOME', '*'];
    expect(argvOf(args)).toEqual(args);
  });

  it('answers --help, -h, --version and -V', () => {
    expect(parseInvocation(['--help'], {}).kind).toBe('help');
    expect(parseInvocation(['-h'], {}).kind).toBe('help');
    expect(parseInvocation(['--version'], {}).kind).toBe('version');
    expect(parseInvocation(['-V'], {}).kind).toBe('version');
  });

  it('refuses an unknown option, a lone --, an empty COMMAND, and --type with a COMMAND', () => {
    expect(usageError(['--bogus', 'true'])).toMatch(/--bogus/);
    expect(usageError(['--'])).toMatch(/'--' must be followed by COMMAND/);
    expect(usageError([''])).toMatch(/empty/);
    expect(usageError(['--type', 'web', 'true'])).toMatch(/--type/);
  });

  it('takes a subcommand as the first word, and -- forces a COMMAND of that name', () => {
    expect(parseInvocation(['status'], {})).toEqual({ kind: 'status', stateDir: '/run/procwarden', json: false });
    expect(parseInvocation(['set', '--autorestart', 'always'], { PROCWARDEN_STATE_DIR: '/s' })).toEqual({ kind: 'set', stateDir: '/s', change: { autorestart: 'always' }, json: false });
    expect(parseInvocation(['restart'], {})).toMatchObject({ kind: 'restart' });
    expect(usageError(['set'])).toMatch(/nothing to set/);
    expect(usageError(['set', '--recovery', 'maybe'])).toMatch(/^--recovery: 'maybe'/);
    expect(argvOf(['--', 'status'])).toEqual(['status']);
    expect(argvOf(['--', 'check'])).toEqual(['check']);
    expect(parseInvocation(['check'], {})).toEqual({ kind: 'check', procfile: undefined, procfileNamedBy: 'PROCWARDEN_PROCFILE', json: false, programs: false });
    expect(parseInvocation(['check', '--json', '--procfile', 'P'], {})).toMatchObject({ kind: 'check', procfile: 'P', procfileNamedBy: '--procfile', json: true });
    expect(usageError(['check', 'extra'])).toMatch(/procwarden check \[--procfile PATH\]/);
  });

  it('runs a mistyped subcommand as a COMMAND, and knows which subcommand it is near, for its not-found line', () => {
    expect(argvOf(['statsu', '--json'])).toEqual(['statsu', '--json']);
    expect(['statsu', 'stauts', 'restrat', 'chekc', 'snapshto', 'hlep', 'sett'].map(subcommandMeant)).toEqual(['status', 'status', 'restart', 'check', 'snapshot', 'help', 'set']);
    // Other programs (a missing sed is not a mistyped set), and a path, which names a program.
    expect(['cat', 'sh', 'sed', 'seq', 'test', 'setup', 'checkout', 'node', './statsu', '/bin/statsu'].map(subcommandMeant)).toEqual(Array(10).fill(undefined));
  });
});

describe('the environment', () => {
  it('has defaults: a 10 s stop grace, quiet json events', () => {
    const config = run(['true']);
    expect(config.stopTimeoutMs).toBe(10_000);
    expect(config.log).toEqual({ level: 'warn', levelGiven: false, format: 'json' });
  });

  it('reads PROCWARDEN_STOP_TIMEOUT as a duration', () => {
    expect(run(['true'], { PROCWARDEN_STOP_TIMEOUT: '250ms' }).stopTimeoutMs).toBe(250);
    expect(run(['true'], { PROCWARDEN_STOP_TIMEOUT: '' }).stopTimeoutMs).toBe(10_000);
  });

  it('reads log level and format case-insensitively', () => {
    expect(run(['true'], { PROCWARDEN_LOG_LEVEL: 'INFO', PROCWARDEN_LOG_FORMAT: 'Pretty' }).log).toEqual({
      level: 'info',
      levelGiven: true,
      format: 'pretty',
    });
  });

  it.each([
    ['PROCWARDEN_STOP_TIMEOUT', '10'],
    ['PROCWARDEN_STOP_TIMEOUT', 'soon'],
    ['PROCWARDEN_LOG_LEVEL', 'loud'],
    ['PROCWARDEN_LOG_FORMAT', 'xml'],
  ])('names %s in the error for %j', (name, value) => {
    const message = usageError(['true'], { [name]: value });
    expect(message.startsWith(`${name}: '${value}'`)).toBe(true);
    expect(message).not.toContain('\n');
  });
});

describe('the recovery policy', () => {
  it('is OFF for an explicit COMMAND, with the spec budgets, and events only on warnings', () => {
    const config = run(['true']);
    expect(config.policy).toEqual({
      autorestart: 'off',
      autoreplace: 'off',
      recovery: false,
      restartBudget: { tries: 3, windowMs: 60_000 },
      replaceBudget: { tries: 3, windowMs: 300_000 },
      throttleMs: 120_000,
      backoff: { firstMs: 1000, maxMs: 30_000, resetMs: 10_000 },
    });
    expect(config.log.level).toBe('warn');
  });

  it('reads a service policy from the environment case-insensitively', () => {
    const config = run([], { AUTORESTART: 'On_Failure', AUTOREPLACE: 'ALWAYS', PROCWARDEN_RECOVERY: 'off' });
    expect(config.policy).toMatchObject({ autorestart: 'on_failure', autoreplace: 'always', recovery: false });
    expect(config.ignoredForOneOff).toEqual([]);
  });

  it('takes a one-off policy from the flags only, and names each variable it leaves aside with its flag', () => {
    const env = { AUTORESTART: 'always', AUTOREPLACE: 'on_failure', PROCWARDEN_RECOVERY: 'on', PROCWARDEN_POLICY_FILE: '/p' };
    const config = run(['true'], env);
    expect(config.policy).toMatchObject({ autorestart: 'off', autoreplace: 'off', recovery: false });
    expect(config.policyFile).toBeUndefined();
    expect(config.log.level).toBe('warn');
    expect(config.ignoredForOneOff.map(({ variable, flag }) => `${variable} ${flag}`)).toEqual([
      'AUTORESTART --autorestart',
      'AUTOREPLACE --autoreplace',
      'PROCWARDEN_RECOVERY --recovery',
      'PROCWARDEN_POLICY_FILE --autorestart, --autoreplace and --recovery',
    ]);
    const flagged = run(['--autorestart', 'on_failure', 'true'], env);
    expect(flagged.policy).toMatchObject({ autorestart: 'on_failure', autoreplace: 'off', recovery: false });
    expect(flagged.log.level).toBe('info');
  });

  it('lets flags win over the environment, in both spellings', () => {
    const config = run(['--autorestart', 'always', '--autoreplace=off', '--recovery', 'OFF', 'true'], {
      AUTORESTART: 'on_failure',
      AUTOREPLACE: 'always',
      PROCWARDEN_RECOVERY: 'on',
    });
    expect(config.policy).toMatchObject({ autorestart: 'always', autoreplace: 'off', recovery: false });
    expect(config.source).toEqual({ kind: 'command', argv: ['true'] });
  });

  it('reads budgets and the throttle', () => {
    const config = run(['true'], { PROCWARDEN_RESTART_LIMIT: '5/10s', PROCWARDEN_REPLACE_LIMIT: '1/1h', PROCWARDEN_THROTTLE: '250ms' });
    expect(config.policy).toMatchObject({
      restartBudget: { tries: 5, windowMs: 10_000 },
      replaceBudget: { tries: 1, windowMs: 3_600_000 },
      throttleMs: 250,
    });
  });

  it.each([
    ['AUTORESTART', 'sometimes', /^AUTORESTART: 'sometimes' is not one of OFF, ON_FAILURE, ALWAYS \(or Docker's and Kubernetes' no, never, on-failure, OnFailure, always, unless-stopped\)$/],
    ['AUTOREPLACE', 'yes', /^AUTOREPLACE: 'yes'/],
    ['PROCWARDEN_RECOVERY', 'true', /^PROCWARDEN_RECOVERY: 'true' is not one of ON, OFF$/],
    ['PROCWARDEN_RESTART_LIMIT', '3', /^PROCWARDEN_RESTART_LIMIT: '3' is not TRIES\/WINDOW/],
    ['PROCWARDEN_REPLACE_LIMIT', '3/0s', /^PROCWARDEN_REPLACE_LIMIT: '3\/0s'/],
    ['PROCWARDEN_RESTART_LIMIT', 'x/1m', /^PROCWARDEN_RESTART_LIMIT/],
    ['PROCWARDEN_THROTTLE', '2', /^PROCWARDEN_THROTTLE: '2' is not a duration/],
  ])('names %s for the bad value %j', (name, value, message) => {
    expect(usageError([], { [name]: value })).toMatch(message);
  });

  it('names the flag for a bad flag value', () => {
    expect(usageError(['--autorestart', 'maybe', 'true'])).toMatch(/^--autorestart: 'maybe'/);
    expect(usageError(['--recovery=yes', 'true'])).toMatch(/^--recovery: 'yes' is not one of ON, OFF/);
  });

  it('reads APTIBLE_DO_NOT_WIPE: any non-empty value, an empty one still wipes', () => {
    expect(run(['true'], { APTIBLE_DO_NOT_WIPE: '1' }).doNotWipe).toBe(true);
    expect(run(['true'], { APTIBLE_DO_NOT_WIPE: '' }).doNotWipe).toBe(false);
    expect(run(['true']).doNotWipe).toBe(false);
  });
});

describe('Procfile mode', () => {
  it('is what no COMMAND means: a service, with Container Recovery on and events at info', () => {
    const config = run([]);
    expect(config.source).toEqual({ kind: 'procfile', file: undefined, type: undefined });
    expect(config.policy.recovery).toBe(true);
    expect(config.log.level).toBe('info');
  });

  it('takes the file and the type from the environment, and --type over it', () => {
    expect(run([], { PROCWARDEN_PROCFILE: '/app/Procfile', PROCWARDEN_PROCESS_TYPE: 'worker' }).source).toEqual({
      kind: 'procfile',
      file: '/app/Procfile',
      type: 'worker',
    });
    expect(run(['--type', 'web'], { PROCWARDEN_PROCESS_TYPE: 'worker' }).source).toMatchObject({ type: 'web' });
  });

  it('lets Container Recovery be turned off for a service', () => {
    expect(run(['--recovery', 'off']).policy.recovery).toBe(false);
    expect(run([], { PROCWARDEN_RECOVERY: 'OFF' }).policy.recovery).toBe(false);
  });
});

describe('the wipe paths', () => {
  const config = (env: Record<string, string>, cwd: string) => {
    const invocation = parseInvocation(['true'], env, cwd);
    if (invocation.kind !== 'run') throw new Error(JSON.stringify(invocation));
    return invocation.config;
  };

  it('are the working directory and /tmp by default', () => {
    expect(config({}, '/srv/app')).toMatchObject({ wipePaths: ['/srv/app', '/tmp'], wipePathsByDefault: true, wipeExclude: [], warnings: [] });
  });

  it('leave out a working directory of /, with a warning', () => {
    const { wipePaths, warnings } = config({}, '/');
    expect(wipePaths).toEqual(['/tmp']);
    expect(warnings).toEqual([expect.stringMatching(/working directory is \/, which is never wiped/)]);
  });

  it('read PROCWARDEN_WIPE_PATHS and PROCWARDEN_WIPE_EXCLUDE, colon-separated, relative to the working directory', () => {
    expect(config({ PROCWARDEN_WIPE_PATHS: 'tmp:/var/cache/app::', PROCWARDEN_WIPE_EXCLUDE: 'log/**:/var/cache/app/keep' }, '/srv/app')).toMatchObject({
      wipePaths: ['/srv/app/tmp', '/var/cache/app'],
      wipePathsByDefault: false,
      wipeExclude: ['/srv/app/log/**', '/var/cache/app/keep'],
    });
  });

  it.each(['/', '/proc', '/sys', '/dev', '/dev/shm', '/srv/app:/proc/1'])('refuse %s', (paths) => {
    expect(usageError(['true'], { PROCWARDEN_WIPE_PATHS: paths })).toMatch(/^PROCWARDEN_WIPE_PATHS: '.*' can never be wiped/);
  });

  it('are what procwarden snapshot takes', () => {
    expect(parseInvocation(['snapshot'], { PROCWARDEN_WIPE_PATHS: '/srv/app', PROCWARDEN_STATE_DIR: '/state' }, '/')).toEqual({
      kind: 'snapshot',
      wipePaths: ['/srv/app'],
      wipePathsByDefault: false,
      wipeExclude: [],
      stateDir: '/state',
      doNotWipe: false,
    });
  });

  it('compares the state dir as a path: //, /./, x/.. and a trailing slash go', () => {
    expect(run(['true'], { PROCWARDEN_STATE_DIR: '//run/./x/../procwarden/' }).stateDir).toBe('/run/procwarden');
  });
});

describe('stop signals and exit rules', () => {
  it('stops on SIGTERM, SIGINT and SIGQUIT by default, SIGTERM first', () => {
    expect(run(['true']).stopSignals).toEqual(['SIGTERM', 'SIGINT', 'SIGQUIT']);
  });

  it('reads PROCWARDEN_STOP_SIGNALS as names with or without SIG, any case, or numbers', () => {
    expect(run(['true'], { PROCWARDEN_STOP_SIGNALS: 'winch, term,15,SIGPWR' }).stopSignals).toEqual(['SIGWINCH', 'SIGTERM', 'SIGPWR']);
  });

  it.each(['SIGFOO', 'SIGKILL', 'SIGSTOP', 'SIGCHLD', '99', ','])('refuses %j as a stop signal, naming the variable', (value) => {
    expect(usageError(['true'], { PROCWARDEN_STOP_SIGNALS: value })).toMatch(/^PROCWARDEN_STOP_SIGNALS: /);
  });

  it('refuses a timer longer than Node can set (2^31 - 1 ms), instead of firing it after 1 ms', () => {
    expect(run(['true'], { PROCWARDEN_STOP_TIMEOUT: '596h' }).stopTimeoutMs).toBe(596 * 3_600_000);
    expect(usageError(['true'], { PROCWARDEN_STOP_TIMEOUT: '600h' })).toMatch(/^PROCWARDEN_STOP_TIMEOUT: '600h' is longer than procwarden can wait/);
    expect(usageError(['true'], { PROCWARDEN_THROTTLE: '9999h' })).toMatch(/^PROCWARDEN_THROTTLE: '9999h' is longer/);
  });

  it('reads PROCWARDEN_SUCCESS_EXIT and PROCWARDEN_NO_RESTART_EXIT as codes and signal names', () => {
    const config = run(['true'], { PROCWARDEN_SUCCESS_EXIT: '0, 143,SIGTERM', PROCWARDEN_NO_RESTART_EXIT: '78,kill' });
    expect(config.exitRules).toEqual({
      success: [{ code: 0 }, { code: 143 }, { signal: 'SIGTERM' }],
      noRestart: [{ code: 78 }, { signal: 'SIGKILL' }],
    });
    expect(run(['true']).exitRules).toEqual({ success: [], noRestart: [] });
  });

  it.each([
    ['PROCWARDEN_SUCCESS_EXIT', 'abc'],
    ['PROCWARDEN_SUCCESS_EXIT', '300'],
    ['PROCWARDEN_NO_RESTART_EXIT', 'SIGFOO'],
    ['PROCWARDEN_NO_RESTART_EXIT', '-1'],
  ])('names %s for the bad list %j', (name, value) => {
    expect(usageError(['true'], { [name]: value })).toMatch(new RegExp(`^${name}: '${value}'`));
  });
});

describe('help, and option errors in procwarden words', () => {
  it('procwarden help [SUBCOMMAND] and SUBCOMMAND --help give the same help', () => {
    expect(parseInvocation(['help'], {})).toEqual({ kind: 'help' });
    for (const topic of ['check', 'status', 'set', 'restart', 'snapshot']) {
      expect(parseInvocation(['help', topic], {})).toEqual({ kind: 'help', topic });
      expect(parseInvocation([topic, '--help'], {})).toEqual({ kind: 'help', topic });
      expect(parseInvocation([topic, '-h'], {})).toEqual({ kind: 'help', topic });
    }
    expect(usageError(['help', 'nope'])).toBe('usage: procwarden help [check|status|set|restart|snapshot]');
  });

  it('names an unknown option, and an option that needs a value', () => {
    expect(usageError(['--autorestat', 'always', '--', 'true'])).toMatch(/^unknown option --autorestat\n/);
    expect(usageError(['status', '--jsn'])).toMatch(/^unknown option --jsn\nusage: procwarden status/);
    expect(usageError(['set', '--autorestart'])).toMatch(/^--autorestart needs a value\nusage: procwarden set/);
  });
});
