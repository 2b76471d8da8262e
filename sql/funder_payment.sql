-- funder_payment: the ledger's movements with a funder as counterparty,
-- one row per movement and funder it is from.
--
-- A movement is from a funder when its counterparty's organisation id is
-- the funder's id, or its name is the funder's name (ignoring case) or the
-- funder's id written as a name. `funder_position` is the funder's place
-- in the pipeline file; `position` the movement's place in `ledger_entry`.
{drop view funder_payment};
CREATE VIEW funder_payment AS
SELECT fr.position AS funder_position, fr.id AS funder, e.date, e.amount, e.fund, e.category, e.position
FROM ledger_entry e
  JOIN counterparty c ON c.id = e.counterparty_id
  LEFT JOIN run_party pa ON pa.counterparty_id = e.counterparty_id
  JOIN run_funder fr ON c.org_id = fr.id OR (c.name <> '' AND pa.name_key = fr.name_key) OR c.name = fr.id
WHERE e.role = 'ledger';
