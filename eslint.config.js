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
      // What every start would load whether it needs it or not: a module-level import of
      // node:crypto alone cost a plain init 7 ms and 1.3 MiB (npm run bench, native section).
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'tree-kill', message: 'tree-kill spawns ps, which slim images lack: read /proc.' },
            ...['node:crypto', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:zlib', 'node:worker_threads'].map((name) => ({
              name,
              allowTypeImports: true,
              message: 'loaded at every start: take it where it is used, with process.getBuiltinModule',
            })),
          ],
        },
      ],
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
