import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['10S', 10_000],
    [' 3m ', 180_000],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', 's', '-1s', '1d', '1 s', 'abc', '1e3ms', '10sec'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [10_000, '10s'],
    [250, '250ms'],
    [120_000, '2m'],
    [3_600_000, '1h'],
    [0, '0ms'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("Docker's and Go's durations", () => {
  it('reads compound durations and a bare 0, as HEALTHCHECK options and Compose write them', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('2s500ms')).toBe(2500);
    expect(parseDuration('0')).toBe(0);
  });

  it('still refuses what is none', () => {
    for (const text of ['1m30', '30', 'm', '1m 30s', '-1s', '']) expect(parseDuration(text), text).toBeUndefined();
  });
});
