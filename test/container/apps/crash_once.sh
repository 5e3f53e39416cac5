# Crashes once, after leaving junk in /tmp and (where it may write) in the working
# directory; the next start writes what /tmp and the working directory hold to
# /state/after and exits 7 (PROCWARDEN_NO_RESTART_EXIT). /state is outside the wipe paths.
if [ ! -e /state/crashed ]; then
  touch /state/crashed
  echo junk > /tmp/junk
  echo junk > ./junk 2>/dev/null
  exit 1
fi
{ ls -A /tmp; ls -A .; } > /state/after
exit 7
