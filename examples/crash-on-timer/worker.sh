#!/bin/sh
# A worker that does its job for CRASH_AFTER seconds (default 5), then fails with exit code 1.
# Under AUTORESTART=ON_FAILURE procwarden restarts it in place, 3 times a minute by default;
# once that budget is spent, Container Recovery takes over, throttled to once in 2 minutes.
echo "worker: started as pid $$, crashing in ${CRASH_AFTER:-5} s"
sleep "${CRASH_AFTER:-5}" &
trap 'kill $!; echo "worker: stopped"; exit 0' TERM INT
wait $!
echo "worker: lost the database connection, exiting with code 1" >&2
exit 1
