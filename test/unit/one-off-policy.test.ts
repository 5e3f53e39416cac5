import { describe, expect, it } from 'vitest';
import { oneOffPolicyNotice } from '../../src/config/one-off-policy.ts';

const AUTORESTART = { variable: 'AUTORESTART', flag: '--autorestart' };
const RECOVERY = { variable: 'PROCWARDEN_RECOVERY', flag: '--recovery' };
const PLACES = ['./Procfile', '/.aptible/Procfile'];

describe('the policy variables a one-off COMMAND does not take', () => {
  it('in an image with a Procfile, are its ENV for the services: an info notice, not a warning', () => {
    expect(oneOffPolicyNotice([AUTORESTART], { found: './Procfile', lookedFor: PLACES })).toEqual({
      event: 'procwarden.notice',
      detail: 'AUTORESTART applies to Procfile services only (those of ./Procfile here): a one-off COMMAND runs once unless a flag says otherwise (AUTORESTART: --autorestart)',
    });
  });

  it('with no Procfile to apply to, were likely meant for this COMMAND: a warning that says where it looked and what to do', () => {
    expect(oneOffPolicyNotice([AUTORESTART, RECOVERY], { found: undefined, lookedFor: PLACES })).toEqual({
      event: 'procwarden.warning',
      detail:
        'AUTORESTART, PROCWARDEN_RECOVERY apply to Procfile services only, and there is no Procfile here (looked for ./Procfile and /.aptible/Procfile): a one-off COMMAND runs once unless a flag says otherwise (AUTORESTART: --autorestart; PROCWARDEN_RECOVERY: --recovery); in an image, give the flags in its ENTRYPOINT',
    });
  });

  it('says nothing when none is set', () => {
    expect(oneOffPolicyNotice([], { found: undefined, lookedFor: PLACES })).toBeUndefined();
  });
});
