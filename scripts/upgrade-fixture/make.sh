#!/bin/sh
# Writes test/fixtures/store-schema-<N>.sql: a SQLite store written by orgscim as of COMMIT (the
# last commit before the newest migration), through that version's own server and CLI, dumped as
# SQL text. test/ops/upgrade.test.ts opens it with today's code. Regenerate it when you add a
# migration:   sh scripts/upgrade-fixture/make.sh <commit before your migration>
set -eu
commit=${1:?usage: make.sh COMMIT}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$root" archive "$commit" | tar -x -C "$work"
ln -s "$root/node_modules" "$work/node_modules"
(cd "$work" && node node_modules/typescript/bin/tsc -p tsconfig.build.json)
# This checkout's seed and dump scripts (scripts/upgrade-fixture/*.ts), compiled to dist-scripts/.
node "$root/node_modules/typescript/bin/tsc" -p "$root/scripts/tsconfig.json"
node "$root/dist-scripts/upgrade-fixture/seed.js" "$work" "$work/store.db"
node "$root/dist-scripts/upgrade-fixture/dump.js" "$work/store.db" "$root/test/fixtures" "$commit"
