# Merit: `make run` serves a demo system on http://127.0.0.1:8000; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench messages clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/recruit db upgrade
	$(BIN)/recruit demo
	$(BIN)/recruit serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(BIN)/python -m bench

# Re-extract messages after changing user-facing text, then translate the new entries in kk and ru.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o recruit/locales/messages.pot --no-location --sort-output --omit-header --project=Merit .
	$(BIN)/pybabel update -i recruit/locales/messages.pot -d recruit/locales -D messages --no-wrap --ignore-obsolete --no-fuzzy-matching

clean:
	rm -rf $(VENV) var .pytest_cache
