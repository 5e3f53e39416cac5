// Linting the entry that runs, at start, in a short-lived `procwarden check` of its own.
// Compiled once, the shell parser's WebAssembly holds about 55 MB that an idle PID 1 would
// keep for the app's whole life (measured: 65 MB of private memory against 14 MB without
// it; a worker thread kept 58 MB of it too); a process gives it all back when it ends.

import { isStandalone } from '../bundle/payloads.ts';
import { nodeChildren } from '../process/node-children.ts';
import type { EntryFinding } from './lint-procfile.ts';

export function lintInChild(procfile: string, entry: string): Promise<EntryFinding[]> {
  const { spawn } = process.getBuiltinModule('node:child_process');
  // V8's baseline compiler alone: the check parses one line, and needs no optimized code.
  // (The standalone executable takes no Node options: it runs as itself.)
  const args = isStandalone() ? ['check'] : [...process.execArgv, '--liftoff-only', __filename, 'check'];
  return new Promise((resolve, reject) => {
    // Pipes, not 'ignore': that opens /dev/null, which a bare root may lack.
    const child = spawn(process.execPath, [...args, '--json', '--procfile', procfile], { stdio: 'pipe' });
    if (child.pid !== undefined) nodeChildren.add(child.pid);
    child.stdin.end();
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (child.pid !== undefined) nodeChildren.delete(child.pid);
      // Killed with the app's tree: nothing to report.
      if (signal !== null) return resolve([]);
      try {
        resolve((JSON.parse(out) as { findings: EntryFinding[] }).findings.filter((finding) => finding.entry === entry));
      } catch {
        reject(new Error(`procwarden check ended with code ${code} and no report${err ? `: ${err.trim().split('\n')[0]}` : ''}`));
      }
    });
  });
}
