// Issue 17: procwarden ships as a tool. `npm pack` makes a tarball whose `procwarden` works
// after `npm install -g ./procwarden-*.tgz` on Node.js 24, with nothing else to download:
// the bundle carries everything it needs.

import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTracked, scratch } from '../support/processes.ts';

describe('the npm package', () => {
  it('npm pack, npm install -g from the tarball (offline), and procwarden runs', async () => {
    const dir = scratch();
    // The bundle is built already (npm test builds it first): no prepack build beside running tests.
    const pack = await runTracked('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: resolve('.') });
    expect(pack.exitCode, pack.stderr).toBe(0);
    const [tarball] = readdirSync(dir).filter((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^procwarden-\d+\.\d+\.\d+\.tgz$/);
    const install = await runTracked('npm', ['install', '-g', '--offline', '--prefix', join(dir, 'prefix'), join(dir, tarball!)]);
    expect(install.exitCode, install.stderr).toBe(0);
    const procwarden = join(dir, 'prefix', 'bin', 'procwarden');
    const run = await runTracked(procwarden, ['--', 'sh', '-c', 'echo from the package; exit 3']);
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('from the package');
    expect((await runTracked(procwarden, ['--version'])).stdout).toMatch(/^procwarden \d+\.\d+\.\d+$/);
  });
});
