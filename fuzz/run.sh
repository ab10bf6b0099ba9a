#!/usr/bin/env bash
# Runs each fuzz target for SECONDS seconds, one after the other, on the
# stable toolchain (see README.md).
#
#   fuzz/run.sh SECONDS [TARGET...]     default targets: plan members_csv
#
# The corpus of each target is fuzz/corpus/TARGET (kept between runs, not
# committed), seeded on every run from the seed plans (with their includes
# inlined), tests/plans/broken/*.plan, tests/scenarios/*/members.csv and the
# saved regressions under tests/fuzz-regressions/TARGET. Crashes and timeouts
# land in fuzz/artifacts/TARGET.
set -euo pipefail

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(plan members_csv)

fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
cd "$fuzz"

seed_plan() {
    local dir=$fuzz/corpus/plan
    mkdir -p "$dir"
    local common=$root/plans/common/diseases.plan
    for p in "$root"/plans/*.plan; do
        # `include "common/diseases.plan"` → the lists themselves.
        awk -v common="$common" '
            /^include "common\/diseases.plan"/ { while ((getline l < common) > 0) print l; close(common); next }
            { print }' "$p" >"$dir/seed-$(basename "$p")"
    done
    cp "$common" "$dir/seed-common-diseases.plan"
    for p in "$root"/tests/plans/broken/*.plan; do
        cp "$p" "$dir/seed-broken-$(basename "$p")"
    done
}

seed_members_csv() {
    local dir=$fuzz/corpus/members_csv
    mkdir -p "$dir"
    for s in "$root"/tests/scenarios/*/; do
        local name
        name=$(basename "$s")
        cp "$s/members.csv" "$dir/seed-$name-members.csv"
        # Members and claims in one input, separated by a line `%%`.
        { cat "$s/members.csv"; printf '%%%%\n'; cat "$s/claims.csv"; } >"$dir/seed-$name-both.csv"
    done
}

for t in "${targets[@]}"; do
    case $t in
        plan) seed_plan; dict=plan.dict ;;
        members_csv) seed_members_csv; dict=csv.dict ;;
        *) echo "unknown target: $t" >&2; exit 2 ;;
    esac
    mkdir -p "artifacts/$t"
    if [ -d "$root/tests/fuzz-regressions/$t" ]; then
        cp "$root/tests/fuzz-regressions/$t"/* "corpus/$t/" 2>/dev/null || true
    fi
    log=$fuzz/target/logs/$t
    mkdir -p "$log"
    echo "== fuzzing $t for $seconds s (log: fuzz/target/logs/$t/fuzz-0.log)"
    # --sanitizer none: the only way cargo-fuzz builds on a stable toolchain
    # (the crate has no `unsafe`, so AddressSanitizer would add little).
    # --debug-assertions: overflow checks on, so wrapping arithmetic panics.
    # -jobs=1: one fuzzing process, so other work on the machine goes on; its
    # output goes to fuzz-0.log in the current folder, hence the `cd`. Targets
    # may run at the same time from two invocations of this script.
    rm -f "$log/fuzz-0.log"
    status=0
    (cd "$log" && cargo fuzz run --fuzz-dir "$fuzz" --sanitizer none --release --debug-assertions \
        "$t" "$fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -dict="$fuzz/$dict" -jobs=1 -print_final_stats=1) || status=$?
    [ -f "$log/fuzz-0.log" ] && grep -E '^(Done|stat::)' "$log/fuzz-0.log" | tail -n 6
    if [ "$status" -ne 0 ] || grep -qE 'ERROR: libFuzzer|^SUMMARY: libFuzzer' "$log/fuzz-0.log" 2>/dev/null; then
        echo "fuzz target $t found a problem; see $log/fuzz-0.log and fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
