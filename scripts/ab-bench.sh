#!/usr/bin/env bash
# Before/after speed in one run: builds BASE_REF in a temporary worktree, then alternates
# `vgrad bench` between it (A) and the working tree (B), ROUNDS times, and prints the median
# ms/step of each and their ratio (and of CPU ms/step, where both sides report it). Absolute
# times on a shared machine are noise; the ratio is not.
# `--backends a,b` among the bench flags runs every round once per backend (as `--backend a`,
# then `--backend b`), so it works against a base that predates `--backends`.
# Usage: scripts/ab-bench.sh BASE_REF [ROUNDS] [bench flags...]
set -euo pipefail
base_ref=${1:?usage: scripts/ab-bench.sh BASE_REF [ROUNDS] [bench flags...]}
rounds=${2:-3}
shift $(( $# >= 2 ? 2 : 1 ))
flags=()
backends=(default)
while [ $# -gt 0 ]; do
  if [ "$1" = --backends ]; then IFS=, read -r -a backends <<<"${2:?--backends needs a list}"; shift 2
  else flags+=("$1"); shift; fi
done
[ ${#flags[@]} -gt 0 ] || flags=(--depths 5 --acts relu --batches 64)
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach "$work/base" "$base_ref" >/dev/null 2>&1
ln -s "$root/node_modules" "$work/base/node_modules"
(cd "$work/base" && npx tsc -p tsconfig.json)
(cd "$root" && npx tsc -p tsconfig.json)
for i in $(seq "$rounds"); do
  for backend in "${backends[@]}"; do
    extra=()
    [ "$backend" = default ] || extra=(--backend "$backend")
    for side in A B; do
      dir=$([ "$side" = A ] && echo "$work/base" || echo "$root")
      node "$dir/bin/vgrad.js" bench --json "${flags[@]}" "${extra[@]}" 2>/dev/null > "$work/$side-$backend-$i.json"
    done
  done
done
node - "$work" "$rounds" "${backends[@]}" <<'JS'
const fs = require('fs');
const [dir, rounds, ...backends] = [process.argv[2], Number(process.argv[3]), ...process.argv.slice(4)];
const median = (v) => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)];
const ms = (e) => Number(/([\d.]+) ms\/step/.exec(e.extra)[1]);
const cpu = (e) => { const m = /CPU ([\d.]+) ms\/step/.exec(e.extra); return m ? Number(m[1]) : NaN; };
for (const backend of backends) {
  const load = (side) => Array.from({ length: rounds }, (_, i) => JSON.parse(fs.readFileSync(`${dir}/${side}-${backend}-${i + 1}.json`, 'utf8')));
  const a = load('A'), b = load('B');
  for (const [k, entry] of a[0].entries()) {
    const ma = median(a.map((run) => ms(run[k]))), mb = median(b.map((run) => ms(run[k])));
    const ca = median(a.map((run) => cpu(run[k]))), cb = median(b.map((run) => cpu(run[k])));
    const cpuText = Number.isFinite(ca) && Number.isFinite(cb) ? `; CPU A ${ca.toFixed(2)}, B ${cb.toFixed(2)}, A/B ${(ca / cb).toFixed(2)}x` : '';
    const label = backend === 'default' ? '' : `${backend} · `;
    console.log(`${label}${entry.name}: A ${ma.toFixed(2)} ms/step, B ${mb.toFixed(2)} ms/step, speed-up A/B ${(ma / mb).toFixed(2)}x${cpuText}`);
  }
}
JS
