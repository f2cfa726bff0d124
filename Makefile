# Parley: `make run` serves on the embedded defaults, `make test` runs every test. Both install what is missing.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Paths under the checkout are hashed relative to it, so a clone in another folder (CI's) reuses the compiler cache.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all setup configure build install run test eval eval-record bench bench-platforms bench-floor bench-soak bench-scale-out bench-knowledge bench-dashboard fuzz lint docs \
        clean

all: build

setup:
	@bash scripts/setup.sh

# A build directory configured for another source tree (the checkout was moved or copied) is configured anew: CMake
# refuses to reuse its cache.
configure: setup
	@if [ -f $(BUILD_DIR)/CMakeCache.txt ] && \
	    ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$(CURDIR)" $(BUILD_DIR)/CMakeCache.txt; then \
	  echo "configure: $(BUILD_DIR) was configured for another source directory; configuring it again"; \
	  rm -rf $(BUILD_DIR)/CMakeCache.txt $(BUILD_DIR)/CMakeFiles; \
	fi
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null

# The C++, then the dashboard (scripts/build_web.sh: the API's types from `parley openapi`, then Vite into
# $(BUILD_DIR)/web, which the binary serves at /), skipped when neither web/ nor the API document changed.
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@bash scripts/build_web.sh $(BUILD_DIR)

run: build
	@bash scripts/run.sh

# The binary, the dashboard beside it, the systemd unit and an example configuration (docs/operations.md).
# DESTDIR stages the files elsewhere (packaging); the unit's paths follow PREFIX.
PREFIX ?= /usr/local
install: build
	@install -D -m 755 $(BUILD_DIR)/parley $(DESTDIR)$(PREFIX)/bin/parley
	@rm -rf $(DESTDIR)$(PREFIX)/share/parley/web && mkdir -p $(DESTDIR)$(PREFIX)/share/parley
	@cp -r $(BUILD_DIR)/web $(DESTDIR)$(PREFIX)/share/parley/web
	@mkdir -p $(DESTDIR)/etc/systemd/system
	@sed 's|/usr/local|$(PREFIX)|g' deploy/parley.service > $(DESTDIR)/etc/systemd/system/parley.service
	@install -D -m 644 deploy/parley.example.toml $(DESTDIR)/etc/parley/parley.example.toml
	@install -D -m 644 docs/operations.md $(DESTDIR)$(PREFIX)/share/doc/parley/operations.md
	@echo "installed into $(DESTDIR)$(PREFIX); next: docs/operations.md, \"Run it as a service\""

test: build
	@bash scripts/test.sh $(BUILD_DIR)

# The agent end to end on the development set (tests/eval/dev, docs/evaluation.md), then on the held-out set
# (tests/eval/heldout, never used to fit or tune): offline, with a scripted model, and BM25 beside them.
# EVAL_ARGS='--verbose' prints every verdict. eval-record writes the figures as the floors the eval test holds the
# agent to (tests/eval/dev/floors.json, tests/eval/heldout/floors.json).
eval: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target parley_eval
	@$(BUILD_DIR)/tests/eval/parley_eval $(EVAL_ARGS)
	@$(BUILD_DIR)/tests/eval/parley_eval --set heldout $(EVAL_ARGS)

eval-record: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target parley_eval
	@$(BUILD_DIR)/tests/eval/parley_eval --record tests/eval/dev/floors.json $(EVAL_ARGS)
	@$(BUILD_DIR)/tests/eval/parley_eval --set heldout --record tests/eval/heldout/floors.json $(EVAL_ARGS)

bench: build
	@bash bench/run.sh $(BUILD_DIR)

# Signed webhook ingest per platform (WhatsApp, Instagram, Messenger, Telegram) against WhatsApp's.
bench-platforms: build
	@bash bench/platform_ingest.sh $(BUILD_DIR)

# What signed webhook ingest costs without the store (HTTP alone, + signature, + parsing) beside `parley serve`.
bench-floor: build
	@bash bench/http_floor.sh $(BUILD_DIR)

# Ingest held for MINUTES one-minute windows on one server (p99 and memory as the database grows).
MINUTES ?= 10
bench-soak: build
	@bash bench/soak.sh $(BUILD_DIR) $(MINUTES)

# One gateway against two (ingest), one worker against two (replies, a worker killed) on durable PostgreSQL and Redis:
# make bench-scale-out [SCALE_SECONDS=20] [CONVERSATIONS=5000] [SCALE_PARTS=ingest,replies,takeover]
SCALE_SECONDS ?= 20
CONVERSATIONS ?= 5000
SCALE_PARTS ?= ingest,replies,takeover
bench-scale-out: build
	@bash bench/scale_out.sh $(BUILD_DIR) $(SCALE_SECONDS) $(CONVERSATIONS) $(SCALE_PARTS)

# The knowledge benchmark alone, at any size: make bench-knowledge CHUNKS=1000000 [QUERIES=1000] [BENCH_ARGS=...]
CHUNKS ?= 100000
QUERIES ?= 1000
bench-knowledge: build
	@bash bench/knowledge.sh $(BUILD_DIR) $(CHUNKS) $(QUERIES)

# The dashboard's latency budgets in headless Chromium (bench/dashboard.mjs): sign-in to an interactive inbox, and a
# new message visible in an open inbox after its webhook's 200; then the inbox of 10,000 conversations and a
# 5,000-message thread (bench/inbox_dashboard.mjs): first render and frame times while scrolling.
bench-dashboard: build
	@PARLEY_BINARY=$(BUILD_DIR)/parley FAKE_GRAPH_SERVER=$(BUILD_DIR)/tests/fake_graph_server \
	  PARLEY_WEB_DIR=$(BUILD_DIR)/web node bench/dashboard.mjs
	@PARLEY_BINARY=$(BUILD_DIR)/parley FAKE_GRAPH_SERVER=$(BUILD_DIR)/tests/fake_graph_server \
	  PARLEY_WEB_DIR=$(BUILD_DIR)/web node bench/inbox_dashboard.mjs

fuzz: setup
	@bash scripts/fuzz.sh 60

# The configuration reference, and the screenshots of every page that the browser tests took (make test).
docs: build
	@$(BUILD_DIR)/parley config docs > docs/configuration.md
	@if ls $(BUILD_DIR)/screenshots/*.png > /dev/null 2>&1; then \
	  mkdir -p docs/screenshots && cp $(BUILD_DIR)/screenshots/*.png docs/screenshots/; \
	else echo "docs: no screenshots in $(BUILD_DIR)/screenshots (make test takes them)"; fi

lint:
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD_DIR) build-fuzz
