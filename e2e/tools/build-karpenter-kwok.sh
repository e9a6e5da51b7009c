#!/usr/bin/env bash
# Builds Karpenter with its kwok cloud provider (sigs.k8s.io/karpenter, main package
# sigs.k8s.io/karpenter/kwok): the real Karpenter controllers (provisioning, disruption,
# consolidation) with a cloud provider whose "instances" are fake Nodes that kwok then keeps
# Ready. The e2e node-autoscaler tests run it as the cluster's node autoscaler. Built from its Go
# module, pinned, into a cache outside the repository, next to the CRDs the same module ships
# (copied from the Go module cache; the tests apply them). Prints the bin folder. A second run with
# everything present does nothing.
#
#   e2e/tools/build-karpenter-kwok.sh          # builds if missing, prints the bin folder
#   KARPENTER_VERSION=v1.15.0 STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-karpenter-kwok.sh
#
# - The module needs Go >= 1.26.9: the toolchain go1.27.4 is fetched from the Go module proxy
#   (GOTOOLCHAIN below) when the local Go is older.
# - The main package's binary is also called `kwok`; it is installed as `karpenter-kwok` so that it
#   is never mistaken for kwok itself.
# - The NodePool CRD comes from kwok/charts/crds, not pkg/apis/crds: the chart's copy has the extra
#   validation of the kwok provider's labels.
# A cold build takes about 2-3 minutes on 2 cores.
set -euo pipefail

KARPENTER_VERSION="${KARPENTER_VERSION:-v1.15.0}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/karpenter-kwok-$KARPENTER_VERSION"

if [ -x "$bin/karpenter-kwok" ] && [ -f "$bin/crds/.complete" ]; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build Karpenter $KARPENTER_VERSION" >&2; exit 1; }
export GOTOOLCHAIN="${KARPENTER_GOTOOLCHAIN:-go1.27.4}"
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
mkdir -p "$bin"
echo "building Karpenter's kwok provider $KARPENTER_VERSION into $bin (Go toolchain $GOTOOLCHAIN)" >&2
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/karpenter/kwok@$KARPENTER_VERSION" >&2 \
  || { echo "building sigs.k8s.io/karpenter/kwok@$KARPENTER_VERSION failed" >&2; exit 1; }
[ -x "$tmp/kwok" ] || { echo "go install produced no binary" >&2; exit 1; }

src="$(cd "$tmp" && go mod download -json "sigs.k8s.io/karpenter@$KARPENTER_VERSION" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')"
[ -d "$src/kwok/charts/crds" ] || { echo "no kwok/charts/crds in sigs.k8s.io/karpenter@$KARPENTER_VERSION ($src)" >&2; exit 1; }
rm -rf "$bin/crds"
mkdir -p "$bin/crds"
cp "$src"/kwok/charts/crds/*.yaml "$src/kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml" "$bin/crds/"
chmod u+w "$bin"/crds/*.yaml
mv "$tmp/kwok" "$bin/karpenter-kwok"
touch "$bin/crds/.complete"
echo "$bin"
