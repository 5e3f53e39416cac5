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
});
