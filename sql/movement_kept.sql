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
CREATE VIEW movement_kept AS
WITH moved AS NOT MATERIALIZED (
  SELECT m.id AS movement_id, m.file_id, f.role, f.source, f.files_in_source, f.path_rank, m.line, m.date, m.amount,
    m.account_id, m.fund_id, m.counterparty_id, m.description,
    m.identity, m.occurrence, m.native_id, m.currency, m.reference
  FROM movement_row m
    JOIN run_file f ON f.file_id = m.file_id
),
counted AS (
  SELECT movement_id, file_id, role, source, path_rank, line, date, amount, account_id, fund_id, counterparty_id, description,
    1 AS copy
  FROM moved WHERE files_in_source = 1
  UNION ALL
  SELECT movement_id, file_id, role, source, path_rank, line, date, amount, account_id, fund_id, counterparty_id, description,
    row_number() OVER (
      PARTITION BY source, identity, occurrence, native_id,
        CASE WHEN native_id = '' THEN date END, CASE WHEN native_id = '' THEN amount END,
        CASE WHEN native_id = '' THEN currency END, CASE WHEN native_id = '' THEN a.code END,
        CASE WHEN native_id = '' THEN fund_id END, CASE WHEN native_id = '' THEN counterparty_id END,
        CASE WHEN native_id = '' THEN description END, CASE WHEN native_id = '' THEN reference END
      ORDER BY path_rank, movement_id) AS copy
  FROM moved JOIN account a ON a.id = moved.account_id WHERE files_in_source > 1
)
SELECT movement_id, file_id, role, source, path_rank, line, date, amount, account_id, fund_id, counterparty_id, description
FROM counted WHERE copy = 1;
