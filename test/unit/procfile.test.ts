import { describe, expect, it } from 'vitest';
import { chooseEntry, parseProcfile, unknownTypes, type ProcfileEntry } from '../../src/procfile/procfile.ts';

const entries = (text: string): readonly ProcfileEntry[] => {
  const parsed = parseProcfile(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.entries;
};

describe('parsing a Procfile', () => {
  it('reads name: command lines, skipping blank lines and comments', () => {
    const text = '# the app\n\nweb: bundle exec puma -C config/puma.rb\nworker:   bundle exec sidekiq  \nrelease_1-x: ./bin/release\n';
    expect(entries(text)).toEqual([
      { name: 'web', command: 'bundle exec puma -C config/puma.rb', line: 3 },
      { name: 'worker', command: 'bundle exec sidekiq', line: 4 },
      { name: 'release_1-x', command: './bin/release', line: 5 },
    ]);
  });

  it('keeps the command as written: colons, quotes, $PORT', () => {
    expect(entries('web: sh -c "echo a:b" && exec app --port $PORT')[0]!.command).toBe('sh -c "echo a:b" && exec app --port $PORT');
  });

  it('reads CRLF files', () => {
    expect(entries('web: a\r\nworker: b\r\n').map((e) => e.command)).toEqual(['a', 'b']);
  });

  it.each([
    ['web bundle exec puma', 1, /line 1 is not 'name: command'/],
    ['web: ok\nmy app: x', 2, /line 2 is not/],
    ['web: ok\n\nweb: again', 3, /line 3: 'web' is defined twice \(first on line 1\)/],
    ['web:', 1, /line 1: 'web' has no command/],
    ['  web: indented', 1, /line 1 is not/],
  ])('names the line of a mistake: %j', (text, line, message) => {
    const parsed = parseProcfile(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.line).toBe(line);
      expect(parsed.message).toMatch(message);
    }
  });
});

describe('choosing the process type', () => {
  const several = entries('worker: w\nweb: s\nclock: c');

  it('takes the one asked for', () => {
    expect(chooseEntry(several, 'clock')).toMatchObject({ ok: true, entry: { name: 'clock' } });
  });

  it('takes the only entry, else web', () => {
    expect(chooseEntry(entries('worker: w'), undefined)).toMatchObject({ ok: true, entry: { name: 'worker' } });
    expect(chooseEntry(several, undefined)).toMatchObject({ ok: true, entry: { name: 'web' } });
  });

  it('lists the types when it cannot choose or the type is unknown', () => {
    expect(chooseEntry(entries('worker: w\nclock: c'), undefined)).toMatchObject({ ok: false, message: expect.stringMatching(/worker, clock/) });
    expect(chooseEntry(several, 'api')).toEqual({ ok: false, message: "no process type 'api' (the types are: worker, web, clock)" });
    expect(chooseEntry(several, 'wrokers')).toEqual({ ok: false, message: "no process type 'wrokers' (the types are: worker, web, clock); did you mean worker?" });
    expect(chooseEntry([], undefined)).toMatchObject({ ok: false });
  });
});

describe('a process type named elsewhere that the Procfile lacks', () => {
  const types = entries('release: r\nweb: s\nworker: w');

  it('is a warning naming where, the types, and the nearest when one is near', () => {
    expect(unknownTypes([{ where: 'PROCWARDEN_ONE_SHOT_TYPES', type: 'relase' }], './Procfile', types)).toEqual([
      "PROCWARDEN_ONE_SHOT_TYPES: no process type 'relase' in ./Procfile (the types are: release, web, worker): ignored; did you mean release?",
    ]);
    expect(unknownTypes([{ where: 'line 1', type: 'wrokers' }, { where: 'line 2', type: 'nosuch' }], '/app/Procfile', types)).toEqual([
      "line 1: no process type 'wrokers' in /app/Procfile (the types are: release, web, worker): ignored; did you mean worker?",
      "line 2: no process type 'nosuch' in /app/Procfile (the types are: release, web, worker): ignored",
    ]);
  });

  it('says nothing of a type the Procfile has, and a type named twice once', () => {
    expect(unknownTypes([{ where: 'X', type: 'web' }, { where: 'X', type: 'release' }], './Procfile', types)).toEqual([]);
    expect(unknownTypes([{ where: 'X', type: 'api' }, { where: 'X', type: 'api' }], './Procfile', types)).toHaveLength(1);
  });
});

describe('a Procfile an editor saved with a byte order mark', () => {
  it('reads its first line as any other', async () => {
    const { parseProcfile } = await import('../../src/procfile/procfile.ts');
    expect(parseProcfile('\uFEFFweb: python3 app.py\n')).toMatchObject({ ok: true, entries: [{ name: 'web', command: 'python3 app.py', line: 1 }] });
  });
});
