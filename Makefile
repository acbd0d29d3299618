# Two commands for everyone: `make run` (the app on the demo data) and `make test`.
# Both create the virtualenv, install the pinned requirements and build the demo database if missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/commissioning.duckdb
PORT ?= 8501
# This computer only, unless the operator says otherwise (make run ADDRESS=0.0.0.0): without sign-in, everyone who
# can reach the app gets its one role (README.md, Security and access)
ADDRESS ?= 127.0.0.1

.PHONY: run test test-fast lint format demo-db clean fonts

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Built only when missing, so an imported portfolio is never overwritten by the demo.
$(DB): | $(VENV)/.installed
	$(BIN)/python -m dashboard init --demo --db $(DB)

run: $(VENV)/.installed $(DB)
	COMMISSIONING_DB=$(DB) $(BIN)/streamlit run dashboard/app.py --server.address $(ADDRESS) --server.port $(PORT)

# LibreOffice Calc (headless) prints the finance workbook to PDF in tests/test_workbook_print.py; installed
# only when missing and we are root (CI, a fresh machine); elsewhere those tests skip and say how to install it.
.PHONY: test-system-packages
test-system-packages:
	@if ! command -v soffice > /dev/null && [ "$$(id -u)" = "0" ]; then \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui \
			fonts-liberation > /dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui fonts-liberation > /dev/null; } \
			|| echo "warning: could not install LibreOffice; the printed-workbook tests will be skipped" >&2; \
	fi

# The local OpenID Connect provider the sign-in browser test runs (tests/e2e/test_sign_in.py): npm's oidc-provider,
# exactly as locked. Without npm the test skips and says so.
OIDC_DIR := tests/e2e/oidc
$(OIDC_DIR)/node_modules/.package-lock.json: $(OIDC_DIR)/package-lock.json
	if command -v npm > /dev/null; then npm ci --prefix $(OIDC_DIR) --no-audit --no-fund --loglevel=error; \
	else echo "warning: npm not found; the sign-in browser test will be skipped" >&2; fi

test: $(VENV)/.installed $(DB) test-system-packages $(OIDC_DIR)/node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# For developers between commits: lint and the unit and query tests, under a minute; leaves out the tests marked
# slow (app pages, subprocesses killed mid-write, fuzzing, LibreOffice) and browser (tests/e2e). `make test` runs all.
test-fast: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -m "not slow and not browser" --ignore=tests/e2e

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo-db: $(VENV)/.installed
	$(BIN)/python -m dashboard init --demo --force --db $(DB)

# National-scale benchmark: synthetic portfolios of 10,000 to 1,000,000 projects, SQL against pandas, the
# Portfolio page, exports and import; prints a table and writes JSON to bench/results/ (takes several minutes)
.PHONY: bench
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

# Fonts the PDF report falls back to for scripts DejaVu Sans lacks (Debian's Noto packages; needs root)
NOTO := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
fonts:
	@ls $(NOTO) > /dev/null 2>&1 || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji > /dev/null; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache $(OIDC_DIR)/node_modules
