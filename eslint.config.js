import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'tree-kill', message: 'tree-kill spawns ps, which slim images lack: read /proc.' }] },
      ],
    },
  },
  {
    files: ['src/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'performance', message: 'it loads node:perf_hooks, 1.7 ms of every start: use monotonicMs() from src/clock/monotonic.ts.' },
      ],
    },
  },
  {
    // Pure logic: no processes, files or clocks (STYLE.md).
    files: ['src/config/**', 'src/signals/signal-table.ts', 'src/process/proc-stat.ts', 'src/process/exit-status.ts', 'src/process/inherited-fds.ts', 'src/process/raw-args.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: ['node:fs', 'node:child_process', 'node:timers', 'fs', 'child_process', 'execa'] },
      ],
    },
  },
);
