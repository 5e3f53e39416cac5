// What procwarden says of the policy variables a one-off COMMAND does not take (README, "A
// one-off runs once"). In an image with a Procfile they are its ENV for the services, and a
// one-off there (`procwarden -- rails console`) is normal: a notice. With no Procfile they
// can apply to nothing, and were most likely meant for this COMMAND: a warning. Pure.

import type { Config } from './config.ts';

/** A policy event configuration cannot say itself: a notice, an info event (`procwarden.notice`), or a warning (`procwarden.warning`). */
export interface PolicyNotice {
  readonly event: 'procwarden.notice' | 'procwarden.warning';
  readonly detail: string;
}

/**
 * The one event for the variables `ignored` (Config.ignoredForOneOff, each with its flag), or
 * undefined when there are none. `procfile.found`: the Procfile a service here would run
 * (undefined when none is there); `lookedFor`: where it was looked for, in order.
 */
export function oneOffPolicyNotice(
  ignored: Config['ignoredForOneOff'],
  procfile: { readonly found: string | undefined; readonly lookedFor: readonly string[] },
): PolicyNotice | undefined {
  if (ignored.length === 0) return undefined;
  const names = `${ignored.map(({ variable }) => variable).join(', ')} ${ignored.length === 1 ? 'applies' : 'apply'} to Procfile services only`;
  const flags = ignored.map(({ variable, flag }) => `${variable}: ${flag}`).join('; ');
  if (procfile.found !== undefined) {
    return { event: 'procwarden.notice', detail: `${names} (those of ${procfile.found} here): a one-off COMMAND runs once unless a flag says otherwise (${flags})` };
  }
  const places = procfile.lookedFor.join(' and ');
  return {
    event: 'procwarden.warning',
    detail: `${names}, and there is no Procfile here (looked for ${places}): a one-off COMMAND runs once unless a flag says otherwise (${flags}); in an image, give the ${ignored.length === 1 ? 'flag' : 'flags'} in its ENTRYPOINT`,
  };
}
