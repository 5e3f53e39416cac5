// The daemon rules as plain values: a program and its arguments (as the shell hands them
// over, quotes removed), and whether the linter takes it for a daemon.

import { describe, expect, it } from 'vitest';
import { daemonRowFor, shortOptions } from '../../src/lint/rules.ts';

const flagged = (program: string, ...args: string[]) => daemonRowFor(program, args) !== undefined;

describe('short options, read as getopt reads them', () => {
  it('reads letters alone and grouped, and a value attached or in the next word', () => {
    expect(shortOptions(['-qt', '-c', 'x.conf', '-gdaemon off;'], 'cg')).toEqual([
      { letter: 'q', at: 0 },
      { letter: 't', at: 0 },
      { letter: 'c', value: 'x.conf', at: 1, valueAt: 2 },
      { letter: 'g', value: 'daemon off;', at: 3, valueAt: 3 },
    ]);
  });

  it('does not read a value as options, passes over operands and long options, and stops at --', () => {
    expect(shortOptions(['-g', '-t', 'app', '--daemonize', '-D', '--', '-t'], 'g').map((option) => option.letter)).toEqual(['g', 'D']);
    expect(shortOptions(['-g'], 'g')).toEqual([{ letter: 'g', at: 0 }]);
  });
});

describe('modes that do their work and exit are no daemon', () => {
  it.each<[program: string, args: string[]]>([
    // nginx.org/en/docs/switches.html
    ['nginx', ['-t']],
    ['nginx', ['-T']],
    ['nginx', ['-v']],
    ['nginx', ['-V']],
    ['nginx', ['-h']],
    ['nginx', ['-?']],
    ['nginx', ['-s', 'reload']],
    ['nginx', ['-squit']],
    ['nginx', ['-q', '-t']],
    ['nginx', ['-qt', '-c', '/etc/nginx/nginx.conf']],
    ['nginx', ['-c', '/etc/nginx/nginx.conf', '-t']],
    // php-fpm -h
    ['php-fpm', ['-t']],
    ['php-fpm', ['-tt']],
    ['php-fpm8.2', ['--test']],
    ['php-fpm', ['-v']],
    ['php-fpm', ['-h']],
    ['php-fpm', ['-i']],
    ['php-fpm', ['-m']],
    ['php-fpm', ['-y', '/etc/php-fpm.conf', '-t']],
    // sshd(8)
    ['sshd', ['-t']],
    ['sshd', ['-T']],
    ['sshd', ['-T', '-C', 'user=app']],
    ['sshd', ['-G']],
    ['sshd', ['-V']],
    ['sshd', ['-tf', '/etc/ssh/sshd_config']],
    // httpd(8)
    ['apache2', ['-t', '-k', 'start']],
    ['httpd', ['-v', '-k', 'start']],
    ['httpd', ['-V', '-k', 'start']],
    ['httpd', ['-S', '-k', 'start']],
    ['httpd', ['-M', '-k', 'start']],
    ['httpd', ['-l', '-k', 'start']],
    ['httpd', ['-L', '-k', 'start']],
    ['apache2ctl', ['-t', '-k', 'start']],
    // The first argument only (redis-server -h)
    ['redis-server', ['--version', '--daemonize', 'yes']],
    ['redis-server', ['-v', '--daemonize', 'yes']],
    ['redis-server', ['--help', '--daemonize', 'yes']],
    ['redis-server', ['--test-memory', '1024', '--daemonize', 'yes']],
    ['redis-server', ['--check-system', '--daemonize', 'yes']],
    // Each program's own help and version
    ['memcached', ['-d', '-V']],
    ['memcached', ['-d', '-h']],
    ['gunicorn', ['--daemon', '--check-config', 'app:app']],
    ['gunicorn', ['--daemon', '--print-config', 'app:app']],
    ['gunicorn', ['-D', '--version']],
    ['puma', ['-d', '-V']],
    ['unicorn', ['-D', '-v']],
    ['supervisord', ['--version']],
    ['supervisord', ['-h']],
    ['rails', ['server', '-d', '--help']],
    ['sidekiq', ['-d', '-V']],
    ['celery', ['-A', 'proj', 'worker', '--detach', '--help']],
    ['uwsgi', ['--daemonize', 'log', '--version']],
    ['pg_ctl', ['--help', 'start']],
    ['mysqld_safe', ['--help']],
    ['pm2', ['start', '--help']],
  ])('%s %j', (program, args) => {
    expect(daemonRowFor(program, args)).toBeUndefined();
  });

  it('but the same programs started are', () => {
    expect(flagged('nginx')).toBe(true);
    expect(flagged('nginx', '-q')).toBe(true);
    expect(flagged('nginx', '-c', '/etc/nginx/nginx.conf')).toBe(true);
    expect(flagged('nginx', '-p', '/t/')).toBe(true);
    expect(flagged('php-fpm', '-y', '/etc/t.conf')).toBe(true);
    expect(flagged('php-fpm', '-d', 'memory_limit=-1')).toBe(true);
    expect(flagged('sshd', '-f', '/etc/ssh/t')).toBe(true);
    expect(flagged('sshd', '-h', '/etc/ssh/ssh_host_ed25519_key')).toBe(true);
    // httpd -T only skips the DocumentRoot check
    expect(flagged('httpd', '-T', '-k', 'start')).toBe(true);
    expect(flagged('httpd', '-f', '/etc/t.conf', '-k', 'start')).toBe(true);
    // redis-server reads its modes as the first argument only
    expect(flagged('redis-server', '--port', '6380', '--daemonize', 'yes')).toBe(true);
    expect(flagged('pg_ctl', '-D', '/data', 'start')).toBe(true);
    expect(flagged('mysqld_safe')).toBe(true);
  });
});

describe('foreground flags, as the program reads them', () => {
  it('sshd: -D grouped with others, and -d (debug) and -i (inetd), which never detach either (sshd.c)', () => {
    for (const args of [['-De'], ['-eD'], ['-p', '22', '-De'], ['-d'], ['-ddd'], ['-i']]) expect(flagged('sshd', ...args)).toBe(false);
    expect(flagged('sshd', '-e')).toBe(true);
    // -D as another option's value is no -D
    expect(flagged('sshd', '-o', '-D')).toBe(true);
  });

  it('httpd: -DFOREGROUND, -D NO_DETACH, -DONE_PROCESS and -X keep -k start in the foreground', () => {
    for (const args of [['-DFOREGROUND'], ['-D', 'FOREGROUND'], ['-DNO_DETACH'], ['-DONE_PROCESS'], ['-X']]) expect(flagged('httpd', ...args, '-k', 'start')).toBe(false);
    expect(flagged('httpd', '-DSSL', '-k', 'start')).toBe(true);
  });

  it('httpd: -k restart and -k graceful start a server that is not running (apachectl(8)); -k stop does not', () => {
    expect(flagged('httpd', '-k', 'restart')).toBe(true);
    expect(flagged('apache2', '-kgraceful')).toBe(true);
    expect(flagged('httpd', '-k', 'stop')).toBe(false);
    expect(flagged('httpd', '-k', 'graceful-stop')).toBe(false);
  });
});

describe("nginx's -g, as nginx reads it", () => {
  it('with its value attached (-g"daemon off;" once the shell removed the quotes)', () => {
    expect(flagged('nginx', '-gdaemon off;')).toBe(false);
    expect(flagged('nginx', '-gdaemon off; worker_processes 2;', '-c', '/etc/nginx/nginx.conf')).toBe(false);
    expect(flagged('nginx', '-gpid /tmp/nginx.pid;')).toBe(true);
  });

  it('whose value is the next word, whatever it holds', () => {
    expect(flagged('nginx', '-g', 'daemon off;')).toBe(false);
    expect(flagged('nginx', '-c', 'daemon off;')).toBe(true);
  });
});

describe("the nginx fix, beside a -g of the user's", () => {
  const rewrite = (...args: string[]) => daemonRowFor('nginx', args)!.fix(args, 'nginx');

  it('adds a -g where there is none', () => {
    expect(rewrite('-c', '/etc/nginx/nginx.conf')).toEqual({ add: "-g 'daemon off;'" });
  });

  it("puts `daemon off;` at the end of the user's -g, which nginx would drop for another", () => {
    expect(rewrite('-g', 'pid /tmp/x.pid;')).toEqual({ append: { index: 1, text: ' daemon off;' } });
    expect(rewrite('-c', 'x.conf', '-gpid /tmp/x.pid;')).toEqual({ append: { index: 2, text: ' daemon off;' } });
    expect(rewrite('-g', 'pid /tmp/x.pid')).toEqual({ append: { index: 1, text: '; daemon off;' } });
    expect(rewrite('-g', 'pid /tmp/x.pid; ')).toEqual({ append: { index: 1, text: 'daemon off;' } });
  });

  it('gives advice where a merge is not the fix: several -g, or daemon on', () => {
    expect(rewrite('-g', 'daemon off;', '-g', 'pid /tmp/x.pid;')).toMatch(/only its last -g/);
    expect(rewrite('-g', 'daemon on;')).toMatch(/daemon on;/);
  });
});

describe('daemons that busybox has, beside the programs of the same name', () => {
  const viaBusybox = (program: string, ...args: string[]) => daemonRowFor(program, args, true) !== undefined;

  it("busybox's httpd forks unless -f, or -i (inetd mode); -d, -e and -m print and exit (httpd_main)", () => {
    expect(viaBusybox('httpd', '-p', '8080')).toBe(true);
    expect(viaBusybox('httpd')).toBe(true);
    for (const args of [['-f'], ['-f', '-p', '8080'], ['-fp', '8080'], ['-p', '8080', '-f', '-v'], ['-i']]) expect(viaBusybox('httpd', ...args)).toBe(false);
    for (const args of [['-d', 'a%20b'], ['-e', '<a>'], ['-m', 'secret']]) expect(viaBusybox('httpd', ...args)).toBe(false);
    // -h is its document root, not the help
    expect(viaBusybox('httpd', '-h', '/www')).toBe(true);
  });

  it('an `httpd` given an option apache has not (-p, -u, -r, -m, -i) is busybox\'s; else apache\'s rules hold', () => {
    expect(flagged('httpd', '-p', '8080')).toBe(true);
    expect(flagged('httpd', '-h', '/www', '-p', '80', '-u', 'www')).toBe(true);
    expect(flagged('httpd', '-f', '-p', '8080')).toBe(false);
    expect(flagged('httpd', '-p', '8080', '-f')).toBe(false);
    expect(daemonRowFor('httpd', ['-p', '8080'])!.fix(['-p', '8080'], 'httpd')).toEqual({ add: '-f' });
    // apache's: -f names its configuration file; daemonizes only with -k start (as before)
    expect(flagged('httpd', '-f', '/etc/httpd.conf', '-k', 'start')).toBe(true);
    expect(flagged('httpd', '-DFOREGROUND', '-f', '/etc/httpd.conf')).toBe(false);
    // busybox's httpd has no -k: `busybox httpd -k start` is no apache
    expect(daemonRowFor('httpd', ['-f', '-k', 'start'], true)).toBeUndefined();
  });

  it("crond: busybox's stays in front only with -f (its -d logs to stderr, and forks); cronie's with -f, -n or -x", () => {
    expect(viaBusybox('crond')).toBe(true);
    expect(viaBusybox('crond', '-d', '8')).toBe(true);
    expect(viaBusybox('crond', '-n')).toBe(true);
    expect(viaBusybox('crond', '-f', '-l', '2')).toBe(false);
    expect(viaBusybox('crond', '-c', '/etc/crontabs', '-f')).toBe(false);
    expect(flagged('crond')).toBe(true);
    expect(flagged('crond', '-s', '-m', 'off')).toBe(true);
    for (const args of [['-f'], ['-n'], ['-fL', '/dev/stdout'], ['-l', '2', '-f'], ['-x', 'sch'], ['-V'], ['-h']]) expect(flagged('crond', ...args)).toBe(false);
    expect(daemonRowFor('crond', ['-b', '-l', '2'])!.fix(['-b', '-l', '2'], 'crond')).toEqual({ drop: [0], add: '-f' });
  });

  it('rsyslogd forks unless -n; -N LEVEL checks the configuration and exits, as do -v and -h', () => {
    expect(flagged('rsyslogd')).toBe(true);
    expect(flagged('rsyslogd', '-f', '/etc/rsyslog.conf')).toBe(true);
    expect(flagged('rsyslogd', '-d')).toBe(true);
    for (const args of [['-n'], ['-n', '-f', '/etc/rsyslog.conf'], ['-N1'], ['-N', '1'], ['-v']]) expect(flagged('rsyslogd', ...args)).toBe(false);
    // -n as the value of -f is no -n
    expect(flagged('rsyslogd', '-f', '-n')).toBe(true);
  });

  it('mongod forks with --fork', () => {
    expect(flagged('mongod', '--fork', '--logpath', '/var/log/mongod.log')).toBe(true);
    expect(flagged('mongod', '--bind_ip_all')).toBe(false);
    expect(flagged('mongod', '--fork', '--version')).toBe(false);
  });
});
