-- grant_committed: money awarded to groups but not yet paid, at the end of
-- each period the run looks at, for the organisation (every grant in the
-- grants-out register) and for each fund (the grants that name it).
--
-- A grant awarded by the period's end counts its amount awarded less what
-- was paid by then: a grant with a payment date by the period's end counts
-- its amount disbursed (or, with no amount given, all of it) as paid; one
-- with a payment date after the period's end counts nothing as paid yet;
-- one with no payment date counts its amount disbursed, if any. A grant
-- paid more than it was awarded counts 0, never less. In pence.
-- (A funder's share of a pooled fund's commitments is worked out from the
-- fund's figure by largest remainder, as every shared figure is.)
{drop view grant_committed};
CREATE VIEW grant_committed AS
WITH grant_out AS (
  SELECT g.*, CASE WHEN g.payment_date IS NOT NULL THEN 1 ELSE 0 END AS has_payment
  FROM grant_award g JOIN run_file f ON f.file_id = g.file_id AND f.role = 'grants-out'
),
outstanding AS (
  SELECT p.start_date, p.end_date, g.fund,
    g.amount_awarded - CASE
      WHEN g.has_payment = 1 AND g.payment_date <= p.end_date THEN coalesce(g.amount_disbursed, g.amount_awarded)
      WHEN g.has_payment = 1 THEN 0
      ELSE coalesce(g.amount_disbursed, 0) END AS unpaid
  FROM run_period p JOIN grant_out g ON g.award_date <= p.end_date
)
SELECT start_date, end_date, 'organisation' AS scope, '' AS scope_id,
  CAST(sum(CASE WHEN unpaid > 0 THEN unpaid ELSE 0 END) AS {int}) AS committed
FROM outstanding GROUP BY start_date, end_date
UNION ALL
SELECT start_date, end_date, 'fund', fund,
  CAST(sum(CASE WHEN unpaid > 0 THEN unpaid ELSE 0 END) AS {int}) AS committed
FROM outstanding GROUP BY start_date, end_date, fund;
