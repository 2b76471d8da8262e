-- The ledger added up by day, once a run, for the measure views to read:
-- a report asks for many periods (the quarter, the year to date, the
-- trend's quarters, the same quarter last year) and a day's totals answer
-- each of them as the movements themselves would.
--
-- ledger_day   per day, fund, category and direction (`outflow` 1: money
--              paid; 0: money received, zero included): the amount in
--              pence (negative for money paid) and how many movements.
--              Ledger movements only.
-- funder_day   per funder, day, fund and category: the amount of the
--              movements from that funder (`funder_payment`).
-- reach_day    per fund and kind (`is_individual` 1: a person): who the
--              redistributed payments reached (`payment_reach`) and on
--              which days, each once; a payment that names nobody reaches
--              no one.
-- reach_first  each group's first day paid (people left out), for the
--              first-time groups of `reach`. `period_reach`, which holds
--              the periods' reach, is emptied for the run to fill.
DELETE FROM ledger_day;
INSERT INTO ledger_day(date, fund, category, outflow, amount, movements)
SELECT date, fund, category, CASE WHEN amount < 0 THEN 1 ELSE 0 END, CAST(sum(amount) AS {int}), count(*)
FROM ledger_entry
WHERE role = 'ledger'
GROUP BY date, fund, category, CASE WHEN amount < 0 THEN 1 ELSE 0 END;

DELETE FROM funder_day;
INSERT INTO funder_day(funder_position, date, fund, category, amount)
SELECT funder_position, date, fund, category, CAST(sum(amount) AS {int})
FROM funder_payment
GROUP BY funder_position, date, fund, category;

DELETE FROM reach_day;
INSERT INTO reach_day(fund, is_individual, reached, date)
SELECT fund, is_individual, reached, date FROM payment_reach WHERE reached IS NOT NULL
GROUP BY fund, is_individual, reached, date;

DELETE FROM reach_first;
INSERT INTO reach_first(reached, first_date)
SELECT reached, min(date) FROM reach_day WHERE is_individual = 0 GROUP BY reached;

DELETE FROM period_reach;
