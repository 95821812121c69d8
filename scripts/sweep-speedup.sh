#!/usr/bin/env bash
# Sweep speed-up benchmark: the same grid with --jobs 1 and --jobs 2 (fresh results each time,
# alternating, ROUNDS times), wall time of each and the ratio of the medians. The target on an
# otherwise idle 2-core machine is ≥ 1.8×. Not a test: timings on a shared machine say little.
#   scripts/sweep-speedup.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}
# 8 cells of equal size: 300 training steps each, so start-up is a small part of a cell.
GRID=(--data gaussian --train-size 4000 --test-size 500 --steps 300 --act relu,tanh --init xavier,he --depth 3,4 --quiet)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { node -e 'process.stdout.write(String(performance.timeOrigin + performance.now()))'; }
declare -a ONE TWO
for round in $(seq 1 "$ROUNDS"); do
  for jobs in 1 2; do
    start=$(now)
    node bin/vgrad.js sweep "${GRID[@]}" --jobs "$jobs" --out "$tmp/r$round-j$jobs" >/dev/null
    end=$(now)
    seconds=$(node -e "console.log((($end - $start) / 1000).toFixed(2))")
    if [ "$jobs" = 1 ]; then ONE+=("$seconds"); else TWO+=("$seconds"); fi
    echo "round $round --jobs $jobs: ${seconds}s"
  done
done
node -e '
const median = (xs) => { const s = xs.map(Number).sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const one = median(process.argv[1].split(" ")), two = median(process.argv[2].split(" "));
console.log(`median --jobs 1 ${one.toFixed(1)}s, --jobs 2 ${two.toFixed(1)}s: speed-up ${(one / two).toFixed(2)}× (target ≥ 1.8× on an idle 2-core machine); load average now ${require("os").loadavg()[0].toFixed(1)}`);
' "${ONE[*]}" "${TWO[*]}"
