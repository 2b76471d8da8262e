# redist — the staff interface. `make help` lists the targets.

SHELL      := /bin/bash
SWIFT      ?= swift
CONFIG     ?= debug
BUILD_DIR  := .build/$(CONFIG)
REDIST     := $(BUILD_DIR)/redist
PIPELINE   ?= pipelines/example.toml
PERIOD     ?= 2024-Q1
OUT        ?= out/$(basename $(notdir $(PIPELINE)))/$(PERIOD)
DEMO_OUT   := out/demo

.DEFAULT_GOAL := help
.PHONY: help deps build demo quarterly ingest check test clean

help: ## List the targets
	@echo "redist — how much of the money that came in reached groups?"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo
	@echo "  Variables: PIPELINE=$(PIPELINE) PERIOD=$(PERIOD) (2023-Q2, 2023, or 2023-04-01..2023-06-30)"

deps: ## Install the system libraries redist needs (libxml2, SQLite, zlib headers)
	@missing=""; \
	for pkg in libxml2-dev libsqlite3-dev zlib1g-dev pkg-config; do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && apt-get install -y -qq $$missing; \
	  else \
	    echo "redist needs these Debian packages:$$missing"; \
	    echo "install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

build: deps ## Build the redist command
	$(SWIFT) build -c $(CONFIG) --product redist

demo: build ## Run the whole pipeline on sample-data/ and say where the reports are
	@REDIST_PSEUDONYM_KEY=$${REDIST_PSEUDONYM_KEY:-demo-key-for-sample-data-only} \
	  $(REDIST) run pipelines/example.toml --period 2024-Q1 --out $(DEMO_OUT) --warehouse build/demo.sqlite
	@echo
	@echo "The trustees' report:  $(DEMO_OUT)/trustees.html"
	@echo "Figures for a spreadsheet: $(DEMO_OUT)/summary.csv, $(DEMO_OUT)/transactions.csv, $(DEMO_OUT)/quality.csv"

quarterly: build ## Run a pipeline for a period: make quarterly PIPELINE=pipelines/x.toml PERIOD=2023-Q3
	$(REDIST) run $(PIPELINE) --period $(PERIOD) --out $(OUT)
	@echo "Reports in $(OUT)/"

ingest: build ## Read new or changed exports into the warehouse only
	$(REDIST) ingest $(PIPELINE)

check: build ## Check a pipeline file without reading data
	$(REDIST) check $(PIPELINE)

test: deps ## Run every test
	$(SWIFT) test 2>&1 | tee .test-output.log; exit $${PIPESTATUS[0]}

clean: ## Remove build output, warehouses and reports
	rm -rf .build build out .test-output.log
