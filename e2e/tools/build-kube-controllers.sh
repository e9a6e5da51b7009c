#!/usr/bin/env bash
# Builds kube-scheduler and kube-controller-manager, pinned to the same Kubernetes release as the
# e2e control plane (e2e/tools/build-control-plane.sh), into a cache outside the repository.
# Prints the bin folder. A second run with both binaries present does nothing.
#
#   e2e/tools/build-kube-controllers.sh            # builds if missing, prints the bin folder
#   STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-kube-controllers.sh
#
# Both commands live in k8s.io/kubernetes, whose go.mod points its staging modules (k8s.io/api,
# k8s.io/client-go, ...) at folders inside its own repository, so `go install` refuses it. As for
# kube-apiserver, a throw-away wrapper module requires k8s.io/kubernetes and swaps every staging
# module for its published release (k8s.io/kubernetes v1.N.M ships them as v0.N.M).
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

staging="v0.${KUBE_VERSION#v1.}"
echo "building kube-scheduler and kube-controller-manager $KUBE_VERSION (staging $staging) in $work" >&2
cd "$work"
gomod="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
[ -f "$gomod" ] || { echo "could not download k8s.io/kubernetes@$KUBE_VERSION" >&2; exit 1; }
{
  echo "module stoker.io/e2e/kube-controllers"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -n1)"
  echo
  echo "require k8s.io/kubernetes $KUBE_VERSION"
  echo
  # each `k8s.io/x => ./staging/src/k8s.io/x` line of kubernetes' go.mod becomes `k8s.io/x => k8s.io/x v0.N.M`
  sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9.-]*\) => ./staging/src/k8s.io/.*#replace \1 => \1 '"$staging"'#p' "$gomod"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
)
GO
go mod tidy >&2
for cmd in kube-scheduler kube-controller-manager; do
  go build -trimpath -ldflags "-s -w" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
  mv "$bin/$cmd.tmp" "$bin/$cmd"
done
echo "$bin"
