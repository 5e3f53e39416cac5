import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FORWARDED_SIGNALS, signalsToIgnore } from '../../src/signals/signal-table.ts';

const number = (name: string) => (constants.signals as Record<string, number>)[name]!;

describe('the signal table', () => {
  const ignored = new Set(signalsToIgnore());

  it('ignores SIGSTKFLT, the job-control signals and every real-time signal users may send', () => {
    for (const name of ['SIGSTKFLT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGPWR', 'SIGVTALRM', 'SIGXCPU']) {
      expect(ignored.has(number(name)), name).toBe(true);
    }
    for (let rt = 34; rt <= 64; rt++) expect(ignored.has(rt), `signal ${rt}`).toBe(true);
  });

  it('never ignores a forwarded signal, SIGCHLD, a fault, or glibc own 32 and 33', () => {
    for (const name of [...FORWARDED_SIGNALS, 'SIGCHLD', 'SIGSEGV', 'SIGKILL', 'SIGSTOP']) {
      expect(ignored.has(number(name)), name).toBe(false);
    }
    expect(ignored.has(32) || ignored.has(33)).toBe(false);
  });
});

describe('signals as users write them', () => {
  it('reads names with or without SIG, in any case, and numbers', async () => {
    const { parseSignal } = await import('../../src/signals/signal-table.ts');
    expect(parseSignal('SIGTERM')).toBe('SIGTERM');
    expect(parseSignal(' quit ')).toBe('SIGQUIT');
    expect(parseSignal('15')).toBe('SIGTERM');
    expect(parseSignal('6')).toBe('SIGABRT');
    expect(parseSignal('SIGFOO')).toBeUndefined();
    expect(parseSignal('99')).toBeUndefined();
  });

  it('ignores no stop signal procwarden was told to listen for', () => {
    expect(signalsToIgnore(['SIGPWR'])).not.toContain(number('SIGPWR'));
  });
});
