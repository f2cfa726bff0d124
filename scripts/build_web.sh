#!/usr/bin/env bash
# `make build`'s second half, after the C++: the dashboard. Writes BUILD_DIR/openapi.json from the binary
# (`parley openapi`), generates the API's TypeScript types from it (web/src/lib/api/schema.gen.ts) and builds web/
# with Vite into BUILD_DIR/web, which `parley serve` serves at / (its web_dir defaults to <its directory>/web).
# Skipped when nothing under web/ and nothing in the API document changed since the last build (BUILD_DIR/web.stamp).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-build}" && pwd)
cd "$root"

# Rewritten only when it changed, so that its time says whether the types must be generated again.
openapi=$build_dir/openapi.json
"$build_dir/parley" openapi > "$openapi.tmp"
if cmp -s "$openapi.tmp" "$openapi"; then rm "$openapi.tmp"; else mv "$openapi.tmp" "$openapi"; fi

stamp=$build_dir/web.stamp
changed_since_stamp() {
  [[ ! -f $stamp || ! -f $build_dir/web/index.html || $openapi -nt $stamp ]] && return 0
  # The generated types are written by this script; the browser tests are not part of the build.
  [[ -n $(find web -path web/node_modules -prune -o -path web/e2e -prune -o \
    -path web/src/lib/api/schema.gen.ts -prune -o -newer "$stamp" -print -quit) ]]
}
if ! changed_since_stamp; then
  exit 0
fi

echo "build: the dashboard (web/ → ${build_dir#"$root"/}/web)"
cd web
# package.json's gen:api reads ../build/openapi.json; another build directory passes its own document.
if [[ $build_dir == "$root/build" ]]; then
  npm run --silent gen:api
else
  npx --no-install openapi-typescript "$openapi" -o src/lib/api/schema.gen.ts
fi
npm run --silent build -- --outDir "$build_dir/web" --logLevel warn
touch "$stamp"
