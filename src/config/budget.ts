// Budgets as the spec writes them: TRIES/WINDOW ("3/1m": at most 3 in any sliding minute).

import type { Budget } from '../policy/policy.ts';
import { parseDuration } from './duration.ts';

/** The budget, or undefined when the text is not TRIES/WINDOW. Pure. */
export function parseBudget(text: string): Budget | undefined {
  const [tries, window, extra] = text.trim().split('/');
  if (tries === undefined || window === undefined || extra !== undefined || !/^\d+$/.test(tries)) return undefined;
  const windowMs = parseDuration(window);
  if (windowMs === undefined || windowMs === 0) return undefined;
  return { tries: Number(tries), windowMs };
}
