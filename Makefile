# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench install install-test translations messages screenshots clean

# pip -qq: errors still show; warnings about a machine's own pip configuration (an extra
# index folder without a package) are not the project's and would read as failures.
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install -qq -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -qq -e '.[test]'
	touch $@

install: $(VENV)/.installed translations

install-test: $(VENV)/.installed-test translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d journal/translations --statistics >/dev/null

## make run: migrate, load demo data, serve on http://$(HOST):$(PORT)
run: install
	JOURNAL_ENV=development $(BIN)/flask --app journal journal migrate
	JOURNAL_ENV=development $(BIN)/flask --app journal journal seed-demo
	@echo "Serving on http://$(HOST):$(PORT) with the production server settings (gunicorn.conf.py). Ctrl-C stops."
	@JOURNAL_ENV=development JOURNAL_COOKIE_SECURE=0 JOURNAL_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py --log-level warning 'journal:create_app()'

## make test: the whole suite (browser tests included when Chromium is installed)
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: the speed benchmark of issue 14 (bench/README.md); needs wrk (apt-get install wrk).
## BENCH_ARGS="--quick" for a smoke run; the exit status is 1 when a target is missed.
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "make bench drives the server with wrk, which is not installed:"; \
		echo "  Debian/Ubuntu: sudo apt-get install wrk    macOS: brew install wrk"; exit 2; }
	$(BIN)/python bench/speed.py $(BENCH_ARGS)

## make screenshots: refresh docs/screenshots/ from the browser tests (phone size)
screenshots: install-test
	JOURNAL_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_browser.py tests/test_admin_browser.py tests/test_operations_walk.py tests/test_accessibility.py

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov

## make messages: extract strings and update the da/sv/en catalogs
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o journal/translations/messages.pot .
	$(BIN)/pybabel update -i journal/translations/messages.pot -d journal/translations --no-fuzzy-matching
