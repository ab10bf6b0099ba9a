#!/usr/bin/env bash
# Two builds of `mutual` side by side on one generated 相互保 plan year:
# the runs alternate (old, new, old, new, …) so that both see the same
# machine, and the medians and their ratio are printed.
#
#   bash bench/compare.sh OLD_BINARY NEW_BINARY [MEMBERS] [RUNS]
#
# Data is generated where missing under $BENCH_DIR/data/xianghubao-N (as
# bench/run.sh does). Each run is timed with /usr/bin/time -v; the
# decisions of the two builds are compared byte for byte (the script exits 1
# on any difference; the other files may differ where the builds' meaning
# of a run differs).
set -euo pipefail

OLD=$1
NEW=$2
N=${3:-10000000}
RUNS=${4:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/mutual-bench}
DATA="$BENCH_DIR/data/xianghubao-$N"
cd "$ROOT"
if [[ ! -f $DATA/members.csv ]]; then
    cargo build --release --quiet --example generate
    "$ROOT/target/release/examples/generate" --plan xianghubao --members "$N" --claims 20000 --out "$DATA"
fi
declare -A WALL
for r in $(seq 1 "$RUNS"); do
    for which in old new; do
        bin=$OLD
        [[ $which == new ]] && bin=$NEW
        out="$BENCH_DIR/out/compare-$which"
        rm -rf "$out"
        /usr/bin/time -v "$bin" run plans/xianghubao.plan --members "$DATA/members.csv" \
            --claims "$DATA/claims.csv" --until 2019-10-15 --out "$out" -q 2>"$BENCH_DIR/time.txt"
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {split($2, t, ":"); print t[1] * 60 + t[2]}' "$BENCH_DIR/time.txt")
        rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$BENCH_DIR/time.txt")
        echo "run $r $which: ${wall} s, ${rss} KiB" >&2
        WALL[$which]+="$wall "
    done
done
for f in decisions.csv; do
    cmp -s "$BENCH_DIR/out/compare-old/$f" "$BENCH_DIR/out/compare-new/$f" || { echo "$f differs" >&2; exit 1; }
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
old_m=$(echo "${WALL[old]}" | median)
new_m=$(echo "${WALL[new]}" | median)
echo "median wall: old $old_m s, new $new_m s, new/old $(awk -v a="$new_m" -v b="$old_m" 'BEGIN {printf "%.3f", a / b}')"
