// PROCWARDEN_POLICY_FILE: an env-format file (a mounted Kubernetes ConfigMap, say) that sets
// the policy: `AUTORESTART=ON_FAILURE`, `AUTOREPLACE=ALWAYS`, `PROCWARDEN_RECOVERY=on`. Pure.

import { POLICY_SETTINGS, readChange, type PolicyChange } from '../policy/settings.ts';
import { unknownTypes, type ProcfileEntry } from '../procfile/procfile.ts';

/**
 * A value as env files write it: `ON_FAILURE`, `"ON_FAILURE"` or `'ON_FAILURE'`, with an
 * optional comment after it (`ALWAYS  # for now`, as dotenv and Compose read it). Undefined
 * for an unclosed quote.
 */
function valueOf(raw: string): string | undefined {
  const text = raw.trim();
  const quote = text[0];
  if (quote === '"' || quote === "'") {
    const end = text.indexOf(quote, 1);
    if (end < 0) return undefined;
    const rest = text.slice(end + 1).trim();
    return rest === '' || rest.startsWith('#') ? text.slice(1, end) : text;
  }
  return text.replace(/\s+#.*$/, '');
}

/** What the file sets: the change for every process type under `undefined`, and each type's own under its name. */
export type PolicyChanges = Map<string | undefined, PolicyChange>;

/** The health check's variables (health-config.ts): the file may set them, per type too; read at start only. */
export const HEALTH_VARIABLES = ['PROCWARDEN_HEALTHCHECK', 'PROCWARDEN_HEALTHCHECK_INTERVAL', 'PROCWARDEN_HEALTHCHECK_TIMEOUT', 'PROCWARDEN_HEALTHCHECK_START_PERIOD', 'PROCWARDEN_HEALTHCHECK_RETRIES'];

interface FileLine {
  /** 1-based. */
  readonly line: number;
  readonly type: string | undefined;
  readonly name: string;
  readonly value: string;
}

/** The file's NAME=VALUE (or TYPE.NAME=VALUE) lines, unquoted, or the first line that is wrong. */
function fileLines(text: string): FileLine[] | { error: string } {
  const lines: FileLine[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:([A-Za-z0-9_-]+)\.)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) return { error: `line ${index + 1} is not NAME=VALUE (or TYPE.NAME=VALUE)` };
    const [, type, name, value] = match as unknown as [string, string | undefined, string, string];
    if (!POLICY_SETTINGS.some(({ variable, alias }) => variable === name || alias === name) && !HEALTH_VARIABLES.includes(name)) {
      return { error: `line ${index + 1}: ${name} is not a policy setting (${[...POLICY_SETTINGS.map(({ variable }) => variable), 'PROCWARDEN_HEALTHCHECK and its options'].join(', ')})` };
    }
    const unquoted = valueOf(value);
    if (unquoted === undefined) return { error: `line ${index + 1}: ${name}'s value has an unclosed quote` };
    lines.push({ line: index + 1, type, name, value: unquoted });
  }
  return lines;
}

/**
 * The file's text into checked changes, or the first line that is wrong. A line may name a
 * process type of a formation: `worker.AUTORESTART=ALWAYS` sets the worker's alone, over
 * what a plain `AUTORESTART=` line sets for every type. A file that sets nothing gives an
 * empty map. Health check lines are left to healthSettings.
 */
export function parsePolicyFile(text: string): PolicyChanges | { error: string } {
  const lines = fileLines(text);
  if ('error' in lines) return lines;
  const fields = new Map<string | undefined, Record<string, string>>();
  const names = new Map<string | undefined, Record<string, string>>();
  for (const { type, name, value } of lines) {
    const setting = POLICY_SETTINGS.find(({ variable, alias }) => variable === name || alias === name);
    if (setting === undefined) continue;
    fields.set(type, { ...fields.get(type), [setting.key]: value });
    names.set(type, { ...names.get(type), [setting.key]: type === undefined ? name : `${type}.${name}` });
  }
  const changes: PolicyChanges = new Map();
  for (const [type, values] of fields) {
    // Named as in the file.
    const change = readChange(values, ({ key }) => names.get(type)?.[key] ?? key);
    if ('error' in change) return change;
    changes.set(type, change);
  }
  return changes;
}

/**
 * The health check variables the file sets for process type `type` (its own lines over the
 * lines for every type), as an environment to read them from (health-config.ts); empty
 * when it sets none, or when the file cannot be read (parsePolicyFile says why).
 */
export function healthSettings(text: string, type: string | undefined): Record<string, string> {
  const lines = fileLines(text);
  if ('error' in lines) return {};
  const chosen = lines.filter(({ name, type: lineType }) => HEALTH_VARIABLES.includes(name) && (lineType === undefined || lineType === type));
  // Lines for every type first, so that the type's own win.
  return Object.fromEntries([...chosen.filter(({ type: t }) => t === undefined), ...chosen.filter(({ type: t }) => t !== undefined)].map(({ name, value }) => [name, value]));
}

/** The change for process type `type`: the file's lines for every type, then its own. */
export function changeFor(changes: PolicyChanges, type: string | undefined): PolicyChange {
  return { ...changes.get(undefined), ...(type === undefined ? {} : changes.get(type)) };
}

/**
 * What an edit of the file changes for process type `type`: the settings of `changes` (the
 * file now) whose value is not the one `previous` (the file as last read right) gave them.
 * A line the edit left as it was (moved, or spelled otherwise: `ALWAYS`, `always`) does not
 * apply again, so that it undoes no flag or `procwarden set` made since; a line taken out
 * sets nothing (the setting keeps its value).
 */
export function changedSince(changes: PolicyChanges, previous: PolicyChanges, type: string | undefined): PolicyChange {
  const before = changeFor(previous, type);
  return Object.fromEntries(Object.entries(changeFor(changes, type)).filter(([key, value]) => before[key as keyof PolicyChange] !== value)) as PolicyChange;
}

/** How a warning names a line of the policy file at `path`: `PROCWARDEN_POLICY_FILE: PATH: line 2, worker.AUTORESTART`. */
const lineName = (path: string, { line, type, name }: FileLine) => `PROCWARDEN_POLICY_FILE: ${path}: line ${line}, ${type === undefined ? '' : `${type}.`}${name}`;

/**
 * A warning for each line of the file at `path` that names a process type the Procfile
 * lacks, and so sets nothing (procfile.ts, unknownTypes). A type the Procfile has is never
 * said, whether it runs here or not: one file may serve every container of an app. Empty for
 * a file that cannot be read (parsePolicyFile says why). `previous`, for a live change: the
 * file's text as last read, whose lines (the same type, name and value, wherever they stand)
 * are not said again, so that each is said once, at the edit that makes it.
 */
export function unknownTypeLines(path: string, text: string, procfile: { readonly file: string; readonly entries: readonly ProcfileEntry[] }, previous?: string): string[] {
  const lines = fileLines(text);
  if ('error' in lines) return [];
  const before = previous === undefined ? [] : fileLines(previous);
  const known = new Set('error' in before ? [] : before.map(lineKey));
  const named = lines.flatMap((line) => (line.type === undefined || known.has(lineKey(line)) ? [] : [{ where: lineName(path, line), type: line.type }]));
  return unknownTypes(named, procfile.file, procfile.entries);
}

/** What a line sets, wherever it stands in the file: `worker.AUTORESTART=ALWAYS`. */
const lineKey = ({ type, name, value }: FileLine) => JSON.stringify([type, name, value]);

/** What PROCWARDEN_HEALTHCHECK's probe runs with: each does nothing without one. */
const HEALTH_OPTIONS = HEALTH_VARIABLES.filter((name) => name !== 'PROCWARDEN_HEALTHCHECK');

/**
 * A warning for each health check option that does nothing, as no PROCWARDEN_HEALTHCHECK is
 * set where it applies: one in the environment, or on a line for every type, does nothing
 * when no process type of the Procfile gets a check (from the environment or any line; for a
 * one-off, from the environment); one on a TYPE. line, when that type gets none. Lines for a
 * type the Procfile lacks are unknownTypeLines'. An empty value sets nothing, and is not said.
 * `file`: the policy file, when one is read; `types`: the Procfile's types (none for a one-off).
 */
export function healthOptionsWithoutCheck(
  env: Readonly<Record<string, string | undefined>>,
  file: { readonly path: string; readonly text: string } | undefined,
  types: readonly string[],
): string[] {
  const lines = file === undefined ? [] : fileLines(file.text);
  if ('error' in lines) return [];
  // As main.ts reads each type's check: the environment, under the file's lines for it.
  const checked = (type: string | undefined) => (({ ...env, ...(file === undefined ? {} : healthSettings(file.text, type)) })['PROCWARDEN_HEALTHCHECK'] ?? '').trim() !== '';
  const anyChecked = (types.length > 0 ? types : [undefined]).some(checked);
  const noCheck = 'no effect without PROCWARDEN_HEALTHCHECK, which is not set';
  const warnings = anyChecked ? [] : HEALTH_OPTIONS.filter((name) => (env[name] ?? '') !== '').map((name) => `${name}: ${noCheck}: no health check runs`);
  for (const line of lines) {
    if (!HEALTH_OPTIONS.includes(line.name) || line.value === '') continue;
    if (line.type === undefined) {
      if (!anyChecked) warnings.push(`${lineName(file!.path, line)}: ${noCheck}: no health check runs`);
    } else if (types.includes(line.type) && !checked(line.type)) {
      warnings.push(`${lineName(file!.path, line)}: ${noCheck} for ${line.type}: ${line.type} has no health check`);
    }
  }
  return warnings;
}
