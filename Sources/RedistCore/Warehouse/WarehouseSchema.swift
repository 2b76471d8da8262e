/// The warehouse's tables, written once for both engines.
///
/// Each migration is numbered and never changed once released: a new
/// schema is a new migration. SQLite applies them through GRDB's
/// `DatabaseMigrator` (which records them in `grdb_migrations`), PostgreSQL
/// through `PostgresWarehouse`, which records them in `schema_migration`.
/// The statements are in a neutral spelling that `SQLDialect.render`
/// turns into each engine's: only the few things that truly differ are
/// written as `{placeholders}`.
enum WarehouseSchema {
    struct Migration: Sendable {
        /// The order it is applied in; also the schema version it gives.
        let number: Int
        let name: String
        let statements: [String]

        /// GRDB's identifier for it, which sorts in `number` order.
        var identifier: String { "\(number < 10 ? "0" : "")\(number)-\(name)" }
    }

    /// The schema version the newest migration gives (the `meta` table's
    /// `schema_version`). Version 3 is the first one made by migrations:
    /// a warehouse from before that is rebuilt from its inputs.
    static var version: Int { migrations.last!.number }

    static let migrations: [Migration] = [
        Migration(number: 3, name: "normalised-model", statements: [
            "CREATE TABLE IF NOT EXISTS meta(key {text} PRIMARY KEY, value {text} NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS source_file(
                id {key},
                source {text} NOT NULL,
                role {text} NOT NULL,
                format {text} NOT NULL,
                path {text} NOT NULL,
                sha256 {text} NOT NULL,
                config_hash {text} NOT NULL,
                bytes {int} NOT NULL,
                rows_read {int} NOT NULL,
                rows_loaded {int} NOT NULL,
                rows_rejected {int} NOT NULL,
                rows_skipped {int} NOT NULL,
                amount_read {int} NOT NULL,
                amount_loaded {int} NOT NULL,
                amount_rejected {int} NOT NULL,
                amount_skipped {int} NOT NULL,
                failure {text},
                UNIQUE(source, path))
            """,
            """
            CREATE TABLE IF NOT EXISTS account(
                id {key},
                code {text} NOT NULL,
                name {text} NOT NULL,
                UNIQUE(code, name))
            """,
            """
            CREATE TABLE IF NOT EXISTS fund(
                id {key},
                code {text} NOT NULL UNIQUE)
            """,
            """
            CREATE TABLE IF NOT EXISTS counterparty(
                id {key},
                name {text} NOT NULL,
                org_id {text} NOT NULL,
                UNIQUE(name, org_id))
            """,
            // No foreign key on file_id: checking one per row costs a third of
            // SQLite's insert time, so a file's rows are deleted by hand first.
            """
            CREATE TABLE IF NOT EXISTS movement_row(
                id {key},
                file_id {int} NOT NULL,
                line {int} NOT NULL,
                identity {int} NOT NULL,
                occurrence {int} NOT NULL DEFAULT 1,
                date {text} NOT NULL,
                amount {int} NOT NULL,
                currency {text} NOT NULL,
                account_id {int} NOT NULL,
                fund_id {int} NOT NULL,
                counterparty_id {int} NOT NULL,
                description {text} NOT NULL,
                reference {text} NOT NULL,
                native_id {text} NOT NULL,
                kind {text} NOT NULL,
                path {text})
            """,
            // One row per movement with its dimensions' text, for staff and SQL tools.
            """
            {create view} movement AS
              SELECT m.id, m.file_id, m.line,
                CASE WHEN m.native_id = '' THEN {hex16 m.identity} ELSE 'id:' || m.native_id END AS identity,
                m.occurrence, m.date, m.amount, m.currency, a.code AS account, a.name AS account_name, f.code AS fund,
                c.name AS counterparty, c.org_id AS counterparty_id, m.description, m.reference, m.native_id, m.kind, m.path
              FROM movement_row m JOIN account a ON a.id = m.account_id JOIN fund f ON f.id = m.fund_id
                JOIN counterparty c ON c.id = m.counterparty_id
            """,
            """
            CREATE TABLE IF NOT EXISTS grant_award(
                id {key},
                file_id {int} NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line {int} NOT NULL,
                identifier {text} NOT NULL,
                title {text} NOT NULL,
                description {text} NOT NULL,
                amount_awarded {int} NOT NULL,
                amount_disbursed {int},
                currency {text} NOT NULL,
                award_date {text} NOT NULL,
                payment_date {text},
                recipient_id {text} NOT NULL,
                recipient_name {text} NOT NULL,
                funder_id {text} NOT NULL,
                funder_name {text} NOT NULL,
                programme {text} NOT NULL,
                fund {text} NOT NULL,
                beneficiary_location {text} NOT NULL)
            """,
            """
            CREATE TABLE IF NOT EXISTS member(
                id {key},
                file_id {int} NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line {int} NOT NULL,
                member_id {text} NOT NULL,
                name {text} NOT NULL,
                kind {text} NOT NULL,
                region {text} NOT NULL,
                characteristics {text} NOT NULL,
                consent {int} NOT NULL,
                consent_date {text})
            """,
            """
            CREATE TABLE IF NOT EXISTS balance(
                id {key},
                file_id {int} NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line {int} NOT NULL,
                kind {text} NOT NULL,
                date {text} NOT NULL,
                amount {int} NOT NULL,
                currency {text} NOT NULL,
                account {text} NOT NULL,
                statement_id {text} NOT NULL,
                path {text})
            """,
            """
            CREATE TABLE IF NOT EXISTS finding(
                id {key},
                file_id {int} NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                severity {text} NOT NULL,
                line {int} NOT NULL,
                col {int},
                path {text},
                check_name {text} NOT NULL,
                message {text} NOT NULL,
                amount {int},
                currency {text})
            """,
            "CREATE INDEX IF NOT EXISTS movement_file ON movement_row(file_id)",
            "CREATE INDEX IF NOT EXISTS grant_file ON grant_award(file_id)",
            "CREATE INDEX IF NOT EXISTS member_file ON member(file_id)",
            "CREATE INDEX IF NOT EXISTS balance_file ON balance(file_id)",
            "CREATE INDEX IF NOT EXISTS finding_file ON finding(file_id)",
        ]),
        // The member register's consent scope and expiry (an empty scope is
        // `public`, as every consent was before scopes could be given).
        Migration(number: 4, name: "consent-scope", statements: [
            "ALTER TABLE member ADD COLUMN consent_scope {text} NOT NULL DEFAULT ''",
            "ALTER TABLE member ADD COLUMN consent_expires {text}",
        ]),
        // The run's settings as tables, and the ledger it counts: what the
        // shipped SQL (`sql/*.sql`) reads. Each run replaces the `run_*`
        // rows and `ledger_entry`; the stored inputs are never changed.
        Migration(number: 5, name: "measures-in-sql", statements: [
            // The files this run reads: its sources' files, with each file's
            // rank by path (the order de-duplication keeps the first of).
            """
            CREATE TABLE IF NOT EXISTS run_file(
                file_id {int} PRIMARY KEY,
                source {text} NOT NULL,
                role {text} NOT NULL,
                path_rank {int} NOT NULL,
                files_in_source {int} NOT NULL)
            """,
            // The pipeline's rules, in the order they are tried; a matcher a
            // rule does not have is 0 in its `matches_*` column.
            """
            CREATE TABLE IF NOT EXISTS run_rule(
                position {int} PRIMARY KEY,
                number {int} NOT NULL,
                category {text} NOT NULL,
                individual {int} NOT NULL,
                direction {text},
                matches_account {int} NOT NULL,
                matches_fund {int} NOT NULL,
                matches_counterparty {int} NOT NULL,
                matches_source {int} NOT NULL,
                matches_description {int} NOT NULL)
            """,
            // A rule's account codes (`low` = `high`, not a range) and ranges.
            "CREATE TABLE IF NOT EXISTS run_rule_account(position {int} NOT NULL, low {text} NOT NULL, high {text} NOT NULL, is_range {int} NOT NULL)",
            // A rule's funds, sources and counterparties (lower-cased names or ids).
            "CREATE TABLE IF NOT EXISTS run_rule_value(position {int} NOT NULL, field {text} NOT NULL, value {text} NOT NULL)",
            // The descriptions each description rule's regular expression matches.
            "CREATE TABLE IF NOT EXISTS run_rule_description(position {int} NOT NULL, description {text} NOT NULL)",
            // Each counterparty's keys for matching, and the member register's word on it.
            """
            CREATE TABLE IF NOT EXISTS run_party(
                counterparty_id {int} PRIMARY KEY,
                name_key {text} NOT NULL,
                id_key {text} NOT NULL,
                group_key {text} NOT NULL,
                member_index {int} NOT NULL,
                member_individual {int} NOT NULL)
            """,
            // The fund a book that keeps funds as account hierarchy names in the account's path.
            "CREATE TABLE IF NOT EXISTS run_account_fund(account_id {int} PRIMARY KEY, fund {text} NOT NULL)",
            // Each distinct combination a rule can see, and the first rule that matches it.
            """
            CREATE TABLE IF NOT EXISTS run_combination(
                account_id {int} NOT NULL,
                fund {text} NOT NULL,
                counterparty_id {int} NOT NULL,
                source {text} NOT NULL,
                outflow {int} NOT NULL,
                description {text} NOT NULL,
                rule_position {int},
                UNIQUE(account_id, fund, counterparty_id, source, outflow, description))
            """,
            // The pipeline's funds, funders and which funders each fund is shared by, in the file's order.
            """
            CREATE TABLE IF NOT EXISTS run_fund(
                code {text} PRIMARY KEY,
                name {text} NOT NULL,
                type {text} NOT NULL,
                ringfenced {int} NOT NULL,
                group_id {text} NOT NULL,
                position {int} NOT NULL)
            """,
            "CREATE TABLE IF NOT EXISTS run_funder(id {text} NOT NULL, name {text} NOT NULL, name_key {text} NOT NULL, position {int} PRIMARY KEY)",
            "CREATE TABLE IF NOT EXISTS run_fund_funder(fund {text} NOT NULL, funder {text} NOT NULL, position {int} NOT NULL)",
            "CREATE TABLE IF NOT EXISTS run_organisation(id {text} NOT NULL, name {text} NOT NULL, currency {text} NOT NULL)",
            // The periods the run reports on (`reported` = 1) or looks at (trends, year to date).
            """
            CREATE TABLE IF NOT EXISTS run_period(
                start_date {text} NOT NULL,
                end_date {text} NOT NULL,
                label {text} NOT NULL,
                reported {int} NOT NULL,
                PRIMARY KEY(start_date, end_date))
            """,
            // Every movement the run counts, de-duplicated and classified, in
            // the ledger's order (date, file, line): one row per movement.
            """
            CREATE TABLE IF NOT EXISTS ledger_entry(
                position {int} PRIMARY KEY,
                movement_id {int} NOT NULL,
                file_id {int} NOT NULL,
                role {text} NOT NULL,
                source {text} NOT NULL,
                date {text} NOT NULL,
                amount {int} NOT NULL,
                fund {text} NOT NULL,
                counterparty_id {int} NOT NULL,
                category {text} NOT NULL,
                rule_number {int},
                is_individual {int} NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS ledger_entry_date ON ledger_entry(date)",
        ]),
        // A grant's planned start and end dates and duration in months, where
        // the funder's file gives them (NULL where it does not).
        Migration(number: 6, name: "grant-dates", statements: [
            "ALTER TABLE grant_award ADD COLUMN planned_start {text}",
            "ALTER TABLE grant_award ADD COLUMN planned_end {text}",
            "ALTER TABLE grant_award ADD COLUMN duration_months {int}",
        ]),
        // The ledger added up by day, once a run (`sql/ledger_day.sql`): the
        // measure views read these small tables, not every movement again
        // for every period a report asks for. And indexes for classifying
        // (a rule's matchers are looked up by its position).
        Migration(number: 7, name: "ledger-by-day", statements: [
            // Per day, fund, category and direction (1: money out): the amount and the movements.
            """
            CREATE TABLE IF NOT EXISTS ledger_day(
                date {text} NOT NULL,
                fund {text} NOT NULL,
                category {text} NOT NULL,
                outflow {int} NOT NULL,
                amount {int} NOT NULL,
                movements {int} NOT NULL,
                PRIMARY KEY(date, fund, category, outflow))
            """,
            // Per funder (its position in the pipeline file), day, fund and category: the amount from it.
            """
            CREATE TABLE IF NOT EXISTS funder_day(
                funder_position {int} NOT NULL,
                date {text} NOT NULL,
                fund {text} NOT NULL,
                category {text} NOT NULL,
                amount {int} NOT NULL,
                PRIMARY KEY(funder_position, date, fund, category))
            """,
            // Per day, fund and kind (1: a person): who the redistributed payments reached, once each.
            "CREATE TABLE IF NOT EXISTS reach_day(date {text} NOT NULL, fund {text} NOT NULL, is_individual {int} NOT NULL, reached {text})",
            "CREATE INDEX IF NOT EXISTS reach_day_date ON reach_day(date)",
            "CREATE INDEX IF NOT EXISTS run_rule_account_position ON run_rule_account(position)",
            "CREATE INDEX IF NOT EXISTS run_rule_value_position ON run_rule_value(position, field, value)",
            "CREATE INDEX IF NOT EXISTS run_rule_description_position ON run_rule_description(position, description)",
        ]),
        // A movement converted from another currency keeps what its source
        // said (the amount in minor units of that currency, signed as
        // `amount`), the rate as written (an exact decimal, so text), the
        // rate's date and where the rate came from; all NULL for money in the
        // reporting currency. The movement view shows them.
        Migration(number: 8, name: "original-currency", statements: [
            "ALTER TABLE movement_row ADD COLUMN original_amount {int}",
            "ALTER TABLE movement_row ADD COLUMN original_currency {text}",
            "ALTER TABLE movement_row ADD COLUMN rate {text}",
            "ALTER TABLE movement_row ADD COLUMN rate_date {text}",
            "ALTER TABLE movement_row ADD COLUMN rate_source {text}",
            // Only converted rows are in it, so reading them back costs nothing when there are none.
            "CREATE INDEX IF NOT EXISTS movement_converted ON movement_row(id) WHERE original_currency IS NOT NULL",
            "{drop view movement}",
            """
            {create view} movement AS
              SELECT m.id, m.file_id, m.line,
                CASE WHEN m.native_id = '' THEN {hex16 m.identity} ELSE 'id:' || m.native_id END AS identity,
                m.occurrence, m.date, m.amount, m.currency, a.code AS account, a.name AS account_name, f.code AS fund,
                c.name AS counterparty, c.org_id AS counterparty_id, m.description, m.reference, m.native_id, m.kind, m.path,
                m.original_amount, m.original_currency, m.rate, m.rate_date, m.rate_source
              FROM movement_row m JOIN account a ON a.id = m.account_id JOIN fund f ON f.id = m.fund_id
                JOIN counterparty c ON c.id = m.counterparty_id
            """,
        ]),
        // A grant's other identifiers (`;`-separated), and whether it sums up
        // movements its file gives too (an IATI activity: 1), so is not one
        // of the file's rows in its control totals.
        Migration(number: 9, name: "grant-other-identifiers", statements: [
            "ALTER TABLE grant_award ADD COLUMN other_identifiers {text} NOT NULL DEFAULT ''",
            "ALTER TABLE grant_award ADD COLUMN summarises_movements {int} NOT NULL DEFAULT 0",
        ]),
        // Who the redistributed payments reached, by period (`sql/reach.sql`):
        // each group's first payment, once a run, and for each period the run
        // looks at, who was reached from which fund, once each, filled when
        // the period is first asked for; `reach` counts those.
        Migration(number: 10, name: "reach-by-period", statements: [
            "CREATE TABLE IF NOT EXISTS reach_first(reached {text} PRIMARY KEY, first_date {text} NOT NULL)",
            """
            CREATE TABLE IF NOT EXISTS period_reach(
                start_date {text} NOT NULL,
                end_date {text} NOT NULL,
                fund {text} NOT NULL,
                is_individual {int} NOT NULL,
                reached {text} NOT NULL,
                first_time {int} NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS period_reach_period ON period_reach(start_date, end_date)",
        ]),
        // Each distinct combination a rule can see, kept by the ids the
        // movements are stored with (file, account, fund), so the run finds
        // them in the stored rows without looking up each row's account,
        // fund and file: the source, role and fund code they stand for are
        // worked out once per combination (`sql/classify.sql`).
        Migration(number: 11, name: "combination-by-stored-ids", statements: [
            "DROP TABLE IF EXISTS run_combination",
            """
            CREATE TABLE run_combination(
                file_id {int} NOT NULL,
                account_id {int} NOT NULL,
                fund_id {int} NOT NULL,
                counterparty_id {int} NOT NULL,
                outflow {int} NOT NULL,
                description {text} NOT NULL,
                role {text} NOT NULL,
                source {text} NOT NULL,
                fund {text} NOT NULL,
                rule_position {int},
                UNIQUE(file_id, account_id, fund_id, counterparty_id, outflow, description))
            """,
        ]),
        // Who the redistributed payments reached, kept in the order a
        // period's reach is read in (fund, kind, group or person, day), so
        // a period's groups are listed without sorting its days' rows.
        Migration(number: 12, name: "reach-day-by-group", statements: [
            "DROP TABLE IF EXISTS reach_day",
            """
            CREATE TABLE reach_day(
                fund {text} NOT NULL,
                is_individual {int} NOT NULL,
                reached {text} NOT NULL,
                date {text} NOT NULL,
                PRIMARY KEY(fund, is_individual, reached, date)) {without rowid}
            """,
        ]),
        // A period's reach kept together, in the order `reach` counts it
        // (period, fund, kind, group or person): each is in it once, and a
        // period's rows are read as one run, not found one by one.
        Migration(number: 13, name: "period-reach-by-key", statements: [
            "DROP TABLE IF EXISTS period_reach",
            """
            CREATE TABLE period_reach(
                start_date {text} NOT NULL,
                end_date {text} NOT NULL,
                fund {text} NOT NULL,
                is_individual {int} NOT NULL,
                reached {text} NOT NULL,
                first_time {int} NOT NULL,
                PRIMARY KEY(start_date, end_date, fund, is_individual, reached)) {without rowid}
            """,
        ]),
        // Whether a file's movements were read (and stored) in ledger order,
        // by date then line, with their first and last dates; and whether
        // the run's stored rows are, taken together (`sql/classify.sql`):
        // then `ledger_entry` is filled without a sort. A file stored before
        // this has 0, and is sorted, until it is read again.
        Migration(number: 14, name: "ledger-stored-order", statements: [
            "ALTER TABLE source_file ADD COLUMN in_date_order {int} NOT NULL DEFAULT 0",
            "ALTER TABLE source_file ADD COLUMN first_date {text}",
            "ALTER TABLE source_file ADD COLUMN last_date {text}",
            "CREATE TABLE IF NOT EXISTS run_ledger_order(in_stored_order {int} NOT NULL)",
        ]),
    ]
}

/// What differs between the warehouse's two engines, and nothing else.
enum SQLDialect: Sendable {
    case sqlite, postgresql

    /// A statement in the neutral spelling made into this engine's:
    /// - `{key}`: a row id the engine gives out in insertion order;
    /// - `{int}`: a 64-bit integer (pence, hashes, counts): SQLite's INTEGER
    ///   is 64-bit already, PostgreSQL's is not;
    /// - `{text}`: text compared and sorted by its bytes, as SQLite does
    ///   (PostgreSQL would otherwise sort by the server's locale);
    /// - `{create view}`: a view made if missing;
    /// - `{without rowid}`: after a table with a primary key, SQLite keeps
    ///   the rows in the key's order (PostgreSQL indexes the key anyway);
    /// - `{drop view name}`: drops a view (and on PostgreSQL those made from it);
    /// - `{digits expr}`: true when the text is one or more ASCII digits;
    /// - `{days a, b}`: whole days from the `yyyy-mm-dd` date a to b;
    /// - `{ratio4 a, b}`: a ÷ b to four places, for staff's views (the
    ///   reports round exact sums in Swift);
    /// - `{hex16 expr}`: `h:` and the integer as 16 hexadecimal digits, the
    ///   identity shown for a movement without an id of its own;
    /// - `{ordinal order}`: in an `INSERT … SELECT … ORDER BY order` into an
    ///   emptied table with an integer key, the key 1, 2, 3 in that order.
    func render(_ sql: String) -> String {
        // Most statements (every batch of inserted rows) have no placeholder.
        guard sql.utf8.contains(UInt8(ascii: "{")) else { return sql }
        var s = sql
        switch self {
        case .sqlite:
            s = s.replacingOccurrences(of: "{key}", with: "INTEGER PRIMARY KEY")
            s = s.replacingOccurrences(of: "{int}", with: "INTEGER")
            s = s.replacingOccurrences(of: "{text}", with: "TEXT")
            s = s.replacingOccurrences(of: "{create view}", with: "CREATE VIEW IF NOT EXISTS")
            s = s.replacingOccurrences(of: "{without rowid}", with: "WITHOUT ROWID")
        case .postgresql:
            s = s.replacingOccurrences(of: "{key}", with: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
            s = s.replacingOccurrences(of: "{int}", with: "BIGINT")
            s = s.replacingOccurrences(of: "{text}", with: "TEXT COLLATE \"C\"")
            s = s.replacingOccurrences(of: "{create view}", with: "CREATE OR REPLACE VIEW")
            s = s.replacingOccurrences(of: " {without rowid}", with: "")
        }
        while let open = s.range(of: "{drop view "), let close = s[open.upperBound...].firstIndex(of: "}") {
            let name = s[open.upperBound..<close]
            // PostgreSQL refuses to drop a view others are made from; they are made again after it.
            s.replaceSubrange(open.lowerBound...close, with: "DROP VIEW IF EXISTS \(name)\(self == .postgresql ? " CASCADE" : "")")
        }
        while let open = s.range(of: "{digits "), let close = s[open.upperBound...].firstIndex(of: "}") {
            let expr = s[open.upperBound..<close]
            let test: String
            switch self {
            case .sqlite: test = "(\(expr) <> '' AND \(expr) NOT GLOB '*[^0-9]*')"
            case .postgresql: test = "(\(expr) ~ '^[0-9]+$')"
            }
            s.replaceSubrange(open.lowerBound...close, with: test)
        }
        while let open = s.range(of: "{days "), let close = s[open.upperBound...].firstIndex(of: "}") {
            let parts = s[open.upperBound..<close].split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let days: String
            switch self {
            case .sqlite: days = "CAST(julianday(\(parts[1])) - julianday(\(parts[0])) AS INTEGER)"
            case .postgresql: days = "(CAST(\(parts[1]) AS DATE) - CAST(\(parts[0]) AS DATE))"
            }
            s.replaceSubrange(open.lowerBound...close, with: days)
        }
        while let open = s.range(of: "{ratio4 "), let close = s[open.upperBound...].firstIndex(of: "}") {
            let parts = s[open.upperBound..<close].split(separator: ",", maxSplits: 1)
            let type = self == .sqlite ? "REAL" : "NUMERIC"
            s.replaceSubrange(open.lowerBound...close, with: "round(CAST(\(parts[0]) AS \(type)) / (\(parts[1])), 4)")
        }
        while let open = s.range(of: "{ordinal "), let close = s[open.upperBound...].firstIndex(of: "}") {
            let order = s[open.upperBound..<close]
            // An INSERT … ORDER BY into an emptied table: SQLite numbers the
            // rows it inserts 1, 2, 3 in that order without a window's sort.
            s.replaceSubrange(open.lowerBound...close, with: self == .sqlite ? "NULL" : "row_number() OVER (ORDER BY \(order))")
        }
        while let open = s.range(of: "{hex16 "), let close = s[open.upperBound...].firstIndex(of: "}") {
            let expr = s[open.upperBound..<close]
            let hex: String
            switch self {
            case .sqlite: hex = "printf('h:%016x', \(expr))"
            // to_hex of a negative bigint gives its two's complement, as printf's %x does.
            case .postgresql: hex = "'h:' || lpad(to_hex(\(expr)), 16, '0')"
            }
            s.replaceSubrange(open.lowerBound...close, with: hex)
        }
        return s
    }
}
