import { describe, expect, it } from 'vitest';
import { execForm } from '../../src/procfile/exec-form.ts';

describe('which Procfile lines the shell execs', () => {
  it('execs one simple command: words, quotes, $VAR and ${VAR}', () => {
    for (const line of [
      'gunicorn -b 0.0.0.0:$PORT app:app',
      'bundle exec sidekiq -C config/sidekiq.yml',
      'python3 server.py',
      `node -e "console.log('hi; there')"`,
      "sh -c 'a && b'",
      'puma -p ${PORT:-5000}',
      'java $JAVA_OPTS -jar app.jar',
      'ls *.txt',
    ]) {
      expect(execForm(line), line).toBe(`exec ${line}`);
    }
  });

  it('execs the last of commands joined by &&, after any assignments', () => {
    expect(execForm('cd app && python3 server.py')).toBe('cd app && exec python3 server.py');
    expect(execForm('bundle exec rake db:migrate && bundle exec puma')).toBe('bundle exec rake db:migrate && exec bundle exec puma');
    expect(execForm('FOO=1 a')).toBe('FOO=1 exec a');
    expect(execForm(`A="x y" B='z' node app.js`)).toBe(`A="x y" B='z' exec node app.js`);
    expect(execForm('cd app && WEB_CONCURRENCY=2 gunicorn app:app')).toBe('cd app && WEB_CONCURRENCY=2 exec gunicorn app:app');
  });

  it('runs anything else as written', () => {
    for (const line of [
      'a; b',
      'a | b',
      'a || b',
      'a > log',
      'a &',
      'a && b &',
      '(a)',
      'echo $(date)',
      'echo `date`',
      'echo "$(date)"',
      'FOO=1',
      'exec a',
      'cd /app',
      'a && cd /app',
      'a &&',
      'export A=1',
      'type sh',
      'read line',
      'if true; then a; fi',
      '{ a; }',
      'a # comment',
      "echo 'unclosed",
      'echo ${UNCLOSED',
      'a\nb',
      '',
    ]) {
      expect(execForm(line), line).toBeUndefined();
    }
  });
});
