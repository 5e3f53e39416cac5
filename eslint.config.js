import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

// What every start would load whether it needs it or not: a module-level import of
// node:crypto alone cost a plain init 7 ms and 1.3 MiB (npm run bench, native section).
const LOADED_WHERE_USED = ['node:crypto', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:zlib', 'node:worker_threads'].map((name) => ({
  name,
  allowTypeImports: true,
  message: 'loaded at every start: take it where it is used, with process.getBuiltinModule',
}));

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
    // No import cycle in src/: each module's job stands on the ones below it.
    files: ['src/**'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'tree-kill', message: 'tree-kill spawns ps, which slim images lack: read /proc.' },
            ...LOADED_WHERE_USED,
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
    // Pure logic: no processes, files or clocks (STYLE.md). Each module here is tested with
    // plain values and a fake clock; what touches the system is given to it.
    files: [
      'src/config/**',
      'src/policy/**',
      'src/procfile/procfile.ts',
      'src/procfile/exec-form.ts',
      'src/filesystem/folder-plan.ts',
      'src/filesystem/mounts.ts',
      'src/filesystem/out-of-reach.ts',
      'src/procfile/service-env.ts',
      'src/procfile/formation.ts',
      'src/health/health-config.ts',
      'src/lint/rules.ts',
      'src/control/protocol.ts',
      'src/control/connect-error.ts',
      'src/control/policy-file.ts',
      'src/supervisor/transitions.ts',
      'src/signals/signal-table.ts',
      'src/process/proc-stat.ts',
      'src/process/ownership.ts',
      'src/process/lines.ts',
      'src/process/exit-status.ts',
      'src/process/inherited-fds.ts',
      'src/process/raw-args.ts',
      'src/web/http-settings.ts',
      'src/web/status-view.ts',
      'src/web/tutum.ts',
      'src/web/metrics.ts',
      'src/web/liveness.ts',
      'src/web/routes.ts',
      'src/web/event-feed.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...LOADED_WHERE_USED,
            ...['node:fs', 'node:fs/promises', 'node:child_process', 'node:timers', 'node:timers/promises', 'fs', 'child_process', 'timers', 'execa'].map((name) => ({
              name,
              message: 'pure logic: no processes, files or timers',
            })),
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'performance'].map((name) => ({
          name,
          message: 'pure logic takes the time and its timers from its caller',
        })),
      ],
      'no-restricted-properties': [
        'error',
        ...['hrtime', 'kill', 'exit', 'on', 'getBuiltinModule'].map((property) => ({ object: 'process', property, message: 'pure logic touches no process' })),
        { object: 'Date', property: 'now', message: 'pure logic takes the time from its caller' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure logic takes the time from its caller: new Date(ms), never new Date()' },
      ],
    },
  },
);
