#!/usr/bin/env bash
# Builds the real control plane the e2e tests run against — kube-apiserver and etcd — from Go
# modules, pinned, into a cache outside the repository. Prints the cache folder. A second run
# with the binaries present does nothing.
#
#   e2e/tools/build-control-plane.sh            # builds if missing, prints the bin folder
#   STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-control-plane.sh
#
# kube-apiserver lives in k8s.io/kubernetes, which `go install` cannot build as it is: a wrapper
# module does (e2e/tools/kubernetes-commands.sh).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/control-plane-$KUBE_VERSION-etcd-$ETCD_VERSION"

if [ -x "$bin/kube-apiserver" ] && [ -x "$bin/etcd" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build kube-apiserver and etcd" >&2; exit 1; }
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS="-mod=mod"
export CGO_ENABLED=0

echo "building kube-apiserver $KUBE_VERSION and etcd $ETCD_VERSION in $work" >&2

# --- kube-apiserver -------------------------------------------------------------------------
if [ ! -x "$bin/kube-apiserver" ]; then
  # shellcheck source=kubernetes-commands.sh
  . "$(dirname "$0")/kubernetes-commands.sh"
  build_kubernetes_commands "$work/apiserver" stoker.io/e2e/control-plane "$bin" "$KUBE_VERSION" \
    kube-apiserver
fi

# --- etcd -----------------------------------------------------------------------------------
# go.etcd.io/etcd/server/v3 also replaces its sibling modules with local folders: same wrapper.
if [ ! -x "$bin/etcd" ]; then
  mkdir -p "$work/etcd"
  cd "$work/etcd"
  cat > go.mod <<MOD
module stoker.io/e2e/etcd

go 1.24

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
MOD
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
  go mod tidy >&2
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
fi
[ -x "$bin/etcd" ] || { echo "etcd was not built" >&2; exit 1; }

echo "$bin"
