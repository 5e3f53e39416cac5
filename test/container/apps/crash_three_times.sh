# The app of the recovery check, run as /app's app. Each start counts itself in the named
# volume at /app/data and writes what /app and /tmp hold to the bind mount at /app/bind
# (listing-N); starts 1 to 3 then change /app and /tmp (files made, removed, changed; a PID
# file) and crash; start 4 exits 7 (PROCWARDEN_NO_RESTART_EXIT).
n=$(( $(cat /app/data/starts 2>/dev/null || echo 0) + 1 ))
echo "$n" > /app/data/starts
echo "start $n" >> /app/bind/log
python3 /checks/listing.py > "/app/bind/listing-$n"
if [ "$n" -le 3 ]; then
  echo junk > "/app/junk-$n"
  echo junk > "/tmp/junk-$n"
  mkdir -p /app/tmp/pids && echo $$ > /app/tmp/pids/server.pid
  rm -f /app/server.py
  echo "# changed by start $n" >> /app/Procfile
  chmod 600 /app/Procfile
  exit 1
fi
exit 7
