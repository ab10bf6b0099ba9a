#!/usr/bin/env python3
"""相互保 (plans/xianghubao.plan) in DuckDB SQL: writes the decisions.csv,
periods.csv and members.csv that `mutual run plans/xianghubao.plan` writes,
byte for byte, from the same members.csv and claims.csv, to time mutual
against a general-purpose analytical engine doing the same job.

    python3 bench/duckdb_xianghubao.py --members CSV --claims CSV --until DATE --out DIR

The SQL does the work (reading the CSV files, eligibility, each claim's
decision and reason, the count of sharing members on each closing day, cases
and payouts per period, the fee and the pool, each member's status and charges,
and writing decisions.csv and members.csv with COPY; the members file is read
once, into a table in file order, from which members.csv is written in that
order); Python only walks the periods in order for what is sequential: the
surplus carried from one period into the next, and the shares, capped and
rounded up, that depend on it (all in integer fen).

Decisions: a claim is approved when it passes every rule that does not depend
on other claims (known, eligible member; diagnosed on or after joining, before
leaving and before the 60th birthday; CI001–CI100 and the benefit, if named,
`critical`; after the 90-day waiting period unless an accident; 30 days old or
more at diagnosis) and it is the first such claim of its member in (filed_on,
id) order: the one payout ends the membership on its filing day, so every later
claim of the member is denied (membership_ended when diagnosed on or after that
day, else limit_reached, unless a rule before it fails).

Members: an eligible member shares in the periods from the one holding the join
date up to, not including, the one holding the day it stops (leaving, the 60th
birthday or the filing day of its payout), and is charged each one's share per
member; the balance is what it prepaid (nothing, in this plan) less that.
An eligible member joining after --until is `pending`. Only closed periods
are shared: from the launch period to the last one whose closing day is on or
before --until (claims filed after it are decided, not shared). Nothing is
refunded in this plan: the `refunded` columns are 0.00; it has no accounts:
`topped_up` and `fees` are 0.00.
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

    # Only closed periods are shared: from the launch period to the last one
    # whose closing day is on or before --until.
    k0 = key(LAUNCH)
    last = key(args.until) if closing(key(args.until)) == args.until else key(args.until) - 1
    np_ = max(last - k0 + 1, 0)
    until = f"DATE '{args.until.isoformat()}'"
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    # preserve_insertion_order stays on (the default): the members table keeps
    # the file's order, and COPY writes members.csv in the table's order.
    # The period holding a date, numbered from the launch period.
    con.execute(
        f"""CREATE MACRO pk(d) AS
        (year(d) * 12 + month(d) - 1) * 2
        + CASE WHEN day(d) <= 6 THEN 0 WHEN day(d) <= 20 THEN 1 ELSE 2 END - {k0}"""
    )
    # An amount in fen as yuan with two decimals, as COPY writes it (0.00, -12.90).
    con.execute("CREATE MACRO yuan(fen) AS CAST(fen * 0.01 AS DECIMAL(18, 2))")

    # 1. The members file, read once, in file order. Eligible on the join
    #    date: 30 days to 59 years, credit_score >= 650. `ends`, the day the
    #    membership ends, is the 60th birthday and `paid_out` nothing until an
    #    approved claim sets them (step 8).
    con.execute(
        f"""CREATE TEMP TABLE members AS
        SELECT trim(id) AS id, birth_date AS birth, join_date AS jn, left_date AS lft, b60,
               coalesce(credit_score >= 650 AND join_date - birth_date >= 30
                        AND join_date < b60, false) AS eligible,
               b60 AS ends, 0::BIGINT AS paid_out
        FROM (SELECT *, CAST(birth_date + INTERVAL 60 YEAR AS DATE) AS b60
              FROM read_csv({literal(args.members)}, header = true, auto_detect = true,
                            types = {{'id': 'VARCHAR', 'birth_date': 'DATE', 'join_date': 'DATE',
                                     'left_date': 'DATE', 'credit_score': 'DECIMAL(18, 6)'}}))"""
    )

    # 2. Claims filed by --until.
    con.execute(
        f"""CREATE TEMP TABLE claims AS
        SELECT trim(id) AS id, trim(member_id) AS member_id, trim(disease) AS disease,
               diagnosed_on AS d, coalesce(filed_on, diagnosed_on) AS f,
               coalesce(trim(benefit), '') AS benefit, coalesce(trim(cause), '') AS cause
        FROM read_csv({literal(args.claims)}, header = true, auto_detect = true,
                      types = {{'id': 'VARCHAR', 'member_id': 'VARCHAR', 'disease': 'VARCHAR',
                               'diagnosed_on': 'DATE', 'filed_on': 'DATE',
                               'benefit': 'VARCHAR', 'cause': 'VARCHAR'}})
        WHERE coalesce(filed_on, diagnosed_on) <= {until}"""
    )

    # 3. Every claim's decision. `alone`: the first rule the claim fails by
    #    itself, in the plan's order (covered when none). The member's payout
    #    is its first claim in (filed_on, id) order that fails none; a later
    #    claim that passes the member rules is denied membership_ended when
    #    diagnosed on or after the payout's filing day, else for its own
    #    reason, else limit_reached.
    con.execute(
        """CREATE TEMP TABLE decided AS
        WITH alone AS (
            SELECT c.*, m.birth, m.jn, m.lft, m.b60,
                   regexp_full_match(c.disease, 'CI[0-9]{3}')
                   AND c.disease BETWEEN 'CI001' AND 'CI100' AS listed,
                   CASE WHEN m.id IS NULL THEN 'unknown_member'
                        WHEN NOT m.eligible THEN 'not_eligible'
                        WHEN c.d < m.jn THEN 'before_join'
                        WHEN c.d >= m.lft THEN 'after_leaving'
                        WHEN c.d >= m.b60 THEN 'membership_ended'
                        WHEN NOT listed OR c.benefit NOT IN ('', 'critical') THEN 'disease_not_covered'
                        WHEN c.cause <> 'accident' AND c.d < m.jn + 90 THEN 'in_waiting_period'
                        WHEN c.d - m.birth < 30 THEN 'age_not_covered'
                        ELSE 'covered' END AS alone
            FROM claims c LEFT JOIN members m ON m.id = c.member_id
        ),
        paid AS (
            SELECT member_id, id AS paid_id, f AS paid_f FROM alone WHERE alone = 'covered'
            QUALIFY row_number() OVER (PARTITION BY member_id ORDER BY f, id) = 1
        ),
        reasoned AS (
            SELECT a.*,
                   CASE WHEN p.paid_id IS NULL OR a.f < p.paid_f OR (a.f = p.paid_f AND a.id <= p.paid_id)
                             OR a.alone IN ('unknown_member', 'not_eligible', 'before_join', 'after_leaving')
                        THEN a.alone
                        WHEN a.d >= p.paid_f THEN 'membership_ended'
                        WHEN a.alone <> 'covered' THEN a.alone
                        ELSE 'limit_reached' END AS reason
            FROM alone a LEFT JOIN paid p USING (member_id)
        )
        SELECT *, CASE WHEN reason <> 'covered' THEN 0
                       WHEN d < CAST(birth + INTERVAL 40 YEAR AS DATE) THEN 30000000
                       ELSE 10000000 END AS payout
        FROM reasoned"""
    )
    con.execute("CREATE TEMP TABLE approved AS SELECT * FROM decided WHERE reason = 'covered'")
    # 4. Every eligible member shares from the period holding the join date
    #    (a) up to, not including, the one holding the day it stops by leaving
    #    or at 60 (b), so members are counted by (a, b).
    con.execute(
        f"""CREATE TEMP TABLE spans AS
        SELECT a, b, count(*) AS n
        FROM (SELECT greatest(pk(jn), 0) AS a, least(coalesce(pk(lft), {np_}), pk(b60), {np_}) AS b
              FROM members WHERE eligible)
        WHERE a < b GROUP BY a, b"""
    )

    # 5. Per period: members on the closing day (an approved payout ends the
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

    # 6. In order: the carried surplus; each share capped at 0.10 per case and
    #    rounded up to the fen. prefix[i]: what one member sharing in every
    #    period before period i is charged.
    lines = [
        "period_start,period_end,cases,payouts,fee,pool,carried_in,members,charged,operator_borne,carried_out,refunded"
    ]
    carried = 0
    prefix = [0]
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
                + [money(v) for v in (charged, borne, carried_out, 0)]
            )
        )
        carried = carried_out
        prefix.append(prefix[-1] + (charged // members if members else 0))  # exact: a share × members
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "periods.csv"), "w", newline="\n") as f:
        f.write("\n".join(lines) + "\n")

    # 7. decisions.csv, in (filed_on, id) order; NULL is written as an empty field.
    con.execute(
        f"""COPY (
            SELECT id AS claim_id, member_id, CASE WHEN listed THEN 'critical' END AS benefit,
                   disease, d AS diagnosed_on, f AS filed_on,
                   CASE WHEN reason = 'covered' THEN 'approved' ELSE 'denied' END AS decision,
                   reason, yuan(payout) AS payout
            FROM decided ORDER BY f, id
        ) TO {literal(os.path.join(args.out, "decisions.csv"))} (HEADER, DELIMITER ',')"""
    )

    # 8. members.csv, in file order: a payout ends the membership on its filing
    #    day (if before the 60th birthday); each member is charged prefix[b] −
    #    prefix[a] for the periods a..b it shared in.
    con.execute(
        """UPDATE members SET ends = least(members.ends, approved.f), paid_out = approved.payout
        FROM approved WHERE members.id = approved.member_id"""
    )
    con.execute(f"CREATE MACRO prefix(i) AS ([{', '.join(map(str, prefix))}]::BIGINT[])[i + 1]")
    con.execute(
        f"""COPY (
            SELECT id AS member_id,
                   CASE WHEN NOT eligible THEN 'ineligible'
                        WHEN jn > {until} THEN 'pending'
                        WHEN lft <= {until} THEN 'left'
                        WHEN ends <= {until} THEN 'ended'
                        ELSE 'active' END AS status,
                   yuan(0) AS prepaid, yuan(charged) AS charged, yuan(paid_out) AS paid_out,
                   yuan(-charged) AS balance, yuan(0) AS refunded,
                   yuan(0) AS topped_up, yuan(0) AS fees
            FROM (SELECT id, eligible, jn, lft, ends, paid_out,
                         CASE WHEN eligible AND a < b THEN prefix(b) - prefix(a)
                              ELSE 0 END AS charged
                  FROM (SELECT *, greatest(pk(jn), 0) AS a,
                               least(coalesce(pk(lft), {np_}), pk(ends), {np_}) AS b
                        FROM members))
        ) TO {literal(os.path.join(args.out, "members.csv"))} (HEADER, DELIMITER ',')"""
    )


if __name__ == "__main__":
    main()
