# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/claimbot migrate
	$(BIN)/claimbot import --if-empty examples/directory.yaml
	$(BIN)/claimbot import examples/price_list.yaml
	$(BIN)/claimbot serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Three processes on two cores: most of the suite waits on sockets, subprocesses and
# timers rather than computing, and each process gets its own PostgreSQL database.
test: lint
	$(BIN)/pytest -q -n 3

bench: setup
	$(BIN)/python bench/turns.py --owners 1000
	$(BIN)/python bench/turns.py --owners 10000
	$(BIN)/python bench/fastlane.py --claims 2000
	$(BIN)/python bench/photo_reuse.py --claims 20000

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
