// The programs `check --programs` looks up on the PATH: those the shell runs, and those a
// wrapper finds the same way (execvp); not a module, a package's binary or a bundle's
// binstub that a wrapper finds its own way. As plain words, and through the shell parser.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { programsOf } from '../../src/lint/lint.ts';
import { lookedUp, pythonModuleAt, readEnv, unwrap } from '../../src/lint/wrappers.ts';
import { nodeModulesParser } from '../support/shell-parser.ts';

const looked = (line: string) => {
  const words = line.split(' ');
  return lookedUp(words).map((at) => words[at]);
};

describe('the words looked up on the PATH', () => {
  it.each<[line: string, programs: string[]]>([
    // A wrapper that finds its program its own way: the wrapper only
    ['python3 -m http.server $PORT', ['python3']],
    ['python -m gunicorn app:app', ['python']],
    ['python3.12 -u -X dev -m celery -A proj worker', ['python3.12']],
    ['npx next start', ['npx']],
    ['npx -y --package=next next start', ['npx']],
    ['bundle exec puma -C config/puma.rb', ['bundle']],
    ['bundle install', ['bundle']],
    ['busybox httpd -f -p 8080', ['busybox']],
    // Wrappers that run it with execvp: both
    ['env FOO=1 gunicorn app:app', ['env', 'gunicorn']],
    ['env -u DEBUG gunicorn', ['env', 'gunicorn']],
    ['env -uDEBUG -- gunicorn', ['env', 'gunicorn']],
    ['nice -n 10 gunicorn', ['nice', 'gunicorn']],
    ['nice -5 gunicorn', ['nice', 'gunicorn']],
    ['timeout 5 gunicorn', ['timeout', 'gunicorn']],
    ['timeout -k 10 -s INT 5m gunicorn', ['timeout', 'gunicorn']],
    ['stdbuf -oL python3 app.py', ['stdbuf', 'python3']],
    ['setsid -f gunicorn', ['setsid', 'gunicorn']],
    ['nohup gunicorn', ['nohup', 'gunicorn']],
    ['gosu app gunicorn', ['gosu', 'gunicorn']],
    ['su-exec app:app gunicorn', ['su-exec', 'gunicorn']],
    ['chpst -u app -P gunicorn', ['chpst', 'gunicorn']],
    ['tini -- gunicorn', ['tini', 'gunicorn']],
    ['tini -s -e 143 gunicorn', ['tini', 'gunicorn']],
    ['dumb-init --rewrite 15:2 gunicorn', ['dumb-init', 'gunicorn']],
    // Shell builtins are not looked up; what exec, command and time run is
    ['exec gunicorn', ['gunicorn']],
    ['exec env FOO=1 nice -n 5 gunicorn', ['env', 'nice', 'gunicorn']],
    ['command gunicorn', ['gunicorn']],
    ['time gunicorn', ['gunicorn']],
    ['exec python3 -m http.server', ['python3']],
    // ... nor what runs after a wrapper that finds its program its own way
    ['npx env FOO=1 next', ['npx']],
    ['exec bundle exec env FOO=1 puma', ['bundle']],
    // ... nor a program found under another PATH or from another folder
    ['env PATH=/opt/app/bin gunicorn', ['env']],
    ['env -i gunicorn', ['env']],
    ['env - gunicorn', ['env']],
    ['env -C /srv ./bin/app', ['env']],
    ['command -p gunicorn', []],
    ['chpst -C /srv ./bin/app', ['chpst']],
    // `command -v` only says what a name is; `env -S` splits a string the linter does not read
    ['command -v gunicorn', []],
    ['env -S gunicorn', ['env']],
  ])('%s', (line, programs) => {
    expect(looked(line)).toEqual(programs);
  });
});

describe("wrappers' own command lines", () => {
  it('python: options grouped or not, up to -m MODULE; a script, -c and stdin run no module', () => {
    expect(pythonModuleAt(['-m', 'http.server'])).toBe(1);
    expect(pythonModuleAt(['-um', 'gunicorn'])).toBe(1);
    expect(pythonModuleAt(['-W', 'ignore', '-X', 'dev', '-m', 'x'])).toBe(5);
    expect(pythonModuleAt(['-Wignore', '-m', 'x'])).toBe(2);
    expect(pythonModuleAt(['app.py', '-m', 'x'])).toBe(-1);
    expect(pythonModuleAt(['-c', 'import x', '-m', 'y'])).toBe(-1);
    expect(pythonModuleAt(['-', '-m', 'y'])).toBe(-1);
    expect(pythonModuleAt(['-mhttp.server'])).toBe(-1);
  });

  it('env: options, NAME=VALUE words, then the program; and whether it keeps the PATH and folder', () => {
    expect(readEnv(['-u', 'A', 'B=1', 'app'])).toEqual({ at: 3, samePath: true });
    expect(readEnv(['--unset=A', '--', 'app'])).toEqual({ at: 2, samePath: true });
    expect(readEnv(['-i', 'HOME=/', 'app'])).toEqual({ at: 2, samePath: false });
    expect(readEnv(['--chdir', '/srv', 'app'])).toEqual({ at: 2, samePath: false });
    expect(readEnv(['PATH=/x', 'app'])).toEqual({ at: 1, samePath: false });
    expect(readEnv(['A=1'])).toEqual({ at: -1, samePath: true });
  });

  it('unwrap gives the wrappers and the program that really runs', () => {
    expect(unwrap(['exec', 'gosu', 'app', 'nginx', '-g', 'daemon off;'])).toEqual({
      wrappers: [
        { at: 0, name: 'exec', onPath: true },
        { at: 1, name: 'gosu', onPath: true },
      ],
      program: 3,
    });
    expect(unwrap(['python3', '-m', 'gunicorn', '-D']).program).toBe(2);
    expect(unwrap(['busybox', 'sh', '-c', 'nginx']).program).toBe(0);
  });
});

describe('the programs of a Procfile line', () => {
  let parser: Parser;
  beforeAll(async () => {
    parser = await nodeModulesParser();
  });
  const programs = (command: string) => programsOf(parser.parse(command)!.rootNode).map(({ program }) => program);

  it.each<[command: string, programs: string[]]>([
    ['python3 -m http.server $PORT', ['python3']],
    ['npx next start -p $PORT', ['npx']],
    ['bundle exec rake db:migrate && bundle exec puma -p $PORT', ['bundle', 'bundle']],
    ['exec env FOO=1 nice -n 5 gunicorn app:app', ['env', 'nice', 'gunicorn']],
    ['command -v gunicorn > /dev/null && exec gunicorn app:app', ['gunicorn']],
    ['./bin/setup && exec "./bin/server" --port $PORT', ['./bin/setup', './bin/server']],
    ['exec $APP_BIN', []],
    ['exec `cat bin.txt`', []],
    // Where the line sets PATH, or sources a file that may, names are not followed; paths are
    ['export PATH=/app/.venv/bin:$PATH && exec gunicorn app:app', []],
    ['PATH=/app/bin:$PATH exec gunicorn', []],
    ['. .venv/bin/activate && exec gunicorn app:app', []],
    ['source .venv/bin/activate; ./bin/web', ['./bin/web']],
  ])('%s', (command, expected) => {
    expect(programs(command)).toEqual(expected);
  });
});
