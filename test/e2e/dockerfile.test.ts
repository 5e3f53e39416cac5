// Dockerfile.example cannot be built here (no Docker engine). What can be checked is: every
// path it copies exists once the repository is built, every npm script it runs is defined,
// and its final stage works: the RUN steps pass with the standalone executable on the
// copied app, and the ENTRYPOINT then serves the app from the build-time snapshot.

import { Copy, DockerfileParser, Env, type Instruction } from 'dockerfile-ast';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askWellBehavedService, pid1Of, runTracked, scratch, stderrSoFar, stdoutSoFar, eventsNamed } from '../support/processes.ts';

const STANDALONE = resolve('dist/procwarden-linux-x64');
const dockerfile = DockerfileParser.parse(readFileSync('Dockerfile.example', 'utf8'));
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The instructions of each stage, by the stage's name ('' for an unnamed one). */
const stages = new Map<string, Instruction[]>();
{
  let current: Instruction[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      current = [];
      const args = instruction.getArguments().map((arg) => arg.getValue());
      stages.set(args[2] ?? '', current);
    } else current.push(instruction);
  }
}
const [builder, final] = [...stages.values()];
const words = (instruction: Instruction) => instruction.getArguments().map((arg) => arg.getValue());
const of = (stage: Instruction[] | undefined, keyword: string) => (stage ?? []).filter((instruction) => instruction.getKeyword() === keyword);
const fromStage = (instruction: Instruction) => (instruction instanceof Copy ? instruction.getFromFlag()?.getValue() : undefined) ?? undefined;

describe('Dockerfile.example', () => {
  it('has two stages: the builder named procwarden, and the app image', () => {
    expect([...stages.keys()]).toEqual(['procwarden', '']);
    expect(words(of(final, 'ENTRYPOINT')[0]!)).toEqual(['["procwarden"]']);
  });

  it('the builder copies files that exist and runs npm scripts that are defined', () => {
    for (const copy of of(builder, 'COPY')) for (const source of words(copy).slice(0, -1)) expect(existsSync(source), source).toBe(true);
    const run = of(builder, 'RUN').map(words).filter((args) => args[0] === 'npm' && args[1] === 'run');
    expect(run.map((args) => args[2])).toEqual(['build:standalone']);
    for (const args of run) expect(scripts[args[2]!]).toBeDefined();
  });

  it('the app image copies the standalone executable that npm run build:standalone writes, and an app folder that exists', () => {
    const workdir = words(of(builder, 'WORKDIR')[0]!)[0]!;
    const copies = of(final, 'COPY').map((copy) => ({ from: fromStage(copy), args: words(copy) }));
    expect(copies).toContainEqual({ from: 'procwarden', args: [`${workdir}/dist/procwarden-linux-x64`, '/usr/local/bin/procwarden'] });
    for (const { from, args } of copies) {
      const source = from ? posix.relative(workdir, args[0]!) : args[0]!;
      expect(existsSync(source), source).toBe(true);
    }
  });

  it('its final stage works: the RUN steps pass, then the ENTRYPOINT serves the app from the build-time snapshot', async () => {
    // The image's /app and state dir, in the test's own folder.
    const folder = scratch();
    const app = join(folder, 'app');
    const appSource = of(final, 'COPY').find((copy) => !fromStage(copy))!;
    cpSync(words(appSource)[0]!, app, { recursive: true });
    const image = {
      PROCWARDEN_STATE_DIR: join(folder, 'state'),
      PROCWARDEN_WIPE_PATHS: app,
      ...Object.fromEntries(of(final, 'ENV').flatMap((env) => (env instanceof Env ? env.getProperties() : []).map((p) => [p.getName(), p.getValue()]))),
    };
    for (const run of of(final, 'RUN').map(words)) {
      expect(run[0]).toBe('procwarden');
      const result = await runTracked(STANDALONE, run.slice(1), { cwd: app, env: image });
      expect(result.exitCode, `RUN ${run.join(' ')}: ${result.stderr}`).toBe(0);
    }

    const container = runTracked('unshare', ['--pid', '--fork', '--mount-proc', STANDALONE], { cwd: app, env: { ...image, PORT: '0' } });
    const stderr = stderrSoFar(container);
    expect(await askWellBehavedService(stdoutSoFar(container))).toBe('hello from a well-behaved service\n');
    expect(eventsNamed(stderr(), 'fs.snapshot')[0]).toMatchObject({ source: 'build' });
    process.kill(await pid1Of(container.pid!), 'SIGTERM');
    expect((await container).exitCode).toBe(0);
  });
});

describe('the README', () => {
  it('shows Dockerfile.example whole, as it is', () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = /```dockerfile\n([\s\S]*?)```\n/.exec(readme)?.[1];
    expect(block).toBe(readFileSync('Dockerfile.example', 'utf8'));
  });
});
