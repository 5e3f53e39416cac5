import { describe, expect, it } from 'vitest';
import { containerSign, MACHINE_UTS_NAMESPACE, whyNotOwnDefaultPaths } from '../../src/config/container-sign.ts';
import { parseInvocation } from '../../src/config/command-line.ts';

describe('the signs of a container', () => {
  it('the machine\'s own UTS namespace is no sign; any other is', () => {
    expect(MACHINE_UTS_NAMESPACE).toBe('uts:[4026531838]');
    expect(containerSign('uts:[4026531838]', {})).toBeUndefined();
    expect(containerSign('uts:[4026532451]', {})).toBe('a UTS namespace of its own (uts:[4026532451])');
  });

  it('KUBERNETES_SERVICE_HOST is a sign (a pod with hostNetwork shares the node\'s UTS namespace)', () => {
    expect(containerSign(MACHINE_UTS_NAMESPACE, { KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toBe('KUBERNETES_SERVICE_HOST');
    expect(containerSign(MACHINE_UTS_NAMESPACE, { KUBERNETES_SERVICE_HOST: '' })).toBeUndefined();
  });

  it('what a machine made from an image keeps is no sign: $container, and an unreadable namespace', () => {
    expect(containerSign(MACHINE_UTS_NAMESPACE, { container: 'podman' })).toBeUndefined();
    expect(containerSign(undefined, {})).toBeUndefined();
    expect(containerSign('garbage', {})).toBeUndefined();
  });

  it('reach the configuration of a run and of `procwarden snapshot`', () => {
    const run = parseInvocation(['true'], {}, '/app', 'uts:[4026532451]');
    expect(run.kind === 'run' && run.config.containerSign).toBe('a UTS namespace of its own (uts:[4026532451])');
    expect(parseInvocation(['snapshot'], {}, '/app', MACHINE_UTS_NAMESPACE)).toMatchObject({ kind: 'snapshot', containerSign: undefined });
  });
});

describe('the default wipe paths', () => {
  const sign = 'a UTS namespace of its own (uts:[4026532451])';

  it('are reset in a container procwarden is PID 1 of', () => {
    expect(whyNotOwnDefaultPaths({ wipePathsByDefault: true, containerSign: sign }, 1)).toBeUndefined();
  });

  it('are not when procwarden is not PID 1, or sees no sign of a container', () => {
    expect(whyNotOwnDefaultPaths({ wipePathsByDefault: true, containerSign: sign }, 42)).toMatch(/^not PID 1: .*set PROCWARDEN_WIPE_PATHS to name them$/);
    expect(whyNotOwnDefaultPaths({ wipePathsByDefault: true, containerSign: undefined }, 1)).toMatch(/^no sign of a container \(a UTS namespace of its own .* or KUBERNETES_SERVICE_HOST\): .*set PROCWARDEN_WIPE_PATHS/);
  });

  it('for `procwarden snapshot` (no pid: a build step is not PID 1), need the sign alone', () => {
    expect(whyNotOwnDefaultPaths({ wipePathsByDefault: true, containerSign: sign })).toBeUndefined();
    expect(whyNotOwnDefaultPaths({ wipePathsByDefault: true, containerSign: undefined })).toMatch(/^no sign of a container/);
  });

  it('paths named in PROCWARDEN_WIPE_PATHS are always used', () => {
    expect(whyNotOwnDefaultPaths({ wipePathsByDefault: false, containerSign: undefined }, 42)).toBeUndefined();
  });
});
