-- The run's classification: what every later figure counts.
--
-- Each ledger movement gets the category of the first rule, in the order
-- the pipeline file lists them, whose every matcher agrees with it: account
-- (a code, or a range of codes of the same length, digits only), fund,
-- counterparty (name or organisation id, ignoring case), direction (in:
-- money received, zero included; out: money paid), source, description (a
-- regular expression, ignoring case). What no rule matches is
-- `unclassified`. A rule sees only those fields, so each distinct
-- combination of them is classified once (leaving out the counterparty
-- and the description when no rule looks at them).
--
-- A counterparty is a person (never named in a report) when the member
-- register says so or the rule that matched it says `counterparty_kind =
-- "individual"`.
DELETE FROM run_combination;
DELETE FROM ledger_entry;

INSERT INTO run_combination(account_id, fund, counterparty_id, source, outflow, description)
SELECT DISTINCT k.account_id, k.fund,
  CASE WHEN EXISTS (SELECT 1 FROM run_rule WHERE matches_counterparty = 1) THEN k.counterparty_id ELSE 0 END,
  k.source, CASE WHEN k.amount < 0 THEN 1 ELSE 0 END,
  CASE WHEN EXISTS (SELECT 1 FROM run_rule WHERE matches_description = 1) THEN k.description ELSE '' END
FROM movement_kept k WHERE k.role = 'ledger';

UPDATE run_combination SET rule_position = (
  SELECT min(r.position) FROM run_rule r
  WHERE (r.direction IS NULL OR r.direction = CASE WHEN run_combination.outflow = 1 THEN 'out' ELSE 'in' END)
    AND (r.matches_account = 0 OR EXISTS (
      SELECT 1 FROM run_rule_account x JOIN account a ON a.id = run_combination.account_id
      WHERE x.position = r.position
        AND ((x.is_range = 0 AND a.code = x.low)
          OR (x.is_range = 1 AND length(a.code) = length(x.low) AND a.code >= x.low AND a.code <= x.high AND {digits a.code}))))
    AND (r.matches_fund = 0 OR EXISTS (
      SELECT 1 FROM run_rule_value x WHERE x.position = r.position AND x.field = 'fund' AND x.value = run_combination.fund))
    AND (r.matches_source = 0 OR EXISTS (
      SELECT 1 FROM run_rule_value x WHERE x.position = r.position AND x.field = 'source' AND x.value = run_combination.source))
    AND (r.matches_counterparty = 0 OR EXISTS (
      SELECT 1 FROM run_rule_value x JOIN run_party p ON p.counterparty_id = run_combination.counterparty_id
      WHERE x.position = r.position AND x.field = 'counterparty' AND (x.value = p.name_key OR (p.id_key <> '' AND x.value = p.id_key))))
    AND (r.matches_description = 0 OR EXISTS (
      SELECT 1 FROM run_rule_description x WHERE x.position = r.position AND x.description = run_combination.description)));

-- `position` is the ledger's order: date, then file, then line. The rows
-- go in in that order; `{ordinal}` numbers them 1, 2, 3, … as they go
-- (SQLite gives each new row the next row id; PostgreSQL counts with
-- row_number() over the same order).
INSERT INTO ledger_entry(position, movement_id, file_id, role, source, date, amount, fund, counterparty_id, category,
  rule_number, is_individual)
SELECT {ordinal k.date, k.path_rank, k.line, k.movement_id}, k.movement_id, k.file_id, k.role, k.source,
  k.date, k.amount, k.fund, k.counterparty_id, coalesce(r.category, 'unclassified'), r.number,
  CASE WHEN coalesce(p.member_individual, 0) = 1 OR coalesce(r.individual, 0) = 1 THEN 1 ELSE 0 END
FROM movement_kept k
  LEFT JOIN run_combination c ON k.role = 'ledger' AND c.account_id = k.account_id AND c.fund = k.fund
    AND c.counterparty_id = CASE WHEN EXISTS (SELECT 1 FROM run_rule WHERE matches_counterparty = 1) THEN k.counterparty_id ELSE 0 END
    AND c.source = k.source AND c.outflow = CASE WHEN k.amount < 0 THEN 1 ELSE 0 END
    AND c.description = CASE WHEN EXISTS (SELECT 1 FROM run_rule WHERE matches_description = 1) THEN k.description ELSE '' END
  LEFT JOIN run_rule r ON r.position = c.rule_position
  LEFT JOIN run_party p ON p.counterparty_id = k.counterparty_id
ORDER BY k.date, k.path_rank, k.line, k.movement_id;
