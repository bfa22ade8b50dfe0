# Everything here needs only Go: the tools it runs come with the toolchain or
# from the Go module proxy, so a fresh clone on a machine with Go can run it.
GO ?= go
PKGS := ./...
# MODULES are the nested modules that test the library from outside.
# cmd/cdslb requires the library at its release version and finds the
# working tree through its own go.work (see the README's CLI section).
MODULES := examples/consumer interop cdslbotel examples/observability cmd/cdslb
BENCH ?= .
COUNT ?= 6

.PHONY: test fmt-check vet lint unit cli-demo cover bench demo fuzz walk

## test: what CI runs: formatting, vet, staticcheck, and every test with the race detector.
test: fmt-check vet lint unit cli-demo

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	@for m in $(MODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done

## lint: staticcheck with its default checks, a pinned version run from the
## module proxy (the first run downloads and builds it).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) run $(STATICCHECK) $(PKGS)
	@for m in $(MODULES); do (cd $$m && $(GO) run $(STATICCHECK) ./...) || exit 1; done

unit:
	$(GO) test -race -count=1 $(PKGS)
	@for m in $(MODULES); do (cd $$m && $(GO) test -race -count=1 ./...) || exit 1; done

## cli-demo: examples/cli/demo.sh, the command's whole lifecycle against
## "cdslb fake", with the binary built once into a temporary folder.
cli-demo:
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	(cd cmd/cdslb && $(GO) build -o "$$dir/cdslb" .) && \
	CDSLB="$$dir/cdslb" bash examples/cli/demo.sh

## cover: statement coverage of the root package, with a per-function report.
cover:
	$(GO) test -count=1 -coverprofile=coverage.out .
	$(GO) tool cover -func=coverage.out | tail -n 1

## bench: the benchmarks of the library, the fake and the test kit, run
## COUNT rounds of one sample each, so that a library benchmark and its
## baselines alternate and the machine's drift falls on both; then
## benchstat's medians with each library benchmark beside its baselines
## (columns: cdslb, then the baselines with their difference from cdslb),
## the fake beside a canned handler, and the fake at 10 instances beside
## 10,000.
BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench:
	$(GO) test -c -o cdslb.test .
	$(GO) test -c -o fakelb.test ./internal/fakelb
	$(GO) test -c -o cdslbtest.test ./cdslbtest
	rm -f bench.txt bench-fake.txt
	for i in $$(seq $(COUNT)); do \
		./cdslb.test -test.run='^$$' -test.bench='$(BENCH)' -test.benchmem -test.count=1 | tee -a bench.txt || exit 1; \
		(cd internal/fakelb && ../../fakelb.test -test.run='^$$' -test.bench='$(BENCH)' -test.benchmem -test.count=1) | tee -a bench-fake.txt || exit 1; \
		(cd cdslbtest && ../cdslbtest.test -test.run='^$$' -test.bench='$(BENCH)' -test.benchmem -test.count=1) | tee -a bench-fake.txt || exit 1; \
	done
	sed -E -e 's/^BenchmarkSignBaseline-/BenchmarkSign\/impl=vendor-/' \
	       -e 's/^BenchmarkHMACFloor-/BenchmarkSign\/impl=hmac-floor-/' \
	       -e 's/^BenchmarkSign-/BenchmarkSign\/impl=cdslb-/' \
	       -e 's/^BenchmarkCallBaselineSigned\/(goroutines=[0-9]+)-/BenchmarkCall\/\1\/impl=baseline-signed-/' \
	       -e 's/^BenchmarkCallBaseline\/(goroutines=[0-9]+)-/BenchmarkCall\/\1\/impl=baseline-/' \
	       -e 's/^BenchmarkCall\/(goroutines=[0-9]+)-/BenchmarkCall\/\1\/impl=cdslb-/' \
	       -e 's/^BenchmarkDecodeLargePlain-/BenchmarkDecodeLarge\/impl=plain-/' \
	       -e 's/^BenchmarkDecodeLarge-/BenchmarkDecodeLarge\/impl=cdslb-/' \
	       -e 's/^BenchmarkListenerDecodePlain-/BenchmarkListenerDecode\/impl=plain-/' \
	       -e 's/^BenchmarkListenerDecode-/BenchmarkListenerDecode\/impl=cdslb-/' \
	       -e 's/^BenchmarkListenerEncodePlain-/BenchmarkListenerEncode\/impl=plain-/' \
	       -e 's/^BenchmarkListenerEncode-/BenchmarkListenerEncode\/impl=cdslb-/' \
	       -e 's/^BenchmarkListenerWritePlain-/BenchmarkListenerWrite\/impl=plain-/' \
	       -e 's/^BenchmarkListenerWrite-/BenchmarkListenerWrite\/impl=cdslb-/' \
	       -e 's/^BenchmarkLargeAnswer\/(length=[a-z]+)-/BenchmarkLargeAnswer\/\1\/impl=cdslb-/' \
	       -e 's/^BenchmarkQueryEncoding-/BenchmarkQueryEncoding\/impl=cdslb-/' bench.txt > bench-paired.txt
	$(GO) run $(BENCHSTAT) -col /impl bench-paired.txt
	$(GO) run $(BENCHSTAT) -col /impl -filter '-.name:Scale' bench-fake.txt
	$(GO) run $(BENCHSTAT) -col /instances -filter '.name:Scale' bench-fake.txt

## demo: the whole lifecycle against the built-in fake service; no account needed.
demo:
	$(GO) run ./examples/quickstart

## walk: the files and functions of the library that one DescribeLoadBalancers
## and one UpdateListener run beyond client set-up, from statement coverage.
walk:
	@dir=$$(mktemp -d); \
	for w in set-up DescribeLoadBalancers UpdateListener; do \
		CDSLB_WALK=$$w $(GO) test -count=1 -run '^TestWalk$$' -coverprofile=$$dir/$$w.out . >/dev/null || exit 1; \
		$(GO) tool cover -func=$$dir/$$w.out | awk '$$NF != "0.0%" && $$1 != "total:" {print $$1, $$2}' | sort > $$dir/$$w.funcs; \
	done; \
	for w in DescribeLoadBalancers UpdateListener; do \
		comm -23 $$dir/$$w.funcs $$dir/set-up.funcs > $$dir/$$w.walk; \
		echo "$$w: $$(cut -d: -f1 $$dir/$$w.walk | sort -u | wc -l) files, $$(wc -l < $$dir/$$w.walk) functions"; \
	done; rm -rf $$dir

## fuzz: every fuzz target of the root package for FUZZTIME each; a crasher
## is saved under testdata/fuzz and then runs in every make test.
FUZZTIME ?= 30s
fuzz:
	@for f in $$($(GO) test -list '^Fuzz' . | grep '^Fuzz'); do \
		echo "== $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) . || exit 1; \
	done
