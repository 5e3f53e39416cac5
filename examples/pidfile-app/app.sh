#!/bin/sh
# An app that writes a PID file and refuses to start when it finds one, taking it for a copy
# of itself still running (Rails' "A server is already running. Check tmp/pids/server.pid").
# When it crashes, the file stays behind: a restart in place fails for good, and only a
# start from a pristine filesystem (procwarden's replace or Container Recovery) brings it
# back. It crashes CRASH_AFTER seconds after it starts (default 3); SIGTERM stops it cleanly.
pidfile=tmp/pids/server.pid
if [ -e "$pidfile" ]; then
  echo "app: a server is already running (pid $(cat "$pidfile")): check $pidfile. Refusing to start." >&2
  exit 1
fi
mkdir -p tmp/pids
echo $$ > "$pidfile"
trap 'rm -f "$pidfile"; echo "app: stopped cleanly, $pidfile removed"; exit 0' TERM INT
echo "app: serving as pid $$ ($pidfile written)"
sleep "${CRASH_AFTER:-3}" &
wait $!
echo "app: segmentation fault: no chance to remove $pidfile" >&2
trap - TERM INT
kill -SEGV $$
