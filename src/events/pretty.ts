// PROCWARDEN_LOG_FORMAT=pretty: each event as a line a person reads (`app exited: exit code 1
// after 5 ms (crash)`), the format procwarden writes when its stderr is a terminal. Pure: an
// event's name and fields in, a sentence out.

import { counted } from './counted.ts';

/** `5 ms`, `3.0 s`. */
const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

type Fields = Readonly<Record<string, unknown>>;

const str = (value: unknown) => String(value);

/** What one event says, in words, without its time: `app started: attempt 2 (restart), pid 18`. */
export function describeEvent(event: string, fields: Fields): string {
  const who = fields['process'] === undefined ? 'app' : str(fields['process']);
  switch (event) {
    case 'container.started':
      return `${who} started: attempt ${str(fields['attempt'])} (${str(fields['mode'])}), pid ${str(fields['pid'])}${fields['port'] === undefined ? '' : `, PORT ${str(fields['port'])}`}`;
    case 'container.exited': {
      const how = fields['signal'] ? `killed by ${str(fields['signal'])}` : `exit code ${str(fields['code'])}`;
      const more = [fields['oom'] ? 'out of memory: the kernel OOM killer' : '', fields['coreDumped'] ? 'core dumped' : ''].filter(Boolean);
      return `${who} exited: ${how} after ${duration(Number(fields['uptimeMs']))} (${str(fields['cause'])}${more.length ? `; ${more.join('; ')}` : ''})`;
    }
    case 'recovery.decision': {
      const what: Readonly<Record<string, string>> = {
        restart: 'restart in place',
        replace: 'replace: a fresh app on a pristine filesystem',
        recover: 'Container Recovery: a fresh app on a pristine filesystem',
        stop: 'no start: the container stays stopped',
      };
      const delay = Number(fields['delayMs']) > 0 ? `, in ${duration(Number(fields['delayMs']))}` : '';
      return `decision${fields['process'] === undefined ? '' : ` for ${who}`}: ${what[str(fields['action'])] ?? str(fields['action'])}${delay} (${str(fields['reason'])})`;
    }
    case 'fs.snapshot':
      return `pristine snapshot of ${(fields['roots'] as string[]).join(', ')} ready (${str(fields['source'])}, ${counted(Number(fields['entries']), 'entry', 'entries')}, ${duration(Number(fields['durationMs']))})`;
    case 'fs.reset':
      return fields['skipped']
        ? `filesystem reset skipped: ${str(fields['reason'])}`
        : `filesystem reset: ${str(fields['removed'])} removed, ${str(fields['restored'])} restored, in ${duration(Number(fields['durationMs']))}${fields['errors'] ? `; ${counted((fields['errors'] as unknown[]).length, 'error')}` : ''}`;
    case 'pitfall':
      return `pitfall ${str(fields['rule'])}: ${str(fields['detail'])} (fix: ${str(fields['hint'])})`;
    case 'health.failed':
      return `${who} health check failed${fields['counted'] ? ` (${str(fields['streak'])} of ${str(fields['retries'])} in a row)` : ' (in the start period: not counted)'}: ${str(fields['output'])}`;
    case 'health.ok':
      return `${who} health check passes again: ${str(fields['output'])}`;
    case 'policy.changed': {
      const before = fields['old'] as Record<string, string>;
      const after = fields['new'] as Record<string, string>;
      const changed = Object.keys(after).filter((key) => before[key] !== after[key]).map((key) => `${key} ${before[key]} -> ${after[key]}`);
      return `policy changed by the ${str(fields['source'])}${fields['processType'] === undefined ? '' : ` for ${str(fields['processType'])}`}: ${changed.join(', ') || 'nothing'}`;
    }
    case 'policy.rejected':
      return `policy change refused (${str(fields['source'])}): ${str(fields['error'])}`;
    case 'supervisor.state':
      return `${who} state: ${str(fields['from'])} -> ${str(fields['to'])}`;
    case 'procwarden.warning':
    case 'procwarden.notice':
      return str(fields['detail']);
    case 'procwarden.exit':
      return `procwarden exits with code ${str(fields['code'])}`;
    default:
      return event;
  }
}

/** One event as procwarden writes it with PROCWARDEN_LOG_FORMAT=pretty: `12:03:07.412 WARN procwarden: ...`. */
export function prettyLine(time: string, level: string, event: string, fields: Fields): string {
  const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
  return `${time.slice(11, 23)} ${tag}procwarden: ${describeEvent(event, fields)}\n`;
}
