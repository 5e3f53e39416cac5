#!/bin/sh
# An app that sends itself to the background, the way `redis-server --daemonize yes` or a
# bare `nginx` do: the process procwarden started exits 0 at once, and the real work goes on
# in a process of its own session. procwarden reports it (a `daemonized` pitfall event that
# lists the leftovers), kills what was left, and applies the policy: the container does not
# keep running on a process nobody watches.
setsid sh -c 'while :; do sleep 1; done' </dev/null >/dev/null 2>&1 &
echo "app: daemonized, the launcher exits"
