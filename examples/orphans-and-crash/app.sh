#!/bin/sh
# A careless app: it starts workers in the background and forgets them (their parent
# exits, so they become orphans of PID 1), then crashes. Under procwarden the orphans are
# reaped, no zombie is left, and the crash is reported with its exit code.
echo "app: starting 50 background workers that outlive their parent"
i=0
while [ $i -lt 50 ]; do
  (sleep 0.2 &)
  i=$((i + 1))
done
sleep 0.5
zombies=0
for stat in /proc/[0-9]*/stat; do
  case "$(cat "$stat" 2>/dev/null)" in *") Z "*) zombies=$((zombies + 1)) ;; esac
done
echo "app: the workers have exited; zombies left in the container: $zombies"
echo "app: something went wrong, exiting with code 3"
exit 3
