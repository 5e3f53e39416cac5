// Waiting in tests: for a condition, polled, or for a run to end, never longer than a deadline.

/**
 * Polls `condition` (every `everyMs`, 10 ms unless told: a condition that runs a command
 * wants longer) until it holds; fails after `timeoutMs` with what it waited for.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * The result of `run` once it has ended, or a failure that says what did not happen in
 * time (with `soFar()`, the output until then): a deadline, never a wait of its own.
 */
export async function finishes<T>(run: PromiseLike<T>, timeoutMs: number, what: string, soFar?: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still running after ${timeoutMs} ms${soFar ? `; its output so far:\n${soFar()}` : ''}`)), timeoutMs);
  });
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}
