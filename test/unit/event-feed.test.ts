import { describe, expect, it } from 'vitest';
import { createEventLog } from '../../src/events/events.ts';
import { createEventFeed, EVENTS_KEPT } from '../../src/web/event-feed.ts';

/** An event log that writes nothing (silent: pino is never loaded), as a plain init's. */
const quietLog = () => createEventLog({ level: 'silent', levelGiven: true, format: 'json' });

describe('the web page event feed', () => {
  it('gets every event at info and above whatever the log level, as its line says it, and keeps the last 50', () => {
    const events = quietLog();
    const feed = createEventFeed(events);
    events.emit('supervisor.state', { from: 'starting', to: 'running' });
    for (let pid = 1; pid <= EVENTS_KEPT + 5; pid++) events.emit('container.started', { pid, attempt: pid, mode: 'initial', command: ['app'] });
    const recent = feed.recent();
    expect(recent).toHaveLength(EVENTS_KEPT);
    expect(recent[0]).toMatchObject({ level: 'info', event: 'container.started', msg: 'container has started', pid: 6 });
    expect(recent.at(-1)).toMatchObject({ pid: EVENTS_KEPT + 5 });
    expect(Number.isNaN(Date.parse(recent[0]!.time))).toBe(false);
  });

  it('tells each listener each new event until it stops, and counts health failures by instance', () => {
    const events = quietLog();
    const feed = createEventFeed(events);
    const heard: string[] = [];
    const stop = feed.listen((line) => heard.push(line.event));
    const failure = { probe: 'tcp', output: 'refused', streak: 1, retries: 3, counted: true } as const;
    events.emit('health.failed', failure);
    events.emit('health.failed', { ...failure, process: 'web.2' });
    events.emit('health.failed', { ...failure, process: 'web.2' });
    stop();
    events.emit('procwarden.exit', { code: 0 });
    expect(heard).toEqual(['health.failed', 'health.failed', 'health.failed']);
    expect([...feed.healthFailures()]).toEqual([
      ['', 1],
      ['web.2', 2],
    ]);
  });
});
