import { describe, expect, it } from 'vitest';
import { formatReport, type EntryFinding } from '../../src/lint/lint-procfile.ts';

const entries = [
  { name: 'web', command: '(my-app &) && tail -F log', line: 1 },
  { name: 'worker', command: 'bundle exec sidekiq', line: 2 },
];
const finding: EntryFinding = {
  entry: 'web',
  line: 1,
  command: '(my-app &) && tail -F log',
  rule: 'background-app',
  part: 'my-app',
  detail: '`my-app` runs in the background',
  hint: '(tail -F log &) && my-app',
};

describe('the check report', () => {
  it('names each faulty entry with its line, then each finding and its fix', () => {
    expect(formatReport('Procfile', entries, [finding], false)).toBe(
      [
        'Procfile: 2 entries, 1 with pitfalls',
        '',
        'web (line 1): (my-app &) && tail -F log',
        '  background-app: `my-app` runs in the background',
        '    fix: (tail -F log &) && my-app',
        '',
      ].join('\n'),
    );
  });

  it('says when there is no pitfall', () => {
    expect(formatReport('Procfile', entries.slice(1), [], false)).toBe('Procfile: 1 entry, no pitfall\n');
  });

  it('gives CI one JSON document', () => {
    expect(JSON.parse(formatReport('Procfile', entries, [finding], true))).toEqual({ procfile: 'Procfile', entries: 2, findings: [finding] });
  });
});
