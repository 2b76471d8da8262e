-- reach: how many groups, and how many people, the organisation's money
-- reached in each period the run looks at, for the organisation, each
-- fund and each funder (the funds it pays into, taken together).
--
-- A payment reaches someone when it is money out in a `redistributed.*`
-- category. A hosted project's own spending reaches the project (the
-- fund's `group`, else the fund itself), not the supplier it paid; any
-- other payment reaches its counterparty, when one is named. A group is
-- known by its member register id, else its organisation id, else its name
-- ignoring case, so two spellings of one group count once.
--
-- groups_reached     distinct groups paid in the period (people left out)
-- first_time_groups  of those, the groups first paid by the organisation
--                    (in all the data, from any fund) in this period
-- individuals_paid   distinct people paid for their work (never named)
{drop view reach};
{drop view payment_reach};
-- payment_reach: who each redistributed payment reached, one row per
-- payment (`reached` is NULL when it names nobody). Added up by day, each
-- group or person once, in `reach_day`, which `reach` reads.
CREATE VIEW payment_reach AS
SELECT e.date, e.fund, e.is_individual,
  CASE
    WHEN e.is_individual = 1 THEN coalesce(p.group_key, '')
    WHEN e.category = 'redistributed.hosted' THEN coalesce(nullif(rf.group_id, ''), 'fund:' || e.fund)
    WHEN c.name <> '' THEN p.group_key
  END AS reached
FROM ledger_entry e
  JOIN counterparty c ON c.id = e.counterparty_id
  LEFT JOIN run_party p ON p.counterparty_id = e.counterparty_id
  LEFT JOIN run_fund rf ON rf.code = e.fund
WHERE e.role = 'ledger' AND e.amount < 0 AND e.category LIKE 'redistributed.%';

-- reach counts, for each period, the groups and people in `period_reach`
-- (who was reached in that period from which fund, each once, with
-- whether it was a group's first payment), filled by `period_reach.sql`
-- when the run first asks for the period.
CREATE VIEW reach AS
SELECT start_date, end_date, 'organisation' AS scope, '' AS scope_id,
  count(DISTINCT CASE WHEN is_individual = 0 THEN reached END) AS groups_reached,
  count(DISTINCT CASE WHEN first_time = 1 THEN reached END) AS first_time_groups,
  count(DISTINCT CASE WHEN is_individual = 1 THEN reached END) AS individuals_paid
FROM period_reach
GROUP BY start_date, end_date
UNION ALL
SELECT start_date, end_date, 'fund', fund,
  count(DISTINCT CASE WHEN is_individual = 0 THEN reached END),
  count(DISTINCT CASE WHEN first_time = 1 THEN reached END),
  count(DISTINCT CASE WHEN is_individual = 1 THEN reached END)
FROM period_reach
GROUP BY start_date, end_date, fund
UNION ALL
SELECT r.start_date, r.end_date, 'funder', ff.funder,
  count(DISTINCT CASE WHEN r.is_individual = 0 THEN r.reached END),
  count(DISTINCT CASE WHEN r.first_time = 1 THEN r.reached END),
  count(DISTINCT CASE WHEN r.is_individual = 1 THEN r.reached END)
FROM period_reach r
  JOIN run_fund_funder ff ON ff.fund = r.fund
GROUP BY r.start_date, r.end_date, ff.funder;
