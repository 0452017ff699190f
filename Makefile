# Drafting: `make run` serves the app, `make test` runs the whole suite. Both set things up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: install pdf-packages run test lint format demo bench browser messages assets clean help

help:
	@echo "make run    set up and serve http://127.0.0.1:$(PORT) on SQLite"
	@echo "make test   set up and run the whole suite (browser tests included)"
	@echo "make demo   load a sample caucus and print its sign-in details"
	@echo "make lint   ruff check and format check"
	@echo "make bench  run the benchmarks under bench/"
	@echo "make assets rebuild the editor's and the reading page's bundles in static/vendor/ from frontend/ (needs Node 20 and npm)"

install: $(VENV)/.installed pdf-packages

# What PDF printing needs from Debian: Pango for WeasyPrint, fonts covering Latin, Arabic and
# Chinese (embedded as subsets), poppler-utils for the PDF tests. Installed when missing and we may.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-noto-cjk fonts-dejavu-core poppler-utils
pdf-packages:
	@missing=$$(for package in $(PDF_PACKAGES); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
	  [ -z "$$missing" ] || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } || \
	  echo "PDFs need these Debian packages: sudo apt-get install" $$missing

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Drafting needs Python 3.11 or newer"'
	@# Debian's python3 has no venv module until python3-venv is installed.
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } || \
	  { echo "Install python3-venv first (sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

instance:
	@mkdir -p instance

run: install instance
	$(BIN)/flask db upgrade
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

demo: install instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo

# Chromium for the browser tests: installed from Debian when missing and we may (root).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null) || \
	  echo "Chromium is not installed and cannot be installed here: browser tests will skip."; }

# The live editor's JavaScript tests (node --test), which also give the Python/JS merge parity
# test its node_modules; skipped with a message where Node is not installed.
jstest:
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d frontend/node_modules/diff-match-patch ] || (cd frontend && npm ci --no-audit --no-fund --silent); \
	  cd frontend && { out=$$(npm test --silent 2>&1); status=$$?; \
	    if [ $$status = 0 ]; then echo "$$out" | tail -8; else echo "$$out"; fi; exit $$status; }; \
	else echo "Node is not installed: the editor's JavaScript tests are skipped."; fi

test: install browser jstest
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@for script in bench/[!_]*.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" || exit 1; done

# Collect every user-facing string into translations/messages.pot for translators.
messages: install
	@mkdir -p translations
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .

# The browser JavaScript: frontend/src bundled into static/vendor/editor.bundle.js and review.bundle.js (and
# LICENSES.md). They are committed, so `make run` and `make test` never need Node.
assets:
	cd frontend && npm ci && npm run build

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
