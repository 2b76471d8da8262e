-- time_to_money: how long groups waited for their grants, for the grants
-- paid in each period the run looks at: for the organisation (every grant
-- in the grants-out register), each fund (the grants that name it) and each
-- funder (the grants of the funds it pays into).
--
-- grants_paid   grants paid in the period (payment date inside it and not
--               before the award): also the grants whose funder sees the
--               evidence without a report from the group
-- median_days   days from award to payment of the middle grant, or of the
--               middle two averaged and rounded half up
-- p90_days      the 90th percentile, by nearest rank: sorted by days, the
--               grant at rank ceiling(0.9 x grants_paid)
{drop view time_to_money};
CREATE VIEW time_to_money AS
WITH grant_out AS (
  SELECT g.fund, g.award_date, g.payment_date
  FROM grant_award g JOIN run_file f ON f.file_id = g.file_id AND f.role = 'grants-out'
  WHERE g.payment_date IS NOT NULL AND g.payment_date >= g.award_date
),
scoped AS (
  SELECT 'organisation' AS scope, '' AS scope_id, award_date, payment_date FROM grant_out
  UNION ALL
  SELECT 'fund', fund, award_date, payment_date FROM grant_out
  UNION ALL
  SELECT 'funder', ff.funder, g.award_date, g.payment_date FROM grant_out g JOIN run_fund_funder ff ON ff.fund = g.fund
),
paid AS (
  SELECT p.start_date, p.end_date, s.scope, s.scope_id, {days s.award_date, s.payment_date} AS days
  FROM run_period p JOIN scoped s ON s.payment_date >= p.start_date AND s.payment_date <= p.end_date
),
ranked AS (
  SELECT start_date, end_date, scope, scope_id, days,
    row_number() OVER (PARTITION BY start_date, end_date, scope, scope_id ORDER BY days) AS k,
    count(*) OVER (PARTITION BY start_date, end_date, scope, scope_id) AS n
  FROM paid
)
SELECT start_date, end_date, scope, scope_id, max(n) AS grants_paid,
  CASE WHEN max(n) % 2 = 1 THEN max(CASE WHEN k = (n + 1) / 2 THEN days END)
    ELSE (CAST(sum(CASE WHEN k = n / 2 OR k = n / 2 + 1 THEN days ELSE 0 END) AS {int}) + 1) / 2 END AS median_days,
  max(CASE WHEN k = (9 * n + 9) / 10 THEN days END) AS p90_days
FROM ranked
GROUP BY start_date, end_date, scope, scope_id;
