import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../src/config/command-line.ts';

const run = (args: string[], env: Record<string, string> = {}) => {
  const invocation = parseInvocation(args, env);
  if (invocation.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(invocation)}`);
  return invocation.config;
};
const usageError = (args: string[], env: Record<string, string> = {}) => {
  const invocation = parseInvocation(args, env);
  if (invocation.kind !== 'usage-error') throw new Error(`expected a usage error, got ${invocation.kind}`);
  return invocation.message;
};

describe('the command line', () => {
  it('takes everything from the first word on as COMMAND, options of the app included', () => {
    expect(run(['ls', '-la', '--', 'x']).command).toEqual(['ls', '-la', '--', 'x']);
  });

  it('takes what follows -- as COMMAND even when it looks like an option', () => {
    expect(run(['--', '--help']).command).toEqual(['--help']);
    expect(run(['--', 'ls', '--version']).command).toEqual(['ls', '--version']);
  });

  it('keeps arguments byte for byte: spaces, quotes, empty strings, unicode', () => {
    const args = ['printf', 'a b', '"q"', "'s'", '', 'héllo wörld ✓', '$HOME', '*'];
    expect(run(args).command).toEqual(args);
  });

  it('answers --help, -h, --version and -V', () => {
    expect(parseInvocation(['--help'], {}).kind).toBe('help');
    expect(parseInvocation(['-h'], {}).kind).toBe('help');
    expect(parseInvocation(['--version'], {}).kind).toBe('version');
    expect(parseInvocation(['-V'], {}).kind).toBe('version');
  });

  it('refuses an unknown option, a lone --, and no command at all', () => {
    expect(usageError(['--bogus', 'true'])).toMatch(/--bogus/);
    expect(usageError(['--'])).toMatch(/'--' must be followed by COMMAND/);
    expect(usageError([])).toMatch(/no COMMAND/);
    expect(usageError([''])).toMatch(/empty/);
  });

  it('does not run a program named like a planned subcommand by accident', () => {
    expect(usageError(['check'])).toMatch(/procwarden -- check/);
    expect(run(['--', 'check']).command).toEqual(['check']);
  });
});

describe('the environment', () => {
  it('has defaults: a 10 s stop grace, quiet json events', () => {
    const config = run(['true']);
    expect(config.stopTimeoutMs).toBe(10_000);
    expect(config.log).toEqual({ level: 'warn', format: 'json' });
  });

  it('reads PROCWARDEN_STOP_TIMEOUT as a duration', () => {
    expect(run(['true'], { PROCWARDEN_STOP_TIMEOUT: '250ms' }).stopTimeoutMs).toBe(250);
    expect(run(['true'], { PROCWARDEN_STOP_TIMEOUT: '' }).stopTimeoutMs).toBe(10_000);
  });

  it('reads log level and format case-insensitively', () => {
    expect(run(['true'], { PROCWARDEN_LOG_LEVEL: 'INFO', PROCWARDEN_LOG_FORMAT: 'Pretty' }).log).toEqual({
      level: 'info',
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
