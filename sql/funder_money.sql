-- funder_money: what each funder paid the organisation, for each period
-- the run looks at, one row per funder in the pipeline file (from
-- `funder_payment`, added up by day in `funder_day`).
--
-- given                grants received from the funder in the period
--                      (`income.grant`, into any fund), in pence
-- given_to_date        the same, from the start of the data to the period's end
-- unrestricted_income  everything received from the funder into unrestricted
--                      funds in the period: with `unrestricted_spending`,
--                      its share of the organisation's unrestricted spending,
--                      shown in its pack as "apportioned"
{drop view funder_money};
CREATE VIEW funder_money AS
SELECT p.start_date, p.end_date, fr.position AS funder_position, fr.id AS funder,
  CAST(coalesce(sum(CASE WHEN fp.category = 'income.grant' AND fp.date >= p.start_date THEN fp.amount ELSE 0 END), 0)
    AS {int}) AS given,
  CAST(coalesce(sum(CASE WHEN fp.category = 'income.grant' THEN fp.amount ELSE 0 END), 0) AS {int}) AS given_to_date,
  CAST(coalesce(sum(CASE WHEN fp.category LIKE 'income.%' AND fp.date >= p.start_date AND uf.code IS NOT NULL
    THEN fp.amount ELSE 0 END), 0) AS {int}) AS unrestricted_income
FROM run_period p
  CROSS JOIN run_funder fr
  LEFT JOIN funder_day fp ON fp.funder_position = fr.position AND fp.date <= p.end_date
  LEFT JOIN run_fund uf ON uf.code = fp.fund AND uf.type = 'unrestricted'
GROUP BY p.start_date, p.end_date, fr.position, fr.id;
