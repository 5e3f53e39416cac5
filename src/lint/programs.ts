// `procwarden check --programs`: the programs the Procfile's entries run, looked up as they
// will be when they run (in the image: its PATH, its working directory). A program that is
// not there is a `missing-program` finding naming the nearest one that is (a typo:
// gunicornn). Run at image build (`RUN procwarden check --programs`); off by default, as a
// developer's machine lacks the image's programs.

import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import type { Finding } from './lint.ts';

/** Whether `path` is a file this process may execute. */
function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The programs on `searchPath` (colon-separated folders), for the nearest name. */
function programsOnPath(searchPath: string): string[] {
  return searchPath.split(':').filter(Boolean).flatMap((folder) => {
    try {
      return readdirSync(folder);
    } catch {
      return [];
    }
  });
}

/**
 * A finding for each of `programs` (as programsOf gives them) that is not there: a path
 * that is no executable file (relative to `cwd`), or a name in no folder of `searchPath`.
 */
export function missingPrograms(programs: readonly { program: string; part: string }[], searchPath: string, cwd: string): Finding[] {
  let known: string[] | undefined;
  return programs.flatMap(({ program, part }) => {
    if (program.includes('/')) {
      if (executable(program.startsWith('/') ? program : join(cwd, program))) return [];
      return [{ rule: 'missing-program' as const, part, detail: `${program} is not an executable file here`, hint: `check the path, or that the image's build puts ${program} there (and makes it executable)` }];
    }
    if (searchPath.split(':').filter(Boolean).some((folder) => executable(join(folder, program)))) return [];
    known ??= programsOnPath(searchPath);
    const near = known.length === 0 ? undefined : closest(program, known);
    const typo = near !== undefined && distance(program, near) <= Math.max(2, Math.floor(program.length / 3));
    return [
      {
        rule: 'missing-program' as const,
        part,
        detail: `${program} is on no folder of the PATH (${searchPath})`,
        hint: typo ? `did you mean ${near}?` : `install ${program} in the image, or name it by its path`,
      },
    ];
  });
}
