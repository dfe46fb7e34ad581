#!/usr/bin/env bash
# Hardware-in-the-loop tests on a real Linux kernel: gpio-sim in a qemu VM (TCG), run by
# `make hil-test`. Everything twice: smileyd built against Debian's libgpiod 1.6 and against
# libgpiod 2.x built from source (both in .build, copied to .build/hil/bin-*). Then the power-cut test.
# Prints one line per scenario and a tally; exits non-zero on any mismatch.
#
# Environment: SMILEY_CACHE (default /var/cache/smiley: kernel, libgpiod 2.x),
#   SMILEY_POWERCUTS (cuts per libgpiod variant, default 10: 20 per run),
#   SMILEY_HIL_VARIANTS (default "1.6 2"), SMILEY_HIL_SKIP_BUILD=1 (reuse the release builds),
#   SMILEY_HIL_SCENARIOS=0 (only the power cuts).
# HIL_ARCH=arm64 (scripts/arm64/test): the same scenarios and power cuts on an emulated arm64 board
#   (qemu-system-aarch64 -M virt, Cortex-A72), with the binaries of the arm64 .deb packages named in
#   SMILEY_HIL_DEBS ("1.6=bookworm.deb 2=trixie.deb"; variants as named there) and busybox, sqlite3
#   and the gpiod tools of bookworm's arm64 root (SMILEY_HIL_ROOTS "1.6=ROOT 2=ROOT": each variant's
#   libraries from its own root, the tools from the 1.6 one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
export PATH=/opt/swift/usr/bin:$PATH
cache=${SMILEY_CACHE:-/var/cache/smiley}
# Not root and no say over /var/cache: the user's cache instead.
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${XDG_CACHE_HOME:-$HOME/.cache}/smiley"
export SMILEY_CACHE="$cache"
cuts=${SMILEY_POWERCUTS:-10}
arch=${HIL_ARCH:-x86_64}
variants=${SMILEY_HIL_VARIANTS:-"1.6 2"}
work="$root/.build/hil"
if [ "$arch" = arm64 ]; then
  variants=$(for pair in ${SMILEY_HIL_DEBS:?HIL_ARCH=arm64 needs SMILEY_HIL_DEBS}; do printf '%s ' "${pair%%=*}"; done)
  work="$root/.build/hil-arm64"
fi
# pick "K=V K2=V2" KEY -> V
pick() { local pair; for pair in $1; do [ "${pair%%=*}" = "$2" ] && echo "${pair#*=}"; done; return 0; }
mkdir -p "$work"
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started ))s"; }
phase() { echo "hil: [$(elapsed)] $*"; }

failures=0
passes=0

# ---------------------------------------------------------------- kernel, libgpiod 2.x, builds
phase "kernel ($arch)"
kernel=$(HIL_ARCH=$arch "$here/kernel.sh")
phase "kernel $kernel"
simdrive="$work/simdrive"
if [ "$arch" = arm64 ]; then
  aarch64-linux-gnu-gcc -O2 -Wall -static -o "$simdrive" "$here/simdrive.c"
  SMILEY_HIL_SKIP_BUILD=1
  for variant in $variants; do
    deb=$(pick "$SMILEY_HIL_DEBS" "$variant")
    [ -f "$deb" ] || { echo "hil: $deb (libgpiod $variant) not found: build it with scripts/arm64/deb" >&2; exit 66; }
    rm -rf "$work/deb-$variant" "$work/bin-$variant"
    dpkg-deb -x "$deb" "$work/deb-$variant"
    mkdir -p "$work/bin-$variant"
    # -P: a package from before smileyctl was its own binary has it as a link to smileyd; it stays one.
    cp -P "$work/deb-$variant/usr/bin/smileyd" "$work/deb-$variant/usr/bin/smileyctl" "$work/bin-$variant/"
    phase "libgpiod $variant: $(basename "$deb")"
  done
else
  phase "libgpiod 2.x"
  gpiod2=$("$here/libgpiod2.sh")
  phase "libgpiod $(cat "$gpiod2/version") in $gpiod2"
  gcc -O2 -Wall -static -o "$simdrive" "$here/simdrive.c"
fi

bin_dir() { # variant -> folder with its release smileyd/smileyctl (copied out of .build/release)
  echo "$work/bin-$1"
}
# Both variants come out of the one release build folder, with the flags `make release` uses: the
# libgpiod 2.x variant sets SMILEY_LIBGPIOD_PREFIX (Package.swift), which compiles the C shim's one
# file against 2.x's gpiod.h and links its static library; the Swift modules are not built again.
# The system's variant is built last, so .build/release is left as `make release` makes it.
if [ "${SMILEY_HIL_SKIP_BUILD:-0}" != 1 ]; then
  release_flags=${RELEASE_FLAGS:-$("$root/scripts/release-flags")}
  ordered=""
  for variant in $variants; do [ "$variant" = 1.6 ] || ordered="$ordered $variant"; done
  case " $variants " in *" 1.6 "*) ordered="$ordered 1.6" ;; esac
  for variant in $ordered; do
    prefix=""
    [ "$variant" = 1.6 ] || prefix=$gpiod2
    phase "swift build $release_flags (libgpiod $variant${prefix:+, SMILEY_LIBGPIOD_PREFIX=$prefix})"
    for product in smileyd smileyctl; do
      # shellcheck disable=SC2086
      SMILEY_LIBGPIOD_PREFIX=$prefix swift build $release_flags --product "$product"
    done
    rm -rf "$(bin_dir "$variant")"
    mkdir -p "$(bin_dir "$variant")"
    cp "$root/.build/release/smileyd" "$root/.build/release/smileyctl" "$(bin_dir "$variant")/"
    # The API the shim was compiled for, from the binary itself: 2.x's request call, or 1.6's.
    want=gpiod_line_request_both_edges_events_flags
    [ "$variant" = 1.6 ] || want=gpiod_chip_request_lines
    nm "$(bin_dir "$variant")/smileyd" | grep " $want\$" >/dev/null ||
      { echo "hil: the libgpiod $variant build of smileyd has no $want: built against the wrong gpiod.h" >&2; exit 1; }
  done
fi
for variant in $variants; do
  [ -x "$(bin_dir "$variant")/smileyd" ] || { echo "hil: no libgpiod $variant build in $(bin_dir "$variant") (run without SMILEY_HIL_SKIP_BUILD)" >&2; exit 1; }
done

# ---------------------------------------------------------------- initramfs
# copy_with_libs STAGE FROM FILE...: the files and every shared library they load, at their paths,
# copied from the root FROM (/ here; on arm64 the suite's root, asked through its own loader).
copy_with_libs() {
  local stage=$1 from=$2 file lib
  shift 2
  for file in "$@"; do
    if [ "$from" = / ]; then
      libs=$(ldd "$file" 2>/dev/null | grep -o '/[^ ]*' | sort -u)
    else
      libs=$(qemu-aarch64-static -L "$from" "$from/lib/ld-linux-aarch64.so.1" --list "$file" 2>/dev/null | grep -o '/[^ ]*' | grep -v "^$from" | sort -u)
    fi
    for lib in $libs; do
      [ -e "$stage$lib" ] || (cd "${from%/}/" && cp -L --parents ".$lib" "$stage")
    done
  done
}

make_initramfs() { # variant -> path of the cpio
  local variant=$1 bin stage out
  bin=$(bin_dir "$variant")
  stage="$work/stage-$variant"
  out="$work/initramfs-$variant.cpio"
  rm -rf "$stage"
  mkdir -p "$stage"/{bin,usr/bin,proc,sys,dev,tmp,etc,hil,data,run}
  # The gpiod tools come from bookworm's root on arm64 as from this (bookworm) machine on x86_64:
  # the scenarios speak gpiomon 1.6's command line, whichever libgpiod smileyd links. sqlite3 comes
  # with smileyd's libsqlite3 (the CLI refuses another library version).
  local from=/ tools=/ strip=strip
  if [ "$arch" = arm64 ]; then
    from=$(pick "$SMILEY_HIL_ROOTS" "$variant")
    tools=$(pick "$SMILEY_HIL_ROOTS" 1.6)
    [ -n "$tools" ] || { echo "hil: SMILEY_HIL_ROOTS names no 1.6 (bookworm) root for the VM's tools" >&2; exit 1; }
    strip=aarch64-linux-gnu-strip
  fi
  cp "$tools/bin/busybox" "$stage/bin/busybox"
  cp -P "$bin/smileyd" "$bin/smileyctl" "$stage/usr/bin/"
  cp "$from/usr/bin/sqlite3" "$tools/usr/bin/gpiomon" "$tools/usr/bin/gpioinfo" "$stage/usr/bin/"
  cp "$simdrive" "$stage/usr/bin/simdrive"
  # smileyd's libraries first: its root's glibc is the newer one where the roots differ.
  copy_with_libs "$stage" "$from" "$stage/usr/bin/smileyd" "$stage/usr/bin/sqlite3"
  copy_with_libs "$stage" "$tools" "$stage"/usr/bin/*
  # On x86_64 the 2.x variant links libgpiod 2.x statically; on arm64 it is trixie's shared libgpiod3.
  if [ "$arch" != arm64 ] && [ "$variant" != 1.6 ] && ldd "$bin/smileyd" | grep -q libgpiod; then
    echo "hil: the libgpiod $variant build of smileyd loads a shared libgpiod:" >&2
    ldd "$bin/smileyd" | grep libgpiod >&2
    exit 1
  fi
  # Debug symbols out of the copies (not the builds): the VM's firmware loads the initramfs
  # byte by byte under TCG, so every megabyte costs boot time.
  find "$stage" -type f \( -name '*.so*' -o -path '*/usr/bin/*' \) -exec "$strip" --strip-unneeded {} + 2>/dev/null || true
  printf 'root:x:0:0:root:/:/bin/sh\nkiosk:x:1000:1000:kiosk:/tmp:/bin/sh\n' > "$stage/etc/passwd"
  printf 'root:x:0:\ngpio:x:997:\nkiosk:x:1000:\n' > "$stage/etc/group"
  cp "$here/init" "$stage/init"
  chmod +x "$stage/init"
  cp "$here/lib.sh" "$here/scenarios.sh" "$here/powercut.sh" "$stage/hil/"
  # Uncompressed: under TCG the guest would take longer to inflate it than qemu takes to copy it.
  (cd "$stage" && find . | cpio -o -H newc --quiet) > "$out"
  echo "$out"
}

qemu_args() { # INITRD [DISK]
  local initrd=$1 disk=${2:-}
  # -nic none: the virt machine would otherwise look for a network card's option ROM.
  [ "$arch" = arm64 ] && echo -M virt -cpu cortex-a72 -smp 1 -nic none
  echo -accel tcg -m 1024 -nographic -no-reboot -kernel "$kernel" -initrd "$initrd"
  [ -n "$disk" ] && echo -drive "file=$disk,format=raw,if=virtio"
  return 0
}

boot_retries=0
qemu_arch=x86_64 console=ttyS0
[ "$arch" = arm64 ] && qemu_arch=aarch64 console=ttyAMA0
# boot LOG INITRD APPEND DISK CUT: runs one VM, its serial console into LOG. With CUT=1, waits
# for BURST-START and SIGKILLs qemu 0.5-3 s later (a power cut); else waits for it to power off
# (15 min at most). Under TCG on a loaded machine a VM can reset itself early in the boot
# (seen: the kernel's IO-APIC timer check panicking, now off with no_timer_check). A boot that
# ends by itself before /init printed HIL-BOOT (and, with the disk, VERIFY-DONE) has tested
# nothing: it is started again (at most 3 times), its console kept as LOG.reset-N, and the
# restarts are counted in the tally.
boot() {
  local log=$1 initrd=$2 append=$3 disk=$4 cut=$5 attempt qemu waited status started
  for attempt in 1 2 3; do
    started=$(date +%s)
    # Empty it here: the shell truncates it for qemu only once the background job starts, and
    # the loop below must not read an earlier run's console.
    : > "$log"
    # shellcheck disable=SC2046
    qemu-system-$qemu_arch $(qemu_args "$initrd" "$disk") \
      -append "console=$console quiet panic=-1 no_timer_check ${SMILEY_HIL_APPEND:-} $append" \
      < /dev/null > "$log" 2>&1 &
    qemu=$!
    waited=0
    if [ "$cut" = 1 ]; then
      until grep -q BURST-START "$log" 2>/dev/null || [ $waited -ge 1200 ] || ! kill -0 $qemu 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
      done
      if grep -q BURST-START "$log"; then
        sleep "$(awk -v seed="$RANDOM" 'BEGIN { srand(seed); printf "%.2f", 0.5 + rand() * 2.5 }')"
      fi
      kill -KILL $qemu 2>/dev/null || true
    else
      until ! kill -0 $qemu 2>/dev/null || [ $waited -ge 9000 ]; do
        sleep 0.1
        waited=$((waited + 1))
      done
      kill -KILL $qemu 2>/dev/null || true
    fi
    status=0
    wait $qemu 2>/dev/null || status=$?
    # Without carriage returns and the firmware's terminal escapes (they prefix the first line).
    tr -d '\r' < "$log" | sed 's/\x1b[^a-zA-Z]*[a-zA-Z]//g' > "$log.txt"
    # A boot that reached the burst is a power cut whatever happened: never boot it again.
    grep -q '^BURST-START' "$log.txt" && return 0
    if grep -q 'HIL-BOOT mode=' "$log.txt" && { [ -z "$disk" ] || grep -q '^VERIFY-DONE' "$log.txt"; }; then
      return 0
    fi
    # Only a VM that went away by itself is booted again; one that hung until the time limit
    # is a failure of the test.
    [ "$status" -eq 0 ] || return 1
    boot_retries=$((boot_retries + 1))
    mv "$log" "$log.reset-$attempt"
    echo "  (the VM reset itself $(( $(date +%s) - started )) s into the boot, qemu status $status, last line:" \
      "\"$(grep -v '^$' "$log.txt" | tail -1 | cut -c1-60)\"; booting again)"
  done
  return 1
}

lib_version() {
  if [ "$arch" = arm64 ]; then
    sed -n 's/^libgpiod-dev \([^-+]*\).*/\1/p' "$(pick "$SMILEY_HIL_ROOTS" "$1")/.versions"
  elif [ "$1" = 1.6 ]; then dpkg-query -W -f '${Version}' libgpiod-dev | sed 's/-.*//'
  else cat "$gpiod2/version"; fi
}

# ---------------------------------------------------------------- functional scenarios
for variant in $variants; do
  lib=$(lib_version "$variant")
  phase "initramfs (libgpiod $lib)"
  initrd=$(make_initramfs "$variant")
  [ "${SMILEY_HIL_SCENARIOS:-1}" = 1 ] || continue
  phase "VM: scenarios against libgpiod $lib ($(du -h "$initrd" | cut -f1) initramfs)"
  log="$work/scenarios-$variant.log"
  boot "$log" "$initrd" "smiley.mode=scenarios smiley.variant=libgpiod-$lib smiley.lib=$lib" "" 0 || true
  grep -E '^(SCENARIO|IDLE) ' "$log.txt" | sed 's/^/  /' || true
  plan=$(sed -n 's/^PLAN \([0-9]*\)$/\1/p' "$log.txt" | head -1)
  pass=$(grep -c '^SCENARIO .* PASS' "$log.txt" || true)
  fail=$(grep -c '^SCENARIO .* FAIL' "$log.txt" || true)
  passes=$((passes + pass))
  failures=$((failures + fail))
  if [ -z "$plan" ] || [ $((pass + fail)) -ne "$plan" ] || ! grep -q "^SCENARIOS-DONE" "$log.txt"; then
    echo "  VM run incomplete: $((pass + fail)) of ${plan:-?} scenarios reported; end of the console:"
    tail -25 "$log.txt" | sed 's/^/    /'
    failures=$((failures + 1))
  fi
  if grep -q '^SCENARIO .* FAIL' "$log.txt"; then
    grep -A18 '^SCENARIO .* FAIL' "$log.txt" | sed 's/^/    /' | head -80
  fi
done

# ---------------------------------------------------------------- power cuts
# Each cut: boot, check what the previous boot left, start smileyd, press buttons in a burst, and
# SIGKILL qemu at a random moment. Every press smileyd logged as committed on the console before
# the kill must be in the database at the next boot, and PRAGMA integrity_check must say ok.
for variant in $variants; do
  [ "$cuts" -gt 0 ] || break
  lib=$(lib_version "$variant")
  initrd="$work/initramfs-$variant.cpio"
  disk="$work/powercut-$variant.img"
  rm -f "$disk"
  truncate -s 64M "$disk"
  mkfs.ext4 -q -F "$disk"
  committed="$work/powercut-$variant.committed"
  : > "$committed"
  phase "VM: $cuts power cuts against libgpiod $lib"
  missing_total=0
  integrity_ok=0
  checks=0
  for cut in $(seq 1 $((cuts + 1))); do
    mode=powercut
    [ "$cut" -gt "$cuts" ] && mode=verify
    log="$work/powercut-$variant-$cut.log"
    cutting=0
    [ "$mode" = powercut ] && cutting=1
    boot "$log" "$initrd" "smiley.mode=$mode smiley.variant=libgpiod-$lib smiley.lib=$lib" "$disk" $cutting || true
    # What this boot found (left by the previous one).
    if [ "$cut" -gt 1 ]; then
      checks=$((checks + 1))
      integrity=$(sed -n 's/^VERIFY-INTEGRITY //p' "$log.txt" | head -1 | sed 's/ *$//')
      # An empty database is fine only when nothing was logged as committed yet.
      [ -z "$integrity" ] && grep -q '^VERIFY-EMPTY' "$log.txt" && [ ! -s "$committed" ] && integrity="ok (empty)"
      case "$integrity" in ok*) integrity_ok=$((integrity_ok + 1)) ;; esac
      sed -n 's/^VERIFY-ROW //p' "$log.txt" | sort -u > "$log.rows"
      missing=$(comm -23 <(sort -u "$committed") "$log.rows" | wc -l)
      missing_total=$((missing_total + missing))
      rows=$(wc -l < "$log.rows")
      line="cut $((cut - 1)): integrity ${integrity:-(none)}, $(sort -u "$committed" | wc -l) committed presses logged so far, $rows rows, $missing missing"
      if [ "${integrity%% *}" != ok ] || [ "$missing" -ne 0 ] || ! grep -q '^VERIFY-DONE' "$log.txt"; then
        echo "  POWERCUT libgpiod-$lib FAIL $line"
        tail -20 "$log.txt" | sed 's/^/    /'
        echo
        failures=$((failures + 1))
      else
        echo "  POWERCUT libgpiod-$lib PASS $line"
      fi
    fi
    # What this boot's smileyd logged as committed before the kill.
    grep -o ' press [a-z-]* [a-z ]*.* id=[0-9A-Fa-f-]*' "$log.txt" | grep -o 'id=[0-9A-Fa-f-]*' \
      | sed 's/id=//; s/-//g' | tr 'A-F' 'a-f' >> "$committed" || true
  done
  total=$(sort -u "$committed" | wc -l)
  echo "POWERCUT-TALLY libgpiod-$lib: $cuts cuts, $total presses logged as committed, $missing_total missing after reboot, integrity ok $integrity_ok/$checks"
  [ "$total" -gt 0 ] || { echo "  no press was logged as committed: the burst did not run"; failures=$((failures + 1)); }
  if [ "$missing_total" -eq 0 ] && [ "$integrity_ok" -eq "$checks" ] && [ "$total" -gt 0 ]; then
    passes=$((passes + 1))
  else
    failures=$((failures + 1))
  fi
done

echo "hil: took $(elapsed); VM boots restarted after an early reset: $boot_retries"
# The tally alone on the last line, as CI reads it.
echo "hil: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
