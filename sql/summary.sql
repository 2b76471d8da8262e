-- summary: the report's figures for each period the run reported on, one
-- row per scope: the organisation, then each fund (as summary.csv has them).
--
-- income           money received (grants, donations, hosted projects'
--                  income, other), transfers between own funds left out
-- redistributed    money that reached groups: grants, the small-costs pot,
--                  hosted projects' own spending, payments to members,
--                  net of refunds; each part in its own column
-- retained         the organisation's own costs: staff, delivery,
--                  overheads, hosting fees, each in its own column
-- unclassified     movements no rule has classified yet, money in and
--                  money out added as sizes; `unclassified_in` and
--                  `unclassified_out` keep the two apart
-- redistribution_rate  redistributed / (redistributed + retained), to four
--                  places (the reports round the exact pence half up in
--                  Swift; on SQLite this view divides in floating point,
--                  so a figure exactly half-way may show 0.0001 apart)
-- committed        awarded to groups and not yet paid at the period's end
-- held             what the scope holds at the period's end (for the
--                  organisation all funds, hosted ones included);
--                  `held_hosted` is the part held for hosted projects
-- groups_reached   groups paid in the period, with `first_time_groups`
--                  and `individuals_paid` beside it
-- A funder's figures are its funds' shared by largest remainder, which the
-- reports work out in Swift: they are in summary.csv, not here.
-- All amounts are pence (minor units of the organisation's currency).
{drop view summary};
CREATE VIEW summary AS
WITH scopes AS (
  SELECT 'organisation' AS scope, '' AS fund, -1 AS position
  UNION ALL SELECT 'fund', code, position FROM run_fund
  UNION ALL SELECT DISTINCT 'fund', d.fund, 1000000 FROM ledger_day d
    WHERE d.fund <> '' AND NOT EXISTS (SELECT 1 FROM run_fund f WHERE f.code = d.fund)
),
flows AS (
  SELECT start_date, end_date, scope, fund,
    CAST(sum(CASE WHEN category LIKE 'income.%' THEN net ELSE 0 END) AS {int}) AS income,
    CAST(sum(CASE WHEN category LIKE 'redistributed.%' THEN net ELSE 0 END) AS {int}) AS redistributed,
    CAST(sum(CASE WHEN category = 'redistributed.grant' THEN net ELSE 0 END) AS {int}) AS redistributed_grant,
    CAST(sum(CASE WHEN category = 'redistributed.small-costs' THEN net ELSE 0 END) AS {int}) AS redistributed_small_costs,
    CAST(sum(CASE WHEN category = 'redistributed.hosted' THEN net ELSE 0 END) AS {int}) AS redistributed_hosted,
    CAST(sum(CASE WHEN category = 'redistributed.payment' THEN net ELSE 0 END) AS {int}) AS redistributed_payment,
    CAST(sum(CASE WHEN category LIKE 'retained.%' THEN net ELSE 0 END) AS {int}) AS retained,
    CAST(sum(CASE WHEN category = 'retained.staff' THEN net ELSE 0 END) AS {int}) AS retained_staff,
    CAST(sum(CASE WHEN category = 'retained.programme' THEN net ELSE 0 END) AS {int}) AS retained_programme,
    CAST(sum(CASE WHEN category = 'retained.overhead' THEN net ELSE 0 END) AS {int}) AS retained_overhead,
    CAST(sum(CASE WHEN category = 'retained.hosting-fee' THEN net ELSE 0 END) AS {int}) AS retained_hosting_fee,
    CAST(sum(CASE WHEN category = 'unclassified' THEN money_in + money_out ELSE 0 END) AS {int}) AS unclassified,
    CAST(sum(CASE WHEN category = 'unclassified' THEN money_in ELSE 0 END) AS {int}) AS unclassified_in,
    CAST(sum(CASE WHEN category = 'unclassified' THEN money_out ELSE 0 END) AS {int}) AS unclassified_out,
    CAST(sum(CASE WHEN category = 'transfer' THEN money_in ELSE 0 END) AS {int}) AS transfers_in,
    CAST(sum(CASE WHEN category = 'transfer' THEN money_out ELSE 0 END) AS {int}) AS transfers_out
  FROM scope_flow
  GROUP BY start_date, end_date, scope, fund
),
held AS (
  SELECT start_date, end_date, 'organisation' AS scope, '' AS fund, CAST(sum(held) AS {int}) AS held,
    CAST(sum(CASE WHEN hosted = 1 THEN held ELSE 0 END) AS {int}) AS held_hosted
  FROM fund_held GROUP BY start_date, end_date
  UNION ALL
  SELECT start_date, end_date, 'fund', fund, held, CASE WHEN hosted = 1 THEN held ELSE 0 END FROM fund_held
)
SELECT p.label AS period, s.scope,
  CASE WHEN s.scope = 'organisation' THEN o.id ELSE s.fund END AS scope_id,
  CASE WHEN s.scope = 'organisation' THEN o.name ELSE coalesce(rf.name, s.fund) END AS scope_name,
  o.currency,
  coalesce(f.income, 0) AS income,
  coalesce(f.redistributed, 0) AS redistributed,
  coalesce(f.redistributed_grant, 0) AS redistributed_grant,
  coalesce(f.redistributed_small_costs, 0) AS redistributed_small_costs,
  coalesce(f.redistributed_hosted, 0) AS redistributed_hosted,
  coalesce(f.redistributed_payment, 0) AS redistributed_payment,
  coalesce(f.retained, 0) AS retained,
  coalesce(f.retained_staff, 0) AS retained_staff,
  coalesce(f.retained_programme, 0) AS retained_programme,
  coalesce(f.retained_overhead, 0) AS retained_overhead,
  coalesce(f.retained_hosting_fee, 0) AS retained_hosting_fee,
  coalesce(f.unclassified, 0) AS unclassified,
  coalesce(f.unclassified_in, 0) AS unclassified_in,
  coalesce(f.unclassified_out, 0) AS unclassified_out,
  CASE WHEN coalesce(f.redistributed, 0) + coalesce(f.retained, 0) = 0 THEN NULL
    ELSE {ratio4 f.redistributed, f.redistributed + f.retained} END AS redistribution_rate,
  coalesce(f.transfers_in, 0) AS transfers_in,
  coalesce(f.transfers_out, 0) AS transfers_out,
  coalesce(gc.committed, 0) AS committed,
  coalesce(h.held, 0) AS held,
  CASE WHEN s.scope = 'fund' AND rf.type = 'hosted' THEN coalesce(h.held, 0) ELSE coalesce(h.held_hosted, 0) END AS held_hosted,
  coalesce(r.groups_reached, 0) AS groups_reached,
  coalesce(r.first_time_groups, 0) AS first_time_groups,
  coalesce(r.individuals_paid, 0) AS individuals_paid
FROM run_period p
  CROSS JOIN scopes s
  CROSS JOIN run_organisation o
  LEFT JOIN run_fund rf ON s.scope = 'fund' AND rf.code = s.fund
  LEFT JOIN flows f ON f.start_date = p.start_date AND f.end_date = p.end_date AND f.scope = s.scope AND f.fund = s.fund
  LEFT JOIN held h ON h.start_date = p.start_date AND h.end_date = p.end_date AND h.scope = s.scope AND h.fund = s.fund
  LEFT JOIN grant_committed gc ON gc.start_date = p.start_date AND gc.end_date = p.end_date AND gc.scope = s.scope
    AND gc.scope_id = s.fund
  LEFT JOIN reach r ON r.start_date = p.start_date AND r.end_date = p.end_date AND r.scope = s.scope AND r.scope_id = s.fund
WHERE p.reported = 1
ORDER BY p.start_date, p.end_date, s.position, s.fund;
