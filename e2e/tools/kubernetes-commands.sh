# Sourced by the scripts that build commands of k8s.io/kubernetes (kube-apiserver, kube-scheduler,
# kube-controller-manager); not run on its own.
#
# k8s.io/kubernetes's go.mod replaces its staging modules (k8s.io/api, k8s.io/client-go, ...) with
# folders inside its own repository, so `go install` refuses it. A throw-away wrapper module
# requires k8s.io/kubernetes and replaces every staging module with its published release
# (k8s.io/kubernetes v1.N.M ships them as v0.N.M).

# build_kubernetes_commands WORKDIR MODULE BIN VERSION COMMAND...
#   builds each k8s.io/kubernetes/cmd/COMMAND at VERSION into BIN/COMMAND, through a wrapper module
#   named MODULE written in WORKDIR.
build_kubernetes_commands() {
  local dir="$1" module="$2" bin="$3" version="$4"
  shift 4
  local staging="v0.${version#v1.}"
  echo "building $* $version (staging $staging) in $dir" >&2
  mkdir -p "$dir"
  (
    cd "$dir"
    local gomod
    gomod="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/.*"GoMod": "\(.*\)",*/\1/p')"
    [ -f "$gomod" ] || { echo "could not download k8s.io/kubernetes@$version" >&2; exit 1; }
    {
      echo "module $module"
      echo
      echo "go $(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gomod" | head -n1)"
      echo
      echo "require k8s.io/kubernetes $version"
      echo
      # each `k8s.io/x => ./staging/src/k8s.io/x` of kubernetes' go.mod becomes `k8s.io/x => k8s.io/x v0.N.M`
      sed -n 's#^[[:space:]]*\(k8s.io/[a-z0-9.-]*\) => ./staging/src/k8s.io/.*#replace \1 => \1 '"$staging"'#p' "$gomod"
    } > go.mod
    {
      echo "//go:build tools"
      echo
      echo "package tools"
      echo
      echo "import ("
      for cmd in "$@"; do echo "	_ \"k8s.io/kubernetes/cmd/$cmd\""; done
      echo ")"
    } > tools.go
    go mod tidy >&2
    for cmd in "$@"; do
      go build -trimpath -ldflags "-s -w" -o "$bin/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd"
      mv "$bin/$cmd.tmp" "$bin/$cmd"
    done
  )
}
