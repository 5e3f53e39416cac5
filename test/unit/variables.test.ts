import { describe, expect, it } from 'vitest';
import { unknownVariables } from '../../src/config/variables.ts';

describe('unknown PROCWARDEN_ variables', () => {
  it('names a typo and the variable it was meant to be', () => {
    expect(unknownVariables({ PROCWARDEN_STOPTIMEOUT: '5s', PROCWARDEN_STOP_TIMEOUT: '5s' })).toEqual(['PROCWARDEN_STOPTIMEOUT: unknown, and ignored; did you mean PROCWARDEN_STOP_TIMEOUT?']);
    expect(unknownVariables({ PROCWARDEN_HEALTHCHEK: 'exec:true' })).toEqual(['PROCWARDEN_HEALTHCHEK: unknown, and ignored; did you mean PROCWARDEN_HEALTHCHECK?']);
  });

  it('says only that it is unknown when nothing known is near', () => {
    expect(unknownVariables({ PROCWARDEN_FOO_BAR_BAZ_QUX: '1' })).toEqual(['PROCWARDEN_FOO_BAR_BAZ_QUX: unknown, and ignored']);
  });

  it('leaves every other variable alone, and knows its own', () => {
    expect(unknownVariables({ PATH: '/bin', PORT: '5000', AUTORESTART: 'always', PROCWARDEN_AUTORESTART: 'always', PROCWARDEN_LOG_FD: '3' })).toEqual([]);
  });

  it("names a typo of Tutum's and Aptible's own names (no PROCWARDEN_ prefix), and no other variable of the app's", () => {
    expect(unknownVariables({ AUTORESTRAT: 'ON_FAILURE', AUTO_REPLACE: 'ALWAYS', APTIBLE_DONT_WIPE: '1' })).toEqual([
      'APTIBLE_DONT_WIPE: not a variable procwarden reads, and ignored; did you mean APTIBLE_DO_NOT_WIPE?',
      'AUTORESTRAT: not a variable procwarden reads, and ignored; did you mean AUTORESTART?',
      'AUTO_REPLACE: not a variable procwarden reads, and ignored; did you mean AUTOREPLACE?',
    ]);
    expect(unknownVariables({ AUTOSCALE: '1', AUTH_SECRET: 'x', RESTART: '1', HOME: '/root' })).toEqual([]);
  });
});
