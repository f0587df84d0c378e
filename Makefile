# Set-up and every entry point. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

export XXGK_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(XXGK_DATA_DIR)/dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)

DBT_ARGS := --project-dir dbt_models --profiles-dir dbt_models
MANIFEST := dbt_models/target/manifest.json

.PHONY: install demo test ui manifest docs bench-extract bench-incremental lock clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

# dagster-dbt loads this manifest; it is built once here, not at every code load.
manifest: $(MANIFEST)
$(MANIFEST): $(STAMP) $(shell find dbt_models -name '*.sql' -o -name '*.yml' | grep -v target/)
	mkdir -p $(XXGK_DATA_DIR)/build
	$(BIN)/dbt parse --quiet $(DBT_ARGS)

demo: install manifest
	$(BIN)/xxgk run

test: install manifest
	$(BIN)/python -m pytest -q

ui: install manifest
	$(BIN)/xxgk init-instance
	$(BIN)/dagster dev -w workspace.yaml

docs: install manifest
	$(BIN)/dbt docs generate $(DBT_ARGS)
	@echo "dbt docs: open dbt_models/target/index.html, or run: $(BIN)/dbt docs serve $(DBT_ARGS)"

bench-extract: install
	$(BIN)/python -m pipelines.bench.extract

bench-incremental: install manifest
	$(BIN)/python -m pipelines.bench.incremental

lock:
	$(BIN)/pip freeze --exclude-editable > requirements.lock.new && mv requirements.lock.new requirements.lock

clean:
	rm -rf $(XXGK_DATA_DIR)/raw $(XXGK_DATA_DIR)/staging $(XXGK_DATA_DIR)/build $(XXGK_DATA_DIR)/dagster_home \
	  $(XXGK_DATA_DIR)/exports $(XXGK_DATA_DIR)/warehouse.duckdb
