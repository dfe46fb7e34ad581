# Helpers for the VM's scenario scripts (busybox sh). Sourced by /init.
SIM=/sys/kernel/config/gpio-sim
BUTTON_LINES="5 6 13 19"
ACK_LINE=26

# make_chip NAME LABEL NUM_LINES [OFFSET:LINENAME ...] -> prints the chip's sysfs folder
make_chip() {
  local name=$1 label=$2 count=$3 spec
  shift 3
  mkdir -p "$SIM/$name/bank0"
  echo "$count" > "$SIM/$name/bank0/num_lines"
  echo "$label" > "$SIM/$name/bank0/label"
  for spec in "$@"; do
    mkdir "$SIM/$name/bank0/line${spec%%:*}"
    echo "${spec#*:}" > "$SIM/$name/bank0/line${spec%%:*}/name"
  done
  echo 1 > "$SIM/$name/live"
  echo "/sys/devices/platform/$(cat "$SIM/$name/dev_name")/$(cat "$SIM/$name/bank0/chip_name")"
}

# The Raspberry Pi header as gpio-sim: chip label pinctrl-bcm2711, lines GPIO0..GPIO27.
make_pi_chip() {
  local names="" n=0
  while [ $n -lt 28 ]; do names="$names $n:GPIO$n"; n=$((n + 1)); done
  make_chip pi pinctrl-bcm2711 28 $names
}

# pull_up_all DIR: every button line released (pull-up, as with the Pi's internal pull-up).
pull_up_all() {
  local line
  for line in $BUTTON_LINES; do echo pull-up > "$1/sim_gpio$line/pull"; done
}

# write_config DIR LINE0 LINE1 LINE2 LINE3 [press rules as "debounce interval simultaneous held"] [extra yaml]
write_config() {
  local dir=$1 l0=$2 l1=$3 l2=$4 l3=$5 rules=${6:-"30 500 150 3000"} extra=$7
  set -- $rules
  cat > "$dir/smiley.yaml.tmp" <<YAML
terminal: hil-$VARIANT
site: hil
survey: hil
timezone: UTC
database: $dir/smiley.sqlite
runtime-directory: $dir/run
input: gpio
buttons:
  - name: very-unhappy
    line: $l0
  - name: unhappy
    line: $l1
  - name: happy
    line: $l2
  - name: very-happy
    line: $l3
$extra
press:
  debounce-ms: $1
  response-interval-ms: $2
  simultaneous-ms: $3
  held-ms: $4
YAML
  mv "$dir/smiley.yaml.tmp" "$dir/smiley.yaml"
}

# begin NAME [LINES "a b c d"] [RULES] [EXTRA]: a fresh folder and config for one scenario.
begin() {
  S=$1
  DIR=/tmp/$S
  mkdir -p "$DIR"
  chmod 777 "$DIR"
  local lines=${2:-GPIO5 GPIO6 GPIO13 GPIO19}
  set -- $lines
  L0=$1 L1=$2 L2=$3 L3=$4
  write_config "$DIR" "$L0" "$L1" "$L2" "$L3" "$BEGIN_RULES" "$BEGIN_EXTRA"
  BEGIN_RULES="" BEGIN_EXTRA=""
  pull_up_all "$A"
  FAILED=""
}

# start: runs smileyd in the background and waits until it has published its status (ready).
start() {
  smileyd --config "$DIR/smiley.yaml" > "$DIR/log" 2>&1 &
  PID=$!
  local tries=0
  while [ ! -f "$DIR/run/status.json" ]; do
    if ! kill -0 $PID 2>/dev/null; then fail "smileyd exited before it was ready: $(tail -3 "$DIR/log")"; return 1; fi
    tries=$((tries + 1))
    [ $tries -gt 600 ] && { fail "smileyd not ready after 30 s"; return 1; }
    usleep 50000
  done
}

# stop: SIGTERM, wait, expect exit status 0.
stop() {
  kill -TERM $PID
  wait $PID
  local rc=$?
  [ $rc -eq 0 ] || fail "smileyd exited with $rc after SIGTERM: $(tail -3 "$DIR/log")"
  [ -f "$DIR/run/status.json" ] && fail "status.json left behind after a clean stop"
  return 0
}

fail() { FAILED="${FAILED:+$FAILED; }$*"; }

# rows: "button:misuse:held" of every sample, in press order.
rows() {
  [ -f "$DIR/smiley.sqlite" ] || { echo "(no database)"; return; }
  sqlite3 "$DIR/smiley.sqlite" "SELECT button_name || ':' || coalesce(misuse, '-') || ':' ||
    CASE WHEN held_ms IS NULL THEN '-' ELSE 'held' END FROM sample ORDER BY monotonic_ns" | tr '\n' ' ' | sed 's/ $//'
}

# expect_rows "EXPECTED": compares the database with the expected rows.
expect_rows() {
  local got
  got=$(rows)
  [ "$got" = "$1" ] || fail "rows: expected [$1] got [$got]"
}

# report [DETAIL]: one line per scenario.
report() {
  if [ -z "$FAILED" ]; then
    echo "SCENARIO $VARIANT $S PASS${1:+ ($1)}"
  else
    echo "SCENARIO $VARIANT $S FAIL: $FAILED"
    echo "---- smileyd log of $S ----"
    tail -15 "$DIR/log" 2>/dev/null
    echo "----"
  fi
}

# press LINE [DOWN_MS]: a clean press.
press() { simdrive "$A" "d$1" "w$(( ${2:-100} * 1000 ))" "u$1"; }
pause() { usleep $(( $1 * 1000 )); }

# ticks PID: user + system CPU ticks (1/100 s) so far; rss PID: resident kB.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# wakeups_snapshot PID: "tid context-switches" for every thread of PID (each switch away from
# the CPU is a sleep after a wake-up, voluntary or not).
wakeups_snapshot() {
  local task
  for task in /proc/$1/task/*; do
    awk -v tid="${task##*/}" '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print tid, n }' "$task/status"
  done
}
# wakeups_between BEFORE AFTER: switches in between, threads that appeared counted in full.
wakeups_between() {
  awk 'NR == FNR { before[$1] = $2; next } { total += $2 - (($1 in before) ? before[$1] : 0) } END { print total + 0 }' "$1" "$2"
}
