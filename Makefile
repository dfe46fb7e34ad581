# Smiley — one entry point for people and for CI.
#   make demo   set up, then run smileyd on keyboard buttons with a local database; summary after q
#   make test   set up, then build and pass every test
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
DEMO_CONFIG ?= examples/keyboard.yaml
# Debian packages the build and the tests need (C headers for SQLite and libgpiod).
APT_PACKAGES := libsqlite3-dev libgpiod-dev pkg-config
# What the hardware-in-the-loop tests add: the kernel's source and build tools, qemu, the VM's
# busybox, sqlite3 and gpiod tools (copied into its initramfs), mkfs.ext4 for the power-cut disk.
HIL_APT_PACKAGES := linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils qemu-system-x86 \
  busybox-static cpio sqlite3 gpiod e2fsprogs gcc libc6-dev binutils

.PHONY: all deps build demo test unit-tests bench clean hil-deps hil-test

all: build

# Installs what is missing, with apt (the machine's user is root here; sudo is used when it is not).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install the Swift 6.3 toolchain (e.g. at /opt/swift) first" >&2; exit 69; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# The embedded default: keyboard keys 1..4 are the buttons, the database is demo/smiley.sqlite.
demo: build
	@echo "Press 1..4 for very-unhappy, unhappy, happy, very-happy; q to stop."
	.build/debug/smileyd --config $(DEMO_CONFIG)
	.build/debug/smileyctl summary --config $(DEMO_CONFIG)

unit-tests: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test: unit-tests hil-test

hil-deps: deps
	@missing=""; for p in $(HIL_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v pip3 >/dev/null || command -v pip >/dev/null || missing="$$missing python3-pip"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Hardware-in-the-loop: every GPIO scenario on a real kernel (gpio-sim in qemu), against
# libgpiod 1.6 and 2.x, plus the power-cut test. The kernel and libgpiod 2.x are cached in
# $SMILEY_CACHE (default /var/cache/smiley); see hardware/hil/run.sh and docs/gpio.md.
hil-test: hil-deps
	hardware/hil/run.sh

# Benchmarks (not tests): figures for the README.
bench: deps
	$(SWIFT) build -c release --product smileyd
	$(SWIFT) build -c release --product smiley-bench
	.build/release/smiley-bench --smileyd .build/release/smileyd --work .build/bench

clean:
	rm -rf .build demo
