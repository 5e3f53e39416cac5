// The wrappers a Procfile command runs its program through (`exec`, `env`, `gosu`, `bundle
// exec`, `python -m` ...): where, in a wrapper's arguments, the program it runs is, and
// whether the wrapper finds that program on the PATH as the shell does. The pitfall rules
// look through every wrapper (a daemon is a daemon behind `bundle exec`); `check --programs`
// looks up a program on the PATH only where the shell, or a wrapper in the same way, would.
// Pure.

export interface Wrapper {
  /**
   * The index, in the wrapper's arguments, of the program it runs; -1 where these arguments
   * run none the linter can read (`bundle install`, `python app.py`, `command -v x`).
   */
  readonly programAt: (args: readonly string[]) => number;
  /**
   * Whether, with these arguments, it finds that program as the shell does: a name in the
   * folders of the line's PATH, a path from the line's folder (execvp(3), Go's
   * exec.LookPath). Not a module (`python -m`), a package's binary (`npx`), a bundle's
   * binstub (`bundle exec`), a multi-call binary's own applet (`busybox httpd`); nor a
   * search under another PATH or from another folder (`env PATH=/opt/bin x`, `env -i x`,
   * `env -C /srv ./x`, `command -p x`).
   */
  readonly onPath: (args: readonly string[]) => boolean;
}

/**
 * A command line's options as getopt(3) reads them when told to stop at the first word that
 * is no option (a `+` first in GNU's option string, as env, nice, timeout, stdbuf, setsid
 * and chpst have; where a wrapper's program name follows its options, getopt stops there
 * anyway). `valued`: the short letters that take a value (attached, `-n5`, or the next
 * word); `longValued`: the long options that take the next word unless written
 * `--name=value`. `--` ends the options. Gives the index of that first word (-1 when none
 * is left) and the short letters given before it.
 */
export function readOptions(args: readonly string[], valued = '', longValued: readonly string[] = []): { operand: number; letters: string } {
  let letters = '';
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!;
    if (arg === '--') return { operand: at + 1 < args.length ? at + 1 : -1, letters };
    if (arg.startsWith('--')) {
      if (longValued.includes(arg)) at += 1;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') return { operand: at, letters };
    for (let i = 1; i < arg.length; i++) {
      letters += arg[i]!;
      if (!valued.includes(arg[i]!)) continue;
      if (i === arg.length - 1) at += 1;
      break;
    }
  }
  return { operand: -1, letters };
}

/** The index of the first word that is no option (readOptions), or -1. */
export const operandAt = (args: readonly string[], valued = '', longValued: readonly string[] = []) => readOptions(args, valued, longValued).operand;

/** The word after a wrapper's own leading operands (`timeout 5 x`: after the duration), or -1. */
const after = (args: readonly string[], at: number, count: number) => (at >= 0 && at + count < args.length ? at + count : -1);

/**
 * env's command line: GNU coreutils env (getopt_long "+C:iS:u:v0" with --ignore-environment,
 * --chdir, --split-string, --unset, --null, --debug and the signal options), busybox env
 * (-i, -0, -u NAME) and POSIX env (-i, and `-` for it); then NAME=VALUE words, then the
 * program, which env runs with execvp(3): under the PATH of the environment it made. So the
 * program is found as the shell would find it unless env clears the environment (-i), sets
 * PATH, or changes folder (-C). `-S STRING` splits a string into the program and its
 * arguments: not read.
 */
export function readEnv(args: readonly string[]): { at: number; samePath: boolean } {
  let samePath = true;
  let at = 0;
  options: for (; at < args.length; at++) {
    const arg = args[at]!;
    if (arg === '--') {
      at += 1;
      break;
    }
    if (arg === '-') {
      samePath = false;
      continue;
    }
    if (arg.startsWith('--')) {
      const name = arg.split('=')[0]!;
      if (name === '--split-string') return { at: -1, samePath };
      if (name === '--ignore-environment' || name === '--chdir') samePath = false;
      if (arg === '--unset' || arg === '--chdir') at += 1;
      continue;
    }
    if (!arg.startsWith('-')) break;
    for (let i = 1; i < arg.length; i++) {
      const letter = arg[i]!;
      if (letter === 'S') return { at: -1, samePath };
      if (letter === 'i') samePath = false;
      if (letter === 'u' || letter === 'C') {
        if (letter === 'C') samePath = false;
        if (i === arg.length - 1) at += 1;
        continue options;
      }
    }
  }
  for (; at < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[at]!); at++) {
    if (args[at]!.startsWith('PATH=')) samePath = false;
  }
  return { at: at < args.length ? at : -1, samePath };
}

/**
 * Python's command line (docs.python.org/3/using/cmdline.html; Python's own getopt reads
 * "bBc:dEhiIJm:OPqRsStuvVW:xX:?" and --check-hash-based-pycs MODE): options, grouped or
 * not, up to -m MODULE, -c COMMAND, `-` (standard input) or a script. The index of the
 * module for `-m MODULE`; -1 for the rest, and for a module written against -m (`-mhttp.server`).
 */
export function pythonModuleAt(args: readonly string[]): number {
  for (let at = 0; at < args.length; at++) {
    const arg = args[at]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return -1;
    if (arg.startsWith('--')) {
      if (arg === '--check-hash-based-pycs') at += 1;
      continue;
    }
    for (let i = 1; i < arg.length; i++) {
      const letter = arg[i]!;
      if (letter === 'm') return i === arg.length - 1 && at + 1 < args.length ? at + 1 : -1;
      if (letter === 'c') return -1;
      if (letter === 'W' || letter === 'X') {
        if (i === arg.length - 1) at += 1;
        break;
      }
    }
  }
  return -1;
}

/**
 * npm exec: a binary of the project's node_modules/.bin (looked for up the folders), of the
 * global prefix, or of a package it downloads to its cache (docs.npmjs.com/cli/commands/npx;
 * libnpmexec). -p/--package PKG names the package; -c/--call runs a command string: not read.
 */
function npxProgramAt(args: readonly string[]): number {
  const { operand, letters } = readOptions(args, 'pc', ['--package', '--call']);
  const options = args.slice(0, operand < 0 ? args.length : operand);
  return letters.includes('c') || options.some((arg) => arg === '--call' || arg.startsWith('--call=')) ? -1 : operand;
}

/** A program found as the shell finds it, whatever the arguments. */
const PATH = () => true;
/** A program found some other way: see each wrapper's row. */
const NOT_PATH = () => false;

const WRAPPERS: ReadonlyMap<string, Wrapper> = new Map<string, Wrapper>([
  // The shell's own: it searches the PATH for the program (POSIX XCU 2.9.1.1); bash's exec takes -a NAME.
  ['exec', { programAt: (args) => operandAt(args, 'a'), onPath: PATH }],
  // `command -v`/`-V` only say what a name is; `command -p` searches a default PATH of its own (POSIX command(1)).
  ['command', { programAt: (args) => (/[vV]/.test(readOptions(args).letters) ? -1 : operandAt(args)), onPath: (args) => !readOptions(args).letters.includes('p') }],
  // bash's keyword (time -p), or GNU time(1), getopt "+af:o:pqvV", which runs it with execvp.
  ['time', { programAt: (args) => operandAt(args, 'fo', ['--format', '--output']), onPath: PATH }],
  // coreutils nice(1): -n N, -N, --adjustment=N; execvp.
  ['nice', { programAt: (args) => operandAt(args, 'n', ['--adjustment']), onPath: PATH }],
  ['env', { programAt: (args) => readEnv(args).at, onPath: (args) => readEnv(args).samePath }],
  // coreutils timeout(1), getopt "+fk:ps:v", then DURATION, then the program; execvp.
  ['timeout', { programAt: (args) => after(args, operandAt(args, 'ks', ['--kill-after', '--signal']), 1), onPath: PATH }],
  // coreutils stdbuf(1), getopt "+i:o:e:"; execvp.
  ['stdbuf', { programAt: (args) => operandAt(args, 'ioe', ['--input', '--output', '--error']), onPath: PATH }],
  // gosu USER PROGRAM: exec.LookPath, once the user is set (gosu's main.go).
  ['gosu', { programAt: (args) => (args[0]?.startsWith('-') ? -1 : after(args, 0, 1)), onPath: PATH }],
  // su-exec USER PROGRAM: execvp (su-exec.c).
  ['su-exec', { programAt: (args) => (args[0]?.startsWith('-') ? -1 : after(args, 0, 1)), onPath: PATH }],
  // daemontools' setuidgid ACCOUNT PROGRAM: pathexec_run, which searches $PATH.
  ['setuidgid', { programAt: (args) => after(args, 0, 1), onPath: PATH }],
  // runit's chpst, getopt "+u:U:b:e:m:d:o:p:f:c:r:t:/:C:n:l:L:vP012V"; pathexec, from
  // another folder with -C, or another root with -/, or environment with -e.
  [
    'chpst',
    {
      programAt: (args) => operandAt(args, 'uUbemdopfcrt/CnlL'),
      onPath: (args) => !/[e/C]/.test(readOptions(args, 'uUbemdopfcrt/CnlL').letters),
    },
  ],
  // dumb-init, getopt_long "+hvVcr:" (--rewrite S:R); execvp (dumb-init.c).
  ['dumb-init', { programAt: (args) => operandAt(args, 'r', ['--rewrite']), onPath: PATH }],
  // tini, getopt "p:hvwgle:s"; execvp (tini.c).
  ['tini', { programAt: (args) => operandAt(args, 'pe'), onPath: PATH }],
  // coreutils nohup(1): execvp. util-linux setsid(1), getopt "+Vhcfw": execvp.
  ['nohup', { programAt: (args) => operandAt(args), onPath: PATH }],
  ['setsid', { programAt: (args) => operandAt(args), onPath: PATH }],
  // npm exec: a binary of the project's node_modules/.bin (looked for up the folders), of the
  // global prefix, or of a package it downloads to its cache (docs.npmjs.com/cli/commands/npx;
  // libnpmexec). -p/--package PKG; -c/--call runs a command string: not read.
  ['npx', { programAt: npxProgramAt, onPath: NOT_PATH }],
  // `bundle exec PROGRAM`: Bundler's which, on a PATH with the bundle's own bin folder first
  // (bundler/lib/bundler/cli/exec.rb; SharedHelpers#set_path): a binstub of the bundle.
  ['bundle', { programAt: (args) => (args[0] === 'exec' ? after(args, operandAt(args.slice(1)), 1) : -1), onPath: NOT_PATH }],
  // `busybox APPLET`: busybox runs its own applet (not sh or ash: SHELLS reads those).
  ['busybox', { programAt: (args) => (args[0] === undefined || args[0].startsWith('-') || args[0] === 'sh' || args[0] === 'ash' ? -1 : 0), onPath: NOT_PATH }],
]);

/** python, python3, python3.12: `python -m MODULE` runs a module, found on sys.path. */
const PYTHON: Wrapper = { programAt: pythonModuleAt, onPath: NOT_PATH };

/** The wrapper of this name (a program's name, its path's last part), if it is one. */
export function wrapperOf(name: string): Wrapper | undefined {
  return WRAPPERS.get(name) ?? (/^python(\d+(\.\d+)*)?$/.test(name) ? PYTHON : undefined);
}

/** One wrapper a command runs through: its word's index, its name, and whether it finds the next word on the PATH. */
export interface Link {
  readonly at: number;
  readonly name: string;
  readonly onPath: boolean;
}

/**
 * A command's words (without its VAR=value assignments) looked through its wrappers: the
 * wrappers in order, and the index of the program that really runs (`['exec', 'gosu',
 * 'app', 'nginx']`: exec and gosu, then nginx at 3). A wrapper whose arguments run nothing
 * readable is the program itself (`bundle install`). `disown` is read by the rules.
 */
export function unwrap(words: readonly string[]): { wrappers: Link[]; program: number } {
  const wrappers: Link[] = [];
  let at = 0;
  while (at < words.length) {
    const name = basename(words[at]!);
    const wrapper = wrapperOf(name);
    const args = words.slice(at + 1);
    const next = wrapper?.programAt(args) ?? -1;
    if (wrapper === undefined || next < 0) break;
    wrappers.push({ at, name, onPath: wrapper.onPath(args) });
    at += 1 + next;
  }
  return { wrappers, program: at };
}

/**
 * Words the shell runs itself, never looked up on the PATH: POSIX special and regular
 * builtins, and dash's. `time` too: a reserved word of bash's; dash, which has none, runs
 * /usr/bin/time, which the image may lack, but which /bin/sh is, the linter does not know.
 */
export const SHELL_BUILTINS: ReadonlySet<string> = new Set([
  ':', '.', '[', 'alias', 'bg', 'break', 'cd', 'command', 'continue', 'echo', 'eval', 'exec', 'exit', 'export', 'false', 'fg',
  'getopts', 'hash', 'jobs', 'kill', 'local', 'printf', 'pwd', 'read', 'readonly', 'return', 'set', 'shift', 'test', 'times',
  'trap', 'true', 'type', 'ulimit', 'umask', 'unalias', 'unset', 'wait', 'time',
]);

/**
 * The indexes of the words of a command (without its assignments) that are looked up as
 * programs when it runs: the first, which the shell looks up, and each program after a
 * wrapper that finds it as the shell does (`exec`, `env`, `nice`, `timeout`, `gosu`,
 * `setsid` ...). Not a wrapper's own program that it finds otherwise (`python3 -m
 * http.server`: python3 only; `npx next`: npx; `bundle exec puma`: bundle), nor anything
 * after it, nor a shell builtin (`exec`, `command`, `time`).
 * `['exec', 'env', 'FOO=1', 'nice', 'gunicorn']` gives 1, 3, 4.
 */
export function lookedUp(words: readonly string[]): number[] {
  const { wrappers, program } = unwrap(words);
  const found: number[] = [];
  let searched = true;
  for (const at of [...wrappers.map((link) => link.at), program]) {
    if (at >= words.length) break;
    if (searched && !SHELL_BUILTINS.has(words[at]!)) found.push(at);
    const link = wrappers.find((candidate) => candidate.at === at);
    searched = searched && link?.onPath === true;
  }
  return found;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
