# Smiley — one entry point for people and for CI.
#   make demo   set up, then run smileyd on keyboard buttons with a local database; summary after q
#   make test   set up, then build and pass every test
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
DEMO_CONFIG ?= examples/keyboard.yaml
# Debian packages the build and the tests need (C headers for SQLite and libgpiod).
APT_PACKAGES := libsqlite3-dev libgpiod-dev pkg-config
# Reports: headless Chromium renders the HTML report in a test; zlib decodes its PNG screenshot.
APT_PACKAGES += chromium zlib1g-dev

.PHONY: all deps build demo test unit-tests bench clean

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

test: unit-tests

# Benchmarks (not tests): figures for the README.
bench: deps
	$(SWIFT) build -c release --product smileyd
	$(SWIFT) build -c release --product smiley-bench
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
