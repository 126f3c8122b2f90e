# Portico's developer commands: install, run, lint, test, bench, clean (see `make help`).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST := $(BIN)/pytest
# The stamp holds the sha256 of the requirements.lock the venv was built from: a content key,
# because a fresh clone or a branch switch gives the lock a new mtime without changing it.
STAMP := $(VENV)/.requirements.sha256
CHROMIUM := /usr/bin/chromium
# Prefer python3.11 (the lock was compiled for it); fall back to python3 when that is 3.11+.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)

# Runs one stage as a sub-make, prints its elapsed time, and records it in $$failed if it fails,
# so one `make test` reports every broken stage instead of stopping at the first.
# Each stage's output is also kept in $(STAGE_LOGS), so that the end of `make test` can repeat
# what failed: CI shows the tail of the output, and an early stage's failure scrolls out of it.
STAGE_LOGS := .stage-logs
stage = start=$$(date +%s); \
	if $(MAKE) --no-print-directory $(1) 2>&1 | tee $(STAGE_LOGS)/$(1).log; then result=ok; \
	else result=FAILED; failed="$$failed $(1)"; fi; \
	echo "== $(1): $$result in $$(( $$(date +%s) - start ))s"
# For each failed stage: pytest's short summary, and the ERROR records of captured logs (what
# NiceGUI's fixtures fail a test for).
recap = for name in $$failed; do \
	  echo; echo "== $$name FAILED; its summary ($(STAGE_LOGS)/$$name.log has it all):"; \
	  grep -E '^(FAILED|ERROR) |^(ERROR|CRITICAL) +[A-Za-z_.]+:[A-Za-z_.]+:[0-9]+|^E  |^== lint|^[a-z/._]+\.py:[0-9]+:[0-9]+: ' \
	    $(STAGE_LOGS)/$$name.log | tail -60 || true; \
	done

.PHONY: help
help:
	@echo "make install  create .venv from requirements.lock (and Debian chromium when missing)"
	@echo "make run      serve the portal with demo data on SQLite (http://localhost:8080)"
	@echo "make demo-code  the demo admins' current sign-in code (their second factor)"
	@echo "make lint     ruff check, ruff format --check, mypy, lint-imports"
	@echo "make test     lint, the fast suite (unit, storage, ui), then the real-browser suite"
	@echo "make bench    the benchmarks (BENCH_CLAIMS=N sets the data size)"
	@echo "make clean    remove the local database and tool caches"

.PHONY: install
install: venv browser

.PHONY: venv
venv:
	@want="$$(sha256sum requirements.lock | cut -d' ' -f1)"; \
	if [ -x $(PY) ] && [ "$$(cat $(STAMP) 2>/dev/null)" = "$$want" ]; then exit 0; fi; \
	if [ ! -x $(PY) ]; then \
	  py="$(PYTHON)"; \
	  if [ -z "$$py" ] || ! "$$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	    echo "Portico needs Python 3.11 or newer (python3.11 or python3 on PATH)." >&2; exit 1; \
	  fi; \
	  echo "== creating $(VENV) with $$py ($$("$$py" --version))"; \
	  if ! "$$py" -m venv $(VENV); then \
	    rm -rf $(VENV); \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "== installing python3-venv (Debian ships venv's ensurepip separately)"; \
	      apt-get update -qq; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	      "$$py" -m venv $(VENV); \
	    else \
	      echo "python3 -m venv failed; on Debian run: sudo apt-get install python3-venv" >&2; \
	      exit 1; \
	    fi; \
	  fi; \
	fi; \
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip; \
	echo "== installing requirements.lock into $(VENV)"; \
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock; \
	echo "$$want" > $(STAMP)

# The real-browser tests drive Debian's chromium; Playwright's own browser download is not
# reachable from these machines, so `playwright install` is never used.
.PHONY: browser
browser:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== installing Debian chromium for the real-browser tests"; \
	  apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
	  echo "warning: $(CHROMIUM) is missing; the e2e tests need it:" \
	    "sudo apt-get install chromium chromium-driver" >&2; \
	fi

# Lists the accounts from the seed module itself, so the list cannot drift from the data.
define DEMO_ACCOUNTS_PY
from storage.seed.demo import DEMO_ACCOUNTS, DEMO_MFA_ROLES, DEMO_PASSWORD, DEMO_TOTP_SECRET
for account in DEMO_ACCOUNTS:
    code = "  (+ code: make demo-code)" if account.role in DEMO_MFA_ROLES else ""
    print(f"    {account.email:<30} {account.role.label}{code}")
print(f"  Password for all of them: {DEMO_PASSWORD}")
print(f"  Admins also need a code: add the demo key {DEMO_TOTP_SECRET} to an authenticator")
print("  app, or run `make demo-code` in another terminal.")
endef
export DEMO_ACCOUNTS_PY

# The current sign-in code of the demo admins (their TOTP key is published: demo data only).
define DEMO_CODE_PY
import pyotp
from storage.seed.demo import DEMO_TOTP_SECRET
totp = pyotp.TOTP(DEMO_TOTP_SECRET)
print(f"{totp.now()}  (the next one: {totp.at(__import__('time').time() + 30)})")
endef
export DEMO_CODE_PY

.PHONY: demo-code
demo-code: venv
	@$(PY) -c "$$DEMO_CODE_PY"

.PHONY: run
run: install
	@echo
	@echo "  Demo accounts (storage/seed/demo.py):"
	@$(PY) -c "$$DEMO_ACCOUNTS_PY"
	@host="$${PORTICO_HOST:-127.0.0.1}"; \
	case "$$host" in 127.0.0.1|0.0.0.0|::|localhost) host=localhost ;; esac; \
	echo "  Database: $${PORTICO_DATABASE_URL:-sqlite:///./portico.db} (demo data loads when empty)"; \
	echo; \
	echo "  Open http://$$host:$${PORTICO_PORT:-8080} once the server says it is ready."; \
	echo
	PORTICO_SEED_DEMO_ON_START="$${PORTICO_SEED_DEMO_ON_START:-true}" \
	PORTICO_STATUS_REFRESH_SECONDS="$${PORTICO_STATUS_REFRESH_SECONDS:-5}" \
	PORTICO_PAYMENT_CYCLE_SECONDS="$${PORTICO_PAYMENT_CYCLE_SECONDS:-30}" exec $(PY) main.py

# Every check runs even when an earlier one fails, so one pass lists all there is to fix.
LINTERS := "ruff check ." "ruff format --check ." "mypy" "lint-imports"
.PHONY: lint
lint: install
	@failed=""; \
	for linter in $(LINTERS); do \
	  echo "$(BIN)/$$linter"; \
	  $(BIN)/$$linter || failed="$$failed [$$linter]"; \
	done; \
	if [ -n "$$failed" ]; then echo "== lint FAILED:$$failed" >&2; exit 1; fi

# The browser suite gets its own pytest process: Playwright's sync API cannot run inside the
# event loop that the async NiceGUI `user` tests leave behind in the same process.
.PHONY: test
test: install
	@failed=""; mkdir -p $(STAGE_LOGS); \
	$(call stage,lint); \
	$(call stage,test-fast); \
	$(call stage,test-attacks); \
	$(call stage,test-e2e); \
	if [ -n "$$failed" ]; then $(recap); echo "== make test FAILED:$$failed" >&2; exit 1; fi; \
	echo "== make test passed"

.PHONY: test-fast
test-fast: install
	$(PYTEST) tests --ignore=tests/e2e --ignore=tests/bench --ignore=tests/security -ra \
	  --durations=10

# The attack tests (tenant isolation: thousands of page requests; role matrix) in a process of
# their own, printing their figures (-s): a NiceGUI app left in a bad state by one of them
# cannot take the rest of the UI tests down with it.
.PHONY: test-attacks
test-attacks: install
	$(PYTEST) tests/security -ra -s --durations=10

.PHONY: test-e2e
test-e2e: install
	$(PYTEST) tests/e2e -ra --durations=10

# Exit status 5 means "nothing collected": fine when one half has no benchmarks yet.
BENCH := $(PYTEST) tests/bench -o python_files='bench_*.py' -s
.PHONY: bench
bench: install
	$(BENCH) -m 'not e2e' || [ $$? -eq 5 ]
	$(BENCH) -m e2e || [ $$? -eq 5 ]

.PHONY: clean
clean:
	rm -f portico.db portico.db-wal portico.db-shm portico.db.scheduler.lock
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache .nicegui
	rm -rf screenshots .bench $(STAGE_LOGS)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
