#!/usr/bin/env bash
# Scale benchmark: `mutual run` on generated plan years, beside a hand-written
# single-purpose program (bench/baseline) and DuckDB (bench/duckdb_xianghubao.py)
# for 相互保, all timed in the same run so that their ratios are measured side
# by side on a noisy machine; and the plans with prepaid accounts and a
# payments file, 轻松互助 and 水滴互助, at the same sizes, timed between the
# 相互保 runs.
#
#   bash bench/run.sh
#   SIZES="1000000 10000000 100000000" JD_SIZES="1000000 10000000" bash bench/run.sh
#
# Environment:
#   BENCH_DIR  data and outputs (default /tmp/mutual-bench); data is generated
#              only where missing, under $BENCH_DIR/data/PLAN-N
#   SIZES      member counts for 相互保 (default "1000000 10000000")
#   JD_SIZES   member counts for 京东互保 (default: $SIZES)
#   CLAIMS     claims per data set (default 20000)
#   RUNS       timed runs of each program on each data set (default 3)
#   BASELINE   1 to time the hand-written baseline on 相互保 (default 1)
#   DUCKDB     1 to time DuckDB on 相互保 (default 1; installs the duckdb
#              Python package with pip where it is missing)
#   DIFF       1 to time `mutual diff` of 相互保 against the same plan with an
#              8% fee and a 0.15 cap per case, interleaved with the runs of
#              相互保 (default 1)
#   EXPLAIN    1 to time `mutual explain` of one member and one claim of each
#              seed plan (相互保, 京东互保, 水滴互助 with payments) and of
#              轻松互助 (with payments) at each of $SIZES, interleaved, against
#              explaining a 相互保 member (default 1); also a 相互保 member
#              of a members file as large as 水滴互助's members and payments
#              files together (job explain-xianghubao-as-shuidi, labelled
#              with the 水滴互助 size), for explaining 水滴互助 against reading
#              as many bytes
#   BEFORE     an older build of mutual: each explain job is also timed with
#              it, right after the same job with this work tree's build
#              (program `before` in the tables)
#   QS         1 to time a 轻松互助 year with payments (plans/qingsong.plan,
#              --until 2016-12-31) at each of $SIZES, its runs interleaved
#              with 相互保's (default 1)
#   SD         1 to time a 水滴互助 year with payments (plans/shuidi.plan,
#              --until 2017-04-30) in the same way (default 1)
#
# Each run is timed with /usr/bin/time -v; the runs of the programs on one data
# set are interleaved (mutual, baseline, DuckDB, mutual on 轻松互助 and
# 水滴互助, mutual, …), and the median wall time of each prepaid plan is
# divided by 相互保's. The table gives
# the median, min and max wall time, the median CPU time (user + sys), the
# largest peak RSS and members per second (at the median wall time). Raw rows
# are kept in $BENCH_DIR/results.tsv. The baseline and DuckDB write the same
# three files as mutual (decisions.csv, periods.csv, members.csv); each is
# compared byte for byte with mutual's: any difference is printed (for
# periods.csv by period and column), and the script exits 1.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/mutual-bench}
SIZES=${SIZES:-"1000000 10000000"}
JD_SIZES=${JD_SIZES-$SIZES}
CLAIMS=${CLAIMS:-20000}
RUNS=${RUNS:-3}
BASELINE=${BASELINE:-1}
DUCKDB=${DUCKDB:-1}
QS=${QS:-1}
SD=${SD:-1}
DIFF=${DIFF:-1}
EXPLAIN=${EXPLAIN:-1}
BEFORE=${BEFORE:-}

XH_UNTIL=2019-10-15
JD_UNTIL=2019-11-12
QS_UNTIL=2016-12-31
SD_UNTIL=2017-04-30

cd "$ROOT"
mkdir -p "$BENCH_DIR/data" "$BENCH_DIR/out"
RAW="$BENCH_DIR/results.tsv"
printf 'plan\tprogram\tmembers\trun\twall_s\tuser_s\tsys_s\trss_kib\n' >"$RAW"

echo "== build" >&2
cargo build --release --quiet --bin mutual --example generate
# Snapshots of the binaries, so that a rebuild in the work tree during the run
# (another cargo command) cannot change what is timed.
BIN="$BENCH_DIR/bin"
mkdir -p "$BIN"
cp "$ROOT/target/release/mutual" "$BIN/mutual"
cp "$ROOT/target/release/examples/generate" "$BIN/generate"
MUTUAL="$BIN/mutual"
if [[ -n $BEFORE ]]; then
    cp "$BEFORE" "$BIN/mutual-before"
fi
GENERATE="$BIN/generate"
if [[ $BASELINE == 1 ]]; then
    cargo build --release --quiet --manifest-path bench/baseline/Cargo.toml \
        --target-dir "$ROOT/target/baseline"
    cp "$ROOT/target/baseline/release/xianghubao-baseline" "$BIN/baseline"
    BASE_BIN="$BIN/baseline"
fi
echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
if [[ $DUCKDB == 1 ]] && ! python3 -c 'import duckdb' 2>/dev/null; then
    echo "== pip install duckdb" >&2
    python3 -m pip install --quiet duckdb
fi

# generate PLAN N UNTIL: the data folder, generated once.
generate() {
    local plan=$1 n=$2 until=$3 dir="$BENCH_DIR/data/$1-$2"
    if [[ ! -f $dir/.complete ]]; then
        echo "== generate $plan $n members, $CLAIMS claims" >&2
        rm -rf "$dir"
        "$GENERATE" --plan "$plan" --members "$n" --claims "$CLAIMS" --until "$until" --out "$dir"
        touch "$dir/.complete"
    fi
    echo "$dir"
}

# timed PLAN PROGRAM N RUN CMD...: runs CMD under /usr/bin/time -v, appends a raw row.
timed() {
    local plan=$1 program=$2 n=$3 run=$4
    shift 4
    local log="$BENCH_DIR/out/time.log"
    if ! /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$BENCH_DIR/out/stderr.log"; then
        echo "error: $program failed on $plan $n:" >&2
        cat "$BENCH_DIR/out/stderr.log" >&2
        exit 1
    fi
    awk -v plan="$plan" -v program="$program" -v n="$n" -v run="$run" -F': ' '
        /Elapsed \(wall clock\)/ {
            k = split($2, t, ":"); w = 0
            for (i = 1; i <= k; i++) w = w * 60 + t[i]
        }
        /User time \(seconds\)/ { u = $2 }
        /System time \(seconds\)/ { s = $2 }
        /Maximum resident set size/ { r = $2 }
        END { printf "%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t%s\n", plan, program, n, run, w, u, s, r }
    ' "$log" >>"$RAW"
    tail -n 1 "$RAW" | awk -F'\t' '{ printf "   %-10s %-9s %11s run %s: %6.2f s wall, %7.2f s cpu, %6.0f MiB\n", $1, $2, $3, $4, $5, $6 + $7, $8 / 1024 }' >&2
}

# compare A B WHO: a file of mutual (A) against another program's (B);
# periods.csv differences are listed by period and column.
MISMATCH=0
compare() {
    local a=$1 b=$2 who=$3
    local name
    name=$(basename "$a")
    if cmp -s "$a" "$b"; then
        echo "   $name of $who: byte-identical to mutual's" >&2
        return
    fi
    MISMATCH=1
    echo "   MISMATCH: $name of $who differs from mutual's:" >&2
    if [[ $name != periods.csv ]]; then
        cmp "$a" "$b" >&2 || true
        diff <(head -c 100000000 "$a") <(head -c 100000000 "$b") | head -n 10 >&2 || true
        return
    fi
    python3 - "$a" "$b" "$who" >&2 <<'EOF'
import csv, sys
a, b, who = sys.argv[1:]
ra, rb = list(csv.reader(open(a))), list(csv.reader(open(b)))
if ra[:1] != rb[:1]:
    print(f"     header: mutual {ra[:1]} / {who} {rb[:1]}")
head = ra[0] if ra else []
for i in range(1, max(len(ra), len(rb))):
    x = ra[i] if i < len(ra) else None
    y = rb[i] if i < len(rb) else None
    if x == y:
        continue
    if x is None or y is None:
        print(f"     line {i + 1}: only in {'mutual' if y is None else who}: {x or y}")
        continue
    for col, (u, v) in enumerate(zip(x, y)):
        if u != v:
            print(f"     period {x[0]}..{x[1]}, column {head[col]}: mutual {u}, {who} {v}")
EOF
}

run_set() {
    local plan=$1 n=$2 until=$3
    local dir out
    dir=$(generate "$plan" "$n" "$until")
    out="$BENCH_DIR/out/$plan-$n"
    rm -rf "$out"
    echo "== $plan, $n members" >&2
    local args=(--members "$dir/members.csv" --claims "$dir/claims.csv" --until "$until")
    local others=0
    [[ $plan == xianghubao ]] && others=1
    # The prepaid plans of the same size, timed between the runs of 相互保.
    local prepaid=() prepaid_args=()
    if [[ $others == 1 ]]; then
        [[ $QS == 1 ]] && prepaid+=("qingsong $QS_UNTIL")
        [[ $SD == 1 ]] && prepaid+=("shuidi $SD_UNTIL")
    fi
    local entry pp pp_until pp_dir
    for entry in "${prepaid[@]}"; do
        read -r pp pp_until <<<"$entry"
        pp_dir=$(generate "$pp" "$n" "$pp_until")
        prepaid_args+=("--members $pp_dir/members.csv --claims $pp_dir/claims.csv --payments $pp_dir/payments.csv --until $pp_until")
        rm -rf "$BENCH_DIR/out/$pp-$n"
        echo "   with $pp, $n members: $(($(wc -l <"$pp_dir/payments.csv") - 1)) payments;" \
            "members.csv $(du -m "$pp_dir/members.csv" | cut -f1) MiB," \
            "payments.csv $(du -m "$pp_dir/payments.csv" | cut -f1) MiB" >&2
    done
    # 相互保 with a lower fee and a higher cap, for `mutual diff`.
    local diff=0 changed="$BENCH_DIR/plans/xianghubao-fee8.plan"
    if [[ $others == 1 && $DIFF == 1 ]]; then
        diff=1
        mkdir -p "$BENCH_DIR/plans/common"
        cp plans/common/*.plan "$BENCH_DIR/plans/common/"
        sed -e 's/^  fee 10% of payouts/  fee 8% of payouts/' -e 's/^  cap 0.10 CNY per case/  cap 0.15 CNY per case/' \
            plans/xianghubao.plan | awk '/^example /{exit} {print}' >"$changed"
    fi
    for run in $(seq 1 "$RUNS"); do
        timed "$plan" mutual "$n" "$run" "$MUTUAL" run "plans/$plan.plan" "${args[@]}" --out "$out/mutual"
        if [[ $diff == 1 ]]; then
            timed "$plan-diff" mutual "$n" "$run" "$MUTUAL" diff "plans/$plan.plan" "$changed" "${args[@]}" --out "$out/diff"
        fi
        if [[ $others == 1 && $BASELINE == 1 ]]; then
            timed "$plan" baseline "$n" "$run" "$BASE_BIN" "${args[@]}" --out "$out/baseline"
        fi
        if [[ $others == 1 && $DUCKDB == 1 ]]; then
            timed "$plan" duckdb "$n" "$run" python3 bench/duckdb_xianghubao.py "${args[@]}" --out "$out/duckdb"
        fi
        local k
        for k in "${!prepaid[@]}"; do
            read -r pp _ <<<"${prepaid[$k]}"
            # shellcheck disable=SC2086 # the arguments are paths without spaces
            timed "$pp" mutual "$n" "$run" "$MUTUAL" run "plans/$pp.plan" ${prepaid_args[$k]} \
                --out "$BENCH_DIR/out/$pp-$n/mutual"
        done
    done
    if [[ $others == 1 && $BASELINE == 1 ]]; then
        for f in decisions.csv periods.csv members.csv; do
            compare "$out/mutual/$f" "$out/baseline/$f" baseline
        done
    fi
    if [[ $others == 1 && $DUCKDB == 1 ]]; then
        for f in decisions.csv periods.csv members.csv; do
            compare "$out/mutual/$f" "$out/duckdb/$f" duckdb
        done
    fi
    # The outputs of a 100M run take gigabytes; keep only periods.csv.
    rm -f "$out"/*/members.csv "$out"/*/decisions.csv
    for entry in "${prepaid[@]}"; do
        read -r pp _ <<<"$entry"
        rm -f "$BENCH_DIR/out/$pp-$n"/*/members.csv "$BENCH_DIR/out/$pp-$n"/*/decisions.csv
    done
}

for n in $SIZES; do
    run_set xianghubao "$n" "$XH_UNTIL"
done
for n in $JD_SIZES; do
    run_set jd-hubao "$n" "$JD_UNTIL"
done

# explain_job JOB N RUN ARGS...: `mutual explain ARGS` timed, then the same
# with the build before (BEFORE), if any.
explain_job() {
    local job=$1 n=$2 run=$3
    shift 3
    timed "$job" mutual "$n" "$run" "$MUTUAL" explain "$@"
    if [[ -n $BEFORE ]]; then
        timed "$job" before "$n" "$run" "$BIN/mutual-before" explain "$@"
    fi
}

# explain_set N: one member and one claim of each seed plan explained, each
# job timed in turn, RUNS times.
explain_set() {
    local n=$1 xh jd qs sd
    xh=$(generate xianghubao "$n" "$XH_UNTIL")
    jd=$(generate jd-hubao "$n" "$JD_UNTIL")
    qs=$(generate qingsong "$n" "$QS_UNTIL")
    sd=$(generate shuidi "$n" "$SD_UNTIL")
    local claim_of
    claim_of() { sed -n 2p "$1/claims.csv" | cut -d, -f1; }
    # 相互保 members, as many bytes of them as 水滴互助's two files hold.
    local sd_bytes xh_bytes as_sd
    sd_bytes=$(($(stat -c %s "$sd/members.csv") + $(stat -c %s "$sd/payments.csv")))
    xh_bytes=$(stat -c %s "$xh/members.csv")
    as_sd=$(generate xianghubao $((n * sd_bytes / xh_bytes)) "$XH_UNTIL")
    echo "== explain, $n members; 相互保 as large as 水滴互助: $((n * sd_bytes / xh_bytes)) members" >&2
    for run in $(seq 1 "$RUNS"); do
        explain_job explain-xianghubao-member "$n" "$run" plans/xianghubao.plan \
            --members "$xh/members.csv" --claims "$xh/claims.csv" --until "$XH_UNTIL" --member m000000002
        explain_job explain-xianghubao-as-shuidi "$n" "$run" plans/xianghubao.plan \
            --members "$as_sd/members.csv" --claims "$as_sd/claims.csv" --until "$XH_UNTIL" --member m000000002
        explain_job explain-xianghubao-claim "$n" "$run" plans/xianghubao.plan \
            --members "$xh/members.csv" --claims "$xh/claims.csv" --until "$XH_UNTIL" --claim "$(claim_of "$xh")"
        explain_job explain-jd-hubao-member "$n" "$run" plans/jd-hubao.plan \
            --members "$jd/members.csv" --claims "$jd/claims.csv" --until "$JD_UNTIL" --member m000000002
        explain_job explain-jd-hubao-claim "$n" "$run" plans/jd-hubao.plan \
            --members "$jd/members.csv" --claims "$jd/claims.csv" --until "$JD_UNTIL" --claim "$(claim_of "$jd")"
        local entry pp dir pp_until
        for entry in "qingsong $qs $QS_UNTIL" "shuidi $sd $SD_UNTIL"; do
            read -r pp dir pp_until <<<"$entry"
            local pp_args=(--members "$dir/members.csv" --claims "$dir/claims.csv"
                --payments "$dir/payments.csv" --until "$pp_until")
            explain_job "explain-$pp-member" "$n" "$run" "plans/$pp.plan" "${pp_args[@]}" --member m000000002
            explain_job "explain-$pp-claim" "$n" "$run" "plans/$pp.plan" "${pp_args[@]}" --claim "$(claim_of "$dir")"
        done
    done
}
if [[ $EXPLAIN == 1 ]]; then
    for n in $SIZES; do
        explain_set "$n"
    done
fi

python3 - "$RAW" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = {}
for r in rows:
    groups.setdefault((r["plan"], int(r["members"]), r["program"]), []).append(r)
order = {"mutual": 0, "before": 1, "baseline": 2, "duckdb": 3}
plans = {"xianghubao": 0, "xianghubao-diff": 1, "qingsong": 2, "shuidi": 3, "jd-hubao": 4,
         "explain-xianghubao-member": 5, "explain-xianghubao-as-shuidi": 5.5, "explain-xianghubao-claim": 6, "explain-jd-hubao-member": 7,
         "explain-jd-hubao-claim": 8, "explain-qingsong-member": 9, "explain-qingsong-claim": 10,
         "explain-shuidi-member": 11, "explain-shuidi-claim": 12}
keys = sorted(groups, key=lambda k: (plans.get(k[0], 99), k[1], order.get(k[2], 9)))
print()
print("| plan | program | members | runs | median wall s | min–max wall s | median CPU s | peak RSS MiB | members/s |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
med = {}
for k in keys:
    g = groups[k]
    wall = [float(r["wall_s"]) for r in g]
    cpu = [float(r["user_s"]) + float(r["sys_s"]) for r in g]
    rss = max(int(r["rss_kib"]) for r in g) / 1024
    m = statistics.median(wall)
    med[k] = (m, statistics.median(cpu), rss)
    print(f"| {k[0]} | {k[2]} | {k[1]:,} | {len(g)} | {m:.2f} | {min(wall):.2f}–{max(wall):.2f} | "
          f"{statistics.median(cpu):.2f} | {rss:.0f} | {k[1] / m / 1e6:.1f} M |" if m > 0 else "")
print()
print("| plan | members | wall mutual/baseline | wall mutual/DuckDB | CPU mutual/baseline | CPU mutual/DuckDB | RSS mutual/baseline | RSS mutual/DuckDB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for (plan, n, prog) in keys:
    if prog != "mutual" or plan != "xianghubao":
        continue
    mu = med[(plan, n, "mutual")]
    cells = []
    for i in range(3):
        for other in ("baseline", "duckdb"):
            o = med.get((plan, n, other))
            cells.append(f"{mu[i] / o[i]:.2f}×" if o and o[i] > 0 else "–")
    # wall b, wall d, cpu b, cpu d, rss b, rss d
    print(f"| {plan} | {n:,} | " + " | ".join(cells) + " |")
jd = [(n, med[("jd-hubao", n, "mutual")][0] / med[("xianghubao", n, "mutual")][0])
      for (p, n, prog) in keys if p == "jd-hubao" and prog == "mutual" and ("xianghubao", n, "mutual") in med]
if jd:
    print()
    print("京东互保 / 相互保 (mutual, median wall): " + ", ".join(f"{n:,}: {r:.2f}×" for n, r in jd))
prepaid = {name: [(n, [med[(plan, n, "mutual")][i] / med[("xianghubao", n, "mutual")][i] for i in range(3)])
                  for (p, n, prog) in keys if p == plan and prog == "mutual" and ("xianghubao", n, "mutual") in med]
           for plan, name in (("qingsong", "轻松互助"), ("shuidi", "水滴互助"))}
df = [(n, [med[("xianghubao-diff", n, "mutual")][i] / med[("xianghubao", n, "mutual")][i] for i in range(3)])
      for (p, n, prog) in keys if p == "xianghubao-diff" and ("xianghubao", n, "mutual") in med]
if df:
    print()
    print("diff of 相互保 and a fee-and-cap change / one run of 相互保 (medians): " + "; ".join(
        f"{n:,}: wall {r[0]:.2f}×, CPU {r[1]:.2f}×, RSS {r[2]:.2f}×" for n, r in df))
ex = [(p, n, prog, med[(p, n, prog)][0] / med[("explain-xianghubao-member", n, prog)][0])
      for (p, n, prog) in keys if p.startswith("explain-") and ("explain-xianghubao-member", n, prog) in med]
for build in ("mutual", "before"):
    rows = [(p, n, r) for p, n, prog, r in ex if prog == build]
    if rows:
        print()
        print(f"explain / explaining a 相互保 member (median wall, {build}): " + "; ".join(
            f"{p[len('explain-'):]} {n:,}: {r:.2f}×" for p, n, r in rows))
for build in ("mutual", "before"):
    rows = [(p, n, med[(p, n, build)][0] / med[("explain-xianghubao-as-shuidi", n, build)][0])
            for p in ("explain-shuidi-member", "explain-shuidi-claim")
            for n in sorted({k[1] for k in keys})
            if (p, n, build) in med and ("explain-xianghubao-as-shuidi", n, build) in med]
    if rows:
        print()
        print(f"explaining 水滴互助 / explaining a 相互保 member of as many bytes (median wall, {build}): "
              + "; ".join(f"{p[len('explain-shuidi-'):]} {n:,}: {r:.2f}×" for p, n, r in rows))
for name, rows in prepaid.items():
    if rows:
        print()
        print(f"{name} with payments / 相互保 (mutual, medians): " + "; ".join(
            f"{n:,}: wall {r[0]:.2f}×, CPU {r[1]:.2f}×, RSS {r[2]:.2f}×" for n, r in rows))
EOF
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; raw rows: $RAW" >&2
exit "$MISMATCH"
