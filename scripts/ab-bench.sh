#!/usr/bin/env bash
# Before/after speed in one run: builds BASE_REF in a temporary worktree, then alternates
# `vgrad bench` between it (A) and the working tree (B), ROUNDS times, and prints the median
# ms/step of each and their ratio. Absolute times on a shared machine are noise; the ratio is not.
# Usage: scripts/ab-bench.sh BASE_REF [ROUNDS] [bench flags...]
set -euo pipefail
base_ref=${1:?usage: scripts/ab-bench.sh BASE_REF [ROUNDS] [bench flags...]}
rounds=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(--depths 5 --acts relu --batches 64)
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/base" "$base_ref" >/dev/null 2>&1
ln -s "$root/node_modules" "$work/base/node_modules"
(cd "$work/base" && npx tsc -p tsconfig.json)
(cd "$root" && npx tsc -p tsconfig.json)
for i in $(seq "$rounds"); do
  for side in A B; do
    dir=$([ "$side" = A ] && echo "$work/base" || echo "$root")
    node "$dir/bin/vgrad.js" bench --json "${flags[@]}" 2>/dev/null > "$work/$side-$i.json"
  done
done
node - "$work" "$rounds" <<'JS'
const fs = require('fs');
const [dir, rounds] = [process.argv[2], Number(process.argv[3])];
const load = (side) => Array.from({ length: rounds }, (_, i) => JSON.parse(fs.readFileSync(`${dir}/${side}-${i + 1}.json`, 'utf8')));
const a = load('A'), b = load('B');
const median = (v) => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)];
const ms = (e) => Number(/([\d.]+) ms\/step/.exec(e.extra)[1]);
for (const [k, entry] of a[0].entries()) {
  const ma = median(a.map((run) => ms(run[k]))), mb = median(b.map((run) => ms(run[k])));
  console.log(`${entry.name}: A ${ma.toFixed(2)} ms/step, B ${mb.toFixed(2)} ms/step, speed-up A/B ${(ma / mb).toFixed(2)}x`);
}
JS
