// PROCWARDEN_POLICY_FILE: an env-format file (a mounted Kubernetes ConfigMap, say) that sets
// the policy: `AUTORESTART=ON_FAILURE`, `AUTOREPLACE=ALWAYS`, `PROCWARDEN_RECOVERY=on`. Pure.

import { parsePolicyChange, type PolicyChange } from './protocol.ts';

const KEYS: Readonly<Record<string, string>> = {
  AUTORESTART: 'autorestart',
  AUTOREPLACE: 'autoreplace',
  PROCWARDEN_RECOVERY: 'recovery',
};

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

export function parsePolicyFile(text: string): PolicyChange | { error: string } {
  const fields: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) return { error: `line ${index + 1} is not NAME=VALUE` };
    const [, name, value] = match as unknown as [string, string, string];
    const key = KEYS[name];
    if (key === undefined) return { error: `line ${index + 1}: ${name} is not a policy setting (${Object.keys(KEYS).join(', ')})` };
    const unquoted = valueOf(value);
    if (unquoted === undefined) return { error: `line ${index + 1}: ${name}'s value has an unclosed quote` };
    fields[key] = unquoted;
  }
  if (Object.keys(fields).length === 0) return {};
  const change = parsePolicyChange(JSON.stringify(fields));
  if ('error' in change) {
    // Named as in the file.
    const [key] = change.error.split(':');
    const name = Object.entries(KEYS).find(([, k]) => k === key)?.[0] ?? key;
    return { error: change.error.replace(/^[^:]*/, name ?? '') };
  }
  return change;
}
