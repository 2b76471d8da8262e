-- period_reach: who the organisation's redistributed payments reached in
-- one period the run looks at (bound: its first and last day), from each
-- fund, each group or person once (`reach_day`, from `payment_reach`).
-- `first_time` is 1 for a group first paid by the organisation (in all the
-- data, from any fund: `reach_first`) in this period. Filled once for each
-- period, when the run first asks for it; `reach` counts these rows.
INSERT INTO period_reach(start_date, end_date, fund, is_individual, reached, first_time)
SELECT p.start_date, p.end_date, d.fund, d.is_individual, d.reached,
  CASE WHEN d.is_individual = 0 AND f.first_date >= p.start_date THEN 1 ELSE 0 END
FROM run_period p
  JOIN (SELECT DISTINCT fund, is_individual, reached FROM reach_day
        WHERE date >= ? AND date <= ?) d ON 1 = 1
  LEFT JOIN reach_first f ON f.reached = d.reached AND d.is_individual = 0
WHERE p.start_date = ? AND p.end_date = ?;
