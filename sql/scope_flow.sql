-- scope_flow: money in and money out of each category, for each period the
-- run looks at and each scope (the whole organisation, each fund).
--
-- One row per period, scope and category. `money_in` adds up receipts and
-- `money_out` payments, both as positive amounts in pence, so a refund
-- received against a spending category shows as money in beside it:
--   income of a category     = money_in - money_out
--   spending of a category   = money_out - money_in
--   unclassified (shown in every report until a rule covers it) is the
--   two kept apart: money in no rule has looked at, and money out.
-- For the organisation, the hosting fees a hosted project pays are a
-- movement between the organisation's own funds, so they are counted as
-- `transfer` there; in the hosted fund's own scope they stay hosting fees.
-- Only ledger movements count (bank statements and funders' reports are
-- for reconciliation), added up by day in `ledger_day`. `net` is the category's figure in the reports:
-- income received for an income category, spending (net of refunds) for a
-- spending one.
{drop view scope_flow};
CREATE VIEW scope_flow AS
WITH flow AS (
SELECT p.start_date, p.end_date, 'organisation' AS scope, '' AS fund,
  CASE WHEN d.category = 'retained.hosting-fee' THEN 'transfer' ELSE d.category END AS category,
  CAST(sum(CASE WHEN d.outflow = 0 THEN d.amount ELSE 0 END) AS {int}) AS money_in,
  CAST(sum(CASE WHEN d.outflow = 1 THEN -d.amount ELSE 0 END) AS {int}) AS money_out,
  CAST(sum(d.movements) AS {int}) AS movements
FROM run_period p
  JOIN ledger_day d ON d.date >= p.start_date AND d.date <= p.end_date
GROUP BY p.start_date, p.end_date, CASE WHEN d.category = 'retained.hosting-fee' THEN 'transfer' ELSE d.category END
UNION ALL
SELECT p.start_date, p.end_date, 'fund' AS scope, d.fund,
  d.category,
  CAST(sum(CASE WHEN d.outflow = 0 THEN d.amount ELSE 0 END) AS {int}) AS money_in,
  CAST(sum(CASE WHEN d.outflow = 1 THEN -d.amount ELSE 0 END) AS {int}) AS money_out,
  CAST(sum(d.movements) AS {int}) AS movements
FROM run_period p
  JOIN ledger_day d ON d.date >= p.start_date AND d.date <= p.end_date
GROUP BY p.start_date, p.end_date, d.fund, d.category
)
SELECT start_date, end_date, scope, fund, category, money_in, money_out, movements,
  CASE WHEN category LIKE 'income.%' THEN money_in - money_out ELSE money_out - money_in END AS net
FROM flow;
