#!/usr/bin/env bash
# The Angular example in CI: install it, install rx-reconnect from a packed tarball of the root
# (as an adopter would), run the TestBed specs, then measure what rx-reconnect adds to a
# production build. Runs from any directory; needs the npm registry only.
#
#   RX_RECONNECT_TARBALL=/path/to/rx-reconnect-x.y.z.tgz  use this tarball instead of packing the root
#   ANGULAR_SKIP_BUILD=1                                   skip the production builds
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
started=$SECONDS
export CI=true NG_CLI_ANALYTICS=false NG_FORCE_TTY=false

step() { printf '\n== angular: %s (%ds)\n' "$1" $((SECONDS - started)); }

step 'npm ci (Angular 22, Jest, and Node 22 from the "node" package: Angular 22 wants Node >= 22.22.3)'
cd "$here"
npm ci --no-audit --no-fund --loglevel=error
echo "node for the example: $(npm exec --offline -- node --version)"

tarball="${RX_RECONNECT_TARBALL:-}"
if [[ -z "$tarball" ]]; then
  step 'npm pack the root'
  packdir="$(mktemp -d)"
  trap 'rm -rf "$packdir"' EXIT
  cd "$root"
  [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error
  # npm pack runs the root's prepack (the build); build first only where there is none.
  if [[ "$(npm pkg get scripts.prepack)" == '{}' ]]; then npm run --silent build; fi
  tarball="$packdir/$(npm pack --pack-destination "$packdir" --loglevel=error | tail -n 1)"
fi

step "install $(basename "$tarball") (not saved: the lockfile stays as committed)"
cd "$here"
npm install --no-save --no-audit --no-fund --loglevel=error "$tarball"

step 'TestBed specs (jest-preset-angular)'
npm test --silent -- --ci

if [[ -n "${ANGULAR_SKIP_BUILD:-}" ]]; then
  step "done, builds skipped"
  exit 0
fi

step 'production builds: with rx-reconnect, and the same app without it'
rm -rf dist
log="$(mktemp)"
npm run --silent build -- --configuration production --stats-json 2>&1 | tee "$log"
npm run --silent build -- --configuration baseline --stats-json
# rx-reconnect ships ESM: a CommonJS warning means the package's exports map regressed (a second,
# CommonJS rxjs would be bundled beside the app's).
if grep -q "is not ESM" "$log"; then
  echo "FAIL: the Angular CLI warns that rx-reconnect is not ESM" >&2
  exit 1
fi
rm -f "$log"

step 'what rx-reconnect adds to the production build'
npm exec --offline -- node bundle-sizes.mjs

step "done in $((SECONDS - started)) s"
