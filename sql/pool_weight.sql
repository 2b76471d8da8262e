-- pool_weight: how a fund shared by several funders is shared between them
-- at the end of each period the run looks at.
--
-- One row per period, fund and funder named by the fund: `paid_in` is the
-- income (any income category) the funder paid into the fund from the
-- start of the data up to the period's end, in pence (`funder_payment`,
-- added up by day in `funder_day`). A funder the pipeline
-- file does not declare paid nothing. A fund's figures are shared pro rata
-- to these (negative ones as 0, equal shares while nobody has paid in), by
-- largest remainder so the shares add up to the whole: that last step,
-- rounding, is done in Swift (`Apportion.largestRemainder`) from these
-- exact sums.
{drop view pool_weight};
CREATE VIEW pool_weight AS
SELECT p.start_date, p.end_date, ff.fund, ff.funder, ff.position,
  CAST(coalesce(sum(CASE WHEN fp.category LIKE 'income.%' THEN fp.amount ELSE 0 END), 0) AS {int}) AS paid_in
FROM run_period p
  CROSS JOIN run_fund_funder ff
  LEFT JOIN funder_day fp ON fp.funder_position = (SELECT min(position) FROM run_funder WHERE id = ff.funder)
    AND fp.fund = ff.fund AND fp.date <= p.end_date
GROUP BY p.start_date, p.end_date, ff.fund, ff.funder, ff.position;
