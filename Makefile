# Tally's two commands: `make demo` (build, then open the REPL on the demo) and `make test`.
SWIFT ?= swift

.PHONY: deps build release demo test bench clean

deps:
	@sh scripts/ensure-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

demo: build
	.build/debug/tally --demo

test: deps
	$(SWIFT) build
	$(SWIFT) test

bench: release
	.build/release/tally-bench

clean:
	rm -rf .build
