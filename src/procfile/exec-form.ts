// A Procfile line whose last command is a simple one (`web: gunicorn -b 0.0.0.0:$PORT app:app`,
// `web: cd app && bundle exec puma`) runs with `exec` before that command under /bin/sh -c,
// so the shell is replaced by the app. Debian's sh (dash) does not do this by itself for
// `sh -c`: it stays the app's parent, dies at once of the SIGTERM, SIGHUP or SIGUSR1 meant
// for the app, and on SIGINT waits for the app and then dies of it, hiding the app's exit.
// With exec, the app is the process procwarden started: its signals, its exit code, its
// LISTEN_PID. Anything the check below does not know to be commands joined by `&&` runs as
// written. Pure.

/** Words that are not a program to exec: reserved words, and builtins with no program of their name. */
const SHELL_WORDS = new Set([
  '!', '{', '}', '[[', ']]', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in',
  'select', 'then', 'time', 'until', 'while', '.', ':', 'alias', 'bg', 'break', 'builtin', 'cd', 'command',
  'continue', 'declare', 'eval', 'exec', 'exit', 'export', 'fg', 'getopts', 'hash', 'jobs', 'let', 'local', 'read',
  'readonly', 'return', 'set', 'shift', 'source', 'times', 'trap', 'type', 'typeset', 'ulimit', 'umask', 'unalias',
  'unset', 'wait',
]);

/** Characters that make a line more than simple commands joined by `&&` when they stand outside quotes. */
const OPERATORS = new Set([';', '&', '|', '<', '>', '(', ')', '`', '\n', '\r', '{', '}', '#']);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * The line with `exec` before its last command, when the line is simple commands joined by
 * `&&` (words, quoted strings, $VAR and ${VAR} expansions; no other operator, redirection,
 * command substitution or comment) and that last command, after any VAR=value assignments,
 * names a program (not cd, export, if ...). Otherwise undefined: the line runs as written.
 * `exec` keeps the line's meaning: the commands before run as before, and the last one's
 * exit is the line's.
 */
export function execForm(command: string): string | undefined {
  const line = command.trim();
  const last = lastCommandStart(line);
  if (last === undefined) return undefined;
  const program = wordsFrom(line, last).find((word) => !ASSIGNMENT.test(word.text));
  if (program === undefined || SHELL_WORDS.has(program.text)) return undefined;
  return `${line.slice(0, program.start)}exec ${line.slice(program.start)}`;
}

/** Where the last of the `&&`-joined commands begins, or undefined when the line is anything else. */
function lastCommandStart(line: string): number | undefined {
  let quote: "'" | '"' | undefined;
  let inExpansion = false;
  let last = 0;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    const next = line[index + 1];
    if (quote === "'") {
      if (char === "'") quote = undefined;
      continue;
    }
    if (char === '\\') {
      if (next === '\n' || next === undefined) return undefined;
      index++;
      continue;
    }
    if (char === '$' && next === '(') return undefined;
    if (quote === '"') {
      if (char === '`') return undefined;
      if (char === '"') quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      continue;
    }
    if (char === '$' && next === '{') {
      if (inExpansion) return undefined;
      inExpansion = true;
      index++;
      continue;
    }
    if (char === '}' && inExpansion) {
      inExpansion = false;
      continue;
    }
    if (inExpansion) continue;
    if (char === '&' && next === '&') {
      index++;
      last = index + 1;
      continue;
    }
    if (OPERATORS.has(char)) return undefined;
  }
  if (quote !== undefined || inExpansion) return undefined;
  return line.slice(last).trim() === '' ? undefined : last;
}

/** The words of `line` from `from` on, each with where it starts; quotes kept in the text. */
function wordsFrom(line: string, from: number): { text: string; start: number }[] {
  const words: { text: string; start: number }[] = [];
  let index = from;
  while (index < line.length) {
    while (index < line.length && /\s/.test(line[index]!)) index++;
    if (index >= line.length) break;
    const start = index;
    let quote: string | undefined;
    while (index < line.length && (quote !== undefined || !/\s/.test(line[index]!))) {
      const char = line[index]!;
      if (quote === undefined && (char === "'" || char === '"')) quote = char;
      else if (char === quote) quote = undefined;
      else if (char === '\\' && quote !== "'") index++;
      index++;
    }
    words.push({ text: line.slice(start, index), start });
  }
  return words;
}
