#!/usr/bin/env bash
# Builds grpcurl (github.com/fullstorydev/grpcurl), the third-party gRPC client the e2e tests drive
# Stoker's KEDA external scaler with (grpc-go, as KEDA itself uses), from its Go module, pinned,
# into a cache outside the repository. Prints the path of the binary. A second run with the binary
# present does nothing.
#
#   e2e/tools/build-grpcurl.sh                  # builds if missing, prints .../grpcurl
#   GRPCURL_VERSION=v1.9.4 STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-grpcurl.sh
set -euo pipefail

GRPCURL_VERSION="${GRPCURL_VERSION:-v1.9.4}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/grpcurl-$GRPCURL_VERSION"

if [ -x "$bin/grpcurl" ]; then
  echo "$bin/grpcurl"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build grpcurl $GRPCURL_VERSION" >&2; exit 1; }
mkdir -p "$bin"
echo "building grpcurl $GRPCURL_VERSION into $bin" >&2
# Build into a temporary folder first so that a failed build never leaves a half-written binary.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$tmp" \
  go install -trimpath -ldflags "-s -w" "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION" >&2 \
  || { echo "building grpcurl $GRPCURL_VERSION failed" >&2; exit 1; }
[ -x "$tmp/grpcurl" ] || { echo "go install produced no grpcurl binary" >&2; exit 1; }
"$tmp/grpcurl" -version >&2 || { echo "the built grpcurl does not run" >&2; exit 1; }
mv "$tmp/grpcurl" "$bin/grpcurl"
echo "$bin/grpcurl"
