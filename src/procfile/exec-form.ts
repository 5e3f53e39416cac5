// A Procfile line that is one simple command (`web: gunicorn -b 0.0.0.0:$PORT app:app`) runs
// as `exec COMMAND` under /bin/sh -c, so the shell is replaced by the app. Debian's sh
// (dash) does not do this by itself for `sh -c`: it stays the app's parent, dies at once of
// the SIGTERM, SIGHUP or SIGUSR1 meant for the app, and only the app's own handler makes
// that harmless. With exec, the app is the process procwarden started: its signals, its exit
// code. Anything the check below does not know to be one simple command runs as written.
// Pure.

/** Words that are not a program to exec: reserved words and the builtins that act on the shell itself. */
const SHELL_WORDS = new Set([
  '!', '{', '}', '[[', ']]', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if', 'in',
  'select', 'then', 'time', 'until', 'while', '.', ':', 'alias', 'break', 'builtin', 'cd', 'command', 'continue',
  'eval', 'exec', 'exit', 'export', 'local', 'readonly', 'return', 'set', 'shift', 'source', 'times', 'trap',
  'ulimit', 'umask', 'unalias', 'unset', 'wait',
]);

/** Characters that make a line more than one simple command when they stand outside quotes. */
const OPERATORS = new Set([';', '&', '|', '<', '>', '(', ')', '`', '\n', '\r', '{', '}', '#']);

/**
 * `exec COMMAND` when COMMAND is one simple command: words, quoted strings and $VAR or
 * ${VAR} expansions, with no operator, redirection, command substitution or comment, not
 * starting with an assignment (VAR=value) or a shell word (cd, export, if ...). Otherwise
 * undefined: the line runs as written.
 */
export function execForm(command: string): string | undefined {
  const line = command.trim();
  if (line === '' || !isOneSimpleCommand(line)) return undefined;
  const first = /^[^\s'"]*/.exec(line)?.[0] ?? '';
  if (first === '' || SHELL_WORDS.has(first) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(first)) return undefined;
  return `exec ${line}`;
}

function isOneSimpleCommand(line: string): boolean {
  let quote: "'" | '"' | undefined;
  let inExpansion = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index]!;
    const next = line[index + 1];
    if (quote === "'") {
      if (char === "'") quote = undefined;
      continue;
    }
    if (char === '\\') {
      if (next === '\n' || next === undefined) return false;
      index++;
      continue;
    }
    if (char === '$' && next === '(') return false;
    if (quote === '"') {
      if (char === '`') return false;
      if (char === '"') quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      continue;
    }
    if (char === '$' && next === '{') {
      if (inExpansion) return false;
      inExpansion = true;
      index++;
      continue;
    }
    if (char === '}' && inExpansion) {
      inExpansion = false;
      continue;
    }
    if (inExpansion) continue;
    if (OPERATORS.has(char)) return false;
  }
  return quote === undefined && !inExpansion;
}
