#!/usr/bin/env bash
# Two builds of `mutual explain` on the plans with prepaid accounts: every
# member and every claim of each data set explained by both, and the outputs
# (standard output, standard error and exit code) compared byte for byte.
#
#   bash bench/explain_same.sh OLD_BINARY NEW_BINARY
#
# Data sets: the samples of 轻松互助, 水滴互助 and 滴水互助 in plans/samples/
# at the `--until` of their docs and half a year later (members who left pay
# account fees, balances run out), and one generated data set of each plan
# (seed 7, 2,000 members, a year and a half) under $BENCH_DIR/explain-same;
# and 轻松互助 with a claim in the waiting period ending the membership and
# refunding the charges, on its sample half a year later.
# Every member of the samples at their docs' `--until`, and every third
# member of the other sets, is explained as the member's letter and as the
# JSON audit; every seventh of those also as the human audit, in Chinese, as
# a JSON letter, and for the period holding a day in the middle of the run.
# Each claim is explained as the audit (human and JSON) and as the member's
# letter. In the sets half a year past the samples' `--until` and the
# generated ones, the members of the first SOME claims and the first SOME
# members who left are also explained (JSON audit) in every period of the
# run: their top-ups, pauses, refunds and account fees.
#
# Environment: BENCH_DIR (default /tmp/mutual-bench), JOBS (parallel
# explanations, default 2), STEP (explain every STEP-th member of the
# samples at their docs' `--until`, default 1; of the others, 3 × STEP),
# SOME (default 40).
# Exits 1 on any difference, listing the first ones.
set -euo pipefail

OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/mutual-bench}
JOBS=${JOBS:-2}
STEP=${STEP:-1}
SOME=${SOME:-40}
WORK="$BENCH_DIR/explain-same"
cd "$ROOT"
mkdir -p "$WORK"

cargo build --release --quiet --example generate
GENERATE="$ROOT/target/release/examples/generate"

# plan file, data folder, --until, a day in the middle of the run, every
# how many members
SETS=()
while read -r plan until middle step; do
    SETS+=("plans/$plan.plan plans/samples/$plan $until $middle $((step * STEP))")
done <<'SAMPLES'
qingsong 2016-12-31 2016-07-14 1
qingsong 2017-06-30 2017-03-28 3
shuidi 2017-04-30 2016-11-15 1
shuidi 2017-10-31 2017-05-25 3
dishui 2019-12-31 2019-07-05 1
dishui 2020-06-30 2020-02-20 3
SAMPLES
while read -r plan from until middle; do
    dir="$WORK/data/$plan"
    if [[ ! -f $dir/.complete ]]; then
        "$GENERATE" --plan "$plan" --members 2000 --seed 7 --from "$from" \
            --until "$until" --out "$dir" >/dev/null
        touch "$dir/.complete"
    fi
    SETS+=("plans/$plan.plan $dir $until $middle $((3 * STEP))")
done <<'GENERATED'
qingsong 2016-01-01 2017-06-30 2016-12-14
shuidi 2016-05-01 2017-10-31 2017-01-05
dishui 2019-01-01 2020-06-30 2019-10-20
GENERATED
# 轻松互助 where a claim in the waiting period ends the membership and
# refunds the charges (credited to the balance), on its sample.
mkdir -p "$WORK/plans/common"
cp plans/common/*.plan "$WORK/plans/common/"
sed 's/^  waiting 180 days, except accident.*/&\n  in waiting: ends membership, refunds charges/' plans/qingsong.plan |
    awk '/^example /{exit} {print}' >"$WORK/plans/qingsong-refunds.plan"
SETS+=("$WORK/plans/qingsong-refunds.plan plans/samples/qingsong 2017-06-30 2017-03-28 $((3 * STEP))")

# one PLAN_FILE DIR UNTIL ARGS...: explains with both builds; prints a line on a difference.
one() {
    local plan=$1 dir=$2 until=$3
    shift 3
    local args=(explain "$plan" --members "$dir/members.csv" --claims "$dir/claims.csv"
        --payments "$dir/payments.csv" --until "$until" "$@")
    local a b
    a=$("$OLD" "${args[@]}" 2>&1; echo "exit $?")
    b=$("$NEW" "${args[@]}" 2>&1; echo "exit $?")
    if [[ $a != "$b" ]]; then
        echo "DIFFERENT: $plan $dir --until $until $*"
    fi
}
export -f one
export OLD NEW

# every_period PLAN DIR UNTIL: job lines explaining some members in every
# period (days 1, 10, 20 and 25 of each month from the launch land in every
# period of the seed plans' closing days).
every_period() {
    local plan=$1 dir=$2 until=$3 launch m day
    launch=$(grep -m1 -o 'launched [0-9-]*' "$plan" | cut -d' ' -f2)
    local some
    some=$({
        awk -F, -v n="$SOME" 'NR > 1 && NR <= n + 1 { print $2 }' "$dir/claims.csv"
        awk -F, -v n="$SOME" 'NR > 1 && $4 != "" && k++ < n { print $1 }' "$dir/members.csv"
    } | sort -u)
    for m in $some; do
        day=$launch
        while [[ $day < $until ]]; do
            for dd in 01 10 20 25; do
                echo "$plan $dir $until --member $m --period ${day:0:8}$dd --view audit --format json"
            done
            day=$(date -d "$day +1 month" +%F)
        done
    done
}

JOBLIST="$WORK/jobs"
: >"$JOBLIST"
for set in "${SETS[@]}"; do
    read -r plan dir until middle step <<<"$set"
    k=0
    for m in $(tail -n +2 "$dir/members.csv" | cut -d, -f1); do
        k=$((k + 1))
        ((k % step == 0)) || continue
        for v in "" "--view audit --format json"; do
            echo "$plan $dir $until --member $m${v:+ $v}" >>"$JOBLIST"
        done
        if ((k / step % 7 == 0)); then
            for v in "--view audit" "--lang zh" "--format json --view member" "--period $middle --view audit"; do
                echo "$plan $dir $until --member $m${v:+ $v}" >>"$JOBLIST"
            done
        fi
    done
    if ((step > STEP)); then
        every_period "$plan" "$dir" "$until" >>"$JOBLIST"
    fi
    for c in $(tail -n +2 "$dir/claims.csv" | cut -d, -f1); do
        for v in "" "--format json" "--view member"; do
            echo "$plan $dir $until --claim $c${v:+ $v}" >>"$JOBLIST"
        done
    done
done
echo "== $(wc -l <"$JOBLIST") explanations, each by both builds" >&2
OUT="$WORK/differences"
xargs -P "$JOBS" -L 1 bash -c 'one "$@"' _ <"$JOBLIST" >"$OUT"
if [[ -s $OUT ]]; then
    echo "$(wc -l <"$OUT") explanations differ:" >&2
    head -n 20 "$OUT" >&2
    exit 1
fi
echo "== all $(wc -l <"$JOBLIST") explanations are the same" >&2
