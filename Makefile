# Parley: `make run` serves on the embedded defaults, `make test` runs every test. Both install what is missing.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Paths under the checkout are hashed relative to it, so a clone in another folder (CI's) reuses the compiler cache.
export CCACHE_BASEDIR ?= $(CURDIR)

.PHONY: all setup configure build run test eval eval-record bench bench-floor bench-knowledge fuzz lint docs clean

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

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@bash scripts/run.sh

test: build
	@bash scripts/test.sh $(BUILD_DIR)

# The agent end to end on the development set (tests/eval/dev, docs/evaluation.md): offline, with a scripted model,
# and BM25 beside them. EVAL_ARGS='--verbose' prints every verdict. eval-record writes the figures as the floors the
# eval test holds the agent to (tests/eval/dev/floors.json).
eval: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target parley_eval
	@$(BUILD_DIR)/tests/eval/parley_eval $(EVAL_ARGS)

eval-record: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target parley_eval
	@$(BUILD_DIR)/tests/eval/parley_eval --record tests/eval/dev/floors.json $(EVAL_ARGS)

bench: build
	@bash bench/run.sh $(BUILD_DIR)

# What signed webhook ingest costs without the store (HTTP alone, + signature, + parsing) beside `parley serve`.
bench-floor: build
	@bash bench/http_floor.sh $(BUILD_DIR)

# The knowledge benchmark alone, at any size: make bench-knowledge CHUNKS=1000000 [QUERIES=1000] [BENCH_ARGS=...]
CHUNKS ?= 100000
QUERIES ?= 1000
bench-knowledge: build
	@bash bench/knowledge.sh $(BUILD_DIR) $(CHUNKS) $(QUERIES)

fuzz: setup
	@bash scripts/fuzz.sh 60

docs: build
	@$(BUILD_DIR)/parley config docs > docs/configuration.md

lint:
	@clang-format --dry-run --Werror $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD_DIR) build-fuzz
