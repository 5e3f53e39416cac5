// The policy settings that can change while procwarden runs, in one table: each one's name
// in the control protocol, its environment variable (also its name in the policy file), its
// flag, how its value is read and shown. The command line, the policy file and the control
// protocol all read it from here. Pure.

import type { PolicyView } from '../events/events.ts';
import { RESTART_POLICIES, type Policy, type RestartPolicy } from './policy.ts';

/** The settings a live change may carry (spec section 7). */
export type LiveKey = 'autorestart' | 'autoreplace' | 'recovery';

/** A change of policy: any of the live settings. */
export type PolicyChange = Partial<Pick<Policy, LiveKey>>;

export interface PolicySetting<K extends LiveKey = LiveKey> {
  /** As the control protocol and `procwarden status --json` name it. */
  readonly key: K;
  /** A service's environment variable; also the setting's name in PROCWARDEN_POLICY_FILE. */
  readonly variable: string;
  /** Another spelling of `variable`, accepted the same way (one of the two at a time). */
  readonly alias?: string;
  /** The command-line flag (procwarden and `procwarden set`). */
  readonly flag: `--${K}`;
  /** The values as users write them, for messages and help. */
  readonly shown: readonly string[];
  /** A value as users write it (case-insensitive, spaces around ignored), or undefined when it is none of `shown`. */
  read(text: string): Policy[K] | undefined;
  /** The value as users write it: ON_FAILURE, ON. */
  show(value: Policy[K]): string;
}

/**
 * A restart policy as Tutum writes it (OFF, ON_FAILURE, ALWAYS), or as Docker's restart
 * policies (no, on-failure, always, unless-stopped: docs.docker.com, "Start containers
 * automatically") and Kubernetes' restartPolicy (Never, OnFailure, Always) write the same
 * thing; case, `-` and `_` do not matter. unless-stopped is ALWAYS: procwarden never starts
 * again what a stop ended.
 */
const RESTART_SPELLINGS: Readonly<Record<string, RestartPolicy>> = {
  off: 'off', no: 'off', never: 'off',
  onfailure: 'on_failure',
  always: 'always', unlessstopped: 'always',
};

const restartPolicy = <K extends 'autorestart' | 'autoreplace'>(key: K, variable: string): PolicySetting<K> => ({
  key,
  variable,
  alias: `PROCWARDEN_${variable}`,
  flag: `--${key}` as const,
  shown: RESTART_POLICIES.map((value) => value.toUpperCase()),
  read: (text) => RESTART_SPELLINGS[text.trim().toLowerCase().replace(/[-_]/g, '')],
  show: (value: RestartPolicy) => value.toUpperCase(),
});

/** Tutum's autorestart and autoreplace (OFF, ON_FAILURE, ALWAYS), Aptible's Container Recovery (ON, OFF). */
export const POLICY_SETTINGS: readonly [PolicySetting<'autorestart'>, PolicySetting<'autoreplace'>, PolicySetting<'recovery'>] = [
  restartPolicy('autorestart', 'AUTORESTART'),
  restartPolicy('autoreplace', 'AUTOREPLACE'),
  {
    key: 'recovery',
    variable: 'PROCWARDEN_RECOVERY',
    flag: '--recovery',
    shown: ['ON', 'OFF'],
    read: (text) => ({ on: true, off: false })[text.trim().toLowerCase()],
    show: (value) => (value ? 'ON' : 'OFF'),
  },
];

/** The setting named `key` in the control protocol, if any. */
export function settingNamed(key: string): PolicySetting | undefined {
  return POLICY_SETTINGS.find((setting) => setting.key === key);
}

/** `'x' is not one of OFF, ON_FAILURE, ALWAYS`, for a message that starts with where the value came from. */
export function notOneOf(setting: PolicySetting, text: string): string {
  const also = setting.key === 'recovery' ? '' : " (or Docker's and Kubernetes' no, never, on-failure, OnFailure, always, unless-stopped)";
  return `'${text}' is not one of ${setting.shown.join(', ')}${also}`;
}

/**
 * Named values (`{ autorestart: 'ON_FAILURE' }`) into a checked change. `nameOf` says how the
 * caller's users name a setting in a message (the key, the variable, the flag). `{ error }`
 * names the first unknown setting or bad value; an empty change is no error.
 */
export function readChange(values: Readonly<Record<string, unknown>>, nameOf: (setting: PolicySetting) => string = (setting) => setting.key): PolicyChange | { error: string } {
  const change: { -readonly [K in LiveKey]?: Policy[K] } = {};
  for (const [key, value] of Object.entries(values)) {
    const setting = settingNamed(key);
    if (setting === undefined) return { error: `${key}: not a policy setting (${POLICY_SETTINGS.map(nameOf).join(', ')})` };
    if (typeof value !== 'string') return { error: `${nameOf(setting)}: must be a string` };
    const read = setting.read(value);
    if (read === undefined) return { error: `${nameOf(setting)}: ${notOneOf(setting, value)}` };
    (change as Record<string, unknown>)[setting.key] = read;
  }
  return change;
}

/** A policy as events and the control protocol show it: values as users write them. */
export function viewPolicy(policy: Policy): PolicyView {
  const [autorestart, autoreplace, recovery] = POLICY_SETTINGS;
  return { autorestart: autorestart.show(policy.autorestart), autoreplace: autoreplace.show(policy.autoreplace), recovery: recovery.show(policy.recovery) as 'ON' | 'OFF' };
}
