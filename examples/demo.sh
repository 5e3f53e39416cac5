#!/usr/bin/env bash
# procwarden's main job, shown on the bundled example: PID 1 of a fresh pid namespace,
# an app that leaves orphans and crashes, and the events a log drain would receive.
set -u
cd "$(dirname "$0")/.."
app=examples/orphans-and-crash/app.sh
export PROCWARDEN_LOG_LEVEL=info PROCWARDEN_LOG_FORMAT=pretty

if unshare --pid --fork --mount-proc true 2>/dev/null; then
  echo "\$ unshare --pid --fork --mount-proc dist/procwarden -- $app    # procwarden is PID 1"
  unshare --pid --fork --mount-proc dist/procwarden -- "$app"
else
  echo "(no permission for a new pid namespace here: procwarden runs as a child subreaper instead)"
  echo "\$ dist/procwarden -- $app"
  dist/procwarden -- "$app"
fi
code=$?
echo "procwarden exited with $code, the app's own exit code."
# The demo itself succeeds when procwarden reported the app's code faithfully.
[ "$code" -eq 3 ]
