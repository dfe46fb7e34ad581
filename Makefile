# Smiley — one entry point for people and for CI.
#   make demo   set up, then run smileyd on keyboard buttons with a local database; summary after q
#   make test   set up, then build and pass every test
#   make check  the fast inner loop: build and pass the Swift suites only (no VM, no package)
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
# Release binaries carry the Swift runtime (static stdlib): they need only Debian's own libraries,
# and the board maps no shared Foundation/ICU libraries. scripts/release-flags prints the flags,
# with ICU's data cut to what Smiley uses (scripts/icu-trim).
RELEASE_FLAGS = $$(scripts/release-flags)
DEMO_CONFIG ?= examples/keyboard.yaml
# Debian packages the build and the tests need (C headers for SQLite and libgpiod).
APT_PACKAGES := libsqlite3-dev libgpiod-dev pkg-config
# Upstream sync: zlib for gzip bodies; openssl and iproute2 for the TLS and network tests.
APT_PACKAGES += zlib1g-dev openssl iproute2
# The service checks and the Debian package (systemd-analyze, dpkg-shlibdeps, man, sqlite3, jq);
# binutils, gcc and python3 make the release binaries' ICU data (scripts/icu-trim).
APT_PACKAGES += systemd dpkg-dev man-db sqlite3 jq python3 util-linux passwd binutils gcc xz-utils
# Reports: headless Chromium renders the HTML report in a test; zlib decodes its PNG screenshot.
APT_PACKAGES += chromium zlib1g-dev
# Staff access: Debian's sshd and ssh client, for the staff path through a real sshd (StaffSSHTests,
# make deb-test).
APT_PACKAGES += openssh-server openssh-client
APT_PACKAGES += postgresql
# The load balancer in front of several collectors (examples/haproxy.cfg; LoadBalancerTests, FleetFaultTests).
APT_PACKAGES += haproxy
# What the hardware-in-the-loop tests add: the kernel's source and build tools, qemu, the VM's
# busybox, sqlite3 and gpiod tools (copied into its initramfs), mkfs.ext4 for the power-cut disk.
HIL_APT_PACKAGES := linux-source-6.1 flex bison bc libelf-dev libssl-dev xz-utils qemu-system-x86 \
  busybox-static cpio sqlite3 gpiod e2fsprogs gcc libc6-dev binutils

.PHONY: all deps build demo test check unit-tests fleet-tests bench clean hil-deps hil-test bench-sync demo-sync bench-fleet
.PHONY: arm64-deps deb-arm64 test-arm64

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

# The fleet's process suites (HAProxy, two collectors, PostgreSQL restarted, kill -9) run apart,
# after the rest, so that their dozen processes do not starve the other suites on 2 cores.
FLEET_SUITES = FleetFaultTests|LoadBalancerTests

unit-tests: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(FLEET_SUITES)'

fleet-tests: unit-tests
	$(SWIFT) test --skip-build --filter '$(FLEET_SUITES)'

check: unit-tests

test: unit-tests fleet-tests systemd-check deb-test help-check hil-test

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
	$(SWIFT) build $(RELEASE_FLAGS) --product smileyd
	$(SWIFT) build $(RELEASE_FLAGS) --product smiley-bench
	.build/release/smiley-bench --smileyd .build/release/smileyd --work .build/bench

# Summaries on a 10,000,000-sample database (ten years of a busy store), generated once into
# BENCH_CACHE (outside the repository) and reused. Figures for docs/reports.md; not a test.
BENCH_CACHE ?= $(HOME)/.cache/smiley-bench
.PHONY: bench-reports
bench-reports: deps
	$(SWIFT) build -c release --product smileyctl
	$(SWIFT) build -c release --product smiley-report-bench
	.build/release/smiley-report-bench --database $(BENCH_CACHE)/reports-10M.sqlite --samples 10000000 \
	  --smileyctl .build/release/smileyctl

clean:
	rm -rf .build demo

# --- Running as a service: release build, install, Debian package, unit checks (docs/install.md) ---
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=
STAGE := .build/stage

.PHONY: release man install stage deb deb-test systemd-check help-check

# Every executable product but benchmarks (scripts/products), in release mode.
release: deps
	@for product in $$(SWIFT=$(SWIFT) scripts/products); do \
	  echo "$(SWIFT) build $(RELEASE_FLAGS) --product $$product"; \
	  $(SWIFT) build $(RELEASE_FLAGS) --product $$product || exit $$?; \
	done

# Manual pages from each command's --help (swift-argument-parser's generate-manual tool).
man: release
	$(SWIFT) build --product generate-manual
	@mkdir -p .build/man
	@date=$$(git log -1 --format=%cs 2>/dev/null || date +%F); \
	for product in $$(SWIFT=$(SWIFT) scripts/products); do \
	  .build/debug/generate-manual .build/release/$$product --date $$date --section 1 -o .build/man || exit $$?; \
	  sed -i 's/^$$/.Pp/' .build/man/$$product.1; \
	done

# make install [PREFIX=/usr/local] [DESTDIR=]: programs, units, sysusers/tmpfiles/udev files, manual
# pages; /etc/smiley/smiley.yaml only when there is none (an edited one is never overwritten).
install: man
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" SWIFT=$(SWIFT) scripts/install-tree

# The install as the .deb lays it out, for the checks.
stage: man
	rm -rf $(STAGE)
	DESTDIR=$(STAGE) PREFIX=/usr SYSCONFDIR=/etc SWIFT=$(SWIFT) scripts/install-tree >/dev/null

# .build/smiley_<version>_<arch>.deb for this machine's architecture; `make deb ARCH=arm64` is
# `make deb-arm64`.
NATIVE_ARCH := $(shell dpkg --print-architecture)
ARCH ?= $(NATIVE_ARCH)
ifeq ($(ARCH),$(NATIVE_ARCH))
deb: man
	SWIFT=$(SWIFT) scripts/build-deb
else ifeq ($(ARCH),arm64)
deb: deb-arm64
else
deb:
	@echo "make deb: ARCH=$(ARCH) cannot be built here: $(NATIVE_ARCH) (this machine) or arm64" >&2; exit 64
endif

# --- arm64 (Raspberry Pi) from this x86_64 machine (docs/install.md, scripts/arm64/) ---
# The cross compiler (Debian sid's Swift in a chroot), the arm64 sysroots, the arm64 kernel and
# the test roots are cached in $SMILEY_CACHE/arm64 (default /var/cache/smiley).
ARM64_APT_PACKAGES := debootstrap qemu-user-static qemu-system-arm gcc-aarch64-linux-gnu \
  binutils-aarch64-linux-gnu util-linux dpkg-dev
arm64-deps: hil-deps
	@missing=""; for p in $(ARM64_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# .build/smiley_<version>+deb12_arm64.deb (bookworm, libgpiod 1.6); SUITE=trixie for libgpiod 2.x.
SUITE ?= bookworm
deb-arm64: arm64-deps
	scripts/arm64/deb $(SUITE)

# The package, the unit suites under qemu-user, every HIL scenario and the power cuts in
# qemu-system-aarch64, the install check in an arm64 root; one line per scenario and a tally.
test-arm64: arm64-deps
	scripts/arm64/test

# systemd-analyze verify on every unit in systemd/, sysusers/tmpfiles/udev files applied in a
# scratch root, and systemd-analyze security --offline=true: smileyd.service at most 2.0.
systemd-check: deps stage
	scripts/check-units

# Every command and option has help text; --help works for every subcommand (scripts/check-help).
help-check: release
	SWIFT=$(SWIFT) scripts/check-help

# Installs the .deb into a scratch copy of this machine running systemd, runs smileyd under its
# unit, upgrades, removes, purges (needs root: namespaces and an overlay).
deb-test: deps deb
	scripts/test-deb $$(ls -t .build/smiley_*_$$(dpkg --print-architecture).deb | head -1)

# Upstream sync: smileyd sending to a local smiley-collector; keys 1..4 press, q stops (docs/sync.md).
demo-sync: build
	examples/demo-sync.sh .build/debug

# Benchmark (not a test): a 1,000,000-sample backlog drained by smileyd to a local smiley-collector.
bench-sync: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product smileyd
	$(SWIFT) build $(RELEASE_FLAGS) --product smiley-collector
	$(SWIFT) build $(RELEASE_FLAGS) --product smiley-sync-bench
	.build/release/smiley-sync-bench --smileyd .build/release/smileyd --collector .build/release/smiley-collector \
		--work .build/bench-sync --samples 1000000

# Benchmark (not a test, not in CI): 1,000 simulated terminals through HAProxy (examples/haproxy.cfg)
# to two collectors on a throwaway PostgreSQL, then unnest against COPY, then the fleet queries over a
# year of seeded rollups (docs/fleet.md, Benchmark). Needs root (the server runs as the postgres
# user) and Debian's postgresql and haproxy (`make deps`). BENCH_FLEET_FLAGS passes options.
bench-fleet: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product smiley-collector
	$(SWIFT) build $(RELEASE_FLAGS) --product smiley-fleet-bench
	.build/release/smiley-fleet-bench $(BENCH_FLEET_FLAGS)
