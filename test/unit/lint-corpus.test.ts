// Real-world Procfile commands, each with the findings the linter must give: none for the
// good ones (false alarms are bugs too), the rule ids and, where one exists, the exact fix.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { lintCommand, type RuleId } from '../../src/lint/lint.ts';
import { nodeModulesParser } from '../support/shell-parser.ts';

type Row = [command: string, rules: RuleId[], hint?: string];

const GOOD: Row[] = [
  // Rails
  ['bundle exec puma -C config/puma.rb', []],
  ['bundle exec rails server -b 0.0.0.0 -p $PORT', []],
  ['bundle exec sidekiq -C config/sidekiq.yml', []],
  ['bundle exec rake db:migrate && bundle exec puma -p $PORT', []],
  ['bin/rails server -p ${PORT:-3000} -e $RAILS_ENV', []],
  ['bundle exec unicorn -p $PORT -c ./config/unicorn.rb', []],
  ['bundle exec rackup config.ru -p $PORT', []],
  ['exec bundle exec good_job start', []],
  // Django and Python
  ['gunicorn myproject.wsgi --log-file - --workers 3', []],
  ['python manage.py migrate && gunicorn myproject.wsgi:application --bind 0.0.0.0:$PORT', []],
  ['celery -A proj worker -l info', []],
  ['celery -A proj beat -l info --pidfile=', []],
  ['uvicorn app.main:app --host 0.0.0.0 --port $PORT', []],
  ['python -m gunicorn app:app', []],
  ['newrelic-admin run-program gunicorn app:app', []],
  // Node
  ['node server.js', []],
  ['npm start', []],
  ['pm2-runtime start ecosystem.config.js', []],
  ['node --max-old-space-size=512 dist/index.js', []],
  ['yarn workspace api start', []],
  ['npx next start -p $PORT', []],
  // PHP
  ['php-fpm -F', []],
  ['php-fpm8.2 --nodaemonize', []],
  ['vendor/bin/heroku-php-apache2 public/', []],
  ['php artisan queue:work --tries=3', []],
  ['apache2ctl -D FOREGROUND', []],
  ['httpd -DFOREGROUND', []],
  // Java and Go
  ['java -Dserver.port=$PORT -jar target/app.jar', []],
  ['java $JAVA_OPTS -cp target/classes:target/dependency/* com.example.Main', []],
  ['./bin/app --port=$PORT', []],
  // Servers told to stay in the foreground
  ["nginx -g 'daemon off;'", []],
  ['nginx -g "daemon off; worker_processes 2;"', []],
  ['redis-server --daemonize no', []],
  ['redis-server /etc/redis.conf', []],
  ['memcached -m 64 -p 11211', []],
  ['supervisord -n -c /etc/supervisord.conf', []],
  ['supervisord --nodaemon', []],
  // Not pitfalls: quoted &, &&, ||, redirections, comments, heredocs, $(...)
  ["echo 'a & b' && exec app", []],
  ['echo "running && ready" || true; exec app', []],
  ['exec app 2>&1', []],
  ['exec app &>/dev/null', []],
  ['exec app >&2', []],
  ['exec app # runs in the foreground & logs', []],
  ['cat <<EOF > config.yml && exec app\nkey: a & b\nEOF', []],
  ['exec app --started-at "$(date +%s)"', []],
  ['exec app --version=$(cat VERSION &)', []],
  ['(tail -F log/my-app.log &) && my-app', []],
  ['tail -F log/app.log & exec my-app', []],
  ['sleep infinity & exec app', []],
  // A shell whose -c line only idles is an idle helper too
  ["sh -c 'while :; do sleep 1; done' & exec python3 -m http.server $PORT", []],
  [`bash -c 'trap "" TERM; echo up; sleep infinity' & exec node server.js`, []],
  ['./setup.sh; exec ./server', []],
  ['trap "echo bye" TERM; exec ./server', []],
  // The standard signal-forwarding wrapper: the app in the background, then waited for
  ['trap \'kill -TERM "$child"\' TERM; my-app & child=$!; wait "$child"', []],
  ['my-app & wait $!', []],
  // Twins of the daemon rows that are no daemons
  ['echo "sidekiq -d is gone since Sidekiq 6" && exec bundle exec sidekiq', []],
  ['bundle exec rails new app -d postgresql', []],
  ['bundle exec rails server -p $PORT -b 0.0.0.0', []],
  ['celery -A proj worker --loglevel=info', []],
  ['uwsgi --http :$PORT --module app.wsgi', []],
  ['/usr/sbin/sshd -D -e', []],
  ['postgres -D /var/lib/postgresql/data', []],
  ['mysqld --user=mysql', []],
  ['apache2ctl -D FOREGROUND', []],
  // Test, version, help and signal modes: the program does its work and exits, no daemon
  ["nginx -t && exec nginx -g 'daemon off;'", []],
  ["nginx -q -t && exec nginx -g 'daemon off;'", []],
  ["nginx -qT > /tmp/nginx.conf.dump && exec nginx -g 'daemon off;'", []],
  ["nginx -V 2>&1 | grep -q http_v2 && exec nginx -g 'daemon off;'", []],
  ["nginx -s reload || exec nginx -g 'daemon off;'", []],
  ['php-fpm -t && exec php-fpm -F', []],
  ['php-fpm8.2 -tt 2>&1 | grep -v NOTICE; exec php-fpm8.2 -F', []],
  ['php-fpm -m | grep -qi opcache && exec php-fpm -F', []],
  ['/usr/sbin/sshd -t && exec /usr/sbin/sshd -D -e', []],
  ['/usr/sbin/sshd -T | grep -i passwordauthentication; exec /usr/sbin/sshd -D', []],
  ['apache2 -t && exec apache2 -DFOREGROUND', []],
  ['httpd -S -k start', []],
  ['apache2ctl -M | grep rewrite && exec apache2ctl -D FOREGROUND', []],
  ['rsyslogd -N1 && exec rsyslogd -n', []],
  ['mongod --version && exec mongod --bind_ip_all', []],
  ['redis-server --version && exec redis-server --daemonize no', []],
  ['supervisord --version && exec supervisord -n', []],
  ['gunicorn --check-config --daemon app:app && exec gunicorn app:app', []],
  // Foreground flags grouped or spelt another way
  ['/usr/sbin/sshd -De', []],
  ['/usr/sbin/sshd -eD -p 2222', []],
  ['/usr/sbin/sshd -d', []],
  ['httpd -DFOREGROUND -k start', []],
  ['apache2 -D FOREGROUND -k start', []],
  ['httpd -X -k start', []],
  // nginx's -g with its value attached, in quotes of either kind
  ['nginx -g"daemon off;"', []],
  ["nginx -g'daemon off;' -c /etc/nginx/nginx.conf", []],
  ["exec nginx -g'daemon off; error_log /dev/stderr info;'", []],
  ["sh -c 'nginx -g\"daemon off;\"'", []],
  // busybox's httpd and crond, cronie's crond, rsyslogd and mongod told to stay in front
  ['busybox httpd -f -p $PORT -h /www', []],
  ['httpd -f -p 8080', []],
  ['exec busybox crond -f -l 2 -L /dev/stdout', []],
  ['crond -n -s', []],
  ['crond -f', []],
  ['rsyslogd -n', []],
  ['mongod --bind_ip_all --dbpath /data/db', []],
];

// Lines the shell stays in front of: advice to exec the app, not a pitfall.
const NOTES: [command: string, hint: string][] = [
  ['(tail -F log/my-app.log &) && my-app', '(tail -F log/my-app.log &) && exec my-app'],
  ['./setup.sh; bundle exec puma -p $PORT', './setup.sh; exec bundle exec puma -p $PORT'],
  ['cd app || exit 1; FOO=1 node server.js', 'cd app || exit 1; FOO=1 exec node server.js'],
];

const BAD: Row[] = [
  // The seed's mistake and its relatives
  ['(my-app &) && tail -F log/my-app.log', ['background-app'], '(tail -F log/my-app.log &) && exec my-app'],
  ['my-app & tail -f log/my-app.log', ['background-app'], '(tail -f log/my-app.log &) && exec my-app'],
  ['bundle exec puma & tail -f log/production.log', ['background-app'], '(tail -f log/production.log &) && exec bundle exec puma'],
  ['node server.js & wait', ['background-app'], '(wait &) && exec node server.js'],
  ['java -jar app.jar & sleep infinity', ['background-app'], '(sleep infinity &) && exec java -jar app.jar'],
  ['gunicorn app:app & while true; do sleep 60; done', ['background-app'], '(while true; do sleep 60; done &) && exec gunicorn app:app'],
  ['worker & exec web', ['background-app']],
  ['my-app > log/app.log 2>&1 &', ['background-app'], 'my-app > log/app.log 2>&1'],
  ['{ my-app & }; tail -f /dev/null', ['background-app'], '(tail -f /dev/null &) && exec my-app'],
  // Idle foregrounds alone
  ['tail -f /dev/null', ['idle-foreground']],
  ['sleep infinity', ['idle-foreground']],
  ['while true; do sleep 1; done', ['idle-foreground']],
  ['while :; do sleep 3600; done', ['idle-foreground']],
  ['until false; do sleep 5; done', ['idle-foreground']],
  // Detached
  ['nohup my-app', ['detached'], 'my-app'],
  ['nohup my-app > log 2>&1 &', ['detached', 'background-app'], 'my-app > log 2>&1'],
  ['setsid my-app', ['detached'], 'my-app'],
  ['setsid -f my-app && tail -f log', ['detached'], '(tail -f log &) && exec my-app'],
  ['my-app & disown', ['background-app', 'detached']],
  // An idle helper detached: it keeps nothing up, and loses only its detacher
  [`setsid sh -c 'trap "" TERM; while :; do sleep 1; done' & exec python3 -m http.server $PORT`, ['detached'], `sh -c 'trap "" TERM; while :; do sleep 1; done' & exec python3 -m http.server $PORT`],
  ['nohup tail -f log/app.log & exec my-app', ['detached'], 'tail -f log/app.log & exec my-app'],
  // ... but a shell that runs more than idles is no helper
  ["sh -c 'sleep 5; ./migrate' & exec my-app", ['background-app']],
  // The known daemons
  ['nginx', ['daemonizes'], "nginx -g 'daemon off;'"],
  ['/usr/sbin/nginx -c /etc/nginx/nginx.conf', ['daemonizes'], "/usr/sbin/nginx -g 'daemon off;' -c /etc/nginx/nginx.conf"],
  ['redis-server --daemonize yes', ['daemonizes'], 'redis-server'],
  ['redis-server --port 6380 --daemonize yes', ['daemonizes'], 'redis-server --port 6380'],
  ['memcached -d -m 64', ['daemonizes'], 'memcached -m 64'],
  ['gunicorn --daemon app:app', ['daemonizes'], 'gunicorn app:app'],
  ['gunicorn -D -w 4 app:app', ['daemonizes'], 'gunicorn -w 4 app:app'],
  ['bundle exec puma -d -p $PORT', ['daemonizes'], 'bundle exec puma -p $PORT'],
  ['bundle exec unicorn -D -c config/unicorn.rb', ['daemonizes'], 'bundle exec unicorn -c config/unicorn.rb'],
  ['php-fpm', ['daemonizes'], 'php-fpm -F'],
  ['php-fpm8.2 -R', ['daemonizes'], 'php-fpm8.2 -F -R'],
  ['httpd -k start', ['daemonizes'], 'httpd -DFOREGROUND'],
  ['apache2 -k start -f /etc/apache2/apache2.conf', ['daemonizes'], 'apache2 -DFOREGROUND -f /etc/apache2/apache2.conf'],
  ['httpd -k restart', ['daemonizes'], 'httpd -DFOREGROUND'],
  ['apache2 -kgraceful', ['daemonizes'], 'apache2 -DFOREGROUND'],
  ['/usr/sbin/sshd -e -p 2222', ['daemonizes'], '/usr/sbin/sshd -D -e -p 2222'],
  ['pm2 start app.js', ['daemonizes']],
  ['service nginx start && tail -f /var/log/nginx/access.log', ['daemonizes']],
  ['/etc/init.d/apache2 start && sleep infinity', ['daemonizes']],
  ['supervisord -c /etc/supervisord.conf', ['daemonizes'], 'supervisord -n -c /etc/supervisord.conf'],
  ['daemonize /usr/bin/my-app', ['daemonizes']],
  ['exec gosu app nginx', ['daemonizes'], "exec gosu app nginx -g 'daemon off;'"],
  ['FOO=1 exec bundle exec puma -d', ['daemonizes'], 'FOO=1 exec bundle exec puma'],
  ['nginx && tail -f /var/log/nginx/error.log', ['daemonizes'], "(tail -f /var/log/nginx/error.log &) && exec nginx -g 'daemon off;'"],
  ['rsyslogd && exec tail -f /var/log/syslog', ['daemonizes'], '(tail -f /var/log/syslog &) && exec rsyslogd -n'],
  // More apps that go to the background
  ['bundle exec rails server -d -p $PORT', ['daemonizes'], 'bundle exec rails server -p $PORT'],
  ['bundle exec sidekiq -d -L log/sidekiq.log', ['daemonizes'], 'bundle exec sidekiq -L log/sidekiq.log'],
  ['celery -A proj worker --detach', ['daemonizes']],
  ['celery multi start w1 -A proj', ['daemonizes']],
  ['uwsgi --ini app.ini --daemonize /var/log/uwsgi.log', ['daemonizes'], 'uwsgi --ini app.ini'],
  ['pg_ctl -D /var/lib/postgresql/data start', ['daemonizes']],
  ['/usr/sbin/sshd', ['daemonizes'], '/usr/sbin/sshd -D'],
  ['mysqld_safe --user=mysql', ['daemonizes']],
  ['apachectl start && tail -f /var/log/apache2/access.log', ['daemonizes']],
  ['java -jar app.jar &', ['background-app'], 'java -jar app.jar'],
  // busybox's httpd and crond (`busybox APPLET`, or an httpd given busybox's own options), cronie's crond, rsyslogd, mongod
  ['busybox httpd -p 8080', ['daemonizes'], 'busybox httpd -f -p 8080'],
  ['httpd -p $PORT -h /www', ['daemonizes'], 'httpd -f -p $PORT -h /www'],
  ['exec busybox httpd -v -p 8080', ['daemonizes'], 'exec busybox httpd -f -v -p 8080'],
  ['crond', ['daemonizes'], 'crond -f'],
  ['crond -b -l 2 && exec php-fpm -F', ['daemonizes'], 'run `crond -f -l 2` (without -b) in the foreground, last, and give every other long-running program a Procfile entry of its own'],
  ['busybox crond -d 8', ['daemonizes'], 'busybox crond -f -d 8'],
  ['rsyslogd -f /etc/rsyslog.conf', ['daemonizes'], 'rsyslogd -n -f /etc/rsyslog.conf'],
  ['mongod --fork --logpath /var/log/mongod.log', ['daemonizes'], 'mongod --logpath /var/log/mongod.log'],
  // A daemon with more of the line after it: no flag fix (it would block the rest), an entry of its own
  ['php-fpm -D && nginx -g "daemon off;"', ['daemonizes'], 'run `php-fpm -F` (without -D) in the foreground, last, and give every other long-running program a Procfile entry of its own'],
  ['/usr/sbin/sshd && node app.js', ['daemonizes'], 'run `/usr/sbin/sshd -D` in the foreground, last, and give every other long-running program a Procfile entry of its own'],
  ['php-fpm -D', ['daemonizes'], 'php-fpm -F'],
  // nginx with a -g of its own: nginx reads only the last -g, so `daemon off;` goes into it
  ["nginx -g 'pid /tmp/nginx.pid;'", ['daemonizes'], "nginx -g 'pid /tmp/nginx.pid; daemon off;'"],
  ['nginx -g "pid /tmp/nginx.pid; worker_processes 2;" -c /etc/nginx/nginx.conf', ['daemonizes'], 'nginx -g "pid /tmp/nginx.pid; worker_processes 2; daemon off;" -c /etc/nginx/nginx.conf'],
  ["exec nginx -g'pid /tmp/nginx.pid;'", ['daemonizes'], "exec nginx -g'pid /tmp/nginx.pid; daemon off;'"],
  ['nginx -g "pid $PIDFILE;"', ['daemonizes'], 'nginx -g "pid $PIDFILE; daemon off;"'],
  ["nginx -g 'pid /tmp/nginx.pid'", ['daemonizes'], "nginx -g 'pid /tmp/nginx.pid; daemon off;'"],
  ['nginx -g pid\\ /tmp/nginx.pid\\;', ['daemonizes'], "nginx -g pid\\ /tmp/nginx.pid\\;' daemon off;'"],
  // ... and where no merge is right, advice
  ["nginx -g 'daemon off;' -g 'pid /tmp/nginx.pid;'", ['daemonizes'], 'nginx reads only its last -g: put the directives of all of them, with `daemon off;`, in one -g'],
  ["nginx -g 'daemon on;'", ['daemonizes'], 'make the `daemon on;` of the -g `daemon off;`'],
];

// Lines a shell runs with -c, read as lines of their own: each with the exact fix of the
// whole Procfile line (or advice, where none is right), and a twin that looks the same and
// is fine (false alarms are bugs too).
const NESTED: { bad: string; rules: RuleId[]; hint: string; twin: string }[] = [
  { bad: "sh -c 'nginx'", rules: ['daemonizes'], hint: `sh -c 'nginx -g "daemon off;"'`, twin: `sh -c 'exec nginx -g "daemon off;"'` },
  { bad: 'bash -c "nginx"', rules: ['daemonizes'], hint: `bash -c "nginx -g 'daemon off;'"`, twin: 'bash -c "nginx -g \\"daemon off;\\""' },
  { bad: 'bash -c "sidekiq -d"', rules: ['daemonizes'], hint: 'bash -c "sidekiq"', twin: "bash -c 'echo -d'" },
  { bad: "bash -c 'bundle exec sidekiq -d -C config/sidekiq.yml'", rules: ['daemonizes'], hint: "bash -c 'bundle exec sidekiq -C config/sidekiq.yml'", twin: "bash -c 'echo sidekiq -d is gone'" },
  { bad: "/bin/sh -c 'cd /app && php-fpm -D'", rules: ['daemonizes'], hint: "/bin/sh -c 'cd /app && php-fpm -F'", twin: "/bin/sh -c 'cd /app && exec php-fpm -F'" },
  { bad: 'sh -c "./start.sh &"', rules: ['background-app'], hint: 'sh -c "./start.sh"', twin: "sh -c './start.sh & wait $!'" },
  { bad: "sh -c 'my-app & tail -f log/app.log'", rules: ['background-app'], hint: "sh -c '(tail -f log/app.log &) && exec my-app'", twin: "sh -c '(tail -f log/app.log &) && exec my-app'" },
  { bad: "sh -c 'nohup my-app'", rules: ['detached'], hint: "sh -c 'my-app'", twin: "sh -c 'echo nohup my-app'" },
  // An expansion of the Procfile's shell stays as written; a line that is only one is not known before it runs
  { bad: 'bash -c "nginx -c $NGINX_CONF"', rules: ['daemonizes'], hint: `bash -c "nginx -g 'daemon off;' -c $NGINX_CONF"`, twin: 'sh -c "$CMD"' },
  { bad: 'sh -c "exec puma -d -p ${PORT:-3000}"', rules: ['daemonizes'], hint: 'sh -c "exec puma -p ${PORT:-3000}"', twin: 'sh -c "exec puma -p ${PORT:-3000}"' },
  // The shell's own options before the line, and -c's place among them
  { bad: 'sh -ec "nginx"', rules: ['daemonizes'], hint: `sh -ec "nginx -g 'daemon off;'"`, twin: 'sh -e script.sh nginx' },
  { bad: "bash -lc 'redis-server --daemonize yes'", rules: ['daemonizes'], hint: "bash -lc 'redis-server'", twin: "bash -lc 'redis-server --daemonize no'" },
  { bad: "sh -c -- 'memcached -d'", rules: ['daemonizes'], hint: "sh -c -- 'memcached'", twin: "sh -c -- 'memcached'" },
  { bad: "bash -euo pipefail -c 'gunicorn -D app:app'", rules: ['daemonizes'], hint: "bash -euo pipefail -c 'gunicorn app:app'", twin: "bash -euo pipefail -c 'gunicorn app:app'" },
  // nginx's own -g, in the -c line's quotes: `daemon off;` goes into it
  { bad: `bash -c "nginx -g 'pid /tmp/n.pid;'"`, rules: ['daemonizes'], hint: `bash -c "nginx -g 'pid /tmp/n.pid; daemon off;'"`, twin: `bash -c "nginx -g 'pid /tmp/n.pid; daemon off;'"` },
  { bad: `sh -c 'exec nginx -g"pid /tmp/n.pid;"'`, rules: ['daemonizes'], hint: `sh -c 'exec nginx -g"pid /tmp/n.pid; daemon off;"'`, twin: `sh -c 'exec nginx -g"daemon off; pid /tmp/n.pid;"'` },
  // Words after the line are its $0, $1 ...: not the line, nor its program's arguments
  { bad: "sh -c 'nginx' sh", rules: ['daemonizes'], hint: `sh -c 'nginx -g "daemon off;"' sh`, twin: `sh -c 'exec "$@"' sh nginx` },
  { bad: "sh -c 'exec sidekiq -d'", rules: ['daemonizes'], hint: "sh -c 'exec sidekiq'", twin: "sh -c 'exec sidekiq' -d" },
  // Other shells, and through wrappers
  { bad: "dash -c 'nginx'", rules: ['daemonizes'], hint: `dash -c 'nginx -g "daemon off;"'`, twin: `dash -c 'nginx -g "daemon off;"'` },
  { bad: "ash -c 'sshd'", rules: ['daemonizes'], hint: "ash -c 'sshd -D'", twin: "ash -c 'sshd -D'" },
  { bad: "busybox sh -c 'supervisord'", rules: ['daemonizes'], hint: "busybox sh -c 'supervisord -n'", twin: "busybox sh -c 'supervisord -n'" },
  { bad: "zsh -c 'nginx'", rules: ['daemonizes'], hint: `zsh -c 'nginx -g "daemon off;"'`, twin: "zsh ./bin/nginx" },
  { bad: "exec gosu app sh -c 'nginx'", rules: ['daemonizes'], hint: `exec gosu app sh -c 'nginx -g "daemon off;"'`, twin: "exec gosu app sh -c 'exec nginx -g \"daemon off;\"'" },
  { bad: "./setup.sh; sh -c 'php-fpm'", rules: ['daemonizes'], hint: "./setup.sh; sh -c 'php-fpm -F'", twin: "./setup.sh; exec sh -c 'php-fpm -F'" },
  // An unquoted line is written back quoted; quotes put together are written back as one
  { bad: 'sh -c nginx', rules: ['daemonizes'], hint: `sh -c 'nginx -g "daemon off;"'`, twin: 'sh -c $CMD' },
  { bad: `sh -c 'cd /app && '"nginx"`, rules: ['daemonizes'], hint: `sh -c 'cd /app && nginx -g "daemon off;"'`, twin: `sh -c 'cd /app && '"exec nginx -g 'daemon off;'"` },
  // No fix where the line could not be written back exactly: the fixed line to put in, as advice
  {
    bad: 'bash -c "cd \\$HOME && nginx -c $CONF"',
    rules: ['daemonizes'],
    hint: "make the line `bash -c` runs read: cd $HOME && nginx -g 'daemon off;' -c $CONF",
    twin: `bash -c "cd \\$HOME && nginx -g 'daemon off;' -c $CONF"`,
  },
  // No fix where the shell is not what keeps the container up, or is not the line's one trouble
  {
    bad: "sh -c 'nginx' && node app.js",
    rules: ['daemonizes'],
    hint: 'run `nginx -g "daemon off;"` in the foreground, last, and give every other long-running program a Procfile entry of its own',
    twin: `sh -c 'nginx -g "daemon off;"' & node app.js & wait -n`,
  },
  {
    bad: "sh -c 'nginx' &",
    rules: ['background-app', 'daemonizes'],
    hint: "run `sh -c 'nginx'` in the foreground, last, and give every other long-running program a Procfile entry of its own",
    twin: "sh -c 'nginx -g \"daemon off;\"' & wait $!",
  },
  {
    bad: "sh -c 'nginx' && sh -c 'php-fpm'",
    rules: ['daemonizes', 'daemonizes'],
    hint: 'run `nginx -g "daemon off;"` in the foreground, last, and give every other long-running program a Procfile entry of its own',
    twin: "sh -c 'echo nginx' && sh -c 'echo php-fpm'",
  },
  // One level deep: a shell inside the line is not read, and breaks nothing
  {
    bad: `bash -c "sh -c 'nginx' && sidekiq -d"`,
    rules: ['daemonizes'],
    hint: 'bash -c "sh -c \'nginx\' && sidekiq"',
    twin: `bash -c "sh -c 'sh -c nginx' && exec sidekiq"`,
  },
];

describe('the Procfile linter, on real-world commands', () => {
  let parser: Parser;
  beforeAll(async () => {
    parser = await nodeModulesParser();
  });
  const parse = (command: string) => {
    const tree = parser.parse(command)!;
    return { root: tree.rootNode, done: () => tree.delete() };
  };
  const lint = (command: string) => lintCommand(parser.parse(command)!.rootNode, command, parse);

  it('has a corpus of at least 60 commands', () => {
    expect(GOOD.length + BAD.length).toBeGreaterThanOrEqual(60);
  });

  it.each(GOOD)('no pitfall: %s', (command) => {
    expect(lint(command).filter((finding) => finding.severity !== 'info')).toEqual([]);
  });

  it.each(NOTES)('a note, no pitfall: %s', (command, hint) => {
    expect(lint(command)).toEqual([expect.objectContaining({ rule: 'shell-parent', severity: 'info', hint })]);
  });

  it('no note for a line procwarden execs itself, or one that ends in exec', () => {
    for (const command of ['gunicorn app:app', 'cd app && bundle exec puma', './setup.sh; exec ./server', 'FOO=1 exec app']) expect(lint(command)).toEqual([]);
  });

  it.each(BAD)('%s', (command, rules, hint) => {
    const findings = lint(command);
    expect(findings.map((finding) => finding.rule).sort()).toEqual([...rules].sort());
    for (const finding of findings) {
      expect(finding.part.length).toBeGreaterThan(0);
      expect(finding.detail.length).toBeGreaterThan(0);
      if (hint !== undefined) expect(finding.hint).toBe(hint);
    }
  });

  it("merges `daemon off;` into nginx's own -g, and the line it gives has no pitfall", () => {
    for (const [command, , hint] of BAD.filter(([command, , hint]) => /^(exec )?nginx -g/.test(command) && hint?.includes('daemon off;') && !/^(nginx|make) /.test(hint))) {
      expect(lint(hint!).filter((finding) => finding.severity !== 'info'), command).toEqual([]);
    }
  });

  it.each<[command: string, detail: string, hint?: string]>([
    ['php-fpm -D', 'php-fpm -D goes to the background'],
    ['php-fpm8.2 --daemonize -R', 'php-fpm8.2 --daemonize goes to the background'],
    ['php-fpm', "php-fpm goes to the background unless given -F (or its php-fpm.conf says daemonize = no, as the php:fpm images' does)"],
    ['redis-server --port 6380 --daemonize YES', 'redis-server --daemonize YES goes to the background'],
    ['gunicorn -D -w 4 app:app', 'gunicorn -D goes to the background'],
    ['memcached --daemon -m 64', 'memcached --daemon goes to the background'],
    ['bundle exec unicorn_rails --daemonize', 'unicorn_rails --daemonize goes to the background'],
    ['uwsgi --ini app.ini --daemonize=/var/log/uwsgi.log', 'uwsgi --daemonize=/var/log/uwsgi.log goes to the background'],
    ['bundle exec rails s --daemon', 'rails s --daemon goes to the background'],
    ['celery -A proj worker -D', 'celery -D runs the worker in the background', 'celery -A proj worker'],
    ['httpd -k restart', '`httpd -k restart` starts apache (none runs yet) in the background'],
    ['apache2 -k start -f /etc/apache2/apache2.conf', '`apache2 -k start` goes to the background'],
    ['service nginx start && tail -f /var/log/nginx/access.log', '`service nginx start` starts nginx in the background and returns', 'run nginx itself in the foreground (its foreground flag), or as a Procfile entry of its own'],
    ['/etc/init.d/apache2 start && sleep infinity', 'the init script `/etc/init.d/apache2 start` starts apache2 in the background and returns'],
    ['pm2 start app.js -i 4', '`pm2 start` hands the app to a pm2 daemon in the background', 'use pm2-runtime, which stays in the foreground: pm2-runtime start app.js -i 4'],
    ['pg_ctl -D /var/lib/postgresql/data start', '`pg_ctl start` starts PostgreSQL', 'run the server itself in the foreground: postgres -D /var/lib/postgresql/data'],
    ['apache2ctl graceful', '`apache2ctl graceful` starts apache in the background', 'run apache in the foreground: apache2ctl -D FOREGROUND, not apache2ctl graceful'],
    ["nginx -g 'daemon off;' -g 'pid /tmp/nginx.pid;'", "nginx reads only its last -g (`pid /tmp/nginx.pid;`), not the `daemon off;` of an earlier one"],
    ["nginx -g 'pid /tmp/nginx.pid;'", "nginx goes to the background unless told `daemon off;`, which its -g (`pid /tmp/nginx.pid;`) does not say"],
    ["nginx -g 'daemon on;'", 'nginx goes to the background: its -g says `daemon on;`'],
    ['busybox httpd -p 8080', "busybox's httpd goes to the background unless given -f"],
    ['crond', "crond goes to the background unless given -f (busybox's and cronie's crond both read it; cronie's also -n)"],
    ['mongod --fork --logpath /var/log/mongod.log', 'mongod --fork goes to the background'],
  ])('names what sends it to the background: %s', (command, detail, hint) => {
    const [finding] = lint(command).filter((found) => found.rule === 'daemonizes');
    expect(finding!.detail).toContain(detail);
    if (hint !== undefined) expect(finding!.hint).toBe(hint);
  });

  describe('reads the line a shell runs with -c', () => {
    it("takes a shell's line for what keeps the container up only where that shell is the Procfile line's foreground", () => {
      const pitfalls = (command: string) => lint(command).filter((finding) => finding.severity !== 'info');
      // In the background, or before the foreground, the idle line keeps nothing up: python does
      expect(lint(`setsid sh -c 'trap "" TERM; while :; do sleep 1; done' & exec python3 -m http.server $PORT`).map((finding) => finding.rule)).not.toContain('idle-foreground');
      expect(pitfalls("sh -c 'sleep infinity' && exec node app.js")).toEqual([]);
      const inner = lint("sh -c 'worker & sleep infinity' & exec web").filter((finding) => finding.detail.startsWith('in the line'));
      expect(inner).toEqual([
        expect.objectContaining({
          rule: 'background-app',
          detail: 'in the line `sh -c` runs, `worker` runs in the background: when it crashes, procwarden does not see it.',
          hint: 'run `worker` in the foreground, last, and give every other long-running program a Procfile entry of its own',
        }),
      ]);
      // In front, it does
      expect(pitfalls(`exec sh -c 'trap "" TERM; while :; do sleep 1; done'`).map((finding) => finding.rule)).toEqual(['idle-foreground']);
      expect(pitfalls("node app.js && sh -c 'sleep infinity'").map((finding) => finding.rule)).toEqual(['idle-foreground']);
    });

    it.each(NESTED)('$bad, not its twin $twin', ({ bad, rules, hint, twin }) => {
      const findings = lint(bad);
      expect(findings.map((finding) => finding.rule).sort()).toEqual([...rules].sort());
      expect(findings.find((finding) => finding.rule === rules[0])!.hint).toBe(hint);
      for (const finding of findings) expect(finding.detail).toMatch(/runs in the background|^in the line `[a-z ]+ -c` runs, /);
      expect(lint(twin).filter((finding) => finding.severity !== 'info')).toEqual([]);
      // A fix is a whole line the linter passes.
      if (!/^(run|make) /.test(hint)) expect(lint(hint).filter((finding) => finding.severity !== 'info')).toEqual([]);
    });
  });
});
