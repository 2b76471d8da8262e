import Foundation
import PostgresNIO
import RedistIngest
import RedistModel

/// The warehouse on a PostgreSQL server: the same tables as the SQLite
/// file (`WarehouseSchema`, applied as numbered migrations recorded in
/// `schema_migration`), loaded with `COPY`, and asked the same shipped
/// SQL, so every report is the same byte for byte whichever engine holds
/// the data.
///
/// The pipeline is synchronous; postgres-nio's futures are waited on from
/// the calling thread, and `COPY` (async only) runs on a thread of its own
/// (`BlockingExecutor`), never on the shared pool the caller may be holding.
final class PostgresWarehouse: @unchecked Sendable {
    let location: PostgresLocation
    private let connection: PostgresConnection
    private let logger: Logger

    init(_ location: PostgresLocation, environment: [String: String]) throws {
        self.location = location
        var logger = Logger(label: "redist.warehouse")
        logger.logLevel = .critical
        self.logger = logger
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user,
            password: environment[location.passwordVariable], database: location.database, tls: tls)
        do {
            connection = try PostgresConnection.connect(on: PostgresConnection.defaultEventLoopGroup.any(),
                                                        configuration: configuration, id: 1, logger: logger).wait()
        } catch {
            throw WarehouseServerError(Self.describe(error))
        }
        if let schema = location.schema {
            try execute("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"")
            try execute("SET search_path TO \"\(schema)\"")
        }
        try migrate()
    }

    deinit {
        // Closed before the caller goes on (that ends its run lock), unless
        // released on the connection's own thread, which cannot wait.
        // The run lock is released first, in the session itself: the server
        // ends a closed session's locks a moment after the socket closes, and
        // the next run may already be asking for it.
        if connection.eventLoop.inEventLoop {
            let _: EventLoopFuture<Void> = connection.close()
        } else {
            try? execute("SELECT pg_advisory_unlock_all()")
            try? connection.close().wait()
        }
    }

    // MARK: Statements

    /// A value bound to a statement's `$n`.
    enum Value {
        case int(Int64?)
        case text(String?)
    }

    private func query(_ sql: String, _ values: [Value]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for v in values {
            switch v {
            case .int(let i): binds.append(i)
            // As in COPY: U+0000 cannot be stored, U+FFFD stands for it.
            case .text(let t): binds.append(t.map { $0.contains("\0") ? $0.replacingOccurrences(of: "\0", with: "\u{FFFD}") : $0 })
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    func execute(_ sql: String, _ values: [Value] = []) throws {
        _ = try rows(sql, values)
    }

    func rows(_ sql: String, _ values: [Value] = []) throws -> [PostgresRandomAccessRow] {
        do {
            return try connection.query(query(sql, values), logger: logger).wait().map { $0.makeRandomAccess() }
        } catch {
            throw WarehouseServerError(Self.describe(error), sql: sql)
        }
    }

    /// Calls `body` with each row as it arrives (on the connection's thread), and waits till the last.
    func each(_ sql: String, _ values: [Value] = [], _ body: @escaping @Sendable (PostgresRow) throws -> Void) throws {
        do {
            _ = try connection.query(query(sql, values), logger: logger, body).wait()
        } catch let e as WarehouseServerError {
            throw e
        } catch {
            throw WarehouseServerError(Self.describe(error), sql: sql)
        }
    }

    /// Sends `data` (COPY's text format) into `table`.
    func copy(_ table: String, _ columns: [String], _ data: ByteBuffer) throws {
        let connection = self.connection, logger = self.logger
        do {
            try BlockingExecutor.run {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    try await writer.write(data)
                }
            }
        } catch {
            throw WarehouseServerError(Self.describe(error), sql: "COPY \(table)")
        }
    }

    /// Streams rows into `table` in one `COPY`: `next` gives each piece in
    /// COPY's text format, on the COPY's thread, and nil at the end.
    func copy(_ table: String, _ columns: [String], streaming next: @escaping @Sendable () throws -> ByteBuffer?) throws {
        let connection = self.connection, logger = self.logger
        do {
            try BlockingExecutor.run {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    while let data = try next() { try await writer.write(data) }
                }
            }
        } catch {
            throw WarehouseServerError(Self.describe(error), sql: "COPY \(table)")
        }
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The server's own words for what went wrong (postgres-nio's
    /// descriptions hide them, lest they leak data into logs).
    static func describe(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let detail = e.serverInfo?[.detail].map { " (\($0))" } ?? ""
                return message + detail
            }
            if let underlying = e.underlying { return "\(e.code): \(underlying)" }
            return "\(e.code)"
        }
        return "\(error)"
    }

    // MARK: Schema

    /// Applies the migrations this server has not had yet, each recorded in
    /// `schema_migration`, in one transaction held under an advisory lock so
    /// two runs starting at once do not both apply them. A warehouse made
    /// by a newer redist (a migration this one does not know) is refused.
    func migrate() throws {
        try transaction {
            try execute("SELECT pg_advisory_xact_lock(7324712935)")
            try execute("""
                CREATE TABLE IF NOT EXISTS schema_migration(
                  number BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try rows("SELECT number FROM schema_migration").map { try $0[0].decode(Int64.self) })
            if let newest = applied.max(), newest > WarehouseSchema.version {
                throw WarehouseError.newerSchema(path: location.description, found: Int(newest), supported: WarehouseSchema.version)
            }
            for m in WarehouseSchema.migrations where !applied.contains(Int64(m.number)) {
                for statement in m.statements { try execute(SQLDialect.postgresql.render(statement)) }
                try execute("INSERT INTO schema_migration(number, name) VALUES ($1, $2)", [.int(Int64(m.number)), .text(m.name)])
            }
            try setMeta("schema_version", String(WarehouseSchema.version))
        }
    }

    /// Takes the warehouse for this run, as the lock file does for SQLite:
    /// a session lock on the server, on this database and schema, held
    /// until the connection closes. False when another run holds it.
    func lockForRun() throws -> Bool {
        let r = try rows("SELECT pg_try_advisory_lock(hashtext('redist:' || current_database() || '.' || current_schema()))")
        return try r.first?[0].decode(Bool.self) ?? false
    }

    // MARK: The catalogue

    func files() throws -> [Warehouse.LoadedFile] {
        try rows("""
            SELECT id, source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded, rows_rejected,
              rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped, failure
            FROM source_file ORDER BY source, path
            """).map { r in
            Warehouse.LoadedFile(id: try r.int(0), source: try r.text(1), role: try r.text(2), format: try r.text(3),
                                 path: try r.text(4), sha256: try r.text(5), configHash: try r.text(6), bytes: try r.int(7),
                                 rowsRead: Int(try r.int(8)), rowsLoaded: Int(try r.int(9)), rowsRejected: Int(try r.int(10)),
                                 rowsSkipped: Int(try r.int(11)), amountRead: try r.int(12), amountLoaded: try r.int(13),
                                 amountRejected: try r.int(14), amountSkipped: try r.int(15), failure: try r.optionalText(16))
        }
    }

    func remove(fileIds: [Int64]) throws {
        guard !fileIds.isEmpty else { return }
        try transaction {
            for id in fileIds {
                try execute("DELETE FROM movement_row WHERE file_id = $1", [.int(id)])
                try execute("DELETE FROM source_file WHERE id = $1", [.int(id)])
            }
        }
    }

    func meta(_ key: String) throws -> String? {
        try rows("SELECT value FROM meta WHERE key = $1", [.text(key)]).first.map { try $0.text(0) }
    }

    func setMeta(_ key: String, _ value: String) throws {
        try execute("INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [.text(key), .text(value)])
    }

    // MARK: Reading back

    func grants(files: [Warehouse.LoadedFile]) throws -> [StoredGrant] {
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try rows("""
            SELECT file_id, line, identifier, title, description, amount_awarded, amount_disbursed, currency, award_date,
              payment_date, recipient_id, recipient_name, funder_id, funder_name, programme, fund, beneficiary_location,
              planned_start, planned_end, duration_months, other_identifiers, summarises_movements
            FROM grant_award ORDER BY file_id, id
            """).compactMap { r in
            guard let file = byId[try r.int(0)] else { return nil }
            let currency = Currency(code: try r.text(7)) ?? .gbp
            let g = GrantRecord(identifier: try r.text(2), title: try r.text(3), description: try r.text(4),
                                amountAwarded: Money(minorUnits: try r.int(5), currency: currency),
                                amountDisbursed: try r.optionalInt(6).map { Money(minorUnits: $0, currency: currency) },
                                awardDate: try Warehouse.day(try r.text(8), "grant_award"), paymentDate: try r.optionalText(9).flatMap { Day(iso: $0) },
                                recipientId: try r.text(10), recipientName: try r.text(11), funderId: try r.text(12),
                                funderName: try r.text(13), programme: try r.text(14), fund: try r.text(15),
                                beneficiaryLocation: try r.text(16), plannedStart: try r.optionalText(17).flatMap { Day(iso: $0) },
                                plannedEnd: try r.optionalText(18).flatMap { Day(iso: $0) }, durationMonths: try r.optionalInt(19).map { Int($0) },
                                otherIdentifiers: try r.text(20).split(separator: ";").map(String.init), summarisesMovements: try r.int(21) != 0,
                                location: SourceLocation(file: file.path, line: Int(try r.int(1))))
            return StoredGrant(grant: g, source: file.source, role: file.role)
        }
    }

    func members(files: [Warehouse.LoadedFile]) throws -> [MemberRecord] {
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try rows("""
            SELECT file_id, line, member_id, name, kind, region, characteristics, consent, consent_date, consent_scope, consent_expires
            FROM member ORDER BY file_id, id
            """).compactMap { r in
            guard let file = byId[try r.int(0)] else { return nil }
            return MemberRecord(id: try r.text(2), name: try r.text(3), kind: OrganisationRole(rawValue: try r.text(4)) ?? .memberGroup,
                                region: try r.text(5), characteristics: try r.text(6).split(separator: ";").map(String.init),
                                consentToBeNamed: try r.int(7) != 0, consentDate: try r.optionalText(8).flatMap { Day(iso: $0) },
                                consentScope: ConsentScope(stored: try r.text(9)), consentExpires: try r.optionalText(10).flatMap { Day(iso: $0) },
                                location: SourceLocation(file: file.path, line: Int(try r.int(1))))
        }
    }

    func balances(files: [Warehouse.LoadedFile]) throws -> [(StatementBalance, String)] {
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try rows("""
            SELECT file_id, line, kind, date, amount, currency, account, statement_id, path FROM balance ORDER BY file_id, id
            """).compactMap { r in
            guard let file = byId[try r.int(0)] else { return nil }
            let b = StatementBalance(kind: StatementBalance.Kind(rawValue: try r.text(2)) ?? .opening, date: try Warehouse.day(try r.text(3), "balance"),
                                     amount: Money(minorUnits: try r.int(4), currency: Currency(code: try r.text(5)) ?? .gbp),
                                     account: try r.text(6), statementId: try r.text(7),
                                     location: SourceLocation(file: file.path, line: Int(try r.int(1)), path: try r.optionalText(8)))
            return (b, file.source)
        }
    }

    func findings(files: [Warehouse.LoadedFile]) throws -> [(Diagnostic, Warehouse.LoadedFile)] {
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try rows("""
            SELECT file_id, severity, line, col, path, check_name, message, amount, currency
            FROM finding ORDER BY file_id, line, id
            """).compactMap { r in
            guard let file = byId[try r.int(0)] else { return nil }
            let currency = try r.optionalText(8)
            let d = Diagnostic(stored: try r.text(1),
                               SourceLocation(file: file.path, line: Int(try r.int(2)), column: try r.optionalInt(3).map { Int($0) },
                                              path: try r.optionalText(4)),
                               check: try r.text(5), try r.text(6),
                               amount: try r.optionalInt(7).map { Money(minorUnits: $0, currency: Currency(code: currency ?? "GBP") ?? .gbp) })
            return (d, file)
        }
    }

    // MARK: Loading

    /// `Warehouse.load` on PostgreSQL: the file's rows go in with `COPY`, a
    /// batch at a time, inside the file's one transaction.
    func load(source: Pipeline.Source, path: String, digest: FileDigest, configHash: String,
              read: @escaping @Sendable (_ emit: @escaping (SourceRecord) -> Void,
                                         _ emitRow: @escaping (borrowing MovementRow) -> Void) throws -> RecordSink) throws -> Warehouse.ReadOutcome {
        try transaction {
            try execute("DELETE FROM movement_row WHERE file_id IN (SELECT id FROM source_file WHERE source = $1 AND path = $2)",
                        [.text(source.name), .text(path)])
            try execute("DELETE FROM source_file WHERE source = $1 AND path = $2", [.text(source.name), .text(path)])
            let fileId = try rows("""
                INSERT INTO source_file(source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                  rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped, failure)
                VALUES ($1, $2, $3, $4, '', $5, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL) RETURNING id
                """, [.text(source.name), .text(source.role.rawValue), .text(source.format), .text(path), .text(configHash)])[0].int(0)
            try execute("SAVEPOINT records")

            let dimensions = Dimensions(
                accounts: try rows("SELECT id, code, name FROM account").map { (try $0.int(0), try $0.text(1), try $0.text(2)) },
                funds: try rows("SELECT id, code FROM fund").map { (try $0.int(0), try $0.text(1)) },
                counterparties: try rows("SELECT id, name, org_id FROM counterparty").map { (try $0.int(0), try $0.text(1), try $0.text(2)) })
            let order = StoredOrder()
            let channel = Warehouse.startReading(read, dimensions: dimensions, occurrences: OccurrenceFilter(), order: order)
            let rest = Deferred()
            do {
                // The file's movements go in one COPY, a batch at a time as
                // the reader hands them over, so the server stores one batch
                // while the next is read. Accounts, funds, counterparties and
                // other records follow when it ends: nothing the server checks
                // refers to them, and the transaction holds them all.
                try copy("movement_row", Self.movementColumns) {
                    while let batch = channel.take() {
                        rest.keep(batch)
                        if batch.rows > 0 { return Self.movementText(batch, fileId: fileId) }
                    }
                    return nil
                }
                try add(rest, fileId: fileId)
                let candidates = rest.candidates
                if !candidates.isEmpty {
                    // Identical rows of the file numbered 1, 2, … in file order;
                    // only identities seen more than once can repeat.
                    try execute("""
                        UPDATE movement_row SET occurrence = o.n
                        FROM (SELECT id, row_number() OVER (PARTITION BY identity, native_id ORDER BY id) AS n
                              FROM movement_row WHERE file_id = $1 AND identity = ANY($2)) AS o
                        WHERE movement_row.id = o.id AND o.n > 1
                        """, [.int(fileId)], candidates: candidates.sorted())
                }
            } catch {
                channel.cancel()
                _ = channel.waitForResult()
                throw error
            }
            let outcome: Warehouse.ReadOutcome
            switch channel.waitForResult() {
            case .success(let sink):
                try execute("RELEASE SAVEPOINT records")
                outcome = .read(sink)
            case .failure(let f as FileFailure):
                try execute("ROLLBACK TO SAVEPOINT records")
                try execute("RELEASE SAVEPOINT records")
                outcome = .failed(f)
            case .failure(let other):
                throw other
            }
            let sink: RecordSink? = { if case .read(let s) = outcome { return s } else { return nil } }()
            let failure: FileFailure? = { if case .failed(let f) = outcome { return f } else { return nil } }()
            let hash = try digest.value()
            try execute("""
                UPDATE source_file SET sha256 = $1, bytes = $2, rows_read = $3, rows_loaded = $4, rows_rejected = $5,
                  rows_skipped = $6, amount_read = $7, amount_loaded = $8, amount_rejected = $9, amount_skipped = $10,
                  failure = $11 WHERE id = $12
                """, [.text(hash.hex), .int(hash.bytes), .int(Int64(sink?.rowsRead ?? 0)), .int(Int64(sink?.rowsLoaded ?? 0)),
                      .int(Int64(sink?.rowsRejected ?? 0)), .int(Int64(sink?.rowsSkipped ?? 0)), .int(sink?.amountRead ?? 0),
                      .int(sink?.amountLoaded ?? 0), .int(sink?.amountRejected ?? 0), .int(sink?.amountSkipped ?? 0),
                      .text(failure?.message), .int(fileId)])
            let stored = order.stored(sink != nil)
            try execute("UPDATE source_file SET in_date_order = $1, first_date = $2, last_date = $3 WHERE id = $4",
                        [.int(stored.inDateOrder), .text(stored.first), .text(stored.last), .int(fileId)])
            var copy = CopyText()
            for d in Warehouse.findingsToStore(path: path, sink: sink, failure: failure) {
                copy.int(fileId); copy.text(d.severity.rawValue); copy.int(Int64(d.location.line))
                copy.int(d.location.column.map { Int64($0) }); copy.text(d.location.path); copy.text(d.check.rawValue)
                copy.text(d.message); copy.int(d.amount?.minorUnits); copy.text(d.amount?.currency.code)
                copy.endRow()
            }
            if copy.rows > 0 {
                try self.copy("finding", ["file_id", "severity", "line", "col", "path", "check_name", "message", "amount", "currency"], copy.buffer)
            }
            return outcome
        }
    }

    /// `execute` with an array of identities bound last.
    private func execute(_ sql: String, _ values: [Value], candidates: [Int64]) throws {
        var binds = PostgresBindings()
        for v in values {
            if case .int(let i) = v { binds.append(i) }
        }
        binds.append(candidates)
        do {
            _ = try connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).wait()
        } catch {
            throw WarehouseServerError(Self.describe(error), sql: sql)
        }
    }

    static let movementColumns = ["file_id", "line", "identity", "date", "amount", "currency", "account_id", "fund_id",
                                  "counterparty_id", "description", "reference", "native_id", "kind", "path",
                                  "original_amount", "original_currency", "rate", "rate_date", "rate_source"]

    /// What a file's batches bring besides movements, kept while the
    /// movements stream in: new dimensions, other records, identities that
    /// may repeat. Touched by the COPY's thread alone while it runs.
    final class Deferred: @unchecked Sendable {
        var accounts: [(Int64, String, String)] = []
        var funds: [(Int64, String)] = []
        var counterparties: [(Int64, String, String)] = []
        var others: [SourceRecord] = []
        var candidates = Set<Int64>()

        func keep(_ batch: Batch) {
            accounts += batch.newAccounts
            funds += batch.newFunds
            counterparties += batch.newCounterparties
            others += batch.others
            candidates.formUnion(batch.candidateIdentities)
        }
    }

    /// A file's new dimensions, each table in one `COPY`, then its other records.
    private func add(_ rest: Deferred, fileId: Int64) throws {
        if !rest.accounts.isEmpty {
            var c = CopyText()
            for (id, code, name) in rest.accounts { c.int(id); c.text(code); c.text(name); c.endRow() }
            try copy("account", ["id", "code", "name"], c.buffer)
        }
        if !rest.funds.isEmpty {
            var c = CopyText()
            for (id, code) in rest.funds { c.int(id); c.text(code); c.endRow() }
            try copy("fund", ["id", "code"], c.buffer)
        }
        if !rest.counterparties.isEmpty {
            var c = CopyText()
            for (id, name, orgId) in rest.counterparties { c.int(id); c.text(name); c.text(orgId); c.endRow() }
            try copy("counterparty", ["id", "name", "org_id"], c.buffer)
        }
        for record in rest.others { try add(record, fileId: fileId) }
    }

    /// A batch's movements in `COPY`'s text format.
    static func movementText(_ batch: Batch, fileId: Int64) -> ByteBuffer {
        var c = CopyText(capacity: batch.text.count + batch.rows * 96)
        var originals = batch.originals[...]
        batch.text.withUnsafeBufferPointer { text in
            for r in 0..<batch.rows {
                let i = r * Batch.integers
                func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                    let (start, count) = batch.span(r, k)
                    return UnsafeBufferPointer(rebasing: text[start..<start + count])
                }
                c.int(fileId); c.int(batch.integers[i]); c.int(batch.integers[i + 1])
                c.bytes(field(0)); c.int(batch.integers[i + 2]); c.bytes(field(1))
                c.int(batch.integers[i + 3]); c.int(batch.integers[i + 4]); c.int(batch.integers[i + 5])
                c.bytes(field(2)); c.bytes(field(3)); c.bytes(field(4)); c.bytes(field(5))
                if batch.hasPath[r] { c.bytes(field(6)) } else { c.null() }
                if let next = originals.first, next.row == r {
                    let o = next.original
                    originals.removeFirst()
                    c.int(o.amount.minorUnits); c.text(o.amount.currency.code); c.text(o.rate.description)
                    c.text(o.rateDate.description); c.text(o.rateSource)
                } else {
                    c.null(); c.null(); c.null(); c.null(); c.null()
                }
                c.endRow()
            }
        }
        return c.buffer
    }

    /// Grants, member register entries and statement balances: few per file.
    private func add(_ record: SourceRecord, fileId: Int64) throws {
        switch record {
        case .movement:
            preconditionFailure("movements arrive in a Batch")
        case .grant(let g):
            try execute("""
                INSERT INTO grant_award(file_id, line, identifier, title, description, amount_awarded, amount_disbursed, currency,
                  award_date, payment_date, recipient_id, recipient_name, funder_id, funder_name, programme, fund, beneficiary_location,
                  planned_start, planned_end, duration_months, other_identifiers, summarises_movements)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
                """, [.int(fileId), .int(Int64(g.location.line)), .text(g.identifier), .text(g.title), .text(g.description),
                      .int(g.amountAwarded.minorUnits), .int(g.amountDisbursed?.minorUnits), .text(g.amountAwarded.currency.code),
                      .text(g.awardDate.description), .text(g.paymentDate?.description), .text(g.recipientId),
                      .text(g.recipientName), .text(g.funderId), .text(g.funderName), .text(g.programme), .text(g.fund),
                      .text(g.beneficiaryLocation), .text(g.plannedStart?.description), .text(g.plannedEnd?.description),
                      .int(g.durationMonths.map { Int64($0) }), .text(g.otherIdentifiers.joined(separator: ";")),
                      .int(g.summarisesMovements ? 1 : 0)])
        case .member(let m):
            try execute("""
                INSERT INTO member(file_id, line, member_id, name, kind, region, characteristics, consent, consent_date,
                                   consent_scope, consent_expires)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                """, [.int(fileId), .int(Int64(m.location.line)), .text(m.id), .text(m.name), .text(m.kind.rawValue),
                      .text(m.region), .text(m.characteristics.joined(separator: ";")), .int(m.consentToBeNamed ? 1 : 0),
                      .text(m.consentDate?.description), .text(m.consentScope.text), .text(m.consentExpires?.description)])
        case .balance(let b):
            try execute("""
                INSERT INTO balance(file_id, line, kind, date, amount, currency, account, statement_id, path)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, [.int(fileId), .int(Int64(b.location.line)), .text(b.kind.rawValue), .text(b.date.description),
                      .int(b.amount.minorUnits), .text(b.amount.currency.code), .text(b.account), .text(b.statementId),
                      .text(b.location.path)])
        }
    }
}

/// A failure of the PostgreSQL warehouse, in the server's words.
public struct WarehouseServerError: Error, CustomStringConvertible {
    public var message: String
    public var sql: String?
    init(_ message: String, sql: String? = nil) {
        self.message = message
        self.sql = sql
    }
    public var description: String {
        guard let sql else { return message }
        let first = sql.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? sql
        return "\(message) (in: \(first.prefix(80)))"
    }
}

/// Rows in `COPY`'s text format: fields separated by tabs, rows ended by a
/// newline, `\N` for NULL, and backslash, tab, newline and carriage return
/// escaped inside a field. A NUL byte, which PostgreSQL's text cannot hold
/// (SQLite's can), becomes U+FFFD: the one place the engines may differ.
struct CopyText {
    var buffer: ByteBuffer
    private(set) var rows = 0
    private var fields = 0

    init(capacity: Int = 1024) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    private mutating func separate() {
        if fields > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
        fields += 1
    }

    mutating func endRow() {
        buffer.writeInteger(UInt8(ascii: "\n"))
        fields = 0
        rows += 1
    }

    mutating func null() {
        separate()
        buffer.writeStaticString("\\N")
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        separate()
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: room for 20 digits and a sign
        withUnsafeMutableBytes(of: &digits) { d in
            var v = value.magnitude
            var n = 0
            repeat { d[23 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            if value < 0 { d[23 - n] = UInt8(ascii: "-"); n += 1 }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: d[(24 - n)...]))
        }
    }

    mutating func text(_ value: String?) {
        guard var value else { return null() }
        value.withUTF8 { bytes($0) }
    }

    mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
        separate()
        var start = 0
        for i in 0..<b.count {
            let escaped: UInt8
            switch b[i] {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            case 0: escaped = 0
            default: continue
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[start..<i]))
            if escaped == 0 {
                // PostgreSQL's text cannot hold U+0000 at all: it is stored as
                // U+FFFD, the replacement character.
                buffer.writeBytes([0xEF, 0xBF, 0xBD])
            } else {
                buffer.writeInteger(UInt8(ascii: "\\"))
                buffer.writeInteger(escaped)
            }
            start = i + 1
        }
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[start..<b.count]))
    }
}

extension PostgresRandomAccessRow {
    func int(_ i: Int) throws -> Int64 { try self[i].decode(Int64.self) }
    func optionalInt(_ i: Int) throws -> Int64? { try self[i].decode(Int64?.self) }
    func text(_ i: Int) throws -> String { try self[i].decode(String.self) }
    func optionalText(_ i: Int) throws -> String? { try self[i].decode(String?.self) }
}

/// Runs async work for synchronous callers on a thread of its own, so a
/// caller blocking a thread of Swift's shared pool cannot starve it.
enum BlockingExecutor {
    private static let executor = ThreadExecutor()

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }

    /// Runs the jobs given to it one after another on one thread.
    private final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
        private let condition = NSCondition()
        private var jobs: [UnownedJob] = []

        init() {
            let thread = Thread { [self] in loop() }
            thread.name = "redist-postgres"
            thread.start()
        }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            condition.lock()
            jobs.append(job)
            condition.signal()
            condition.unlock()
        }

        private func loop() {
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
    }
}
