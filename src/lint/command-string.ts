// The command line a shell runs with -c (`sh -c 'nginx'`), as that shell reads it once the
// Procfile's shell has removed the quotes; and how to write a new line back in the word's
// place, in the same quotes, so a fix stays one command. Pure.

import type { SyntaxNode } from './lint.ts';

export interface CommandString {
  /** The command line, as the shell run with -c reads it. */
  readonly text: string;
  /**
   * The word that makes the shell read `line` instead, for the Procfile line; undefined
   * where it cannot be written exactly (an expansion beside a backslash: which `$` is whose?).
   */
  readonly write?: (line: string) => string | undefined;
  /** The quote `write` puts the line in: text added to the line had better use the other. */
  readonly quote?: "'" | '"';
}

/** Parts of a double-quoted word that the Procfile's shell expands before the -c shell reads it. */
const EXPANSIONS = new Set(['simple_expansion', 'expansion', 'command_substitution']);

/**
 * The line a -c shell reads from this word, or undefined for a word the linter does not
 * read: one that is only known when it runs (an unquoted `$CMD`, which the shell also
 * splits), a `$'...'` string, or an unquoted word with glob or brace characters.
 * `"$CMD"` and `"exec app --port $PORT"` are read as written: the expansion stays a word.
 */
export function commandString(word: SyntaxNode): CommandString | undefined {
  switch (word.type) {
    case 'raw_string':
      return { text: word.text.slice(1, -1), write: singleQuoted, quote: "'" };
    case 'string': {
      const inside = word.text.slice(1, -1);
      if (!word.children.some((child) => EXPANSIONS.has(child.type))) return { text: unescapeDoubleQuoted(inside), write: doubleQuoted, quote: '"' };
      if (inside.includes('\\')) return { text: unescapeDoubleQuoted(inside) };
      return { text: inside, write: (line) => asWritten(line, inside), quote: '"' };
    }
    case 'word':
      return /^(?:[^\\*?[{~]|\\[^])+$/.test(word.text) ? { text: unescapeUnquoted(word.text), write: singleQuoted, quote: "'" } : undefined;
    case 'concatenation': {
      const parts = word.children.map((part) =>
        EXPANSIONS.has(part.type) ? { text: part.text, expands: true } : { ...commandString(part), expands: part.children.some((child) => EXPANSIONS.has(child.type)) },
      );
      if (parts.some((part) => part.text === undefined)) return undefined;
      const text = parts.map((part) => part.text).join('');
      // 'a'"b"c: written anew as one single-quoted word; with an expansion in it, not at all.
      return parts.some((part) => part.expands || part.write === undefined) ? { text } : { text, write: singleQuoted, quote: "'" };
    }
    default:
      return undefined;
  }
}

/**
 * `text`, a fragment of a rule's (nginx's `-g 'daemon off;'`), with its simple quotes
 * swapped when the line it goes into sits in that quote: `sh -c 'nginx -g "daemon off;"'`
 * rather than `'\''`. Only quotes whose content no shell changes are swapped.
 */
export function fitQuotes(text: string, quote: "'" | '"' | undefined): string {
  if (quote === "'") return text.replace(/'([^'"$`\\]*)'/g, '"$1"');
  if (quote === '"') return text.replace(/"([^'"$`\\]*)"/g, "'$1'");
  return text;
}

function singleQuoted(line: string): string {
  return `'${line.replaceAll("'", "'\\''")}'`;
}

function doubleQuoted(line: string): string {
  return `"${line.replace(/[\\"$`]/g, '\\$&')}"`;
}

/**
 * A line with the Procfile shell's own expansions in it, back in its double quotes as it
 * was written: only when the line has no `"`, `$`, `` ` `` or backslash more than the
 * original had (a rewrite moves and drops words, and adds a rule's plain flags).
 */
function asWritten(line: string, original: string): string | undefined {
  const count = (text: string, char: string) => text.split(char).length - 1;
  return ['"', '$', '`', '\\'].every((char) => count(line, char) <= count(original, char)) ? `"${line}"` : undefined;
}

/** Inside double quotes a backslash quotes only `$`, `` ` ``, `"`, `\` and a newline (which it removes). */
function unescapeDoubleQuoted(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_, char: string) => (char === '\n' ? '' : char));
}

function unescapeUnquoted(text: string): string {
  return text.replace(/\\([^])/g, (_, char: string) => (char === '\n' ? '' : char));
}
