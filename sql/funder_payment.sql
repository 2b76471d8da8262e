-- funder_payment: the ledger's movements with a funder as counterparty,
-- one row per movement and funder it is from.
--
-- A movement is from a funder when its counterparty's organisation id is
-- the funder's id, or its name is the funder's name (ignoring case) or the
-- funder's id written as a name. `funder_position` is the funder's place
-- in the pipeline file; `position` the movement's place in `ledger_entry`.
-- Added up by day in `funder_day`, which
-- `funder_money` and `pool_weight` read.
{drop view funder_payment};
CREATE VIEW funder_payment AS
WITH funder_party AS MATERIALIZED (
  SELECT fr.position, fr.id, c.id AS counterparty_id
  FROM counterparty c
    LEFT JOIN run_party pa ON pa.counterparty_id = c.id
    JOIN run_funder fr ON c.org_id = fr.id OR (c.name <> '' AND pa.name_key = fr.name_key) OR c.name = fr.id
)
SELECT fp.position AS funder_position, fp.id AS funder, e.date, e.amount, e.fund, e.category, e.position
FROM ledger_entry e
  CROSS JOIN funder_party fp
WHERE fp.counterparty_id = e.counterparty_id AND e.role = 'ledger';
