# Smiley — one entry point for people and for CI.
#   make demo   set up, then run smileyd on keyboard buttons with a local database; summary after q
#   make test   set up, then build and pass every test
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
DEMO_CONFIG ?= examples/keyboard.yaml
# Debian packages the build and the tests need (C headers for SQLite and libgpiod).
APT_PACKAGES := libsqlite3-dev libgpiod-dev pkg-config
# Upstream sync: zlib for gzip bodies; openssl and iproute2 for the TLS and network tests.
APT_PACKAGES += zlib1g-dev openssl iproute2

.PHONY: all deps build demo test unit-tests bench clean bench-sync demo-sync

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

clean:
	rm -rf .build demo

# Upstream sync: smileyd sending to a local smiley-collector; keys 1..4 press, q stops (docs/sync.md).
demo-sync: build
	examples/demo-sync.sh .build/debug

# Benchmark (not a test): a 1,000,000-sample backlog drained by smileyd to a local smiley-collector.
bench-sync: deps
	$(SWIFT) build -c release --product smileyd
	$(SWIFT) build -c release --product smiley-collector
	$(SWIFT) build -c release --product smiley-sync-bench
	.build/release/smiley-sync-bench --smileyd .build/release/smileyd --collector .build/release/smiley-collector \
		--work .build/bench-sync --samples 1000000
