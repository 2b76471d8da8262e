-- unrestricted_spending: what the organisation's unrestricted funds
-- received and spent in each period the run looks at, by category.
--
-- `net` is income received for an income category and spending (net of
-- refunds) for a redistributed or retained one, in pence; transfers and
-- unclassified movements are left out. A funder's pack shows each spending
-- category "apportioned": its share of unrestricted income in the period
-- (`funder_money.unrestricted_income` over the income here) of the
-- category's spending, by largest remainder, worked out in Swift from
-- these exact sums.
{drop view unrestricted_spending};
CREATE VIEW unrestricted_spending AS
SELECT p.start_date, p.end_date, d.category,
  CAST(CASE WHEN d.category LIKE 'income.%' THEN sum(d.amount) ELSE -sum(d.amount) END AS {int}) AS net
FROM run_period p
  JOIN ledger_day d ON d.date >= p.start_date AND d.date <= p.end_date
  JOIN run_fund f ON f.code = d.fund AND f.type = 'unrestricted'
WHERE d.category LIKE 'income.%' OR d.category LIKE 'redistributed.%' OR d.category LIKE 'retained.%'
GROUP BY p.start_date, p.end_date, d.category;
