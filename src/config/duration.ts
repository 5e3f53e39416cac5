// Durations as the spec writes them: a number and a unit, `ms`, `s`, `m` or `h`
// ("250ms", "10s", "1.5m", "2h"), case-insensitive; and as Docker's HEALTHCHECK options and
// Compose write them (Go's time.ParseDuration: "1m30s", "1h2m3.5s", and "0").

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/giy;

/** Milliseconds for a duration, or `undefined` when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '0') return 0;
  if (value === '') return undefined;
  let ms = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(value); match; match = PART.exec(value)) {
    const [, amount, unit] = match as unknown as [string, string, string];
    ms += Number(amount) * UNIT_MS[unit.toLowerCase() as keyof typeof UNIT_MS];
    if (PART.lastIndex === value.length) return Math.round(ms);
  }
  return undefined;
}

/** A duration for people: "10s", "250ms", "2m". */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0 && ms > 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}
