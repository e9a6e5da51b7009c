#!/usr/bin/env bash
# Builds Prometheus and promtool from their Go module, pinned, into a cache outside the
# repository. Prints the bin folder. A second run with the binaries present does nothing.
#
#   e2e/tools/build-prometheus.sh                 # builds if missing, prints the bin folder
#   PROMETHEUS_VERSION=v0.316.0 STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-prometheus.sh
#
# Used by the tests that run a real Prometheus (metrics-adapters' PrometheusServer, the
# dashboards' data and promtool checks, the e2e DashboardsE2E): each of those modules' builds runs
# this script before its tests, with the version of the root pom (prometheus.version), and the
# tests look for the binaries by that version.
#
# Prometheus 3.x is published as the Go module github.com/prometheus/prometheus at v0.3MM.P
# (Prometheus 3.16.0 is v0.316.0). Its web UI is not compiled in (that needs npm and the UI's
# sources), nor are the service-discovery plugins (build tag remove_all_sd: the tests scrape
# static targets), which leaves out the cloud SDKs those plugins bring; the HTTP API, scraping
# and PromQL, all the tests use, are.
set -euo pipefail

PROMETHEUS_VERSION="${PROMETHEUS_VERSION:-v0.316.0}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/prometheus-$PROMETHEUS_VERSION"

if [ -x "$bin/prometheus" ] && [ -x "$bin/promtool" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || {
  echo "Go is required to build Prometheus $PROMETHEUS_VERSION for the tests (install Go >= 1.26.7," \
    "or put prometheus and promtool in $bin)" >&2
  exit 1
}
echo "building prometheus and promtool $PROMETHEUS_VERSION into $bin (a few minutes, once)" >&2
mkdir -p "$cache"
# Build into a temporary folder first so that a failed or interrupted build never leaves a
# half-filled one that a later run would take for complete.
tmp="$(mktemp -d "$cache/.prometheus.XXXXXX")"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
export CGO_ENABLED=0
GOBIN="$tmp" go install -trimpath -ldflags "-s -w" -tags remove_all_sd \
  "github.com/prometheus/prometheus/cmd/prometheus@$PROMETHEUS_VERSION" \
  "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION" >&2 \
  || { echo "go install of Prometheus $PROMETHEUS_VERSION failed" >&2; exit 1; }
"$tmp/prometheus" --version >&2 || { echo "the built prometheus does not run" >&2; exit 1; }
"$tmp/promtool" --version >&2 || { echo "the built promtool does not run" >&2; exit 1; }
rm -rf "$bin"
mv "$tmp" "$bin"
trap - EXIT
echo "$bin"
