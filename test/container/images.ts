// The images the suite builds, with no registry: a base made here from a root folder
// (`podman import`), and Dockerfile.example (or the README's non-root variant of its final
// stage) built from the file itself, with only its FROM lines pointed at what is here.

import { Copy, DockerfileParser } from 'dockerfile-ast';
import { execa } from 'execa';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { podmanOk, type SuiteRun } from './engine.ts';

/** Debian's python3, which the base holds as the image's Python (python:3.12-slim's stand-in). */
const PYTHON = '/usr/bin/python3';
const BUSYBOX = '/bin/busybox';
/** Debian's /bin/sh: the dash that python:3.12-slim's /bin/sh is. */
const DASH = '/bin/dash';
/** Debian's default PATH, which its images set (an imported image has none, and `podman kube play` needs one). */
const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The shared libraries `ldd` lists for `files`, as absolute paths. */
async function librariesOf(files: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const file of files) {
    const { stdout, exitCode } = await execa('ldd', [file], { reject: false });
    if (exitCode !== 0) continue; // static
    for (const path of stdout.match(/\/\S+/g) ?? []) found.add(path);
  }
  return [...found];
}

/**
 * A root folder at `root` for the base image: a static busybox for the usual tools, dash as
 * /bin/sh, the machine's python3 with its standard library, and the shared libraries `ldd`
 * lists for them and for `standalone` (what procwarden-linux-x64 needs: glibc, libstdc++).
 * Throws, saying what to install, when one of them is missing.
 */
export async function makeBaseRoot(root: string, standalone: string): Promise<void> {
  for (const [file, fix] of [[BUSYBOX, 'busybox-static'], [DASH, 'dash'], [PYTHON, 'python3']] as const) {
    if (!existsSync(file)) throw new Error(`${file} is missing: apt-get install ${fix}`);
  }
  if ((await execa('ldd', [BUSYBOX], { reject: false })).exitCode === 0) throw new Error(`${BUSYBOX} is not static: apt-get install busybox-static`);
  for (const folder of ['bin', 'usr/bin', 'usr/local/bin', 'etc', 'root', 'run', 'proc', 'sys', 'dev', 'var/tmp', 'tmp']) mkdirSync(join(root, folder), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  chmodSync(join(root, 'var/tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  for (const applet of (await execa(BUSYBOX, ['--list'])).stdout.split('\n')) {
    if (applet && applet !== 'busybox' && applet !== 'sh') symlinkSync('busybox', join(root, 'bin', applet));
  }
  copyFileSync(DASH, join(root, 'bin/dash'));
  chmodSync(join(root, 'bin/dash'), 0o755);
  symlinkSync('dash', join(root, 'bin/sh'));

  const python = (await execa('readlink', ['-f', PYTHON])).stdout.trim();
  copyFileSync(python, join(root, python));
  chmodSync(join(root, python), 0o755);
  symlinkSync(python.split('/').pop()!, join(root, 'usr/bin/python3'));
  const stdlib = (await execa(PYTHON, ['-c', 'import sysconfig; print(sysconfig.get_path("stdlib"))'])).stdout.trim();
  mkdirSync(join(root, dirname(stdlib)), { recursive: true });
  await execa('cp', ['-a', stdlib, join(root, dirname(stdlib))]);
  const dynload = join(stdlib, 'lib-dynload');
  const modules = existsSync(dynload) ? readdirSync(dynload).filter((name) => name.endsWith('.so')).map((name) => join(dynload, name)) : [];
  for (const library of await librariesOf([DASH, python, standalone, ...modules])) {
    mkdirSync(join(root, dirname(library)), { recursive: true });
    copyFileSync(library, join(root, library));
  }
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** The root folder `root` imported as image `tag`, labelled with the run's label. */
export async function importBase(run: SuiteRun, root: string, tag: string): Promise<void> {
  const changes = [`ENV PATH=${IMAGE_PATH}`, 'CMD ["/bin/sh"]', `LABEL ${run.label}`].flatMap((change) => ['--change', change]);
  await execa('tar', ['-C', root, '-c', '.']).pipe('podman', ['import', ...changes, '-', tag], { env: { CONTAINERS_CONF: run.conf } });
}

/**
 * Dockerfile.example (`text`) as it builds here, with no registry: the stage its final stage
 * copies procwarden from is replaced by one that holds `standalone` (a file of the build
 * context) at the path it is copied from; the final stage's FROM names `base`; every other
 * line is the file's own. `finalStage`: another final stage to build on that builder instead
 * of the file's (the README's non-root variant). Pure. Throws when the file does not have
 * that shape (two stages, a COPY --from of the first).
 */
export function localDockerfile(text: string, base: string, standalone: string, finalStage?: string): string {
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  const builder = froms[0]?.getBuildStage();
  if (froms.length !== 2 || !builder) throw new Error('Dockerfile.example: expected two stages, the first named');
  const lines = text.split('\n');
  const finalStart = froms[1]!.getRange().start.line;
  const final = finalStage ?? lines.slice(finalStart).join('\n');
  const finalFile = DockerfileParser.parse(final);
  const copied = finalFile
    .getCOPYs()
    .filter((copy): copy is Copy => copy.getFromFlag()?.getValue() === builder)
    .map((copy) => copy.getArguments()[0]!.getValue());
  if (copied.length === 0) throw new Error(`the final stage copies nothing from the ${builder} stage`);
  const [finalFrom] = finalFile.getFROMs();
  const fromLine = finalFrom!.getRange().start.line;
  const finalLines = final.split('\n');
  finalLines[fromLine] = `FROM ${base}`;
  return [`FROM ${base} AS ${builder}`, ...copied.map((path) => `COPY ${standalone} ${path}`), ...finalLines].join('\n');
}

/**
 * Builds `dockerfile` (its text) in a context holding `files` (context path: source path on
 * this machine, copied), as image `tag` labelled with the run's label; no intermediate image
 * is kept (--layers=false). Throws with podman's output when the build fails.
 */
export async function buildImage(run: SuiteRun, dockerfile: string, files: Readonly<Record<string, string>>, tag: string, timeoutMs = 300_000): Promise<void> {
  const context = join(run.work, `context-${tag.replace(/[^\w.-]/g, '_')}`);
  mkdirSync(context, { recursive: true });
  for (const [inContext, source] of Object.entries(files)) {
    mkdirSync(dirname(join(context, inContext)), { recursive: true });
    cpSync(source, join(context, inContext), { recursive: true });
  }
  writeFileSync(join(context, 'Dockerfile'), dockerfile);
  await podmanOk(run.conf, ['build', '--pull=never', '--layers=false', '--label', run.label, '-f', join(context, 'Dockerfile'), '-t', tag, context], { timeoutMs });
}
