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

-- The combinations are found in the stored rows of the run's files, by the
-- ids they are stored with; each is then given the source and role of its
-- file and its fund: the movement's fund, or for books that keep funds as
-- account hierarchy (GnuCash), the fund its account's path names. (A
-- combination only a left-out copy of a movement has is classified too,
-- and never used.) Whether any rule looks at the counterparty or the
-- description is asked as `(SELECT max(…) FROM run_rule) = 1`, which SQLite
-- answers once for the statement (an EXISTS there is asked again for every
-- row).
INSERT INTO run_combination(file_id, account_id, fund_id, counterparty_id, outflow, description, role, source, fund)
SELECT d.file_id, d.account_id, d.fund_id, d.counterparty_id, d.outflow, d.description, f.role, f.source,
  CASE WHEN fd.code = '' THEN coalesce(af.fund, '') ELSE fd.code END
FROM (
  SELECT DISTINCT m.file_id, m.account_id, m.fund_id,
    CASE WHEN (SELECT max(matches_counterparty) FROM run_rule) = 1 THEN m.counterparty_id ELSE 0 END AS counterparty_id,
    CASE WHEN m.amount < 0 THEN 1 ELSE 0 END AS outflow,
    CASE WHEN (SELECT max(matches_description) FROM run_rule) = 1 THEN m.description ELSE '' END AS description
  FROM movement_row m WHERE m.file_id IN (SELECT file_id FROM run_file)
) d
  JOIN run_file f ON f.file_id = d.file_id
  JOIN fund fd ON fd.id = d.fund_id
  LEFT JOIN run_account_fund af ON af.account_id = d.account_id;

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
      SELECT 1 FROM run_rule_description x WHERE x.position = r.position AND x.description = run_combination.description)))
WHERE role = 'ledger';

-- ledger_classified: every kept movement with its classification (the
-- first matching rule's category and number, `unclassified` where none
-- matches) and whether its counterparty is a person.
{drop view ledger_classified};
CREATE VIEW ledger_classified AS
SELECT k.movement_id, k.file_id, c.role, c.source, k.date, k.amount, c.fund, k.counterparty_id,
  coalesce(r.category, 'unclassified') AS category, r.number AS rule_number,
  CASE WHEN coalesce(p.member_individual, 0) = 1 OR coalesce(r.individual, 0) = 1 THEN 1 ELSE 0 END AS is_individual,
  k.path_rank, k.line
FROM movement_kept k
  LEFT JOIN run_combination c ON c.file_id = k.file_id AND c.account_id = k.account_id AND c.fund_id = k.fund_id
    AND c.counterparty_id = CASE WHEN (SELECT max(matches_counterparty) FROM run_rule) = 1 THEN k.counterparty_id ELSE 0 END
    AND c.outflow = CASE WHEN k.amount < 0 THEN 1 ELSE 0 END
    AND c.description = CASE WHEN (SELECT max(matches_description) FROM run_rule) = 1 THEN k.description ELSE '' END
  LEFT JOIN run_rule r ON r.position = c.rule_position
  LEFT JOIN run_party p ON p.counterparty_id = k.counterparty_id;

-- `position` is the ledger's order: date, then file (by path), then line.
-- The rows go into `ledger_entry` in that order, and `{ordinal}` numbers
-- them 1, 2, 3, … as they go (SQLite gives each new row the next row id;
-- PostgreSQL counts with row_number() over the same order).
--
-- Exports are usually in date order already. `run_ledger_order` records
-- whether the run's stored rows, taken in the order they were stored (by
-- id), are in the ledger's order: each file's movements were read in date
-- order (by date, then line: `source_file.in_date_order`, noted as it was
-- read), and files stored one after another follow each other in the
-- ledger (the later stored starts after the earlier ends, or on its last
-- day when its path comes later). Then the rows go in as stored, which is
-- the same order without sorting a million rows; otherwise (rows out of
-- date order, overlapping files) they are sorted. Either way each movement
-- gets the same `position`.
DELETE FROM run_ledger_order;
INSERT INTO run_ledger_order(in_stored_order)
WITH stored AS (
  SELECT f.file_id, f.path_rank, s.in_date_order, s.first_date, s.last_date,
    (SELECT min(m.id) FROM movement_row m WHERE m.file_id = f.file_id) AS low,
    (SELECT max(m.id) FROM movement_row m WHERE m.file_id = f.file_id) AS high
  FROM run_file f JOIN source_file s ON s.id = f.file_id
)
SELECT CASE WHEN
  NOT EXISTS (SELECT 1 FROM stored WHERE low IS NOT NULL AND in_date_order = 0)
  AND NOT EXISTS (
    SELECT 1 FROM stored a JOIN stored b ON b.low > a.low
    WHERE b.low <= a.high
      OR b.first_date < a.last_date
      OR (b.first_date = a.last_date AND b.path_rank <= a.path_rank))
  THEN 1 ELSE 0 END;

INSERT INTO ledger_entry(position, movement_id, file_id, role, source, date, amount, fund, counterparty_id, category,
  rule_number, is_individual)
SELECT {ordinal movement_id}, movement_id, file_id, role, source, date, amount, fund, counterparty_id, category,
  rule_number, is_individual
FROM ledger_classified
WHERE (SELECT in_stored_order FROM run_ledger_order) = 1
ORDER BY movement_id;

INSERT INTO ledger_entry(position, movement_id, file_id, role, source, date, amount, fund, counterparty_id, category,
  rule_number, is_individual)
SELECT {ordinal date, path_rank, line, movement_id}, movement_id, file_id, role, source, date, amount, fund,
  counterparty_id, category, rule_number, is_individual
FROM ledger_classified
WHERE (SELECT in_stored_order FROM run_ledger_order) = 0
ORDER BY date, path_rank, line, movement_id;
