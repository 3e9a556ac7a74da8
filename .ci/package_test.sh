#!/usr/bin/env bash
# The package test: packs the npm package and, in fresh folders outside the repository that see only the tarball,
# does what the README tells a user outside a checkout — the install and quick-start blocks as written (the package
# name replaced by the tarball's path), every entry point loaded by name and both bins started, the README's consumers
# under the package's own kcl-local bin on Node 20, 22.18 and 24, Bun and Deno (from the npm package, through
# `deno add npm:` from a one-package registry, and from source the JSR way), every executableName of the README's
# table, the README's test under each runtime's own runner with the README's command (each runner must count every
# test), strict tsc checks against the shipped .d.ts (with @types/node, and with only `lib: es2022, dom`), and the
# packaging linters (publint, attw, npm publish --dry-run; deno publish --dry-run is in deno task check). Quiet unless
# a step fails; exits 1 at the first failure.
#
#     .ci/package_test.sh        (deno task test:package; needs the pinned tools: deno task tools)
#
# JSR is not reachable from CI: `deno add jsr:@kcl/multilang` is replaced by the deno.json entry it writes, in a
# Deno workspace whose other member holds the files `deno publish` uploads, so `jsr:@kcl/multilang…` resolves there.
# The package is not on npmjs.com either: `deno add npm:@kcl/multilang` gets it from .ci/package_test/npm_registry.ts,
# named for the @kcl scope in the project's .npmrc (every other package comes from the usual registry).
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tools="$repo/.ci/tools/node_modules"
fixtures="$repo/.ci/package_test"
# The machine's own PATH, without the pinned tools (.ci/run puts them first): the "only Node and npm" blocks run on it.
system_path="$(tr ':' '\n' <<<"$PATH" | grep -vxF -e "$tools/.bin" -e "$repo/.ci/tools/node_modules/.bin" | paste -sd: -)"
export PATH="$tools/.bin:$PATH"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/kcl-package-test.XXXXXX")"
registry_pid=""
trap '[[ -z $registry_pid ]] || kill "$registry_pid" 2>/dev/null; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/logs"
started=$SECONDS
steps=0

# step NAME DIR COMMAND...: runs COMMAND in DIR, its output kept in a log that is shown only if it fails.
step() {
  local name="$1" dir="$2"
  shift 2
  steps=$((steps + 1))
  local log="$scratch/logs/$steps.log"
  if (cd "$dir" && "$@") >"$log" 2>&1; then
    printf '  ok %-86s %4ss\n' "$name" "$((SECONDS - started))"
  else
    local code=$?
    printf 'FAILED: %s (exit %s, in %s)\n' "$name" "$code" "$dir"
    tail -n 80 "$log"
    exit 1
  fi
}

readme() { deno run --quiet --allow-read "$fixtures/readme.ts" "$@"; }

# A folder whose `node` is the given binary, to put first on PATH (npx, the bins' `#!/usr/bin/env node` and a
# child named `node` then all run that Node).
node_dir() {
  mkdir -p "$scratch/bin/$1"
  ln -sf "$2" "$scratch/bin/$1/node"
  echo "$scratch/bin/$1"
}
node20="$(node_dir 20 "$tools/node20/bin/node")"
node22="$(node_dir 22 "$tools/node22/bin/node")"
node24="$(node_dir 24 "$tools/node/bin/node")"
expect_version() { [[ "$("$1/node" --version)" == "$2" ]] || { echo "$1/node is $("$1/node" --version), not $2"; return 1; }; }
step "Node 20.20.2, 22.18.0 and 24.21.0 from .ci/tools" "$scratch" \
  bash -c "$(declare -f expect_version); expect_version $node20 v20.20.2 && expect_version $node22 v22.18.0 && expect_version $node24 v24.21.0"

version="$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync(Deno.args[0])).version)' "$repo/deno.json")"

# --- the tarball ---------------------------------------------------------------------------------------------------
step "npm pack (prepack: deno task build)" "$repo" npm pack --pack-destination "$scratch" --loglevel=error
tarball="$scratch/kcl-multilang-$version.tgz"
step "the tarball holds dist/, README.md, LICENSE and package.json only" "$scratch" bash -euo pipefail -c \
  "extra=\$(tar -tzf '$tarball' | grep -vE '^package/(dist/.+|README\\.md|LICENSE|package\\.json)\$' || true)
   [[ -z \$extra ]] || { echo \"unexpected files: \$extra\"; exit 1; }"
# NO_COLOR: publint colours its verdict whenever CI is set, as it is in CI.
step "publint reports nothing" "$scratch" env NO_COLOR=1 bash -o pipefail -c \
  "publint run '$tarball' --strict | tee /dev/stderr | grep -q '^All good!'"
# ESM only on purpose: require() from CommonJS and the pre-exports `node10` resolution are out of scope.
step "attw (are the types wrong) reports nothing, ESM-only profile" "$scratch" \
  attw "$tarball" --profile esm-only --format ascii
step "npm publish --dry-run of the tarball" "$scratch" npm publish --dry-run "$tarball" --loglevel=warn

# --- what the README says to write ---------------------------------------------------------------------------------
mkdir -p "$scratch/readme"
for file in processor.mjs consumer.mjs consumer.ts processor.test.mjs; do
  readme block "// $file" >"$scratch/readme/$file"
done
# The README's test runners, one line per runtime, and how many tests the README's test file holds: each runner must
# count them all (a runner that finds no test, or counts none, passes without having tested anything).
node_test="$(readme line-with "node --test processor.test.mjs")"
bun_test="$(readme line-with "bun test ./processor.test.mjs")"
deno_test="$(readme line-with "deno test --allow-run --allow-env processor.test.mjs")"
test_count="$(grep -c '^test(' "$scratch/readme/processor.test.mjs")"

# runs_tests RUNNER COMMAND: runs COMMAND (a README line), then checks that its output counts $test_count tests passed.
runs_tests() {
  local runner="$1" output counted
  output="$(bash -euo pipefail -c "$2" 2>&1)" || { echo "$output"; return 1; }
  echo "$output"
  case "$runner" in
  node) counted="$(sed -nE 's/^(ℹ|#) pass ([0-9]+)$/\2/p' <<<"$output")" ;;
  bun) counted="$(sed -nE 's/^ *([0-9]+) pass$/\1/p' <<<"$output")" ;;
  deno) counted="$(sed -E 's/\x1b\[[0-9;]*m//g' <<<"$output" | sed -nE 's/^ok \| ([0-9]+) passed.*/\1/p')" ;;
  esac
  [[ "$counted" == "$test_count" ]] || {
    echo "The $runner runner counted ${counted:-no} passed tests, not the README test file's $test_count"
    return 1
  }
}

# project DIR: a fresh project folder holding the README's consumers and test (and nothing else).
project() {
  mkdir -p "$1"
  cp "$scratch/readme/"* "$1/"
}

# run_block DIR PATH FIRST_LINE [EDIT]: runs the README's sh block whose first line is FIRST_LINE (edited by the sed
# expression EDIT, if given) in DIR with that PATH, the package's tarball in place of the registry: `… npm install /
# bun add @kcl/multilang` installs the tarball, and `… deno add jsr:@kcl/multilang` writes the imports entry that
# `deno add` writes (`deno add npm:@kcl/multilang` runs as written: see deno_npm_project).
run_block() {
  local dir="$1" path="$2" first="$3" edit="${4:-}" script
  script="$(readme block "$first" | sed -E -e "$edit" |
    sed -E -e "s#^(.*deno(@[0-9.]+)? add) jsr:@kcl/multilang( .*)?\$#jsr_add#" \
      -e "s#^(.*(npm install|bun(@[0-9.]+)? add)) @kcl/multilang( .*)?\$#\\1 $tarball#")"
  step "README block: ${script//$'\n'/; }" "$dir" env PATH="$path" bash -euo pipefail -c \
    "jsr_add() { printf '{ \"imports\": { \"@kcl/multilang\": \"jsr:@kcl/multilang@^$version\" } }\n' > deno.json; }
$script"
}

# --- Node: the npm package on Node 20, 22.18 and 24 ----------------------------------------------------------------
project "$scratch/node"
cp "$fixtures/tsconfig.json" "$scratch/node/" # the type check below (Deno would apply it too, so only here)
cp "$fixtures/entries.mjs" "$scratch/node/"
run_block "$scratch/node" "$node24:$PATH" "# on Node"
cp "$fixtures/tsconfig.es2022.json" "$fixtures/every_entry.ts" "$scratch/node/"
step "tsc: the shipped .d.ts of every entry point and the README's .mjs with lib es2022 + dom, no @types/node" \
  "$scratch/node" tsc -p tsconfig.es2022.json
for node in "$node20" "$node22" "$node24"; do
  step "Node $("$node/node" --version): every entry point loads by name" "$scratch/node" \
    "$node/node" entries.mjs "$repo/.ci/exports.json"
done
step "Bun: every entry point loads by name" "$scratch/node" bun entries.mjs "$repo/.ci/exports.json"
step "Deno, npm package: every entry point loads by name" "$scratch/node" \
  deno run --allow-read entries.mjs "$repo/.ci/exports.json"
step "Node 20: both bins start (npx kcl-launcher --help, npx kcl-local --help)" "$scratch/node" \
  env PATH="$node20:$PATH" bash -c "npx kcl-launcher --help && npx kcl-local --help"
step "Node 22.18: npx kcl-local -- node consumer.mjs" "$scratch/node" \
  env PATH="$node22:$PATH" npx kcl-local --shards 2 -- node consumer.mjs
step "Node 20: npx kcl-local -- node consumer.mjs" "$scratch/node" \
  env PATH="$node20:$PATH" npx kcl-local --shards 2 -- node consumer.mjs
# TypeScript consumers: the project is ESM (README), its type checks need @types/node (the version CI pins).
types_node="$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync(Deno.args[0])).devDependencies["@types/node"])' \
  "$repo/.ci/tools/package.json")"
step "npm pkg set type=module; npm install -D @types/node@$types_node" "$scratch/node" bash -c \
  "npm pkg set type=module && npm install --save-dev --save-exact --prefer-offline --no-audit --no-fund @types/node@$types_node"
step "tsc --noEmit --strict (with @types/node): the README's consumer.ts against the shipped .d.ts" "$scratch/node" \
  tsc -p tsconfig.json --noEmit --strict
step "Node 24: npx kcl-local -- node consumer.ts" "$scratch/node" \
  env PATH="$node24:$PATH" npx kcl-local --shards 2 -- node consumer.ts
step "Node 22.18: npx kcl-local -- node consumer.ts" "$scratch/node" \
  env PATH="$node22:$PATH" npx kcl-local --shards 2 -- node consumer.ts
step "Node 20 (no type stripping): tsc, then npx kcl-local -- node out/consumer.js" "$scratch/node" \
  bash -c "tsc -p tsconfig.json && PATH='$node20:$PATH' npx kcl-local --shards 2 -- node out/consumer.js"
for node in "$node20" "$node22" "$node24"; do
  step "Node $("$node/node" --version): the README's test, $node_test" "$scratch/node" \
    env PATH="$node:$PATH" bash -c "$(declare -f runs_tests); test_count=$test_count; runs_tests node '$node_test'"
done

# The README's executableName table, each run as the daemon runs it (split on spaces, no shell) by the local daemon.
while IFS=$'\t' read -r command build; do
  command="${command//\/var\/tmp\/kcl-node/$scratch/kcl-node}" # the compile cache goes to the scratch folder
  if [[ -n "$build" ]]; then step "executableName build step: $build" "$scratch/node" $build; fi
  # shellcheck disable=SC2086 # split on spaces, as the daemon splits executableName
  step "executableName = $command" "$scratch/node" env PATH="$node24:$PATH" npx kcl-local --shards 2 -- $command
done < <(readme executable-names)

# --- Deno from the npm package (the same folder: package.json + node_modules) ----------------------------------------
step "Deno, npm package: npx kcl-local -- deno run consumer.mjs" "$scratch/node" \
  env PATH="$node24:$PATH" npx kcl-local --shards 2 -- deno run consumer.mjs
step "Deno, npm package: npx kcl-local -- deno run consumer.ts" "$scratch/node" \
  env PATH="$node24:$PATH" npx kcl-local --shards 2 -- deno run consumer.ts
step "Deno, npm package (node_modules): the README's test, $deno_test" "$scratch/node" \
  bash -c "$(declare -f runs_tests); test_count=$test_count; runs_tests deno '$deno_test'"

# --- Bun -----------------------------------------------------------------------------------------------------------
project "$scratch/bun"
run_block "$scratch/bun" "$PATH" "# on Bun"
step "Bun: bunx --bun kcl-local -- bun consumer.ts" "$scratch/bun" bunx --bun kcl-local --shards 2 -- bun consumer.ts
step "Bun: bunx --bun kcl-launcher --help" "$scratch/bun" bunx --bun kcl-launcher --help
step "Bun: the README's test, $bun_test" "$scratch/bun" \
  bash -c "$(declare -f runs_tests); test_count=$test_count; runs_tests bun '$bun_test'"

# --- Deno through `deno add npm:@kcl/multilang`, from a one-package registry ------------------------------------------
step "start the one-package npm registry (.ci/package_test/npm_registry.ts)" "$scratch" bash -c \
  "deno run --quiet --allow-read --allow-run=tar --allow-net=127.0.0.1 '$fixtures/npm_registry.ts' '$tarball' \
     >'$scratch/registry.url' 2>'$scratch/registry.log' & echo \$! >'$scratch/registry.pid'
   for _ in \$(seq 300); do [[ -s '$scratch/registry.url' ]] && exit 0; sleep 0.1; done
   cat '$scratch/registry.log'; exit 1"
registry_pid="$(cat "$scratch/registry.pid")"
# deno_npm_project DIR: a project folder (no deno.json: `deno add` writes it) whose @kcl scope comes from the registry.
deno_npm_project() {
  project "$1"
  echo "@kcl:registry=$(cat "$scratch/registry.url")" >"$1/.npmrc"
}
deno_npm_project "$scratch/deno-npm"
export DENO_DIR="$scratch/deno-dir" # a Deno cache that never held the package
run_block "$scratch/deno-npm" "$PATH" "# on Deno"
step "Deno, npm: deno run … npm:@kcl/multilang/local -- deno run consumer.ts" "$scratch/deno-npm" \
  deno run --allow-run --allow-read --allow-env npm:@kcl/multilang/local --shards 2 -- deno run consumer.ts
step "Deno, npm: deno run npm:@kcl/multilang/launcher --help" "$scratch/deno-npm" \
  deno run npm:@kcl/multilang/launcher --help
step "Deno, npm: the README's test, $deno_test" "$scratch/deno-npm" \
  bash -c "$(declare -f runs_tests); test_count=$test_count; runs_tests deno '$deno_test'"
step "Deno, npm: without --allow-run --allow-env the README's test fails with one line naming them" "$scratch/deno-npm" \
  bash -c "! deno test processor.test.mjs >out.log 2>&1 && grep -q 'FakeDaemon.spawn needs --allow-run --allow-env' out.log"
unset DENO_DIR

# --- Deno from source, the JSR way ----------------------------------------------------------------------------------
mkdir -p "$scratch/jsr/kcl-multilang"
while read -r path; do cp -R "$repo/$path" "$scratch/jsr/kcl-multilang/"; done < <(
  deno eval 'for (const p of JSON.parse(Deno.readTextFileSync(Deno.args[0])).publish.include) console.log(p)' \
    "$repo/deno.json"
)
printf '{ "workspace": ["./kcl-multilang", "./deno"] }\n' >"$scratch/jsr/deno.json"
project "$scratch/jsr/deno"
echo "{}" >"$scratch/jsr/deno/deno.json" # a Deno project; `deno add` adds to it
# The README: "From JSR: `deno add jsr:@kcl/multilang`, and `jsr:@kcl/multilang/local` in place of
# `npm:@kcl/multilang/local`": the "# on Deno" block with jsr: for npm:.
run_block "$scratch/jsr/deno" "$PATH" "# on Deno" "s#npm:@kcl/multilang#jsr:@kcl/multilang#g"
step "Deno, source: deno run --allow-run --allow-read --allow-env jsr:@kcl/multilang/local -- deno run consumer.ts" "$scratch/jsr/deno" \
  deno run --allow-run --allow-read --allow-env jsr:@kcl/multilang/local --shards 2 -- deno run consumer.ts
step "Deno, source: the README's test, $deno_test" "$scratch/jsr/deno" \
  bash -c "$(declare -f runs_tests); test_count=$test_count; runs_tests deno '$deno_test'"

# --- a machine with only Node and npm: the README's npx forms --------------------------------------------------------
project "$scratch/bun-npx"
run_block "$scratch/bun-npx" "$node24:$system_path" "# Bun, with only Node and npm"
deno_npm_project "$scratch/deno-npm-npx"
export DENO_DIR="$scratch/deno-dir-npx"
run_block "$scratch/deno-npm-npx" "$node24:$system_path" "# Deno, with only Node and npm"
unset DENO_DIR
project "$scratch/node-npx"
run_block "$scratch/node-npx" "$node20:$system_path" "# Node older than 20.20.2: on Node 24 through npm"

printf 'Package test passed: %s steps in %ss.\n' "$steps" "$((SECONDS - started))"
