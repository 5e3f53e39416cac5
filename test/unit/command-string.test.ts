// The line a shell runs with -c: where it is among the shell's words, what the shell reads
// from it, and how a new line is written back in its place.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Parser } from 'web-tree-sitter';
import { commandString, fitQuotes } from '../../src/lint/command-string.ts';
import type { SyntaxNode } from '../../src/lint/lint.ts';
import { SHELLS, commandStringAt } from '../../src/lint/rules.ts';
import { nodeModulesParser } from '../support/shell-parser.ts';

describe('where the -c line is among a shell\'s arguments', () => {
  it.each<[args: string[], at: number | undefined]>([
    [['-c', 'nginx'], 1],
    [['-ec', 'nginx'], 1],
    [['-lc', 'nginx'], 1],
    [['-c', '-e', 'nginx'], 2],
    [['-c', '--', 'nginx'], 2],
    [['-c', '-', 'nginx'], 2],
    [['-l', '-c', 'nginx', 'sh', 'arg'], 2],
    [['-euo', 'pipefail', '-c', 'nginx'], 3],
    [['-o', 'errexit', '-c', 'nginx'], 3],
    [['+e', '-c', 'nginx'], 2],
    [['-O', 'extglob', '-c', 'nginx'], 3],
    [['--norc', '--noprofile', '-c', 'nginx'], 3],
    [['--rcfile', 'my.rc', '-c', 'nginx'], 3],
    [['--emulate', 'sh', '-c', 'nginx'], 3],
  ])('%j: at %s', (args, at) => {
    expect(commandStringAt(args)).toBe(at);
  });

  it.each<[args: string[]]>([
    [['script.sh']],
    [['script.sh', '-c', 'nginx']],
    [['-e', 'script.sh', '-c', 'nginx']],
    [['-c']],
    [['-c', '--']],
    [['-o', 'c', 'script.sh']],
    [['-s', 'nginx']],
    [[]],
  ])('%j: no -c line', (args) => {
    expect(commandStringAt(args)).toBeUndefined();
  });

  it('knows the shells, and busybox\'s', () => {
    for (const shell of ['sh', 'bash', 'dash', 'ash', 'zsh']) expect(SHELLS.get(shell)?.(['-c', 'x'])).toBe(0);
    expect(SHELLS.get('busybox')?.(['sh', '-c', 'x'])).toBe(1);
    expect(SHELLS.get('busybox')?.(['ash', '-c', 'x'])).toBe(1);
    expect(SHELLS.get('busybox')?.(['wget', '-c', 'x'])).toBe(-1);
    expect(SHELLS.get('python')).toBeUndefined();
  });
});

describe('a rule\'s quotes, fitted to the quotes of the line they go into', () => {
  it('swaps simple quotes for the other kind', () => {
    expect(fitQuotes("-g 'daemon off;'", "'")).toBe('-g "daemon off;"');
    expect(fitQuotes('-g "daemon off;"', '"')).toBe("-g 'daemon off;'");
  });

  it('leaves them where they do not clash, or where the other kind would change them', () => {
    expect(fitQuotes("-g 'daemon off;'", '"')).toBe("-g 'daemon off;'");
    expect(fitQuotes("-g 'daemon off;'", undefined)).toBe("-g 'daemon off;'");
    expect(fitQuotes("-g '$x'", "'")).toBe("-g '$x'");
    expect(fitQuotes('-F', "'")).toBe('-F');
  });
});

describe('the line a -c shell reads from a word, and the word written back', () => {
  let parser: Parser;
  beforeAll(async () => {
    parser = await nodeModulesParser();
  });
  /** The last word of `sh -c WORD`. */
  const word = (written: string): SyntaxNode => {
    const command = parser.parse(`sh -c ${written}`)!.rootNode.children[0]!;
    return command.children.at(-1)!;
  };

  it.each<[written: string, reads: string, rewritten: string]>([
    ["'nginx -g \"daemon off;\"'", 'nginx -g "daemon off;"', `'it'\\''s'`],
    ['"nginx -g \\"daemon off;\\" \\$HOME \\\\ \\`"', 'nginx -g "daemon off;" $HOME \\ `', '"it\'s \\"\\$x\\""'],
    ['nginx', 'nginx', `'it'\\''s'`],
    ['nginx\\ -g', 'nginx -g', `'it'\\''s'`],
    [`'cd /app && '"nginx"`, 'cd /app && nginx', `'it'\\''s'`],
  ])('%s reads %s', (written, reads, rewritten) => {
    const string = commandString(word(written))!;
    expect(string.text).toBe(reads);
    // Written back, it reads the same; a new line is quoted for the word's own quotes.
    expect(string.write!(reads)).toBe(written.startsWith('"') ? written : `'${reads}'`);
    expect(string.write!(written.startsWith('"') ? 'it\'s "$x"' : "it's")).toBe(rewritten);
  });

  it('keeps the expansions of the Procfile\'s shell as written, and writes them back as they were', () => {
    const string = commandString(word('"exec puma -d -p ${PORT:-3000} $(cat flags)"'))!;
    expect(string.text).toBe('exec puma -d -p ${PORT:-3000} $(cat flags)');
    expect(string.write!('exec puma -p ${PORT:-3000} $(cat flags)')).toBe('"exec puma -p ${PORT:-3000} $(cat flags)"');
    // A `$` or a quote of the new line's own would be the Procfile shell's: not written.
    expect(string.write!('exec puma -p ${PORT:-3000} $(cat flags) $HOME')).toBeUndefined();
    expect(string.write!('exec puma "x" ${PORT:-3000} $(cat flags)')).toBeUndefined();
  });

  it('reads, but cannot write back, a line of expansions beside backslashes', () => {
    const string = commandString(word('"cd \\$HOME && nginx -c $CONF"'))!;
    expect(string.text).toBe('cd $HOME && nginx -c $CONF');
    expect(string.write).toBeUndefined();
  });

  it('does not read a line known only when it runs, or one with globs', () => {
    for (const written of ['$CMD', '${CMD}', '$(cat cmd)', "$'nginx\\n'", 'ngin*', '{a,b}', "'a'$CMD'b'"]) {
      expect(commandString(word(written))?.write).toBeUndefined();
    }
    for (const written of ['$CMD', '${CMD}', '$(cat cmd)', "$'nginx\\n'", 'ngin*', '{a,b}']) expect(commandString(word(written))).toBeUndefined();
  });
});
