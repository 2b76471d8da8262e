-- fund_held: what each fund holds at the end of each period the run looks at.
--
-- One row per period and fund: the balance of everything booked to the
-- fund from the start of the data up to the period's last day (receipts
-- less payments, every category, in pence; from `ledger_day`). The organisation holds the
-- total of all its funds, hosted ones included; `hosted` = 1 marks the
-- funds whose money is held for hosted projects, which reports show as
-- money held for groups, never as the organisation's reserves.
{drop view fund_held};
CREATE VIEW fund_held AS
SELECT p.start_date, p.end_date, d.fund,
  CASE WHEN f.type = 'hosted' THEN 1 ELSE 0 END AS hosted,
  CAST(sum(d.amount) AS {int}) AS held
FROM run_period p
  JOIN ledger_day d ON d.date <= p.end_date
  LEFT JOIN run_fund f ON f.code = d.fund
GROUP BY p.start_date, p.end_date, d.fund, CASE WHEN f.type = 'hosted' THEN 1 ELSE 0 END;
