# Shared by the arm64 scripts (sourced): pinned versions, cache paths, the Debian mirror, a chroot.
# Everything lives under $SMILEY_CACHE/arm64, keyed by what it was made from; the host's apt
# configuration is never changed.

# Debian sid's Swift: the only Swift that exists for both amd64 (the cross compiler) and arm64 (the
# target's runtime and modules) in Debian's archive. Both halves must be this exact version.
SWIFTLANG_VERSION=${SMILEY_SWIFTLANG_VERSION:-6.2.3-1+b1}
# The suites the packages are built for: bookworm (libgpiod 1.6, Raspberry Pi OS 12) and trixie
# (libgpiod 2.x, Raspberry Pi OS 13). Trixie's root also runs the test binaries (glibc >= 2.38).
sysroot_packages() { # suite -> what debootstrap adds to minbase (the C and C++ headers and libraries)
  local gcc=12
  [ "$1" = bookworm ] || gcc=14
  # busybox, sqlite3 and the gpiod tools: what the arm64 hardware-in-the-loop VM runs beside smileyd.
  echo "libc6-dev,linux-libc-dev,libgcc-$gcc-dev,libstdc++-$gcc-dev,libsqlite3-dev,zlib1g-dev,libgpiod-dev,busybox-static,sqlite3,gpiod"
}

arm64_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
arm64_cache_root() {
  local cache=${SMILEY_CACHE:-/var/cache/smiley}
  mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${XDG_CACHE_HOME:-$HOME/.cache}/smiley"
  echo "$cache/arm64"
}
ARM64_CACHE=$(arm64_cache_root)
SWIFT_KEY=swiftlang-${SWIFTLANG_VERSION//[^A-Za-z0-9.]/_}
CHROOT=$ARM64_CACHE/sid-amd64-$SWIFT_KEY        # the cross compiler
RUNTIME=$ARM64_CACHE/runtime-arm64-$SWIFT_KEY   # swiftlang:arm64 + libswiftlang:arm64, unpacked
# suite -> root, keyed by its package list and the recipe (bump it when scripts/arm64/toolchain
# makes a sysroot differently); the versions it got are listed in ROOT/.versions.
SYSROOT_RECIPE=2
sysroot_dir() {
  local key
  key=$(printf '%s\n' "$1" "$(sysroot_packages "$1")" "recipe $SYSROOT_RECIPE" | sha256sum | cut -c1-12)
  echo "$ARM64_CACHE/sysroot-$1-arm64-$key"
}
sdk_bundle() { echo "$ARM64_CACHE/sdk-$1-$SWIFT_KEY.artifactbundle"; }
sdk_name() { echo "smiley-arm64-$1"; }

arm64_die() { echo "arm64: $*" >&2; exit 69; }
arm64_say() { echo "arm64: $*" >&2; }

# The Debian archive this machine's apt already uses (its deb822 or one-line sources), unless
# SMILEY_DEBIAN_MIRROR names one.
debian_mirror() {
  if [ -n "${SMILEY_DEBIAN_MIRROR:-}" ]; then echo "$SMILEY_DEBIAN_MIRROR"; return; fi
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ { u = $2 } /^Suites:/ && /bookworm|trixie|sid/ && u !~ /security/ { print u; exit }')
  [ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" && $0 !~ /security/ && /debian/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }')
  [ -n "$uri" ] || arm64_die "cannot find a Debian archive in /etc/apt/sources.list*; set SMILEY_DEBIAN_MIRROR"
  echo "$uri"
}

# in_chroot CMD...: runs CMD as root in the sid chroot with this repository, the cache and the
# local package mirrors mounted at their own paths; the mounts live in a private mount namespace
# and go away with the command.
in_chroot() {
  local packages=/opt/swift-packages
  unshare --mount --propagation private -- bash -c '
    set -e
    root=$1 repo=$2 cache=$3 packages=$4; shift 4
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    # /tmp first: the repository or the cache may live under /tmp, and go on top of it.
    mount -t tmpfs tmpfs "$root/tmp"
    mkdir -p "$root$repo" "$root$cache"
    mount --bind "$repo" "$root$repo"
    mount --bind "$cache" "$root$cache"
    if [ -d "$packages" ]; then mkdir -p "$root$packages"; mount --bind -o ro "$packages" "$root$packages"; fi
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    exec chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
      LANG=C.UTF-8 TERM=dumb "$@"
  ' in_chroot "$CHROOT" "$arm64_repo" "$ARM64_CACHE" "$packages" "$@"
}

# arm64 ELF programs run through qemu-user by the kernel (binfmt_misc, flag F: the interpreter is
# opened now, so it works inside chroots too): needed where arm64 programs start other arm64
# programs (the test suites' child processes, dpkg's maintainer scripts in an arm64 root).
arm64_binfmt() {
  local dir=/proc/sys/fs/binfmt_misc
  [ -e "$dir/register" ] || mount -t binfmt_misc binfmt_misc "$dir" ||
    arm64_die "cannot mount binfmt_misc on $dir (needed to run arm64 programs that start others)"
  ls "$dir" | grep -q aarch64 && return 0
  printf '%s' ':smiley-qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' \
    > "$dir/register" || arm64_die "cannot register qemu-aarch64-static with binfmt_misc"
}
