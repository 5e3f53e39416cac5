// PROCWARDEN_POLICY_FILE: an env-format file (a mounted Kubernetes ConfigMap, say) that sets
// the policy: `AUTORESTART=ON_FAILURE`, `AUTOREPLACE=ALWAYS`, `PROCWARDEN_RECOVERY=on`. Pure.

import { POLICY_SETTINGS, readChange, type PolicyChange } from '../policy/settings.ts';

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

/** The file's text into a checked change (empty when it sets nothing), or the first line that is wrong. */
export function parsePolicyFile(text: string): PolicyChange | { error: string } {
  const fields: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) return { error: `line ${index + 1} is not NAME=VALUE` };
    const [, name, value] = match as unknown as [string, string, string];
    const setting = POLICY_SETTINGS.find(({ variable }) => variable === name);
    if (setting === undefined) return { error: `line ${index + 1}: ${name} is not a policy setting (${POLICY_SETTINGS.map(({ variable }) => variable).join(', ')})` };
    const unquoted = valueOf(value);
    if (unquoted === undefined) return { error: `line ${index + 1}: ${name}'s value has an unclosed quote` };
    fields[setting.key] = unquoted;
  }
  // Named as in the file.
  return readChange(fields, ({ variable }) => variable);
}
