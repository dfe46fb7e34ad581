# The functional scenarios, in one boot: each starts smileyd on a fresh database, drives the
# simulated lines with real timing and checks the rows (or the error and exit status).
# Sourced by /init; prints one "SCENARIO <variant> <name> PASS|FAIL ..." line each.

A=$(make_pi_chip)                                   # GPIO0..GPIO27, label pinctrl-bcm2711
B=$(make_chip twin gpio-twin 28)                    # unnamed lines: gpiomon's twin for the idle test
C=$(make_chip extra gpio-extra 4 1:GPIO21)          # a second GPIO21: an ambiguous name
CHIP_A=/dev/$(basename "$A")
CHIP_B=/dev/$(basename "$B")
echo "HIL-CHIPS pi=$CHIP_A twin=$CHIP_B extra=/dev/$(basename "$C") libgpiod=$VARIANT"
gpioinfo "$(basename "$A")" | head -8
# libgpiod 2.x adds the overflow scenario (17); 1.6's v1 interface has no sequence numbers.
case $VARIANT in libgpiod-1.*) echo "PLAN 16" ;; *) echo "PLAN 17" ;; esac

# 1. A clean press on each button, found by line name.
begin clean
start && {
  for line in $BUTTON_LINES; do press $line 150; pause 700; done
  stop
}
expect_rows "very-unhappy:-:- unhappy:-:- happy:-:- very-happy:-:-"
# The build under test really uses the libgpiod of this variant.
grep -q "libgpiod $LIB," "$DIR/log" || fail "smileyd does not report libgpiod $LIB: $(grep 'gpio lines' "$DIR/log")"
summary=$(smileyctl summary --config "$DIR/smiley.yaml" --format json 2>&1)
echo "$summary" | tr -d ' \n' | grep -q '"accepted":4' || fail "smileyctl summary: $summary"
report "$(grep -o 'libgpiod [^ ]* [a-z]* debounce[^"]*' "$DIR/log" | head -1)"

# 2. Bouncy presses: 3, 5, 7 and 9 pull flips within 1 to 5 ms, then held down.
begin bouncy
start && {
  simdrive "$A" d5 w500 u5 w500 d5 w150000 u5; pause 700                                  # 3 flips, 1 ms
  simdrive "$A" d6 w400 u6 w600 d6 w300 u6 w700 d6 w150000 u6; pause 700                  # 5 flips, 2 ms
  simdrive "$A" d13 w500 u13 w700 d13 w400 u13 w900 d13 w600 u13 w900 d13 w150000 u13; pause 700   # 7 flips, 4 ms
  simdrive "$A" d19 w300 u19 w800 d19 w500 u19 w700 d19 w600 u19 w900 d19 w400 u19 w800 d19 w150000 u19  # 9 flips, 5 ms
  pause 700
  stop
}
expect_rows "very-unhappy:-:- unhappy:-:- happy:-:- very-happy:-:-"
report

# 3. Release bounce: a clean press whose release bounces 5 times within 3 ms.
begin release-bounce
start && {
  simdrive "$A" d13 w150000 u13 w400 d13 w600 u13 w800 d13 w700 u13; pause 700
  simdrive "$A" d19 w150000 u19 w300 d19 w900 u19 w500 d19 w600 u19; pause 700
  stop
}
expect_rows "happy:-:- very-happy:-:-"
report

# 4. A 1 ms glitch is no press (then a real press, to show smileyd was listening).
begin glitch
start && {
  simdrive "$A" d13 w1000 u13; pause 800
  press 19 150; pause 300
  stop
}
expect_rows "very-happy:-:-"
report

# 5. A press inside the response interval (500 ms here) is kept, flagged interval.
begin interval
start && {
  press 13 150; pause 200
  press 19 150; pause 300
  stop
}
expect_rows "happy:-:- very-happy:interval:-"
report

# 6. Two buttons within the simultaneous window (150 ms): both flagged.
begin simultaneous
start && {
  simdrive "$A" d5 w60000 d6 w150000 u5 u6; pause 300
  stop
}
expect_rows "very-unhappy:simultaneous:- unhappy:simultaneous:-"
report

# 7. A 10 s hold: one press, a held warning, held_ms about 10 s.
begin hold
start && {
  press 13 10000; pause 300
  stop
}
expect_rows "happy:-:held"
held=$(sqlite3 "$DIR/smiley.sqlite" "SELECT held_ms FROM sample" 2>/dev/null)
[ -n "$held" ] && [ "$held" -ge 9000 ] && [ "$held" -le 11000 ] || fail "held_ms $held, expected about 10000"
grep -q "held down past held-ms" "$DIR/log" || fail "no held warning in the log"
report "held_ms=$held"

# 8. Lines found by chip label (pinctrl-bcm2711:N), and the idle cost next to gpiomon: after a
#    first press (so every service is up) and 6 s to settle (libdispatch retires idle worker
#    threads after 5 s), 30 s with nobody pressing: CPU ticks, wake-ups and RSS.
#    libdispatch (under Swift concurrency) arms a 1 Hz pool-monitor timer on Linux, so about 30
#    wake-ups are the runtime's floor; smileyd itself must add none. CPU: typically 0 ticks;
#    up to 3 (0.1 %) allowed, as under TCG on a busy host those 30 wake-ups can add up to a tick.
begin by-label "pinctrl-bcm2711:5 pinctrl-bcm2711:6 pinctrl-bcm2711:13 pinctrl-bcm2711:19"
start && {
  gpiomon "$(basename "$B")" 5 6 13 19 > /dev/null &
  GPIOMON=$!
  press 5 150; pause 6000
  s0=$(ticks $PID); g0=$(ticks $GPIOMON)
  wakeups_snapshot $PID > "$DIR/w0"; wakeups_snapshot $GPIOMON > "$DIR/g0"
  sleep 30
  s1=$(ticks $PID); g1=$(ticks $GPIOMON)
  wakeups_snapshot $PID > "$DIR/w1"; wakeups_snapshot $GPIOMON > "$DIR/g1"
  sw=$(wakeups_between "$DIR/w0" "$DIR/w1"); gw=$(wakeups_between "$DIR/g0" "$DIR/g1")
  idle="smileyd ticks=$((s1 - s0)) wakeups=$sw rss_kb=$(rss $PID); gpiomon ticks=$((g1 - g0)) wakeups=$gw rss_kb=$(rss $GPIOMON)"
  echo "IDLE $VARIANT 30s: $idle"
  kill $GPIOMON
  press 19 150; pause 300
  stop
  [ $((s1 - s0)) -le 3 ] || fail "smileyd used $((s1 - s0)) CPU ticks (10 ms each) in 30 s of idle"
  [ "$sw" -le 40 ] || fail "smileyd woke up $sw times in 30 s of idle (libdispatch's 1 Hz monitor explains 30)"
}
expect_rows "very-unhappy:-:- very-happy:-:-"
report "$idle"

# 9. The ack LED (ack-line GPIO26) goes high after the committed press, then low ~300 ms later.
BEGIN_EXTRA="ack-line: GPIO26"
begin ack-led
start && {
  simdrive "$A" watch $ACK_LINE 1500 > "$DIR/ack" &
  WATCH=$!
  pause 100
  press 13 150
  wait $WATCH
  stop
}
expect_rows "happy:-:-"
ack=$(cat "$DIR/ack" 2>/dev/null)
# "0@0 1@t1 0@t2": high once, then low, for 200..500 ms.
set -- $ack
if [ $# -eq 3 ] && [ "${2%@*}" = 1 ] && [ "${3%@*}" = 0 ]; then
  width=$(( ${3#*@} - ${2#*@} ))
  [ $width -ge 200 ] && [ $width -le 500 ] || fail "ack pulse $width ms, expected about 300"
else
  fail "ack line values [$ack], expected 0 then 1 then 0"
fi
report "ack line: $ack"

# 10. A busy line: gpiomon holds GPIO19; smileyd names it and exits 69 before it is ready.
begin busy
gpiomon "$(basename "$A")" 19 > /dev/null &
HOLDER=$!
pause 300
smileyd --config "$DIR/smiley.yaml" > "$DIR/log" 2>&1
rc=$?
kill $HOLDER; wait $HOLDER 2>/dev/null
[ $rc -eq 69 ] || fail "exit status $rc, expected 69"
grep -q 'GPIO19 (button very-happy.*is busy: held by "gpiomon"' "$DIR/log" || fail "message: $(cat "$DIR/log")"
report "$(head -c 160 "$DIR/log")"

# 11. SIGTERM in the middle of a stream of presses, with one button still down: nothing lost.
BEGIN_RULES="30 0 0 3000"
begin sigterm
start && {
  for line in 5 6 13 19 5 6; do simdrive "$A" "d$line" w120000 "u$line" w150000; done
  simdrive "$A" d13 w300 u13 w500 d13 w150000       # the 7th press, down and stable
  stop
  simdrive "$A" u13
}
expect_rows "very-unhappy:-:- unhappy:-:- happy:-:- very-happy:-:- very-unhappy:-:- unhappy:-:- happy:-:-"
report

# 12. A line name that no chip has: exit 69, the chips and their lines listed.
begin missing "GPIO5 GPIO6 GPIO13 GPIO99"
smileyd --config "$DIR/smiley.yaml" > "$DIR/log" 2>&1
rc=$?
[ $rc -eq 69 ] || fail "exit status $rc, expected 69"
grep -q "GPIO99 (button very-happy) not found on any chip.*pinctrl-bcm2711.*GPIO27" "$DIR/log" || fail "message: $(cat "$DIR/log")"
report "$(head -c 160 "$DIR/log")"

# 13. A name on two chips: exit 78, asks for chip:offset.
begin ambiguous "GPIO5 GPIO6 GPIO13 GPIO21"
smileyd --config "$DIR/smiley.yaml" > "$DIR/log" 2>&1
rc=$?
[ $rc -eq 78 ] || fail "exit status $rc, expected 78"
grep -q "GPIO21 (button very-happy) fits more than one chip: pinctrl-bcm2711:21, gpio-extra:1" "$DIR/log" || fail "message: $(cat "$DIR/log")"
report "$(head -c 160 "$DIR/log")"

# 14. Permission denied: the chips belong to root:gpio 0660 and smileyd runs as a user outside gpio.
begin permission
for chip in /dev/gpiochip*; do chgrp gpio "$chip"; chmod 0660 "$chip"; done
su -s /bin/sh kiosk -c "smileyd --config $DIR/smiley.yaml" > "$DIR/log" 2>&1
rc=$?
for chip in /dev/gpiochip*; do chgrp root "$chip"; chmod 0600 "$chip"; done
[ $rc -eq 77 ] || fail "exit status $rc, expected 77"
grep -q "permission denied opening /dev/gpiochip.*root:gpio, mode 0660.*SupplementaryGroups=gpio" "$DIR/log" || fail "message: $(cat "$DIR/log")"
report "$(head -c 160 "$DIR/log")"

# 15. The lines are given back on exit: gpioinfo shows none of them used after the runs above.
begin released
info=$(gpioinfo "$(basename "$A")")
echo "$info" | grep -q '"GPIO19"' || fail "gpioinfo did not list the chip: $info"
used=$(echo "$info" | grep -c '"smileyd"')
[ "$used" -eq 0 ] || fail "$used line(s) still held by smileyd"
report

# 16. A technician's trace: gpiomon records bouncy presses (as hardware/README.md says), and
#     smileyd --replay turns the trace into the same rows as the live lines would.
begin trace-replay
gpiomon --bias=pull-up --line-buffered "$(basename "$A")" 5 6 13 19 > "$DIR/trace.txt" &
RECORDER=$!
pause 300
simdrive "$A" d5 w500 u5 w500 d5 w150000 u5; pause 700
simdrive "$A" d19 w300 u19 w800 d19 w150000 u19 w400 d19 w600 u19; pause 200
simdrive "$A" d13 w1000 u13; pause 300
kill $RECORDER; wait $RECORDER 2>/dev/null
smileyd --config "$DIR/smiley.yaml" --replay "$DIR/trace.txt" --replay-speed max > "$DIR/log" 2>&1 || fail "replay exited with $?: $(tail -3 "$DIR/log")"
expect_rows "very-unhappy:-:- very-happy:-:-"
report "$(grep -c EDGE "$DIR/trace.txt") edges recorded"

# 17. (libgpiod 2.x) The kernel's event buffer overflows: smileyd is stopped (SIGSTOP) while 50
#     presses (100 edges, 40 ms apart: past the 30 ms kernel debounce) come on GPIO13; its request
#     holds 64 events, the kernel drops the oldest. Continued, smileyd sees the gap in the events'
#     sequence numbers, logs how many were lost, re-reads the levels and runs on: the presses
#     still in the buffer are stored (flagged interval: 80 ms apart), then a later press as usual.
case $VARIANT in
  libgpiod-1.*) ;;
  *)
    begin overflow
    start && {
      kill -STOP $PID
      burst=""
      for i in $(seq 50); do burst="$burst d13 w40000 u13 w40000"; done
      # shellcheck disable=SC2086
      simdrive "$A" $burst
      kill -CONT $PID
      pause 1000
      press 19 150; pause 300
      stop
    }
    lost=$(sed -n 's/.*kernel GPIO event buffer overflowed: \([0-9]*\) edge event(s) lost.*/\1/p' "$DIR/log" | head -1)
    [ -n "$lost" ] && [ "$lost" -gt 0 ] || fail "no overflow warning in the log"
    happy=$(sqlite3 "$DIR/smiley.sqlite" "SELECT count(*) FROM sample WHERE button_name = 'happy'")
    last=$(sqlite3 "$DIR/smiley.sqlite" "SELECT button_name FROM sample ORDER BY monotonic_ns DESC LIMIT 1")
    [ "$happy" -ge 25 ] && [ "$happy" -le 40 ] || fail "$happy happy presses stored, expected the 32 the buffer held (25..40)"
    [ "$last" = very-happy ] || fail "the press after the overflow is missing (last row: $last)"
    report "$lost edge events lost and logged; $happy presses from the buffer stored"
    ;;
esac

echo "SCENARIOS-DONE $VARIANT"
