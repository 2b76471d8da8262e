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

CREATE VIEW reach AS
WITH first_paid AS (
  SELECT reached, min(date) AS first_date FROM reach_day
  WHERE is_individual = 0 AND reached IS NOT NULL GROUP BY reached
),
scoped AS (
  SELECT 'organisation' AS scope, '' AS scope_id, date, is_individual, reached FROM reach_day
  UNION ALL
  SELECT 'fund', fund, date, is_individual, reached FROM reach_day
  UNION ALL
  SELECT 'funder', ff.funder, d.date, d.is_individual, d.reached FROM reach_day d JOIN run_fund_funder ff ON ff.fund = d.fund
)
SELECT p.start_date, p.end_date, s.scope, s.scope_id,
  count(DISTINCT CASE WHEN s.is_individual = 0 THEN s.reached END) AS groups_reached,
  count(DISTINCT CASE WHEN s.is_individual = 0 AND f.first_date >= p.start_date AND f.first_date <= p.end_date
    THEN s.reached END) AS first_time_groups,
  count(DISTINCT CASE WHEN s.is_individual = 1 THEN s.reached END) AS individuals_paid
FROM run_period p
  JOIN scoped s ON s.date >= p.start_date AND s.date <= p.end_date
  LEFT JOIN first_paid f ON f.reached = s.reached
GROUP BY p.start_date, p.end_date, s.scope, s.scope_id;
