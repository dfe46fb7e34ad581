#!/usr/bin/env bash
# Builds the hardware-in-the-loop VM's kernel once: Debian's linux-source-6.1, `make tinyconfig`,
# plus kernel.options (gpio-sim, virtio disk, ext4, serial console). The result is cached OUTSIDE
# the repository, keyed by the configuration (the sha256 of the linux-source version, the option
# list and the recipe number below): $SMILEY_CACHE/kernel-<sha>/bzImage (default
# SMILEY_CACHE=/var/cache/smiley, else ~/.cache/smiley when that is not writable). A second run
# finds it and builds nothing. Prints the path.
# HIL_ARCH=arm64 cross-builds the arm64 kernel instead (gcc-aarch64-linux-gnu; the options of
# kernel-arm64.options; $SMILEY_CACHE/kernel-arm64-<sha>/Image) for qemu-system-aarch64 -M virt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${SMILEY_CACHE:-/var/cache/smiley}
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${XDG_CACHE_HOME:-$HOME/.cache}/smiley"
tarball=/usr/src/linux-source-6.1.tar.xz
[ -f "$tarball" ] || { echo "kernel.sh: $tarball missing (apt-get install linux-source-6.1)" >&2; exit 69; }
version=$(dpkg-query -W -f '${Version}' linux-source-6.1)
arch=${HIL_ARCH:-x86_64}
case $arch in
  x86_64) options_file=$here/kernel.options; make_arch=(); image=bzImage; built=arch/x86/boot/bzImage; prefix=kernel ;;
  arm64)
    command -v aarch64-linux-gnu-gcc >/dev/null || { echo "kernel.sh: aarch64-linux-gnu-gcc missing (apt-get install gcc-aarch64-linux-gnu)" >&2; exit 69; }
    options_file=$here/kernel-arm64.options; make_arch=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
    image=Image; built=arch/arm64/boot/Image; prefix=kernel-arm64 ;;
  *) echo "kernel.sh: HIL_ARCH must be x86_64 or arm64, not '$arch'" >&2; exit 64 ;;
esac
options=$(sed -e 's/#.*//' "$options_file" | tr -s ' \n' '\n' | sed '/^$/d')
# Bump when the build steps below change what comes out (not for comments or messages).
recipe=1
key=$( { echo "linux-source-6.1 $version"; echo "$options"; echo "recipe $recipe"; } | sha256sum | cut -c1-16)
out="$cache/$prefix-$key"
if [ -s "$out/$image" ]; then
  echo "$out/$image"
  exit 0
fi
mkdir -p "$cache"
work="$cache/build-$prefix-$key"
rm -rf "$work"
mkdir -p "$work"
echo "kernel.sh: building the $arch kernel $key from linux-source-6.1 $version (a few minutes; cached afterwards)" >&2
tar -xJf "$tarball" -C "$work"
src=$(echo "$work"/linux-source-6.1)
jobs=$(nproc)
(
  cd "$src"
  make -s "${make_arch[@]}" tinyconfig >/dev/null
  args=()
  for option in $options; do args+=(--enable "$option"); done
  scripts/config "${args[@]}"
  make -s "${make_arch[@]}" olddefconfig >/dev/null
  missing=""
  for option in $options; do
    grep -q "^CONFIG_$option=y" .config || missing="$missing $option"
  done
  if [ -n "$missing" ]; then
    echo "kernel.sh: these options did not stick (dependencies?):$missing" >&2
    exit 1
  fi
  make -s "${make_arch[@]}" -j"$jobs" "$image" >&2
)
mkdir -p "$out.tmp"
cp "$src/$built" "$out.tmp/$image"
cp "$src/.config" "$out.tmp/config"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -rf "$work"
echo "$out/$image"
