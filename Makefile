# The README's commands. Everything else is CMake/CTest underneath.
#   make run    build (Release) and start Sentinel on the embedded SQLite default
#   make test   install what the tests need, build with -Werror, run every test
#   make asan   the test suite under AddressSanitizer + UBSan
#   make bench  the benchmarks (see bench/README.md)
#   make fuzz   libFuzzer targets (fuzz/) built with clang, each run FUZZ_SECONDS (60) from fuzz/corpus/
#   make stack  scale-out on this machine: PostgreSQL, Redis, Prometheus, node_exporter,
#               2 API + 2 worker processes behind nginx (scripts/stack; make stack-stop)
#   make install  Release build, then the binary to $(PREFIX)/bin and the systemd units
#                 to /etc/systemd/system (DESTDIR stages a package root; see deploy/systemd)

BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
ASAN_BUILD_DIR ?= build-asan
JOBS ?= $(shell nproc)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

.PHONY: run build test test-build asan bench clean deps test-deps

deps:
	scripts/install-deps build

test-deps:
	scripts/install-deps all

build: deps
	cmake -S . -B $(BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
	cmake --build $(BUILD_DIR) --target sentinel -j $(JOBS)

run: build
	$(BUILD_DIR)/src/app/sentinel serve

test-build: test-deps
	cmake -S . -B $(TEST_BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENTINEL_WERROR=ON -DBUILD_TESTING=ON
	cmake --build $(TEST_BUILD_DIR) -j $(JOBS)

test: test-build
	ctest --test-dir $(TEST_BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 600

asan: test-deps
	cmake -S . -B $(ASAN_BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DSENTINEL_WERROR=ON -DSENTINEL_SANITIZE=ON -DBUILD_TESTING=ON
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir $(ASAN_BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 900

bench: build
	bench/run

# Not part of `make test` (fuzz/README.md). New inputs found go to
# build-fuzz/corpus/<target> (the committed seeds in fuzz/corpus stay as they
# are); crashes, timeouts and OOMs to build-fuzz/artifacts/<target>/, and the
# run stops at the first one. FUZZ_JOBS: compile jobs (at most 2 by default).
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= $(shell n=$$(nproc); [ $$n -gt 2 ] && n=2; echo $$n)
FUZZ_TARGETS := json_bodies query_strings promql_template telegram_html
FUZZ_ENV := ASAN_SYMBOLIZER_PATH=/usr/bin/llvm-symbolizer-16 ASAN_OPTIONS=detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
.PHONY: fuzz fuzz-build
fuzz-build:
	scripts/install-deps fuzz
	cmake -S . -B $(FUZZ_BUILD_DIR) $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENTINEL_FUZZ=ON \
	  -DBUILD_TESTING=OFF -DCMAKE_CXX_COMPILER=clang++-16
	cmake --build $(FUZZ_BUILD_DIR) -j $(FUZZ_JOBS)

fuzz: fuzz-build
	set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD_DIR)/corpus/$$t $(FUZZ_BUILD_DIR)/artifacts/$$t; \
	  echo "== fuzz_$$t ($(FUZZ_SECONDS) s)"; \
	  (cd $(FUZZ_BUILD_DIR) && $(FUZZ_ENV) fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=artifacts/$$t/ corpus/$$t $(CURDIR)/fuzz/corpus/$$t); \
	done

# State in .stack/ (STACK_DIR); stack-stop keeps it (scripts/stack stop --purge deletes it).
.PHONY: stack stack-stop
stack: test-deps build
	SENTINEL_BIN=$(CURDIR)/$(BUILD_DIR)/src/app/sentinel scripts/stack start

stack-stop:
	scripts/stack stop

# No Docker: deploy/systemd/install copies the binary, the units (sentinel,
# sentinel@api, sentinel@worker) and an example /etc/sentinel/sentinel.env
# (kept when present). Installing for real (no DESTDIR) also adds the system
# user the units run as.
PREFIX ?= /usr/local
.PHONY: install
install: build
	DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" deploy/systemd/install $(BUILD_DIR)/src/app/sentinel
	@if [ -z "$(DESTDIR)" ]; then \
	  getent passwd sentinel >/dev/null || useradd --system --user-group --home-dir /var/lib/sentinel \
	    --no-create-home --shell /usr/sbin/nologin sentinel; \
	  echo "next: edit /etc/sentinel/sentinel.env, then: systemctl daemon-reload && systemctl enable --now sentinel"; \
	fi

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(ASAN_BUILD_DIR)
