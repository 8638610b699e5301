# confops: `make run` serves the demo; `make test` runs the whole suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml requirements.lock requirements-test.lock | sha1sum | cut -c1-12)
RUN_STAMP := $(VENV)/.run-$(HASH)
TEST_STAMP := $(VENV)/.test-$(HASH)
JOBS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint migration clean bench scanner-decoder lock wheel

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs take the exact versions in the lock files (make lock writes them from pyproject.toml).
$(RUN_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $@

$(TEST_STAMP): pyproject.toml requirements-test.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c requirements-test.lock -e ".[test]"
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/confops migrate
	$(BIN)/confops demo
	@echo ""
	@echo "  confops is starting on http://$(HOST):$(PORT)"
	@echo "  staff sign-in: http://$(HOST):$(PORT)/staff/login  admin@example.org / confops-demo"
	@echo "  (the admin sets up an authenticator app at the first sign-in; registrar@example.org needs none)"
	@echo ""
	$(BIN)/confops serve --host $(HOST) --port $(PORT)

test: $(TEST_STAMP)
	$(BIN)/ruff check confops tests settings.py bench
	$(BIN)/python -m pytest -n $(JOBS) -p no:cacheprovider $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check confops tests settings.py bench

# A new migration from the tables: make migration DESC="what changed"
migration: $(RUN_STAMP)
	PICCOLO_CONF=confops.piccolo_conf $(BIN)/piccolo migrations new confops --auto --desc="$(DESC)"

# The scanner page's QR decoder (@zxing/library, Apache-2.0) bundled by esbuild; the built file
# and its licence are committed, so running the app needs no Node and no CDN.
scanner-decoder:
	cd scanner-decoder && npm ci --no-audit --no-fund || npm install --no-audit --no-fund
	cd scanner-decoder && node_modules/.bin/esbuild entry.js --bundle --minify --format=iife --legal-comments=none --banner:js="/*! @zxing/library (Apache-2.0, see zxing-decoder.LICENSE.txt) bundled by esbuild: make scanner-decoder */" --outfile=../confops/web/static/checkin/zxing-decoder.min.js
	cp scanner-decoder/node_modules/@zxing/library/LICENSE confops/web/static/checkin/zxing-decoder.LICENSE.txt

# After changing a dependency in pyproject.toml: resolve and pin every package again.
lock: | $(BIN)/python
	$(BIN)/python tools/lock.py

# The installable package (templates, migrations, static files, layouts and fonts inside).
wheel: | $(BIN)/python
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	@ls dist/*.whl

clean:
	rm -rf $(VENV) .pytest_cache
