// A policy with everything off and the spec's budgets, for unit tests to change one setting of.

import { DEFAULT_REPLACE_BUDGET, DEFAULT_RESTART_BUDGET, type Policy } from '../../src/policy/policy.ts';

export const OFF: Policy = {
  autorestart: 'off',
  autoreplace: 'off',
  recovery: false,
  restartBudget: DEFAULT_RESTART_BUDGET,
  replaceBudget: DEFAULT_REPLACE_BUDGET,
  throttleMs: 120_000,
};
