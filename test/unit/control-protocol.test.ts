import { describe, expect, it } from 'vitest';
import { changeFor, changedSince, healthOptionsWithoutCheck, parsePolicyFile as parseFile, unknownTypeLines } from '../../src/control/policy-file.ts';

/** The change the file makes for every type, or its error. */
const parsePolicyFile = (text: string) => {
  const changes = parseFile(text);
  return 'error' in changes ? changes : changeFor(changes, undefined);
};
import { handle, parsePolicyChange, type ControlApi } from '../../src/control/protocol.ts';

const api = (restarted = true): ControlApi => ({
  status: () => ({ state: 'running' }),
  changePolicy: (change) => ({ old: {}, new: change }),
  restart: () => restarted,
});

describe('the control protocol', () => {
  it('routes GET /status, PATCH /policy and POST /restart', () => {
    expect(handle('GET', '/status', '', api())).toEqual({ status: 200, body: { state: 'running' } });
    expect(handle('PATCH', '/policy', '{"autorestart":"on_failure"}', api())).toEqual({ status: 200, body: { old: {}, new: { autorestart: 'on_failure' } } });
    expect(handle('POST', '/restart', '', api())).toMatchObject({ status: 202 });
    expect(handle('POST', '/restart', '', api(false))).toMatchObject({ status: 409 });
  });

  it('answers 404 for any other route and method', () => {
    expect(handle('DELETE', '/status', '', api()).status).toBe(404);
    expect(handle('GET', '/', '', api()).status).toBe(404);
  });

  it.each([
    ['', /not JSON/],
    ['[1]', /JSON object/],
    ['{}', /nothing to change/],
    ['{"autorestart": 3}', /must be a string/],
    ['{"autoreplace": "sometimes"}', /autoreplace: 'sometimes'/],
    ['{"recovery": "yes"}', /recovery: 'yes' is not one of ON, OFF/],
    ['{"throttle": "1s"}', /throttle: not a policy setting/],
  ])('refuses %j', (body, message) => {
    const change = parsePolicyChange(body);
    expect('error' in change && change.error).toMatch(message);
    expect(handle('PATCH', '/policy', body, api()).status).toBe(400);
  });

  it('reads values case-insensitively', () => {
    expect(parsePolicyChange('{"autorestart":"ALWAYS","autoreplace":"On_Failure","recovery":"OFF"}')).toEqual({
      autorestart: 'always',
      autoreplace: 'on_failure',
      recovery: false,
    });
  });
});

describe('the policy file', () => {
  it('reads NAME=VALUE lines, comments, quotes and export', () => {
    expect(parsePolicyFile('# policy\nexport AUTORESTART=on_failure\n\nAUTOREPLACE="ALWAYS"\nPROCWARDEN_RECOVERY=\'on\'\n')).toEqual({
      autorestart: 'on_failure',
      autoreplace: 'always',
      recovery: true,
    });
    expect(parsePolicyFile('')).toEqual({});
  });

  it('reads a comment after a value, quoted or not, as dotenv and Compose do', () => {
    expect(parsePolicyFile('AUTORESTART=on_failure # for now\nAUTOREPLACE="always"  # too\nPROCWARDEN_RECOVERY=off#not a comment\n')).toMatchObject({
      error: expect.stringMatching(/^PROCWARDEN_RECOVERY: 'off#not a comment'/),
    });
    expect(parsePolicyFile('AUTORESTART=on_failure # for now\nAUTOREPLACE="always"  # too\n')).toEqual({ autorestart: 'on_failure', autoreplace: 'always' });
    expect(parsePolicyFile('AUTORESTART="always\n')).toEqual({ error: "line 1: AUTORESTART's value has an unclosed quote" });
  });

  it('names the line or the setting that is wrong', () => {
    expect(parsePolicyFile('AUTORESTART=on_failure\nnot a line\n')).toEqual({ error: 'line 2 is not NAME=VALUE (or TYPE.NAME=VALUE)' });
    expect(parsePolicyFile('PORT=5000\n')).toMatchObject({ error: expect.stringMatching(/^line 1: PORT is not a policy setting/) });
    expect(parsePolicyFile('PROCWARDEN_RECOVERY=maybe\n')).toMatchObject({ error: expect.stringMatching(/^PROCWARDEN_RECOVERY: 'maybe'/) });
  });

  it("sets one process type's policy with TYPE.NAME=VALUE, over the lines for every type", () => {
    const changes = parseFile('AUTORESTART=on_failure\nworker.AUTORESTART=always\nworker.PROCWARDEN_RECOVERY=off\n');
    if ('error' in changes) throw new Error(changes.error);
    expect(changeFor(changes, 'web')).toEqual({ autorestart: 'on_failure' });
    expect(changeFor(changes, 'worker')).toEqual({ autorestart: 'always', recovery: false });
    expect(parseFile('worker.AUTOREPLACE=sometimes\n')).toEqual({ error: "worker.AUTOREPLACE: 'sometimes' is not one of OFF, ON_FAILURE, ALWAYS (or Docker's and Kubernetes' no, never, on-failure, OnFailure, always, unless-stopped)" });
  });

  it('names each line for a process type the Procfile lacks, with its number; a type it has is no news, running here or not', () => {
    const procfile = { file: './Procfile', entries: [{ name: 'web', command: 's', line: 1 }, { name: 'worker', command: 'w', line: 2 }] };
    const text = '# for every container of the app\nAUTORESTART=on_failure\nwrokers.AUTORESTART=always\nworker.AUTOREPLACE=always\nexport nosuch.PROCWARDEN_HEALTHCHECK=exec:true\n';
    expect(unknownTypeLines('/etc/policy.env', text, procfile)).toEqual([
      "PROCWARDEN_POLICY_FILE: /etc/policy.env: line 3, wrokers.AUTORESTART: no process type 'wrokers' in ./Procfile (the types are: web, worker): ignored; did you mean worker?",
      "PROCWARDEN_POLICY_FILE: /etc/policy.env: line 5, nosuch.PROCWARDEN_HEALTHCHECK: no process type 'nosuch' in ./Procfile (the types are: web, worker): ignored",
    ]);
    expect(unknownTypeLines('/etc/policy.env', 'not a line\n', procfile)).toEqual([]);
  });

  it("an edit changes, for a type, the settings whose value it changed: a line left as it was, moved or spelled otherwise, applies no more", () => {
    const read = (text: string) => {
      const changes = parseFile(text);
      if ('error' in changes) throw new Error(changes.error);
      return changes;
    };
    const before = read('AUTORESTART=off\nPROCWARDEN_RECOVERY=on\nworker.AUTOREPLACE=always\n');
    const after = read('# reviewed\nPROCWARDEN_RECOVERY=ON\nAUTORESTART=on_failure\nworker.AUTOREPLACE=ALWAYS\nworker.PROCWARDEN_RECOVERY=off\n');
    expect(changedSince(after, before, 'web')).toEqual({ autorestart: 'on_failure' });
    expect(changedSince(after, before, 'worker')).toEqual({ autorestart: 'on_failure', recovery: false });
    expect(changedSince(before, before, undefined)).toEqual({});
    // A line taken out sets nothing: the setting keeps its value.
    expect(changedSince(read('AUTORESTART=off\n'), before, undefined)).toEqual({});
  });

  it('on a live change, names only the lines for a missing type that the file as last read lacked: an edit says each once', () => {
    const procfile = { file: './Procfile', entries: [{ name: 'web', command: 's', line: 1 }, { name: 'worker', command: 'w', line: 2 }] };
    const before = 'AUTORESTART=off\nwrker.AUTORESTART=ALWAYS\n';
    // A line added above moves the typo to line 3: still the same line, not said again.
    const after = '# moved\nAUTORESTART=on_failure\nwrker.AUTORESTART=ALWAYS\nwrker.AUTOREPLACE=ALWAYS\nweb.AUTOREPLACE=always\n';
    expect(unknownTypeLines('/p.env', after, procfile, before)).toEqual([
      "PROCWARDEN_POLICY_FILE: /p.env: line 4, wrker.AUTOREPLACE: no process type 'wrker' in ./Procfile (the types are: web, worker): ignored; did you mean worker?",
    ]);
    expect(unknownTypeLines('/p.env', before, procfile, before)).toEqual([]);
    // Its value changed: an edit of that line, which still sets nothing.
    expect(unknownTypeLines('/p.env', 'wrker.AUTORESTART=OFF\n', procfile, before)).toHaveLength(1);
    // After a file that could not be read, every such line is news.
    expect(unknownTypeLines('/p.env', before, procfile, 'not a line\n')).toHaveLength(1);
  });

  describe('health check options with no check to act on', () => {
    const file = (text: string) => ({ path: '/p.env', text });
    const noEffect = (name: string) => `${name}: no effect without PROCWARDEN_HEALTHCHECK, which is not set: no health check runs`;

    it("says each of the environment's, for a service or a one-off; none once a check is set, or with an empty value", () => {
      const env = { PROCWARDEN_HEALTHCHECK_INTERVAL: '5s', PROCWARDEN_HEALTHCHECK_START_PERIOD: '1m', PROCWARDEN_HEALTHCHECK_RETRIES: '' };
      expect(healthOptionsWithoutCheck(env, undefined, [])).toEqual([noEffect('PROCWARDEN_HEALTHCHECK_INTERVAL'), noEffect('PROCWARDEN_HEALTHCHECK_START_PERIOD')]);
      expect(healthOptionsWithoutCheck(env, undefined, ['web'])).toHaveLength(2);
      expect(healthOptionsWithoutCheck({ ...env, PROCWARDEN_HEALTHCHECK: ' ' }, undefined, ['web'])).toHaveLength(2);
      expect(healthOptionsWithoutCheck({ ...env, PROCWARDEN_HEALTHCHECK: 'exec:true' }, undefined, ['web'])).toEqual([]);
      expect(healthOptionsWithoutCheck({ PATH: '/bin' }, undefined, [])).toEqual([]);
    });

    it("counts the policy file's checks, for every type or for one, and says its own options' lines", () => {
      const env = { PROCWARDEN_HEALTHCHECK_TIMEOUT: '2s' };
      expect(healthOptionsWithoutCheck(env, file('PROCWARDEN_HEALTHCHECK=exec:true\n'), ['web'])).toEqual([]);
      expect(healthOptionsWithoutCheck(env, file('worker.PROCWARDEN_HEALTHCHECK=exec:true\n'), ['web', 'worker'])).toEqual([]);
      // A check for a type the Procfile lacks checks nothing.
      expect(healthOptionsWithoutCheck(env, file('wrokers.PROCWARDEN_HEALTHCHECK=exec:true\n'), ['web', 'worker'])).toEqual([noEffect('PROCWARDEN_HEALTHCHECK_TIMEOUT')]);
      expect(healthOptionsWithoutCheck({}, file('AUTORESTART=always\nPROCWARDEN_HEALTHCHECK_RETRIES=5\n'), ['web'])).toEqual([`PROCWARDEN_POLICY_FILE: /p.env: line 2, ${noEffect('PROCWARDEN_HEALTHCHECK_RETRIES')}`]);
    });

    it("says a type's option line when that type has no check; a line for a type the Procfile lacks is unknownTypeLines'", () => {
      const text = 'web.PROCWARDEN_HEALTHCHECK=tcp://127.0.0.1:$PORT\nweb.PROCWARDEN_HEALTHCHECK_RETRIES=5\nworker.PROCWARDEN_HEALTHCHECK_INTERVAL=1m\nwrokers.PROCWARDEN_HEALTHCHECK_INTERVAL=1m\nPROCWARDEN_HEALTHCHECK_TIMEOUT=3s\n';
      expect(healthOptionsWithoutCheck({}, file(text), ['web', 'worker'])).toEqual([
        'PROCWARDEN_POLICY_FILE: /p.env: line 3, worker.PROCWARDEN_HEALTHCHECK_INTERVAL: no effect without PROCWARDEN_HEALTHCHECK, which is not set for worker: worker has no health check',
      ]);
      // The environment's check is every type's, unless a line for the type empties it.
      expect(healthOptionsWithoutCheck({ PROCWARDEN_HEALTHCHECK: 'exec:true' }, file('worker.PROCWARDEN_HEALTHCHECK_INTERVAL=1m\n'), ['web', 'worker'])).toEqual([]);
      expect(healthOptionsWithoutCheck({ PROCWARDEN_HEALTHCHECK: 'exec:true' }, file('worker.PROCWARDEN_HEALTHCHECK=\nworker.PROCWARDEN_HEALTHCHECK_INTERVAL=1m\n'), ['web', 'worker'])).toHaveLength(1);
    });
  });
});

describe('how many connections the control socket takes at once', () => {
  it('half of what the descriptor limit leaves beside a reserve, between 16 and 1,024', async () => {
    const { connectionCap } = await import('../../src/control/server.ts');
    const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 1048576              files\n`;
    expect(connectionCap(limits('1024'))).toBe(480);
    expect(connectionCap(limits('128'))).toBe(32);
    expect(connectionCap(limits('64'))).toBe(16);
    expect(connectionCap(limits('1048576'))).toBe(1024);
    expect(connectionCap(limits('unlimited'))).toBe(1024);
    expect(connectionCap('')).toBe(1024);
  });
});
