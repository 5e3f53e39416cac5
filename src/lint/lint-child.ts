// Linting the entry that runs, at start, in a short-lived `procwarden check` of its own.
// Compiled once, the shell parser's WebAssembly holds about 55 MB that an idle PID 1 would
// keep for the app's whole life (measured: 65 MB of private memory against 14 MB without
// it; a worker thread kept 58 MB of it too); a process gives it all back when it ends.

import { nodeChildren } from '../process/node-children.ts';
import type { EntryFinding } from './lint-procfile.ts';

export function lintInChild(procfile: string, entry: string): Promise<EntryFinding[]> {
  const { spawn } = process.getBuiltinModule('node:child_process');
  const isSea = process.getBuiltinModule('node:sea')?.isSea() ?? false;
  // V8's baseline compiler alone: the check parses one line, and needs no optimized code.
  const args = isSea ? ['check'] : [...process.execArgv, '--liftoff-only', __filename, 'check'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, '--json', '--procfile', procfile], { stdio: ['ignore', 'pipe', 'ignore'] });
    if (child.pid !== undefined) nodeChildren.add(child.pid);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (child.pid !== undefined) nodeChildren.delete(child.pid);
      // Killed with the app's tree: nothing to report.
      if (signal !== null) return resolve([]);
      try {
        resolve((JSON.parse(out) as { findings: EntryFinding[] }).findings.filter((finding) => finding.entry === entry));
      } catch {
        reject(new Error(`procwarden check ended with code ${code} and no report`));
      }
    });
  });
}
