#!/usr/bin/env python3
"""相互保 (plans/xianghubao.plan) in DuckDB SQL: writes the periods.csv that
`mutual run plans/xianghubao.plan` writes, from the same members.csv and
claims.csv, to time mutual against a general-purpose analytical engine.

    python3 bench/duckdb_xianghubao.py --members CSV --claims CSV --until DATE --out DIR

The SQL does the work (reading the CSV files, eligibility, the decisions, the
count of sharing members on each closing day, cases and payouts per period, the
fee and the pool; the members file is scanned once); Python only walks the
periods in order for what is sequential: the surplus carried from one period
into the next, and the shares, capped and rounded up, that depend on it (all in
integer fen).

Decisions: a claim is approved when it passes every rule that does not depend
on other claims (known, eligible member; diagnosed on or after joining, before
leaving and before the 60th birthday; CI001–CI100 and the benefit, if named,
`critical`; after the 90-day waiting period unless an accident; 30 days old or
more at diagnosis) and it is the first such claim of its member in (filed_on,
id) order: the one payout ends the membership on its filing day, so every later
claim of the member is denied (membership_ended or limit_reached).
"""

import argparse
import datetime as dt
import os

import duckdb

LAUNCH = dt.date(2018, 10, 16)


def key(d: dt.date) -> int:
    """Numbers the period holding d: periods close on the 6th and the 20th."""
    return (d.year * 12 + d.month - 1) * 2 + (0 if d.day <= 6 else 1 if d.day <= 20 else 2)


def closing(k: int) -> dt.date:
    month = k // 2
    return dt.date(month // 12, month % 12 + 1, 6 if k % 2 == 0 else 20)


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def money(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    a = abs(fen)
    return f"{sign}{a // 100}.{a % 100:02d}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", required=True)
    ap.add_argument("--claims", required=True)
    ap.add_argument("--until", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    args = ap.parse_args()

    k0 = key(LAUNCH)
    np_ = key(args.until) - k0 + 1
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    con.execute("SET preserve_insertion_order = false")
    # The period holding a date, numbered from the launch period.
    con.execute(
        f"""CREATE MACRO pk(d) AS
        (year(d) * 12 + month(d) - 1) * 2
        + CASE WHEN day(d) <= 6 THEN 0 WHEN day(d) <= 20 THEN 1 ELSE 2 END - {k0}"""
    )
    con.execute(
        f"""CREATE VIEW members AS
        SELECT trim(id) AS id, birth_date AS birth, join_date AS jn, left_date AS lft,
               CAST(birth_date + INTERVAL 60 YEAR AS DATE) AS b60,
               credit_score AS credit
        FROM read_csv({literal(args.members)}, header = true, auto_detect = true,
                      types = {{'id': 'VARCHAR', 'birth_date': 'DATE', 'join_date': 'DATE',
                               'left_date': 'DATE', 'credit_score': 'DECIMAL(18, 6)'}})"""
    )
    # Eligible on the join date: 30 days to 59 years, credit_score >= 650.
    eligible = "credit >= 650 AND jn - birth >= 30 AND jn < b60"

    # 1. Claims filed by --until.
    con.execute(
        f"""CREATE TEMP TABLE claims AS
        SELECT trim(id) AS id, trim(member_id) AS member_id, trim(disease) AS disease,
               diagnosed_on AS d, coalesce(filed_on, diagnosed_on) AS f,
               coalesce(trim(benefit), '') AS benefit, coalesce(trim(cause), '') AS cause
        FROM read_csv({literal(args.claims)}, header = true, auto_detect = true,
                      types = {{'id': 'VARCHAR', 'member_id': 'VARCHAR', 'disease': 'VARCHAR',
                               'diagnosed_on': 'DATE', 'filed_on': 'DATE',
                               'benefit': 'VARCHAR', 'cause': 'VARCHAR'}})
        WHERE coalesce(filed_on, diagnosed_on) <= DATE '{args.until.isoformat()}'"""
    )
    # 2. One scan of the members file, grouped: every eligible member shares
    #    from the period holding the join date (a) up to, not including, the one
    #    holding the day it stops by leaving or at 60 (b), so members are counted
    #    by (a, b); the members that claims name keep their own rows (a hash
    #    join with the few ids the claims name).
    con.execute(
        f"""CREATE TEMP TABLE scanned AS
        SELECT CASE WHEN w.member_id IS NOT NULL THEN m.id END AS id,
               CASE WHEN w.member_id IS NOT NULL THEN m.birth END AS birth,
               CASE WHEN w.member_id IS NOT NULL THEN m.jn END AS jn,
               CASE WHEN w.member_id IS NOT NULL THEN m.lft END AS lft,
               CASE WHEN w.member_id IS NOT NULL THEN m.b60 END AS b60,
               {eligible} AS eligible,
               greatest(pk(m.jn), 0) AS a,
               least(coalesce(pk(m.lft), {np_}), pk(m.b60), {np_}) AS b,
               count(*) AS n
        FROM members m LEFT JOIN (SELECT DISTINCT member_id FROM claims) w ON w.member_id = m.id
        GROUP BY ALL"""
    )
    con.execute(f"CREATE TEMP TABLE spans AS SELECT a, b, sum(n) AS n FROM scanned WHERE eligible AND a < b GROUP BY a, b")
    # 3. The approved claims: each member's first claim in (filed_on, id) order
    #    that passes every rule that does not depend on other claims.
    con.execute(
        f"""CREATE TEMP TABLE approved AS
        WITH passing AS (
            SELECT c.member_id, c.id, c.f, m.jn, m.lft, m.b60,
                   CASE WHEN c.d < CAST(m.birth + INTERVAL 40 YEAR AS DATE)
                        THEN 30000000 ELSE 10000000 END AS payout
            FROM claims c JOIN scanned m ON m.id = c.member_id
            WHERE m.eligible
              AND c.d >= m.jn
              AND (m.lft IS NULL OR c.d < m.lft)
              AND c.d < m.b60
              AND regexp_full_match(c.disease, 'CI[0-9]{{3}}')
              AND CAST(substr(c.disease, 3) AS INTEGER) BETWEEN 1 AND 100
              AND c.benefit IN ('', 'critical')
              AND (c.cause = 'accident' OR c.d >= m.jn + 90)
              AND c.d - m.birth >= 30
        )
        SELECT * FROM passing
        QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY f, id) = 1"""
    )

    # 4. Per period: members on the closing day (an approved payout ends the
    #    membership on its filing day), cases, payouts, fee (10%, half up) and pool.
    rows = con.execute(
        f"""WITH periods AS (SELECT i FROM range({np_}) t(i)),
        cut AS (
            SELECT greatest(pk(jn), 0) AS a,
                   least(coalesce(pk(lft), {np_}), pk(b60), {np_}) AS b_natural,
                   least(coalesce(pk(lft), {np_}), pk(b60), pk(f), {np_}) AS b_paid
            FROM approved
        ),
        counted AS (
            SELECT p.i,
                   coalesce((SELECT sum(n) FROM spans s WHERE s.a <= p.i AND p.i < s.b), 0)
                   - (SELECT count(*) FROM cut c WHERE c.a <= p.i AND c.b_paid <= p.i AND p.i < c.b_natural)
                   AS members
            FROM periods p
        ),
        cases AS (
            SELECT pk(f) AS i, count(*) AS cases, sum(payout) AS payouts
            FROM approved GROUP BY 1
        )
        SELECT p.i, counted.members::BIGINT, coalesce(cases.cases, 0)::BIGINT,
               coalesce(cases.payouts, 0)::BIGINT AS payouts,
               ((coalesce(cases.payouts, 0) + 5) // 10)::BIGINT AS fee
        FROM periods p JOIN counted USING (i) LEFT JOIN cases USING (i)
        ORDER BY p.i"""
    ).fetchall()

    # 5. In order: the carried surplus; each share capped at 0.10 per case and
    #    rounded up to the fen.
    lines = [
        "period_start,period_end,cases,payouts,fee,pool,carried_in,members,charged,operator_borne,carried_out"
    ]
    carried = 0
    for i, members, cases, payouts, fee in rows:
        k = k0 + i
        start = closing(k - 1) + dt.timedelta(days=1)
        pool = payouts + fee
        to_collect = pool - carried
        if to_collect <= 0:
            charged, borne = 0, 0
        elif members == 0:
            charged, borne = 0, to_collect
        else:
            cap = 10 * cases
            if to_collect > cap * members:
                charged, borne = cap * members, to_collect - cap * members
            else:
                charged, borne = -(-to_collect // members) * members, 0
        carried_out = charged + borne - to_collect
        lines.append(
            ",".join(
                [start.isoformat(), closing(k).isoformat(), str(cases)]
                + [money(v) for v in (payouts, fee, pool, carried)]
                + [str(members)]
                + [money(v) for v in (charged, borne, carried_out)]
            )
        )
        carried = carried_out
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "periods.csv"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
