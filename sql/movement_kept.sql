-- movement_kept: every money movement this run counts, once.
--
-- One row per movement read from the run's source files. An export that
-- overlaps another of the same source (a quarter, then the year to date)
-- adds nothing twice: for each movement the warehouse keeps as many copies
-- as the single file that holds the most of them, taken from the earliest
-- file by path. Two identical rows inside one file are two real payments
-- (their `occurrence` is 1 and 2), so both stay.
--
-- A movement is "the same" when its identity (the source system's id, else
-- a hash of its fields) and its occurrence agree and, for one without an id
-- of its own, every field the hash is made of agrees too: two different
-- movements whose hashes happen to collide are never taken for one.
--
-- Its source, role and fund are its classification's (`classify.sql`),
-- worked out once for each combination of file, account and fund.
--
-- (A source read from one file has nothing to de-duplicate: its rows are
-- kept as they are, and only sources of several files are compared.)
{drop view movement_kept};
-- (It is one SELECT over the stored rows, not a union of the two cases, so
-- that a query reading it in the order the rows were stored needs no sort:
-- see `run_ledger_order` in `classify.sql`.)
CREATE VIEW movement_kept AS
SELECT m.id AS movement_id, m.file_id, f.role, f.source, f.path_rank, m.line, m.date, m.amount,
  m.account_id, m.fund_id, m.counterparty_id, m.description
FROM movement_row m
  JOIN run_file f ON f.file_id = m.file_id
WHERE f.files_in_source = 1 OR m.id IN (
  -- The first copy of each movement in a source of several files.
  SELECT movement_id FROM (
    SELECT c.id AS movement_id, row_number() OVER (
      PARTITION BY cf.source, c.identity, c.occurrence, c.native_id,
        CASE WHEN c.native_id = '' THEN c.date END, CASE WHEN c.native_id = '' THEN c.amount END,
        CASE WHEN c.native_id = '' THEN c.currency END, CASE WHEN c.native_id = '' THEN a.code END,
        CASE WHEN c.native_id = '' THEN c.fund_id END, CASE WHEN c.native_id = '' THEN c.counterparty_id END,
        CASE WHEN c.native_id = '' THEN c.description END, CASE WHEN c.native_id = '' THEN c.reference END
      ORDER BY cf.path_rank, c.id) AS copy
    FROM movement_row c
      JOIN run_file cf ON cf.file_id = c.file_id
      JOIN account a ON a.id = c.account_id
    WHERE cf.files_in_source > 1) copies
  WHERE copy = 1);
