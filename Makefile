# metl — build, test, demo, bench. Every target installs the system packages it needs first.
SWIFT ?= swift
SYSTEM_PACKAGES := libsqlite3-dev libssh2-1-dev openssh-server pkg-config postgresql gnupg
# The console's browser tests: headless Chromium and its WebDriver (Selenium comes from PyPI into .build/);
# promtool (Debian's prometheus) checks the metrics metl writes.
TEST_PACKAGES := chromium chromium-driver prometheus
DEMO_DIR ?= demo
# The commit every build is stamped with (metl --version, /healthz, metl_build_info): Package.swift reads it.
export METL_BUILD_COMMIT := $(shell c=$$(git rev-parse --short=12 HEAD 2>/dev/null) && { git diff --quiet HEAD && echo $$c || echo $$c-dirty; })
# Tests that run many other processes (several metl processes on one PostgreSQL database; gpg and its
# agents): run after the rest, so their load does not skew its timed tests.
SEPARATE_TESTS := Postgres(Instances|Jobs|WebhookWorkers)Tests|OpenPGPTests|KeysCLITests|Sealed(Cutoff|Ingest|Kill)Tests|ApprovalsCLITests
# Alerts through the binary: a down sshd, receivers going away and back, a retry waited for. Alone,
# last, so its processes do not slow the multi-process tests above past their deadlines.
LAST_TESTS := AlertsCLITests

.PHONY: deps build test demo bench docs fixtures clean

deps:
	@scripts/install-deps.sh $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build

test: deps
	@scripts/install-deps.sh $(TEST_PACKAGES)
	scripts/verify-units.sh
	scripts/store-contract-coverage.py
	$(SWIFT) build --build-tests
	scripts/python-venv.sh
	SWIFT=$(SWIFT) scripts/docs.sh --if-available
	scripts/with-postgres.sh sh -c '$(SWIFT) test --skip-build --skip "$(SEPARATE_TESTS)|$(LAST_TESTS)" && $(SWIFT) test --skip-build --filter "$(SEPARATE_TESTS)" && $(SWIFT) test --skip-build --filter "$(LAST_TESTS)"'
	scripts/schemathesis.sh $$($(SWIFT) build --show-bin-path)/metl
	scripts/browser-tests.sh $$($(SWIFT) build --show-bin-path)/metl

demo: deps
	$(SWIFT) build --product metl
	$(SWIFT) build --product metl-webhook-receiver
	DEMO_DIR=$(DEMO_DIR) METL=$$($(SWIFT) build --show-bin-path)/metl scripts/demo.sh

bench: deps
	@scripts/install-deps.sh wrk
	$(SWIFT) build -c release --product metl-bench
	$(SWIFT) build -c release --product metl
	$$($(SWIFT) build -c release --show-bin-path)/metl-bench all
	scripts/with-postgres.sh sh -c '$$($(SWIFT) build -c release --show-bin-path)/metl-bench postgres "$$METL_TEST_POSTGRES_URL"'

# Each library module's DocC catalog, into .build/docs/MODULE.doccarchive.
docs: deps
	SWIFT=$(SWIFT) scripts/docs.sh

# Rewrites fixtures/ from the library (review the diff before committing).
fixtures: deps
	METL_WRITE_FIXTURES=1 $(SWIFT) test --filter "FixtureTests|LifecycleTests"

clean:
	rm -rf .build $(DEMO_DIR)
