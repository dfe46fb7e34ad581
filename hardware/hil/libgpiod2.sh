#!/usr/bin/env bash
# Builds libgpiod 2.x as a static library once, from the C sources inside the PyPI sdist of the
# Python bindings (gpiod 2.5.0 carries libgpiod 2.3), into a cache OUTSIDE the repository:
# $SMILEY_CACHE/libgpiod-<version>-<sha>/{include/gpiod.h,lib/libgpiod.a}. Prints that folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${SMILEY_CACHE:-/var/cache/smiley}
# Not root and no say over /var/cache: the user's cache instead.
mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ] || cache="${XDG_CACHE_HOME:-$HOME/.cache}/smiley"
export SMILEY_CACHE="$cache"
sdist_version=2.5.0
# Bump when the build steps below change what comes out.
recipe=1
key=$( { echo "gpiod==$sdist_version"; echo "recipe $recipe"; } | sha256sum | cut -c1-16)
out="$cache/libgpiod2-$key"
if [ -s "$out/lib/libgpiod.a" ] && [ -s "$out/include/gpiod.h" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$cache/downloads"
sdist="$cache/downloads/gpiod-$sdist_version.tar.gz"
if [ ! -s "$sdist" ]; then
  pip=$(command -v pip3 || command -v pip || true)
  [ -n "$pip" ] || { echo "libgpiod2.sh: pip is needed to fetch the gpiod sdist (apt-get install python3-pip)" >&2; exit 69; }
  "$pip" download --quiet --no-deps --no-binary :all: "gpiod==$sdist_version" -d "$cache/downloads" >&2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$sdist" -C "$work"
src="$work/gpiod-$sdist_version"
api=$(cat "$src/libgpiod-version.txt")
mkdir -p "$work/obj" "$out.tmp/include" "$out.tmp/lib"
for file in "$src"/lib/*.c; do
  gcc -O2 -fPIC -I"$src/include" -I"$src/lib" -D_GNU_SOURCE -DGPIOD_API_VERSION_STR="\"$api\"" \
    -c "$file" -o "$work/obj/$(basename "$file" .c).o"
done
ar rcs "$out.tmp/lib/libgpiod.a" "$work"/obj/*.o
cp "$src/include/gpiod.h" "$out.tmp/include/gpiod.h"
echo "$api" > "$out.tmp/version"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "libgpiod2.sh: built libgpiod $api (static) in $out" >&2
echo "$out"
