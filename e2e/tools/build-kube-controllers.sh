#!/usr/bin/env bash
# Builds kube-scheduler and kube-controller-manager, pinned to the same Kubernetes release as the
# e2e control plane (e2e/tools/build-control-plane.sh), into a cache outside the repository.
# Prints the bin folder. A second run with both binaries present does nothing.
#
#   e2e/tools/build-kube-controllers.sh            # builds if missing, prints the bin folder
#   STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-kube-controllers.sh
#
# Both commands live in k8s.io/kubernetes, which `go install` refuses: as for kube-apiserver, a
# wrapper module builds them (e2e/tools/kubernetes-commands.sh).
# With a Go build cache warm from the kube-apiserver build this takes about a minute.
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-v1.34.4}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/kube-controllers-$KUBE_VERSION"

if [ -x "$bin/kube-scheduler" ] && [ -x "$bin/kube-controller-manager" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build kube-scheduler and kube-controller-manager" >&2; exit 1; }
mkdir -p "$bin"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export GOFLAGS="-mod=mod"
export CGO_ENABLED=0

# shellcheck source=kubernetes-commands.sh
. "$(dirname "$0")/kubernetes-commands.sh"
build_kubernetes_commands "$work" stoker.io/e2e/kube-controllers "$bin" "$KUBE_VERSION" \
  kube-scheduler kube-controller-manager
echo "$bin"
