#!/usr/bin/env bash
# Builds kwok (sigs.k8s.io/kwok, "Kubernetes WithOut Kubelet"), which plays kubelet for fake Nodes
# in the e2e tests: it keeps the Nodes it manages Ready (status and Lease) and moves their pods
# through the stages of a configuration file (e2e/src/test/resources/kwok/kwok.yaml). Built from
# its Go module, pinned, into a cache outside the repository. Prints the path of the binary. A
# second run with the binary present does nothing.
#
#   e2e/tools/build-kwok.sh                    # builds if missing, prints .../kwok
#   KWOK_VERSION=v0.8.0 STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-kwok.sh
#
# A cold build takes about 3 minutes on 2 cores.
set -euo pipefail

KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/kwok-$KWOK_VERSION"

if [ -x "$bin/kwok" ]; then
  echo "$bin/kwok"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build kwok $KWOK_VERSION" >&2; exit 1; }
mkdir -p "$bin"
echo "building kwok $KWOK_VERSION into $bin" >&2
# Build into a temporary folder first so that a failed build never leaves a half-written binary.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 GOFLAGS=-mod=mod GOBIN="$tmp" \
  go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" >&2 \
  || { echo "building kwok $KWOK_VERSION failed" >&2; exit 1; }
[ -x "$tmp/kwok" ] || { echo "go install produced no kwok binary" >&2; exit 1; }
"$tmp/kwok" --help >/dev/null || { echo "the built kwok does not run" >&2; exit 1; }
mv "$tmp/kwok" "$bin/kwok"
echo "$bin/kwok"
