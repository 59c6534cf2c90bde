# Build, test and release helpers.

GO         ?= go
GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1

VERSION_PKG := github.com/sensu-etcd/sensu/internal/version
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Empty when git has no commit; the binary then falls back to Go's VCS stamp.
COMMIT      ?= $(shell git rev-parse --verify --quiet HEAD 2>/dev/null)
DATE        ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)

LDFLAGS := -s -w \
	-X $(VERSION_PKG).Version=$(VERSION) \
	-X $(VERSION_PKG).Commit=$(COMMIT) \
	-X $(VERSION_PKG).Date=$(DATE)

.PHONY: all build test lint ci release-check snapshot clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/sensu-backend ./cmd/sensu-backend
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/sensuctl ./cmd/sensuctl

test:
	go test -count=1 -timeout 30m ./...

lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt -l: these files need formatting:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

ci:
	bash .ci/run

release-check:
	$(GORELEASER) check

snapshot:
	$(GORELEASER) release --snapshot --clean

clean:
	rm -rf bin dist
