// The static linter: reads a Procfile command through a real shell parser's syntax tree
// (tree-sitter-bash) and finds the ways it can put the app out of procwarden's reach. Pure:
// it gets a tree, not a parser, and tests feed it trees of their own.

import { execForm } from '../procfile/exec-form.ts';
import { DAEMON_TABLE, DETACHERS, PASS_THROUGH, SHELL_BUILTINS, isIdle, type DaemonRow, type Rewrite } from './rules.ts';

/** The part of a syntax-tree node the linter reads (web-tree-sitter's Node has it). */
export interface SyntaxNode {
  readonly type: string;
  readonly isNamed: boolean;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly children: readonly SyntaxNode[];
}

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
}

const STATEMENT_CONTAINERS = new Set(['program', 'subshell', 'compound_statement', 'do_group', 'list', 'pipeline']);

/**
 * The programs a command runs, as it writes them (`gunicorn`, `./bin/app`), looked through
 * wrappers (exec, env, gosu, bundle exec ...); shell builtins, words with a `$` in them
 * (known only when the command runs) and relative paths after a `cd` left out. For `procwarden check --programs`.
 */
export function programsOf(root: SyntaxNode): { readonly program: string; readonly part: string }[] {
  const simples: Simple[] = [];
  walk(root, false, root, simples);
  // After a `cd`, a relative path names a file of another folder: not looked up.
  const changesFolder = simples.some((simple) => simple.programWord === 'cd');
  return simples
    .filter((simple) => simple.programWord !== undefined && !simple.programWord.includes('$') && !SHELL_BUILTINS.has(simple.programWord))
    .filter((simple) => !(changesFolder && simple.programWord!.includes('/') && !simple.programWord!.startsWith('/')))
    .map((simple) => ({ program: simple.programWord!, part: simple.statement.text }));
}

export function lintCommand(root: SyntaxNode, command: string): Finding[] {
  const simples: Simple[] = [];
  walk(root, false, root, simples);
  const foreground = finalForeground(root);
  const idleForeground = foreground !== undefined && isIdleStatement(foreground) ? foreground : undefined;
  // `my-app & child=$!; wait "$child"`: the shell waits for the app and exits with its exit,
  // so procwarden sees it end: the standard signal-forwarding wrapper, no pitfall.
  const waitsForApp = foreground !== undefined && /^wait\s+\S/.test(foreground.text);

  const problems: { rule: RuleId; simple: Simple; detail: string; advice?: string }[] = [];
  for (const simple of simples) {
    for (const detacher of simple.detachers) {
      problems.push({ rule: 'detached', simple, detail: DETACHERS.get(detacher.text)! });
    }
    const daemon = daemonRow(simple);
    if (daemon) {
      const problem = { rule: 'daemonizes' as const, simple, detail: `${daemon.detail}: procwarden sees it exit at once, never the app` };
      problems.push(daemon.advice === undefined ? problem : { ...problem, advice: daemon.advice });
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
  const rewritten = rewriteCommand(command, problems.map((p) => p.simple), idleForeground, foreground);
  return problems.map(({ rule, simple, detail, advice }) => ({
    rule,
    part: simple.statement.text,
    detail,
    hint:
      advice ??
      rewritten ??
      `run \`${simple.statement.text}\` in the foreground, last, and give every other long-running program a Procfile entry of its own`,
  }));
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
): string | undefined {
  const programs = new Set(culprits);
  if (programs.size !== 1) return undefined;
  const [app] = programs as Set<Simple> & [Simple];
  const daemon = daemonRow(app);
  if (daemon && !daemon.rewrite) return undefined;
  // A daemon with more of the line after it (`php-fpm -D && nginx ...`): in the foreground it
  // would never let the rest start. It needs a Procfile entry of its own, not a flag.
  const last = foreground !== undefined && app.statement.startIndex === foreground.startIndex && app.statement.endIndex === foreground.endIndex;
  if (daemon && !idleForeground && foreground !== undefined && !last) return undefined;
  const edits = [
    ...rewriteEdits(app, daemon?.rewrite?.(app.args) ?? {}),
    ...app.detachers.map((detacher) => ({ start: detacher.start, end: Math.max(detacher.end, nextWordStart(app, detacher)), text: '' })),
  ];
  const fixed = apply(command.slice(0, app.statement.endIndex), edits).slice(app.statement.startIndex);
  // The app last, and exec'd: the shell does not stay in front of it (shellParentNote).
  if (idleForeground) return `(${idleForeground.text} &) && ${/^exec\s/.test(fixed) ? fixed : `exec ${fixed}`}`;
  // Alone in the background, with nothing in the foreground: it becomes the foreground.
  if (app.background && foreground === undefined) return fixed;
  if (app.background) return undefined;
  return apply(command, edits);
}

function daemonRow(simple: Simple): DaemonRow | undefined {
  return DAEMON_TABLE.find((row) => matches(row, simple.program) && row.daemonizes(simple.args));
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
    .map((child) => ({ text: unquote(child), start: child.startIndex, end: child.endIndex }));
}

function unquote(node: SyntaxNode): string {
  if (node.type === 'command_name') return unquote(node.children[0] ?? node);
  if (node.type === 'raw_string') return node.text.slice(1, -1);
  if (node.type === 'string') return node.text.slice(1, -1);
  return node.text;
}

function simpleCommand(node: SyntaxNode, background: boolean, statement: SyntaxNode): Simple | undefined {
  const all = words(node);
  const detachers: Word[] = [];
  let at = 0;
  for (;;) {
    const word = all[at];
    if (word === undefined) return undefined;
    const name = basename(word.text);
    if (DETACHERS.has(name)) {
      if (name === 'disown') {
        detachers.push({ ...word, text: name });
        return { node, statement, background, program: name, args: [], argsAt: at + 1, words: all, detachers, idle: true };
      }
      at += 1;
      while (all[at]?.text.startsWith('-')) at += 1;
      // The detacher and its own flags (setsid -f), up to the program it runs.
      detachers.push({ text: name, start: word.start, end: all[at]?.start ?? word.end });
      continue;
    }
    const skip = PASS_THROUGH.get(name)?.(all.slice(at + 1).map((w) => w.text));
    if (skip === undefined || skip < 0) break;
    at += 1 + skip;
  }
  const program = all[at]!.text.startsWith('/etc/init.d/') ? all[at]!.text : basename(all[at]!.text);
  const args = all.slice(at + 1).map((word) => word.text);
  return { node, statement, background, program, programWord: all[at]!.text, args, argsAt: at + 1, words: all, detachers, idle: isIdle(program, args) };
}

function idleLoop(node: SyntaxNode, background: boolean): Simple {
  return { node, statement: node, background, program: 'while', args: [], argsAt: 0, words: [], detachers: [], idle: true };
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

function matches(row: DaemonRow, program: string): boolean {
  return typeof row.program === 'string' ? row.program === program : row.program.test(program);
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function rewriteEdits(simple: Simple, rewrite: Rewrite): Edit[] {
  const edits: Edit[] = [];
  for (const index of rewrite.drop ?? []) {
    const word = simple.words[simple.argsAt + index];
    if (word) edits.push({ start: word.start, end: nextWordStart(simple, word), text: '' });
  }
  if (rewrite.add) {
    const program = simple.words[simple.argsAt - 1]!;
    edits.push({ start: program.end, end: program.end, text: ` ${rewrite.add}` });
  }
  return edits;
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
