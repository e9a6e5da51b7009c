#!/usr/bin/env bash
# Installs the npm packages of the dashboards' type check (GrafanaSchemaTest): @grafana/schema
# (Grafana's TypeScript types of a dashboard) and typescript (tsc), pinned, into a cache outside
# the repository. Prints the directory holding node_modules. A second run with the packages
# present does nothing. Needs node and npm (Debian: apt-get install -y nodejs npm).
#
#   dashboards/tools/install-grafana-schema.sh   # installs if missing, prints the directory
#   GRAFANA_SCHEMA_VERSION=13.2.3 TYPESCRIPT_VERSION=5.9.3 STOKER_TOOLS_CACHE=/x dashboards/tools/install-grafana-schema.sh
#
# The versions must match dashboards/pom.xml (grafana.schema.version, typescript.version): the test
# looks for this directory by those versions.
set -euo pipefail

GRAFANA_SCHEMA_VERSION="${GRAFANA_SCHEMA_VERSION:-13.2.3}"
TYPESCRIPT_VERSION="${TYPESCRIPT_VERSION:-5.9.3}"
cache="${STOKER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stoker-tools}"
dir="$cache/grafana-schema-$GRAFANA_SCHEMA_VERSION-typescript-$TYPESCRIPT_VERSION"

if [ -f "$dir/.installed" ]; then
  echo "$dir"
  exit 0
fi
command -v npm >/dev/null || { echo "npm is required to install @grafana/schema and typescript" >&2; exit 1; }
echo "installing @grafana/schema@$GRAFANA_SCHEMA_VERSION and typescript@$TYPESCRIPT_VERSION into $dir" >&2
# Install into a temporary folder first so that a failed install never leaves a half-filled one.
mkdir -p "$cache"
tmp="$(mktemp -d "$cache/.grafana-schema.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
echo '{"private": true}' >"$tmp/package.json"
# Installed from inside the folder, not with --prefix: --prefix would also move npm's global
# configuration file to "$tmp/etc/npmrc" and so drop the machine's (a registry or CA set there).
(cd "$tmp" && npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "@grafana/schema@$GRAFANA_SCHEMA_VERSION" "typescript@$TYPESCRIPT_VERSION" >&2) \
  || { echo "npm install of @grafana/schema and typescript failed" >&2; exit 1; }
node "$tmp/node_modules/typescript/bin/tsc" --version >&2 || { echo "the installed tsc does not run" >&2; exit 1; }
touch "$tmp/.installed"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$dir"
