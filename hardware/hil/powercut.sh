# Power-cut boots. The database lives on a virtio disk (ext4) that survives the VM.
# Every boot first checks what the last boot left (integrity, and the list of rows, which the
# host compares with the presses smileyd logged as committed before qemu was killed); a
# "powercut" boot then starts smileyd and presses buttons until the host kills qemu (SIGKILL).
mkdir -p /data
if ! mount -t ext4 /dev/vda /data; then
  echo "HIL-ERROR cannot mount the database disk /dev/vda"
  return 0 2>/dev/null || exit 0
fi
if [ -f /data/smiley.sqlite ]; then
  echo "VERIFY-INTEGRITY $(sqlite3 /data/smiley.sqlite 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ')"
  sqlite3 /data/smiley.sqlite "SELECT 'VERIFY-ROW ' || lower(hex(uuid)) FROM sample" 2>&1
  echo "VERIFY-COUNT $(sqlite3 /data/smiley.sqlite 'SELECT count(*) FROM sample' 2>&1)"
else
  echo "VERIFY-EMPTY"
fi
echo "VERIFY-DONE"
if [ "$MODE" = powercut ]; then
  A=$(make_pi_chip)
  write_config /data GPIO5 GPIO6 GPIO13 GPIO19 "30 0 0 3000" ""
  sed -i "s|runtime-directory: .*|runtime-directory: /tmp/run|" /data/smiley.yaml
  pull_up_all "$A"
  # smileyd logs "press ... id=<uuid>" after each commit, straight to the serial console.
  smileyd --config /data/smiley.yaml &
  PID=$!
  tries=0
  while [ ! -f /tmp/run/status.json ] && [ $tries -lt 600 ]; do usleep 50000; tries=$((tries + 1)); done
  echo "BURST-START"
  simdrive "$A" burst 5,6,13,19 > /dev/null
fi
umount /data
