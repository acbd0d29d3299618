# Two commands for everyone: `make run` (the app on the demo data) and `make test`.
# Both create the virtualenv, install the pinned requirements and build the demo database if missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/commissioning.duckdb
PORT ?= 8501

.PHONY: run test lint format demo-db clean fonts

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Built only when missing, so an imported portfolio is never overwritten by the demo.
$(DB): | $(VENV)/.installed
	$(BIN)/python -m dashboard init --demo --db $(DB)

run: $(VENV)/.installed $(DB)
	COMMISSIONING_DB=$(DB) $(BIN)/streamlit run dashboard/app.py --server.port $(PORT)

test: $(VENV)/.installed $(DB)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

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
	rm -rf $(VENV) .pytest_cache .ruff_cache
