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
SELECT p.start_date, p.end_date, e.category,
  CAST(CASE WHEN e.category LIKE 'income.%' THEN sum(e.amount) ELSE -sum(e.amount) END AS {int}) AS net
FROM run_period p
  JOIN ledger_entry e ON e.role = 'ledger' AND e.date >= p.start_date AND e.date <= p.end_date
  JOIN run_fund f ON f.code = e.fund AND f.type = 'unrestricted'
WHERE e.category LIKE 'income.%' OR e.category LIKE 'redistributed.%' OR e.category LIKE 'retained.%'
GROUP BY p.start_date, p.end_date, e.category;
