// The one table of live policy settings, and the three readers that take it: the command
// line (flags and a service's environment), the policy file and the control protocol.

import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../src/config/command-line.ts';
import { changeFor, parsePolicyFile as parseFile } from '../../src/control/policy-file.ts';

const parsePolicyFile = (text: string) => {
  const changes = parseFile(text);
  return 'error' in changes ? changes : changeFor(changes, undefined);
};
import { parsePolicyChange } from '../../src/control/protocol.ts';
import { notOneOf, POLICY_SETTINGS, viewPolicy } from '../../src/policy/settings.ts';

const policyOf = (args: string[], env: Record<string, string> = {}) => {
  const invocation = parseInvocation(args, env);
  if (invocation.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(invocation)}`);
  return invocation.config.policy;
};

describe('the policy settings table', () => {
  for (const setting of POLICY_SETTINGS) {
    const [first, second] = setting.shown as [string, string];
    it(`${setting.key}: flag ${setting.flag}, variable ${setting.variable}, file ${setting.variable}=, protocol "${setting.key}" read the same values`, () => {
      for (const shown of [first, second]) {
        const value = setting.read(shown);
        expect(value).toBeDefined();
        expect(policyOf([setting.flag, shown.toLowerCase(), '--', 'true'])[setting.key]).toBe(value);
        expect(policyOf([], { [setting.variable]: ` ${shown} ` })[setting.key]).toBe(value);
        expect(parsePolicyFile(`${setting.variable}=${shown}\n`)).toEqual({ [setting.key]: value });
        expect(parsePolicyChange(JSON.stringify({ [setting.key]: shown }))).toEqual({ [setting.key]: value });
        expect((setting.show as (value: unknown) => string)(value)).toBe(shown);
      }
    });

    it(`${setting.key}: a bad value names the setting as each reader's users write it, and the values it takes`, () => {
      const values = notOneOf(setting, 'sometimes').replace(/^'sometimes' is not one of /, '');
      const refused = parseInvocation([setting.flag, 'sometimes', '--', 'true'], {});
      expect(refused).toEqual({ kind: 'usage-error', message: `${setting.flag}: 'sometimes' is not one of ${values}` });
      expect(parsePolicyFile(`${setting.variable}=sometimes`)).toEqual({ error: `${setting.variable}: 'sometimes' is not one of ${values}` });
      expect(parsePolicyChange(JSON.stringify({ [setting.key]: 'sometimes' }))).toEqual({ error: `${setting.key}: 'sometimes' is not one of ${values}` });
    });
  }

  it('shows a policy as users write it', () => {
    expect(viewPolicy(policyOf([], { AUTORESTART: 'on_failure', AUTOREPLACE: 'Always', PROCWARDEN_RECOVERY: 'off' }))).toEqual({
      autorestart: 'ON_FAILURE',
      autoreplace: 'ALWAYS',
      recovery: 'OFF',
    });
  });
});

describe("other spellings", () => {
  it("Docker's and Kubernetes' restart policies mean what Tutum's do", () => {
    const [autorestart] = POLICY_SETTINGS;
    expect(['no', 'never', 'Never', 'on-failure', 'OnFailure', 'always', 'Always', 'unless-stopped'].map((text) => autorestart.read(text))).toEqual([
      'off', 'off', 'off', 'on_failure', 'on_failure', 'always', 'always', 'always',
    ]);
  });

  it('PROCWARDEN_AUTORESTART is AUTORESTART; both at once is a usage error', () => {
    expect(policyOf([], { PROCWARDEN_AUTORESTART: 'on-failure' }).autorestart).toBe('on_failure');
    expect(policyOf([], { PROCWARDEN_AUTOREPLACE: 'Always' }).autoreplace).toBe('always');
    expect(parseInvocation([], { AUTORESTART: 'always', PROCWARDEN_AUTORESTART: 'no' })).toEqual({ kind: 'usage-error', message: 'AUTORESTART and PROCWARDEN_AUTORESTART are two spellings of one setting: give one' });
  });
});
