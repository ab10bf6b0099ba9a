#!/usr/bin/env bash
# Regenerates the sample data shipped in plans/samples/<plan>/ (members.csv,
# claims.csv and, for a plan with an account, payments.csv) with the
# deterministic generator in examples/generate.rs: one year of each seed plan
# from its launch, seed 2018. Run from anywhere.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/../.."

cargo build --release --quiet --example generate
gen=target/release/examples/generate

# plan, members, claims, until (launch + 1 year - 1 day)
while read -r plan members claims until; do
    rm -f "$here/$plan/payments.csv"
    "$gen" --plan "$plan" --members "$members" --claims "$claims" \
        --until "$until" --seed 2018 --out "$here/$plan"
    line="plans/samples/$plan: $members members, $claims claims"
    if [[ -f $here/$plan/payments.csv ]]; then
        line+=", $(($(wc -l <"$here/$plan/payments.csv") - 1)) payments"
    fi
    echo "$line, until $until"
done <<'PLANS'
xianghubao 5000 200 2019-10-15
jd-hubao 5000 200 2019-11-12
shuidi 3000 100 2017-04-30
qingsong 5000 200 2016-12-31
dishui 5000 200 2019-12-31
PLANS
