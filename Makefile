# Thin wrapper around CMake. `make demo` runs netmap's main job on the bundled example;
# `make test` builds everything and runs the whole test suite. Both install missing Debian packages.
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps deps-test configure build demo test bench fuzz clean

all: build

deps:
	scripts/install-deps.sh build

deps-test:
	scripts/install-deps.sh build test

configure:
	cmake -S . -B $(BUILD) -DNETMAP_WERROR=ON $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The demo needs only the binary: no test or benchmark libraries on a fresh machine.
demo: deps
	@$(MAKE) --no-print-directory build CMAKE_FLAGS="-DNETMAP_BUILD_TESTS=OFF -DNETMAP_BUILD_BENCH=OFF $(CMAKE_FLAGS)"
	examples/demo.sh $(BUILD)/tools/netmap/netmap

test: deps-test
	@$(MAKE) --no-print-directory build CMAKE_FLAGS="-DNETMAP_BUILD_TESTS=ON -DNETMAP_BUILD_BENCH=ON $(CMAKE_FLAGS)"
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 --repeat until-pass:2 --output-log ctest.log
	@# A retry keeps a flaky test from failing the run; name it, so nobody mistakes it for green.
	@sed -n 's/.*Test *#[0-9]*: \([^ ]*\) .*\*\*\*\(Failed\|Timeout\|Exception\).*/\1/p' $(BUILD)/ctest.log | sort -u | \
	  sed 's/^/make test: warning: passed only when retried: /' >&2

bench:
	scripts/install-deps.sh build test bench
	$(MAKE) build CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release"
	bench/run-all.sh $(BUILD)

fuzz:
	$(MAKE) build BUILD=build-fuzz CMAKE_FLAGS="-DNETMAP_FUZZ=ON -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DNETMAP_BUILD_BENCH=OFF"

clean:
	rm -rf $(BUILD) build-fuzz
