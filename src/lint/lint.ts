// The static linter: reads a Procfile command through a real shell parser's syntax tree
// (tree-sitter-bash) and finds the ways it can put the app out of procwarden's reach. Pure:
// it gets a tree, not a parser, and tests feed it trees of their own; for the lines a shell
// of the command runs (`sh -c '...'`) it is given a parse function too.

import { execForm } from '../procfile/exec-form.ts';
import { commandString, fitQuotes, type CommandString } from './command-string.ts';
import { DETACHERS, SHELLS, commandStringAt, daemonRowFor, isIdle, type DaemonRow, type Rewrite } from './rules.ts';
import { SHELL_BUILTINS, lookedUp, unwrap } from './wrappers.ts';

/** The part of a syntax-tree node the linter reads (web-tree-sitter's Node has it). */
export interface SyntaxNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly hasError: boolean;
  readonly children: readonly SyntaxNode[];
}

/** Parses a command line found inside another (`sh -c '...'`); `done` frees its tree. */
export type Parse = (command: string) => { root: SyntaxNode; done: () => void };

export type RuleId = 'background-app' | 'idle-foreground' | 'daemonizes' | 'detached' | 'missing-program' | 'shell-parent';

export interface Finding {
  readonly rule: RuleId;
  /** The offending part of the command. */
  readonly part: string;
  readonly detail: string;
  /** The rewritten command where one exists, else what to do. */
  readonly hint: string;
  /** `info`: advice, no pitfall (it does not fail `procwarden check`). */
  readonly severity?: 'info';
}

/**
 * A finding, and the rewritten command when its hint is one (not advice); with `entry`, the
 * advice to give where that rewrite cannot be the whole line's.
 */
interface Found extends Finding {
  readonly fixed?: string;
  readonly entry?: string;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A simple command, looked through wrappers, with what the walk learned about it. */
interface Simple {
  readonly node: SyntaxNode;
  /** The statement it stands in: the command with its redirections. */
  readonly statement: SyntaxNode;
  readonly background: boolean;
  /** The program that really runs (its name), and its arguments. */
  readonly program: string;
  /** The program as the command writes it: a name, or a path. */
  readonly programWord?: string;
  /** The wrappers it runs through, in order (`exec`, `gosu`, `busybox` ...). */
  readonly via: readonly string[];
  /** The words looked up as programs when it runs (wrappers.ts lookedUp). */
  readonly looked: readonly Word[];
  readonly args: readonly string[];
  /** Where the program's arguments start in `words`. */
  readonly argsAt: number;
  readonly words: readonly Word[];
  readonly detachers: readonly Word[];
  readonly idle: boolean;
}

interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly node?: SyntaxNode;
}

const STATEMENT_CONTAINERS = new Set(['program', 'subshell', 'compound_statement', 'do_group', 'list', 'pipeline']);

/**
 * The programs a command runs that are looked up when it runs, as it writes them
 * (`gunicorn`, `./bin/app`): the programs the shell runs, and those that wrappers find the
 * same way (`exec`, `env`, `nice`, `gosu` ...; wrappers.ts), not those that a wrapper finds
 * otherwise (`python3 -m http.server` gives python3, `bundle exec puma` bundle). Left out:
 * shell builtins, words with a `$` or a backquote (known only when the command runs),
 * relative paths after a `cd`, and names where the line sets PATH or sources a file (`export
 * PATH=...`, `PATH=/opt/bin app`, `. venv/bin/activate`), which the linter cannot follow.
 * For `procwarden check --programs`.
 */
export function programsOf(root: SyntaxNode): { readonly program: string; readonly part: string }[] {
  const simples: Simple[] = [];
  walk(root, false, root, simples);
  // After a `cd`, a relative path names a file of another folder: not looked up.
  const changesFolder = simples.some((simple) => simple.programWord === 'cd');
  const changesPath = setsPath(root);
  return simples.flatMap((simple) =>
    simple.looked
      .filter((word) => !/[$`]/.test(word.text))
      .filter((word) => (word.text.includes('/') ? word.text.startsWith('/') || !changesFolder : !changesPath))
      .map((word) => ({ program: word.text, part: simple.statement.text })),
  );
}

/** Whether a line sets PATH (`export PATH=...`, `PATH=x app`) or sources a file (`.`, `source`), which may set it. */
function setsPath(node: SyntaxNode): boolean {
  if (node.type === 'variable_assignment' && node.children[0]?.text === 'PATH') return true;
  if (node.type === 'command' && /^(\.|source)$/.test(node.children.find((child) => child.type === 'command_name')?.text ?? '')) return true;
  return node.children.some(setsPath);
}

/**
 * The findings of a command line. Given `parse`, also those of the lines its shells run
 * with -c (`sh -c 'nginx'`), one level deep.
 */
export function lintCommand(root: SyntaxNode, command: string, parse?: Parse): Finding[] {
  const walked: Simple[] = [];
  walk(root, false, root, walked);
  const simples = parse === undefined ? walked : walked.map((simple) => (!simple.idle && onlyIdles(simple, parse) ? { ...simple, idle: true } : simple));
  const own = lintStatements(root, command, simples, undefined);
  const found = parse === undefined ? own : withNested(root, command, simples, own, parse);
  return found.map(({ fixed: _, entry: __, ...finding }) => finding);
}

/**
 * The findings of the statements of one command line (a Procfile line, or the line a `sh -c`
 * runs). `inFront`: whether the line's foreground keeps the container up; not so for the
 * line of a shell that is not the Procfile line's foreground (`sh -c 'sleep infinity' &
 * exec app`), whose idle foreground is then nobody's trouble.
 */
function lintStatements(root: SyntaxNode, command: string, simples: readonly Simple[], quote: CommandString['quote'], inFront = true): Found[] {
  const foreground = finalForeground(root);
  const idleForeground = inFront && foreground !== undefined && isIdleStatement(foreground) ? foreground : undefined;
  // `my-app & child=$!; wait "$child"`: the shell waits for the app and exits with its exit,
  // so procwarden sees it end: the standard signal-forwarding wrapper, no pitfall.
  const waitsForApp = foreground !== undefined && /^wait\s+\S/.test(foreground.text);

  // `form`: for a daemon, its statement alone as it stays in the foreground (for advice).
  const problems: { rule: RuleId; simple: Simple; detail: string; advice?: string; form?: string }[] = [];
  for (const simple of simples) {
    for (const detacher of simple.detachers) {
      problems.push({ rule: 'detached', simple, detail: DETACHERS.get(detacher.text)! });
    }
    const daemon = daemonRow(simple);
    if (daemon) {
      const problem = { rule: 'daemonizes' as const, simple, detail: `${daemon.detail(simple.args, simple.program)}: procwarden sees it exit at once, never the app` };
      const fix = daemon.fix(simple.args, simple.program);
      problems.push(typeof fix === 'string' ? { ...problem, advice: fix } : { ...problem, form: foregroundForm(command, simple, fix, quote) });
    }
    if (simple.background && !simple.idle && !waitsForApp) {
      const tail = idleForeground ? ` The container stays up on \`${idleForeground.text}\`, so nothing recovers it.` : '';
      problems.push({
        rule: 'background-app',
        simple,
        detail: `\`${simple.statement.text}\` runs in the background: when it crashes, procwarden does not see it.${tail}`,
      });
    }
  }
  if (problems.length === 0 && !idleForeground) return shellParentNote(command, foreground);
  if (idleForeground && problems.length === 0) {
    return [
      {
        rule: 'idle-foreground',
        part: idleForeground.text,
        detail: `the container lives only as long as \`${idleForeground.text}\`, which does no work: if the app stops, nothing notices`,
        hint: 'run the app itself in the foreground, last in the command (with exec)',
      },
    ];
  }
  const rewritten = rewriteCommand(command, problems.map((p) => p.simple), idleForeground, foreground, quote);
  return problems.map(({ rule, simple, detail, advice, form }) => {
    const part = simple.statement.text;
    const entry = entryAdvice(part, form);
    if (advice !== undefined || rewritten === undefined) return { rule, part, detail, hint: advice ?? entry };
    return { rule, part, detail, hint: rewritten, fixed: rewritten, entry };
  });
}

/**
 * Advice for a program that must be the line's foreground: `part` as written, or, for a
 * daemon, `form` (foregroundForm: how it stays in the foreground).
 */
function entryAdvice(part: string, form?: string): string {
  return `run ${form ?? `\`${part}\``} in the foreground, last, and give every other long-running program a Procfile entry of its own`;
}

/**
 * A daemon's statement alone, rewritten to stay in the foreground, with the words the user
 * wrote that it drops: `` `php-fpm -F` (without -D) ``.
 */
function foregroundForm(command: string, simple: Simple, rewrite: Rewrite, quote: CommandString['quote']): string {
  const text = apply(command.slice(0, simple.statement.endIndex), rewriteEdits(simple, rewrite, quote)).slice(simple.statement.startIndex);
  const dropped = (rewrite.drop ?? []).flatMap((index) => simple.args[index] ?? []);
  return dropped.length > 0 ? `\`${text}\` (without ${dropped.join(' ')})` : `\`${text}\``;
}

/**
 * The line's own findings with those of the lines its shells run with -c (`sh -c 'nginx'`,
 * `bash -lc "..."`), read as lines of their own: one level deep, and without the
 * shell-parent note (procwarden adds no exec there). A finding inside gives a fix of the
 * whole line only when it is the line's one trouble and its shell is the statement that
 * keeps the container up; written back in the string's own quotes, and read back to be
 * sure the shell gets exactly the fixed line. Else advice.
 */
function withNested(root: SyntaxNode, command: string, simples: readonly Simple[], own: readonly Found[], parse: Parse): Found[] {
  const foreground = finalForeground(root);
  const inside = simples.flatMap((simple) => {
    const shell = shellOf(simple);
    if (shell === undefined) return [];
    const { root: innerRoot, done } = parse(shell.string.text);
    try {
      const inner: Simple[] = [];
      walk(innerRoot, false, innerRoot, inner);
      const findings = lintStatements(innerRoot, shell.string.text, inner, shell.string.quote, isForeground(simple, foreground)).filter(
        (finding) => finding.severity !== 'info',
      );
      return findings.length === 0 ? [] : [{ simple, shell, findings }];
    } finally {
      done();
    }
  });
  if (inside.length === 0) return [...own];
  const pitfalls = own.filter((finding) => finding.severity !== 'info');
  const only = pitfalls.length === 0 && inside.length === 1 ? inside[0]!.simple : undefined;
  const alone = only !== undefined && isForeground(only, foreground);
  return [
    // A rewrite of the line's own that leaves the trouble inside: no fix.
    ...pitfalls.map((finding) => (finding.fixed === undefined ? finding : { ...finding, hint: finding.entry ?? entryAdvice(finding.part), fixed: undefined })),
    ...inside.flatMap(({ shell, findings }) =>
      findings.map(({ fixed, entry, ...finding }) => {
        const detail = `in the line \`${shell.name} -c\` runs, ${finding.detail}`;
        if (fixed === undefined) return { ...finding, detail };
        if (!alone) return { ...finding, detail, hint: entry ?? entryAdvice(finding.part) };
        const line = writeBack(command, shell, fixed, parse);
        return line === undefined
          ? { ...finding, detail, hint: `make the line \`${shell.name} -c\` runs read: ${fixed}` }
          : { ...finding, detail, hint: line, fixed: line };
      }),
    ),
  ];
}

/**
 * Whether a shell's -c line only idles (`sh -c 'trap "" TERM; while :; do sleep 1; done'`):
 * each of its commands idles (isIdle, an idle loop) or is a shell builtin (`trap`, `echo`),
 * and one idles. Such a shell is an idle helper, as `sleep infinity` is.
 */
function onlyIdles(simple: Simple, parse: Parse): boolean {
  const shell = shellOf(simple);
  if (shell === undefined) return false;
  const { root, done } = parse(shell.string.text);
  try {
    const inner: Simple[] = [];
    walk(root, false, root, inner);
    return inner.some((command) => command.idle) && inner.every((command) => command.idle || SHELL_BUILTINS.has(command.programWord ?? ''));
  } finally {
    done();
  }
}

/** Whether a command is the line's foreground statement (finalForeground), the one that keeps the container up. */
function isForeground(simple: Simple, foreground: SyntaxNode | undefined): boolean {
  return (
    !simple.background &&
    foreground !== undefined &&
    simple.statement.startIndex === foreground.startIndex &&
    simple.statement.endIndex === foreground.endIndex
  );
}

/** A shell run with a -c line (`sh -c '...'`, `exec bash -lc "..."`, `busybox sh -c ...`): its name, its word, and the line. */
interface ShellRun {
  readonly name: string;
  readonly word: Word;
  readonly string: CommandString;
}

function shellOf(simple: Simple): ShellRun | undefined {
  const skip = SHELLS.get(simple.program)?.(simple.args);
  if (skip === undefined || skip < 0) return undefined;
  const at = commandStringAt(simple.args.slice(skip));
  const word = at === undefined ? undefined : simple.words[simple.argsAt + skip + at];
  const string = word?.node === undefined ? undefined : commandString(word.node);
  if (word === undefined || string === undefined) return undefined;
  return { name: [simple.program, ...simple.args.slice(0, skip)].join(' '), word, string };
}

/**
 * The Procfile line with the shell's -c line replaced by `fixed`, in the quotes it had; or
 * undefined unless the new line parses and its shell reads exactly `fixed`.
 */
function writeBack(command: string, shell: ShellRun, fixed: string, parse: Parse): string | undefined {
  const word = shell.string.write?.(fixed);
  if (word === undefined) return undefined;
  const line = command.slice(0, shell.word.start) + word + command.slice(shell.word.end);
  const { root, done } = parse(line);
  try {
    if (root.hasError) return undefined;
    const simples: Simple[] = [];
    walk(root, false, root, simples);
    const again = simples.map(shellOf).find((run) => run?.word.start === shell.word.start);
    return again?.string.text === fixed ? line : undefined;
  } finally {
    done();
  }
}

/**
 * A line the shell stays in front of: its last command is a simple one that procwarden does
 * not exec itself (the line is more than commands joined by `&&`: exec-form.ts). The stop
 * reaches the whole tree, so it is no pitfall; but a signal that is no stop (SIGHUP,
 * SIGUSR1) kills dash rather than reaching the app, and on SIGINT dash hides the app's exit.
 */
function shellParentNote(command: string, foreground: SyntaxNode | undefined): Finding[] {
  if (foreground?.type !== 'command' || execForm(command) !== undefined) return [];
  const first = foreground.children.find((child) => child.isNamed && child.type !== 'variable_assignment');
  if (!first || first.type !== 'command_name' || /^(exec|wait|exit|cd|export|true|false|:)$/.test(first.text)) return [];
  // A line that is one command gets exec from procwarden, whatever the check above says.
  if (foreground.startIndex === 0 && foreground.endIndex === command.trimEnd().length) return [];
  return [
    {
      rule: 'shell-parent',
      severity: 'info',
      part: foreground.text,
      detail: `the shell stays the parent of \`${foreground.text}\`: a SIGHUP or SIGUSR1 meant for it kills the shell instead, and on ^C the shell hides its exit code`,
      hint: `${command.slice(0, first.startIndex)}exec ${command.slice(first.startIndex)}`,
    },
  ];
}

/**
 * The whole command rewritten so that its one app runs in the foreground: detachers
 * dropped, a daemonizing flag fixed, an idle foreground moved to the background. Only
 * when one program is at fault and a rewrite exists for it; else undefined.
 */
function rewriteCommand(
  command: string,
  culprits: readonly Simple[],
  idleForeground: SyntaxNode | undefined,
  foreground: SyntaxNode | undefined,
  quote: CommandString['quote'],
): string | undefined {
  const programs = new Set(culprits);
  if (programs.size !== 1) return undefined;
  const [app] = programs as Set<Simple> & [Simple];
  const daemon = daemonRow(app);
  const rewrite = daemon?.fix(app.args, app.program);
  if (typeof rewrite === 'string') return undefined;
  // A daemon with more of the line after it (`php-fpm -D && nginx ...`): in the foreground it
  // would never let the rest start. It needs a Procfile entry of its own, not a flag.
  const last = foreground !== undefined && app.statement.startIndex === foreground.startIndex && app.statement.endIndex === foreground.endIndex;
  if (daemon && !idleForeground && foreground !== undefined && !last) return undefined;
  const edits = [
    ...rewriteEdits(app, rewrite ?? {}, quote),
    ...app.detachers.map((detacher) => ({ start: detacher.start, end: Math.max(detacher.end, nextWordStart(app, detacher)), text: '' })),
  ];
  const fixed = apply(command.slice(0, app.statement.endIndex), edits).slice(app.statement.startIndex);
  // The app last, and exec'd: the shell does not stay in front of it (shellParentNote).
  // The helper's own exec (`nginx && exec tail -f log`) would only replace its subshell: it goes.
  if (idleForeground) return `(${idleForeground.text.replace(/^exec\s+/, '')} &) && ${/^exec\s/.test(fixed) ? fixed : `exec ${fixed}`}`;
  // Alone in the background, with nothing in the foreground: it becomes the foreground.
  if (app.background && foreground === undefined) return fixed;
  // An idle helper in the background (`setsid sh -c 'while :; do sleep 1; done' & exec app`):
  // it keeps nothing up, and loses only its detacher.
  if (app.background && app.idle) return apply(command, edits);
  if (app.background) return undefined;
  return apply(command, edits);
}

function daemonRow(simple: Simple): DaemonRow | undefined {
  return daemonRowFor(simple.program, simple.args, simple.via.at(-1) === 'busybox');
}

/**
 * Statements in order; a statement followed by `&` (or inside one) runs in the background.
 * `statement` is the outermost node of the statement being walked (a command with its
 * redirections), which is what a finding names and a rewrite moves.
 */
function walk(node: SyntaxNode, background: boolean, statement: SyntaxNode, into: Simple[]): void {
  const { children } = node;
  for (const [i, child] of children.entries()) {
    if (!child.isNamed) continue;
    const behind = background || (STATEMENT_CONTAINERS.has(node.type) && children[i + 1]?.type === '&');
    const outer = node.type === 'redirected_statement' ? statement : child;
    switch (child.type) {
      case 'command': {
        const simple = simpleCommand(child, behind, outer);
        if (simple) into.push(simple);
        break;
      }
      case 'redirected_statement':
      case 'negated_command':
      case 'subshell':
      case 'compound_statement':
      case 'list':
      case 'pipeline':
      case 'do_group':
        walk(child, behind, outer, into);
        break;
      case 'while_statement':
        if (isIdleStatement(child)) into.push(idleLoop(child, behind));
        else walk(child, behind, outer, into);
        break;
      default:
        // Comments, heredoc bodies, command substitutions, assignments: no statement of the app's.
        break;
    }
  }
}

function words(node: SyntaxNode): Word[] {
  return node.children
    .filter((child) => child.isNamed && child.type !== 'variable_assignment' && !child.type.endsWith('redirect'))
    .map((child) => ({ text: unquote(child), start: child.startIndex, end: child.endIndex, node: child }));
}

/**
 * A word as the program gets it, near enough for the rules: quotes removed, also from the
 * parts of a word written in pieces (`-g"daemon off;"` is `-gdaemon off;`); expansions and
 * backslashes stay as written.
 */
function unquote(node: SyntaxNode): string {
  if (node.type === 'command_name') return unquote(node.children[0] ?? node);
  if (node.type === 'raw_string') return node.text.slice(1, -1);
  if (node.type === 'string') return node.text.slice(1, -1);
  if (node.type === 'concatenation') return node.children.map(unquote).join('');
  return node.text;
}

function simpleCommand(node: SyntaxNode, background: boolean, statement: SyntaxNode): Simple | undefined {
  const all = words(node);
  if (all.length === 0) return undefined;
  const texts = all.map((word) => word.text);
  const { wrappers, program: at } = unwrap(texts);
  const chain = [...wrappers.map((link) => link.at), at];
  // A detacher and its own flags (setsid -f), up to the program it runs.
  const detachers: Word[] = wrappers.flatMap((link, i) =>
    DETACHERS.has(link.name) ? [{ text: link.name, start: all[link.at]!.start, end: all[chain[i + 1]!]!.start }] : [],
  );
  const via = wrappers.map((link) => link.name);
  const looked = lookedUp(texts).map((index) => all[index]!);
  const word = all[at]!;
  if (basename(word.text) === 'disown') {
    detachers.push({ ...word, text: 'disown' });
    return { node, statement, background, program: 'disown', via, looked: [], args: [], argsAt: at + 1, words: all, detachers, idle: true };
  }
  const program = word.text.startsWith('/etc/init.d/') ? word.text : basename(word.text);
  const args = texts.slice(at + 1);
  return { node, statement, background, program, programWord: word.text, via, looked, args, argsAt: at + 1, words: all, detachers, idle: isIdle(program, args) };
}

function idleLoop(node: SyntaxNode, background: boolean): Simple {
  return { node, statement: node, background, program: 'while', via: [], looked: [], args: [], argsAt: 0, words: [], detachers: [], idle: true };
}

/** `while true; do sleep N; done` and the like: a loop that only waits. */
function isIdleStatement(node: SyntaxNode): boolean {
  if (node.type === 'command' || node.type === 'redirected_statement') {
    const simple = simpleCommand(node.type === 'command' ? node : (node.children[0] ?? node), false, node);
    return simple?.idle === true;
  }
  if (node.type !== 'while_statement') return false;
  const [keyword, condition] = node.children;
  const body = node.children.find((child) => child.type === 'do_group');
  const forever =
    (keyword?.type === 'while' && (condition?.text === 'true' || condition?.text === ':')) ||
    (keyword?.type === 'until' && condition?.text === 'false');
  const onlyWaits = (body?.children ?? [])
    .filter((child) => child.isNamed && child.type !== 'comment')
    .every((child) => /^(sleep\b|:$|true$|wait$)/.test(child.text));
  return forever && onlyWaits;
}

/** The statement that keeps the container up: the last one at the top that is not in the background. */
function finalForeground(root: SyntaxNode): SyntaxNode | undefined {
  let last: SyntaxNode | undefined;
  const { children } = root;
  for (const [i, child] of children.entries()) {
    if (!child.isNamed || child.type === 'comment') continue;
    last = children[i + 1]?.type === '&' ? undefined : child;
  }
  // `a && b`: b is what keeps it up (and `a || b` too, once a has failed).
  return last?.type === 'list' ? finalForeground(last) : last;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function rewriteEdits(simple: Simple, rewrite: Rewrite, quote: CommandString['quote']): Edit[] {
  const edits: Edit[] = [];
  for (const index of rewrite.drop ?? []) {
    const word = simple.words[simple.argsAt + index];
    if (word) edits.push({ start: word.start, end: nextWordStart(simple, word), text: '' });
  }
  if (rewrite.add) {
    const program = simple.words[simple.argsAt - 1]!;
    edits.push({ start: program.end, end: program.end, text: ` ${fitQuotes(rewrite.add, quote)}` });
  }
  const into = rewrite.append && simple.words[simple.argsAt + rewrite.append.index];
  if (into) edits.push(appendEdit(into, rewrite.append!.text, quote));
  return edits;
}

/**
 * `text` put at the end of a word's value: inside its last quotes where it ends in some
 * (`'pid /x;'`, `-g"pid /x;"`), else after it in quotes of its own that fit the line's
 * (`pid\ /x\;' daemon off;'`).
 */
function appendEdit(word: Word, text: string, quote: CommandString['quote']): Edit {
  const last = word.node?.type === 'concatenation' ? word.node.children.at(-1) : word.node;
  if (last?.type === 'raw_string' || last?.type === 'string') return { start: last.endIndex - 1, end: last.endIndex - 1, text };
  return { start: word.end, end: word.end, text: fitQuotes(`'${text}'`, quote) };
}

/** Where the word after this one starts (so that dropping a word drops its space too). */
function nextWordStart(simple: Simple, word: Word): number {
  const next = simple.words.find((candidate) => candidate.start > word.start);
  return next ? next.start : word.end;
}

function apply(text: string, edits: readonly Edit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  }
  return result.trimEnd();
}
