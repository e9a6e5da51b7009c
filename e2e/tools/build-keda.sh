#!/usr/bin/env bash
# Builds KEDA's operator and metrics adapter (github.com/kedacore/keda/v2) from its Go module,
# pinned, into a cache outside the repository, and copies next to them the manifests a test
# applies: KEDA's CRDs and its external-metrics APIService. Prints the cache folder. A second run
# with everything present does nothing.
#
#   e2e/tools/build-keda.sh                  # builds if missing, prints the folder
#   KEDA_VERSION=v2.21.1 STOKER_TOOLS_CACHE=/somewhere e2e/tools/build-keda.sh
#
# Cold (nothing in the Go module and build caches) it takes a while: about 3,700 packages, 12 min
# on an otherwise idle 2-core machine, 40 min measured with other builds running (load 25).
#
# The folder then holds:
#   keda-operator, keda-adapter      cmd/operator and cmd/adapter of the module
#   crds/*.yaml                      the module's config/crd/bases
#   api_service.yaml                 the module's config/metrics-server/api_service.yaml
#
# Used by KedaOperatorE2E, which runs both binaries as processes against the e2e control plane.
#
# Why not `go install ...@version`: KEDA's go.mod has `replace` directives, which `go install`
# refuses. A small wrapper module requires KEDA, repeats its (module-to-module) replace lines and
# builds the two main packages. `go build -mod=mod` resolves only what those packages import;
# `go mod tidy` would also resolve test-only dependencies, one of which the module proxy does not
# serve. KEDA's go.mod asks for a newer Go than the machine may have: the toolchain named in
# KEDA_GOTOOLCHAIN is fetched by the go command from the module proxy (module golang.org/toolchain).
set -euo pipefail

KEDA_VERSION="${KEDA_VERSION:-v2.21.1}"
KEDA_GOTOOLCHAIN="${KEDA_GOTOOLCHAIN:-go1.27.4}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
bin="$cache/keda-$KEDA_VERSION"

if [ -x "$bin/keda-operator" ] && [ -x "$bin/keda-adapter" ] && [ -f "$bin/api_service.yaml" ] \
  && ls "$bin"/crds/keda.sh_scaledobjects.yaml >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || {
  echo "Go is required to build KEDA $KEDA_VERSION for the tests (any Go >= 1.21 that can fetch" \
    "toolchain $KEDA_GOTOOLCHAIN from the module proxy)" >&2
  exit 1
}
echo "building KEDA $KEDA_VERSION (operator, metrics adapter) into $bin with $KEDA_GOTOOLCHAIN" \
  "(about 12 minutes, once)" >&2
mkdir -p "$cache"
# Build into a temporary folder first so that a failed or interrupted build never leaves a
# half-filled one that a later run would take for complete.
tmp="$(mktemp -d "$cache/.keda.XXXXXX")"
chmod 755 "$tmp"
work="$(mktemp -d)"
trap 'rm -rf "$tmp" "$work"' EXIT
export GOTOOLCHAIN="$KEDA_GOTOOLCHAIN"
export GOFLAGS="-mod=mod"
export CGO_ENABLED=0

cd "$work"
info="$(go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION")" \
  || { echo "could not download github.com/kedacore/keda/v2@$KEDA_VERSION" >&2; exit 1; }
gomod="$(sed -n 's/.*"GoMod": "\(.*\)",*/\1/p' <<<"$info")"
src="$(sed -n 's/.*"Dir": "\(.*\)",*/\1/p' <<<"$info")"
[ -f "$gomod" ] && [ -d "$src" ] || { echo "no go.mod or source folder for KEDA $KEDA_VERSION" >&2; exit 1; }
{
  echo "module stoker.io/e2e/keda"
  echo
  echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -n1)"
  echo
  echo "require github.com/kedacore/keda/v2 $KEDA_VERSION"
  echo
  # single-line `replace a => b vX` of KEDA's go.mod (module to module; none point at folders)
  sed -n 's#^replace \([^ ]* \(v[^ ]* \)\{0,1\}=> [^ .][^ ]* v[^ ]*\)$#replace \1#p' "$gomod"
  # and the lines of a `replace ( ... )` block
  sed -n '/^replace (/,/^)/{/^replace (/d;/^)/d;s#^[[:space:]]*\([^ ]* \(v[^ ]* \)\{0,1\}=> [^ .][^ ]* v[^ ]*\)$#replace \1#p}' "$gomod"
  # and its excludes, which apply only in the main module, i.e. now in the wrapper
  sed -n 's#^exclude \([^ (]* v[^ ]*\)$#exclude \1#p' "$gomod"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "github.com/kedacore/keda/v2/cmd/adapter"
	_ "github.com/kedacore/keda/v2/cmd/operator"
)
GO
go build -trimpath -ldflags "-s -w" -o "$tmp/keda-operator" github.com/kedacore/keda/v2/cmd/operator >&2 \
  || { echo "building KEDA's operator $KEDA_VERSION failed (wrapper go.mod in $work)" >&2; exit 1; }
go build -trimpath -ldflags "-s -w" -o "$tmp/keda-adapter" github.com/kedacore/keda/v2/cmd/adapter >&2 \
  || { echo "building KEDA's metrics adapter $KEDA_VERSION failed" >&2; exit 1; }
help="$("$tmp/keda-operator" --help 2>&1 || true)"
grep -q -- --metrics-service-bind-address <<<"$help" || { echo "the built keda-operator does not run: $help" >&2; exit 1; }

mkdir -p "$tmp/crds"
cp "$src"/config/crd/bases/*.yaml "$tmp/crds/"
cp "$src/config/metrics-server/api_service.yaml" "$tmp/api_service.yaml"
chmod -R u+w "$tmp"
rm -rf "$bin"
mv "$tmp" "$bin"
trap 'rm -rf "$work"' EXIT
echo "$bin"
