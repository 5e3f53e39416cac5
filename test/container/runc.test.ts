// Bare runc: `runc spec` and `runc run` of a bundle whose root folder is the example image's
// (exported from a podman container), as an engine without podman's own ways would run it.

import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsNamed } from '../support/events.ts';
import { finishes, until } from '../support/until.ts';
import { podmanOk, runFlags, suiteRun } from './engine.ts';
import { runcPrefix } from './global-setup.ts';

const run = suiteRun();
const rootfs = join(run.work, 'runc-rootfs');
let spec: { process: Record<string, unknown>; root: Record<string, unknown>; mounts: object[] };
let imageEnv: string[];

/** A bundle of its own for `name`: runc spec's, with the image's root folder, environment and working directory, running `args`. */
function bundle(name: string, args: readonly string[], extra: { env?: readonly string[]; binds?: Readonly<Record<string, string>> } = {}): string {
  const folder = join(run.work, `runc-${name}`);
  mkdirSync(folder);
  const mounts = Object.entries(extra.binds ?? {}).map(([destination, source]) => ({ destination, type: 'bind', source, options: ['rbind', 'rw'] }));
  const config = {
    ...spec,
    process: { ...spec.process, terminal: false, args, cwd: '/app', env: [...imageEnv, ...(extra.env ?? [])] },
    root: { path: rootfs, readonly: false },
    mounts: [...spec.mounts, ...mounts],
  };
  writeFileSync(join(folder, 'config.json'), JSON.stringify(config, null, 2));
  return folder;
}

/** `runc run --bundle FOLDER ID`, in the foreground: procwarden's stderr is the container's. */
const runcRun = (folder: string, name: string) => execa('runc', ['run', '--bundle', folder, `${runcPrefix(run)}-${name}`], { reject: false, stdin: 'ignore' });

describe('bare runc, a runc spec bundle of the example image', () => {
  beforeAll(async () => {
    const created = await podmanOk(run.conf, ['create', ...runFlags(run), run.example]);
    mkdirSync(rootfs);
    const exported = join(run.work, 'runc-rootfs.tar');
    await podmanOk(run.conf, ['export', '--output', exported, created]);
    await execa('tar', ['-C', rootfs, '-xf', exported]);
    const specFolder = join(run.work, 'runc-spec');
    mkdirSync(specFolder);
    await execa('runc', ['spec'], { cwd: specFolder });
    spec = JSON.parse(readFileSync(join(specFolder, 'config.json'), 'utf8')) as typeof spec;
    imageEnv = JSON.parse(await podmanOk(run.conf, ['image', 'inspect', '--format', '{{json .Config.Env}}', run.example])) as string[];
  });

  it('a one-off exits with its code: 3', async () => {
    const result = await finishes(runcRun(bundle('one-off', ['procwarden', '--', 'sh', '-c', 'exit 3']), 'one-off'), 60_000, 'runc run');
    expect(result.exitCode).toBe(3);
  });

  it('the Procfile service runs as PID 1, and `runc kill ID TERM` stops it: exit 0', async () => {
    const service = runcRun(bundle('service', ['procwarden']), 'service');
    let stdout = '';
    service.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await until(() => /^web: serving on port 5000 as pid \d+$/m.test(stdout), 'the service', 60_000, 50);
    expect((await execa('runc', ['exec', `${runcPrefix(run)}-service`, 'readlink', '/proc/1/exe'])).stdout).toBe('/usr/local/bin/procwarden');
    await execa('runc', ['kill', `${runcPrefix(run)}-service`, 'TERM']);
    const result = await finishes(service, 30_000, 'runc run after runc kill');
    expect(result.exitCode).toBe(0);
    expect(eventsNamed(result.stderr, 'container.started')).toMatchObject([{ processType: 'web', attempt: 1 }]);
    expect(eventsNamed(result.stderr, 'container.exited')).toMatchObject([{ cause: 'stop', code: 0 }]);
  });

  it('a replace resets the default paths: a UTS namespace of its own is the sign of a container, with no file or variable of an engine', async () => {
    expect(existsSync(join(rootfs, '.dockerenv')) || existsSync(join(rootfs, 'run/.containerenv'))).toBe(false);
    expect(imageEnv.some((variable) => variable.startsWith('container='))).toBe(false);
    const state = join(run.work, 'runc-state');
    mkdirSync(state);
    chmodSync(state, 0o777);
    const folder = bundle('replace', ['procwarden', '--type', 'crashes-once'], {
      env: ['PROCWARDEN_PROCFILE=/checks/Procfile', 'AUTORESTART=OFF', 'AUTOREPLACE=ON_FAILURE', 'PROCWARDEN_NO_RESTART_EXIT=7'],
      binds: { '/checks': run.apps, '/state': state },
    });
    const result = await finishes(runcRun(folder, 'replace'), 60_000, 'runc run');
    expect(result.exitCode).toBe(7);
    expect(eventsNamed(result.stderr, 'fs.snapshot')).toMatchObject([{ source: 'build', roots: ['/app', '/tmp'] }]);
    expect(eventsNamed(result.stderr, 'fs.reset')).toMatchObject([{ skipped: false, removed: 2 }]);
    expect(readFileSync(join(state, 'after'), 'utf8')).toBe('Procfile\nserver.py\n');
  });
});
