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

  it('runs anything else as written', () => {
    for (const line of [
      'cd app && python3 server.py',
      'a; b',
      'a | b',
      'a > log',
      'a &',
      '(a)',
      'echo $(date)',
      'echo `date`',
      'echo "$(date)"',
      'FOO=1 a',
      'exec a',
      'cd /app',
      'export A=1',
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
