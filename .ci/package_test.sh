#!/usr/bin/env bash
# The package test: packs the npm package and, in fresh folders outside the repository that see only the tarball,
# does what the README tells a user outside a checkout — the install and quick-start blocks as written (the package
# name replaced by the tarball's path), every entry point loaded by name and both bins started, the README's consumers
# under the package's own kcl-local bin on Node 20, 22.18 and 24, Bun and Deno (from the npm package, and from source
# the JSR way), every executableName of the README's table, the README's FakeDaemon snippet under node --test, bun test
# and deno test, a strict tsc check against the shipped .d.ts, and the packaging linters (publint, attw,
# npm publish --dry-run; deno publish --dry-run is in deno task check). Quiet unless a step fails; exits 1 at the
# first failure.
#
#     .ci/package_test.sh        (deno task test:package; needs the pinned tools: deno task tools)
#
# JSR is not reachable from CI: `deno add jsr:@kcl/multilang` is replaced by the deno.json entry it writes, in a
# Deno workspace whose other member holds the files `deno publish` uploads, so `jsr:@kcl/multilang…` resolves there.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
tools="$repo/.ci/tools/node_modules"
fixtures="$repo/.ci/package_test"
# The machine's own PATH, without the pinned tools (.ci/run puts them first): the "only Node and npm" blocks run on it.
system_path="$(tr ':' '\n' <<<"$PATH" | grep -vxF -e "$tools/.bin" -e "$repo/.ci/tools/node_modules/.bin" | paste -sd: -)"
export PATH="$tools/.bin:$PATH"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/kcl-package-test.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
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
readme block "// consumer.mjs" >"$scratch/readme/consumer.mjs"
readme block "// consumer.ts" >"$scratch/readme/consumer.ts"
readme block-with "FakeDaemon.inProcess(" >"$scratch/readme/processor_test.ts"
cp "$fixtures/processor.ts" "$scratch/readme/"

# project DIR: a fresh project folder holding the README's consumers and test (and nothing else).
project() {
  mkdir -p "$1"
  cp "$scratch/readme/"* "$1/"
}

# run_block DIR PATH FIRST_LINE: runs the README's sh block whose first line is FIRST_LINE in DIR with that
# PATH, the package's tarball in place of the registry: `… npm install / bun add @kcl/multilang` installs the tarball,
# and `… deno add jsr:@kcl/multilang` writes the imports entry that `deno add` writes.
run_block() {
  local dir="$1" path="$2" first="$3" script
  script="$(readme block "$first" |
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
step "tsc --noEmit --strict: the README's consumer and test against the shipped .d.ts" "$scratch/node" \
  tsc -p tsconfig.json --noEmit --strict
step "Node 24: npx kcl-local -- node consumer.ts" "$scratch/node" \
  env PATH="$node24:$PATH" npx kcl-local --shards 2 -- node consumer.ts
step "Node 22.18: npx kcl-local -- node consumer.ts" "$scratch/node" \
  env PATH="$node22:$PATH" npx kcl-local --shards 2 -- node consumer.ts
step "Node 20 (no type stripping): tsc, then npx kcl-local -- node out/consumer.js" "$scratch/node" \
  bash -c "tsc -p tsconfig.json && PATH='$node20:$PATH' npx kcl-local --shards 2 -- node out/consumer.js"
step "Node 24: node --test, the README's FakeDaemon snippet" "$scratch/node" "$node24/node" --test processor_test.ts
step "Node 22.18: node --test, the README's FakeDaemon snippet" "$scratch/node" "$node22/node" --test processor_test.ts
step "Node 20: node --test, the README's FakeDaemon snippet compiled by tsc" "$scratch/node" \
  "$node20/node" --test out/processor_test.js

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
step "Deno, npm package: deno test, the README's FakeDaemon snippet" "$scratch/node" deno test processor_test.ts

# --- Bun -----------------------------------------------------------------------------------------------------------
project "$scratch/bun"
run_block "$scratch/bun" "$PATH" "# on Bun"
step "Bun: bunx --bun kcl-local -- bun consumer.ts" "$scratch/bun" bunx --bun kcl-local --shards 2 -- bun consumer.ts
step "Bun: bunx --bun kcl-launcher --help" "$scratch/bun" bunx --bun kcl-launcher --help
step "Bun: bun test, the README's FakeDaemon snippet" "$scratch/bun" bun test ./processor_test.ts

# --- Deno from source, the JSR way ----------------------------------------------------------------------------------
mkdir -p "$scratch/jsr/kcl-multilang"
while read -r path; do cp -R "$repo/$path" "$scratch/jsr/kcl-multilang/"; done < <(
  deno eval 'for (const p of JSON.parse(Deno.readTextFileSync(Deno.args[0])).publish.include) console.log(p)' \
    "$repo/deno.json"
)
printf '{ "workspace": ["./kcl-multilang", "./deno", "./deno-npx"] }\n' >"$scratch/jsr/deno.json"
for member in deno deno-npx; do
  project "$scratch/jsr/$member"
  echo "{}" >"$scratch/jsr/$member/deno.json" # a Deno project; `deno add` adds to it
done
run_block "$scratch/jsr/deno" "$PATH" "# on Deno"
step "Deno, source: deno run --allow-run --allow-read --allow-env jsr:@kcl/multilang/local -- deno run consumer.ts" "$scratch/jsr/deno" \
  deno run --allow-run --allow-read --allow-env jsr:@kcl/multilang/local --shards 2 -- deno run consumer.ts
step "Deno, source: deno test, the README's FakeDaemon snippet" "$scratch/jsr/deno" deno test processor_test.ts

# --- a machine with only Node and npm: the README's npx forms --------------------------------------------------------
project "$scratch/bun-npx"
run_block "$scratch/bun-npx" "$node24:$system_path" "# Bun, with only Node and npm"
run_block "$scratch/jsr/deno-npx" "$node24:$system_path" "# Deno, with only Node and npm"
project "$scratch/node-npx"
run_block "$scratch/node-npx" "$node20:$system_path" "# Node older than 20.20: on Node 24 through npm"

printf 'Package test passed: %s steps in %ss.\n' "$steps" "$((SECONDS - started))"
