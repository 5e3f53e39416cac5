// The container suite's setup (npm run test:container): the engine is checked, the suite's
// containers.conf written, the base image imported and Dockerfile.example built; at the end,
// pass or fail, every container, pod, volume and image the run made is removed by id, found
// by the run's label, and every runc container by its id: nothing else is ever touched.

import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { podman, podmanOk, type SuiteRun } from './engine.ts';
import { buildImage, importBase, localDockerfile, makeBaseRoot } from './images.ts';

/** The label every object of a run carries, with the run's id as its value. */
const LABEL_KEY = 'procwarden-test-run';

/**
 * The suite's containers.conf. runc, not crun: crun fails on a machine whose cgroups are in
 * hybrid mode. Ulimits lower than podman's default (nofile 1048576): a root without
 * CAP_SYS_RESOURCE cannot raise them that far (EPERM). `infraImage`: the pause image of the
 * pods `podman kube play` makes, one of the suite's own (kube.test.ts builds it), as podman's
 * own would be built from catatonit, which such a machine may lack.
 */
export function containersConf(infraImage: string): string {
  return [
    '[containers]',
    'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
    '[engine]',
    'runtime = "runc"',
    `infra_image = "${infraImage}"`,
    '',
  ].join('\n');
}

/** The ids `podman LIST --filter label=... -q` prints. */
async function labelled(run: SuiteRun, list: readonly string[]): Promise<string[]> {
  const result = await podman(run.conf, [...list, '--filter', `label=${run.label}`, '--quiet']);
  return [...new Set(result.stdout.split('\n').map((line) => line.trim()).filter(Boolean))];
}

/** The prefix of the id of every runc container of the run (runc.test.ts). */
export const runcPrefix = (run: SuiteRun) => `procwarden-test-${run.id}`;

/** Removes what the run made, by id, pods first (their containers go with them), images last. */
async function removeEverything(run: SuiteRun): Promise<void> {
  const runc = await execa('runc', ['list', '--quiet'], { reject: false });
  for (const id of runc.stdout.split('\n').filter((line) => line.startsWith(runcPrefix(run)))) await execa('runc', ['delete', '--force', id], { reject: false });
  const pods = await labelled(run, ['pod', 'ps']);
  if (pods.length > 0) await podman(run.conf, ['pod', 'rm', '--force', '--time', '0', ...pods]);
  const containers = await labelled(run, ['ps', '--all']);
  if (containers.length > 0) await podman(run.conf, ['rm', '--force', '--time', '0', ...containers]);
  const volumes = await labelled(run, ['volume', 'ls']);
  if (volumes.length > 0) await podman(run.conf, ['volume', 'rm', '--force', ...volumes]);
  // Derived images before the ones they are built on: as long as some go, try again.
  for (let left = await labelled(run, ['images', '--all']), before = Infinity; left.length > 0 && left.length < before; ) {
    await podman(run.conf, ['rmi', '--force', ...left]);
    before = left.length;
    left = await labelled(run, ['images', '--all']);
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.geteuid?.() !== 0) throw new Error('the container suite runs podman rootful: run it as root');
  for (const tool of ['podman', 'runc', 'script', 'unshare', 'tar']) {
    if ((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).exitCode !== 0) {
      throw new Error(`${tool} is missing (Debian: apt-get install podman runc util-linux bsdutils tar; .ci/run installs them)`);
    }
  }
  const standalone = resolve('dist/procwarden-linux-x64');
  if (!existsSync(standalone)) throw new Error(`${standalone} is missing: npm run build:standalone (npm run test:container runs it)`);

  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const work = mkdtempSync(join(tmpdir(), 'procwarden-container-'));
  const conf = join(work, 'containers.conf');
  const run: SuiteRun = {
    id,
    label: `${LABEL_KEY}=${id}`,
    conf,
    work,
    base: `localhost/procwarden-test-base:${id}`,
    example: `localhost/procwarden-test-example:${id}`,
    apps: resolve('test/container/apps'),
    standalone,
  };
  writeFileSync(conf, containersConf(`localhost/procwarden-test-pause:${id}`));
  const teardown = async () => {
    await removeEverything(run);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    await podmanOk(conf, ['info', '--format', '{{.Host.OCIRuntime.Name}}']);
    const root = join(work, 'base-root');
    mkdirSync(root);
    await makeBaseRoot(root, standalone);
    await importBase(run, root, run.base);
    rmSync(root, { recursive: true, force: true });
    const dockerfile = localDockerfile(readFileSync('Dockerfile.example', 'utf8'), run.base, 'procwarden-linux-x64');
    await buildImage(run, dockerfile, { 'procwarden-linux-x64': standalone, 'examples/well-behaved-service': resolve('examples/well-behaved-service') }, run.example);
  } catch (error) {
    await teardown();
    throw error;
  }
  project.provide('suiteRun', run);
  return teardown;
}
