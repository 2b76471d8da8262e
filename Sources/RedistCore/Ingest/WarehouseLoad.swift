import Foundation
import GRDB
import GRDBSQLite
import RedistIngest
import RedistModel

/// Loading one file into the warehouse while it is being read.
///
/// The reader runs on its own thread and hands records over in batches
/// through a small bounded queue; the calling thread writes them inside the
/// file's one transaction. So parsing and SQLite's work overlap on the two
/// cores, and memory holds a few batches, never the file.
extension Warehouse {
    /// What reading a file produced: its control totals and findings, or
    /// the failure that stopped it.
    public enum ReadOutcome {
        case read(RecordSink)
        case failed(FileFailure)
    }

    /// Reads a file with `read` (called on another thread, handing each
    /// record to `emit`) and stores its records, findings and control totals
    /// in one transaction, replacing what was loaded before from the same
    /// source and path. A file that fails part-way keeps nothing but its
    /// failure, as if it had never been read.
    public func load(source: Pipeline.Source, path: String, digest: FileDigest, configHash: String,
                     read: @escaping @Sendable (_ emit: @escaping (SourceRecord) -> Void,
                                                _ emitRow: @escaping (borrowing MovementRow) -> Void) throws -> RecordSink) throws -> ReadOutcome {
        if let postgres { return try postgres.load(source: source, path: path, digest: digest, configHash: configHash, read: read) }
        return try db.write { db -> ReadOutcome in
            // movement_row has no foreign key (checking one per row costs a
            // third of SQLite's insert time), so its rows go first, by hand.
            try db.execute(sql: """
                DELETE FROM movement_row WHERE file_id IN (SELECT id FROM source_file WHERE source = ? AND path = ?);
                DELETE FROM source_file WHERE source = ? AND path = ?
                """, arguments: [source.name, path, source.name, path])
            try db.execute(sql: """
                INSERT INTO source_file(source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                  rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped, failure)
                VALUES (?, ?, ?, ?, '', ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL)
                """, arguments: [source.name, source.role.rawValue, source.format, path, configHash])
            let fileId = db.lastInsertedRowID
            try db.execute(sql: "SAVEPOINT records")

            // Everything that can fail before the reader's thread starts is
            // made first: once started, it is always waited for.
            let occurrences = OccurrenceFilter()
            let order = StoredOrder()
            let dimensions = try Dimensions(db)
            let loader = try RecordLoader(db, fileId: fileId)
            let channel = Self.startReading(read, dimensions: dimensions, occurrences: occurrences, order: order)
            do {
                while let batch = channel.take() {
                    try loader.add(batch)
                }
                try loader.finish(occurrences)
            } catch {
                channel.cancel()
                _ = channel.waitForResult()
                throw error
            }
            let outcome: ReadOutcome
            switch channel.waitForResult() {
            case .success(let sink):
                try db.execute(sql: "RELEASE records")
                outcome = .read(sink)
            case .failure(let f as FileFailure):
                try db.execute(sql: "ROLLBACK TO records; RELEASE records")
                outcome = .failed(f)
            case .failure(let other):
                throw other
            }
            let sink: RecordSink? = { if case .read(let s) = outcome { return s } else { return nil } }()
            let failure: FileFailure? = { if case .failed(let f) = outcome { return f } else { return nil } }()
            // The file's hash, worked out meanwhile if it was not known.
            let hash = try digest.value()
            try db.execute(sql: "UPDATE source_file SET sha256 = ?, bytes = ? WHERE id = ?", arguments: [hash.hex, hash.bytes, fileId])
            try db.execute(sql: """
                UPDATE source_file SET rows_read = ?, rows_loaded = ?, rows_rejected = ?, rows_skipped = ?, amount_read = ?,
                  amount_loaded = ?, amount_rejected = ?, amount_skipped = ?, failure = ? WHERE id = ?
                """, arguments: [sink?.rowsRead ?? 0, sink?.rowsLoaded ?? 0, sink?.rowsRejected ?? 0, sink?.rowsSkipped ?? 0,
                                 sink?.amountRead ?? 0, sink?.amountLoaded ?? 0, sink?.amountRejected ?? 0,
                                 sink?.amountSkipped ?? 0, failure?.message, fileId])
            let stored = order.stored(sink != nil)
            try db.execute(sql: "UPDATE source_file SET in_date_order = ?, first_date = ?, last_date = ? WHERE id = ?",
                           arguments: [stored.inDateOrder, stored.first, stored.last, fileId])
            try storeFindings(db, fileId: fileId, path: path, sink: sink, failure: failure)
            return outcome
        }
    }

    func storeFindings(_ db: Database, fileId: Int64, path: String, sink: RecordSink?, failure: FileFailure?) throws {
        let insertFinding = try db.makeStatement(sql: """
            INSERT INTO finding(file_id, severity, line, col, path, check_name, message, amount, currency)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for d in Self.findingsToStore(path: path, sink: sink, failure: failure) {
            try insertFinding.execute(arguments: [
                fileId, d.severity.rawValue, d.location.line, d.location.column, d.location.path, d.check.rawValue, d.message,
                d.amount?.minorUnits, d.amount?.currency.code])
        }
    }
}

extension Warehouse {
    /// A file's findings as stored: the reader's, the failure that stopped
    /// it, and a count for each kind of finding past the listed ones.
    static func findingsToStore(path: String, sink: RecordSink?, failure: FileFailure?) -> [Diagnostic] {
        var findings = sink?.diagnostics ?? []
        if let failure { findings.append(Diagnostic(.error, failure.location, check: .file, failure.message)) }
        for (check, count) in (sink?.unkeptFindings ?? [:]).sorted(by: { $0.key < $1.key }) {
            findings.append(Diagnostic(.warning, SourceLocation(file: path, line: 0), check: check,
                                       "\(count) more findings of this kind are counted but not listed"))
        }
        return findings
    }

    /// Starts `read` on a thread of its own, handing its records over in
    /// batches through the returned channel, whichever engine stores them.
    static func startReading(_ read: @escaping @Sendable (_ emit: @escaping (SourceRecord) -> Void,
                                                        _ emitRow: @escaping (borrowing MovementRow) -> Void) throws -> RecordSink,
                             dimensions: Dimensions, occurrences: OccurrenceFilter, order: StoredOrder) -> BatchChannel {
        let channel = BatchChannel(capacity: 4)
        let producer = Thread {
            // Everything but the engine's own work happens here, on the
            // reader's core: identity hashes, dimension ids, and the
            // row's text laid out in one buffer the loader binds from.
            var batch = Batch()
            do {
                let sink = try read({ record in
                    if case .movement(let m) = record {
                        order.note(m.date, line: m.location.line)
                        batch.add(m, dimensions)
                    } else {
                        batch.others.append(record)
                    }
                    if batch.count == BatchChannel.batchSize {
                        occurrences.note(&batch)
                        channel.put(batch)
                        batch = Batch()
                    }
                }, { row in
                    order.note(row.date, line: row.line)
                    batch.add(row, dimensions)
                    if batch.count == BatchChannel.batchSize {
                        occurrences.note(&batch)
                        channel.put(batch)
                        batch = Batch()
                    }
                })
                occurrences.note(&batch)
                channel.put(batch)
                batch = Batch()  // the sink's closures keep this variable
                channel.finish(.success(sink))
            } catch {
                channel.finish(.failure(error))
            }
        }
        producer.stackSize = 4 << 20
        producer.start()
        return channel
    }
}

/// Records on their way to the loader. Movements are ready to bind: six
/// integers each (line, identity, amount, account, fund, counterparty ids)
/// and their text (date, currency, description, reference, native id, kind,
/// path) back to back in one buffer, so the loader makes no values at all.
struct Batch {
    static let integers = 6
    static let texts = 6
    var others: [SourceRecord] = []
    private(set) var rows = 0
    var integers: [Int64] = []
    var text: [UInt8] = []
    /// Per row, where each text after the 10-byte date ends.
    var ends: [Int32] = []
    var hasPath: [Bool] = []
    /// True while every row has the first row's currency, no kind and no
    /// path (a ledger's rows): those columns are then given once for the
    /// batch, not read per row.
    private(set) var uniform = true
    private(set) var currency: Currency? = nil
    var newAccounts: [(Int64, String, String)] = []
    var newFunds: [(Int64, String)] = []
    var newCounterparties: [(Int64, String, String)] = []
    /// Identities that may repeat, and rows (by index in the file) to number.
    var candidateIdentities: [Int64] = []
    var candidateRows: [Int] = []
    /// The rows converted from another currency (by index in the batch, in
    /// order) with what they were: few, so kept apart from the columns.
    var originals: [(row: Int, original: OriginalAmount)] = []

    init() {
        integers.reserveCapacity(BatchChannel.batchSize * Self.integers)
        ends.reserveCapacity(BatchChannel.batchSize * Self.texts)
        text.reserveCapacity(BatchChannel.batchSize * 96)
    }

    var count: Int { rows + others.count }

    mutating func add(_ m: Movement, _ dimensions: Dimensions) {
        integers.append(Int64(m.location.line))
        integers.append(Identity.key(of: m))
        integers.append(m.amount.minorUnits)
        integers.append(dimensions.account(m.account, m.accountName, &self))
        integers.append(dimensions.fund(m.fund, &self))
        integers.append(dimensions.counterparty(m.counterparty, m.counterpartyId, &self))
        let start = text.count
        text.append(contentsOf: repeatElement(0, count: 10))
        text.withUnsafeMutableBufferPointer { Identity.writeISO(m.date, into: $0.baseAddress! + start) }
        for field in [m.amount.currency.code, m.description, m.reference, m.nativeId, m.kind, m.location.path ?? ""] {
            text.append(contentsOf: field.utf8)
            ends.append(Int32(text.count))
        }
        hasPath.append(m.location.path != nil)
        if let original = m.original { originals.append((rows, original)) }
        if rows == 0 { currency = m.amount.currency }
        if uniform && (m.amount.currency != currency || !m.kind.isEmpty || m.location.path != nil) { uniform = false }
        rows += 1
    }

    /// The same for a row handed over as bytes: its text is copied from the
    /// reader's buffer, never made into values.
    mutating func add(_ m: borrowing MovementRow, _ dimensions: Dimensions) {
        integers.append(Int64(m.line))
        integers.append(Identity.key(of: m))
        integers.append(m.amount.minorUnits)
        integers.append(dimensions.account(m.account, m.accountName, &self))
        integers.append(dimensions.fund(m.fund, &self))
        integers.append(dimensions.counterparty(m.counterparty, m.counterpartyId, &self))
        var date: (UInt64, UInt16) = (0, 0)
        withUnsafeMutableBytes(of: &date) { Identity.writeISO(m.date, into: $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
        withUnsafeBytes(of: &date) { text.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<10])) }
        dimensions.currencyCode(m.amount.currency).withUnsafeBytes { text.append(contentsOf: $0) }
        ends.append(Int32(text.count))
        text.append(contentsOf: m.description); ends.append(Int32(text.count))
        text.append(contentsOf: m.reference); ends.append(Int32(text.count))
        text.append(contentsOf: m.nativeId); ends.append(Int32(text.count))
        ends.append(Int32(text.count))     // kind: none in a ledger row
        ends.append(Int32(text.count))     // path: none
        hasPath.append(false)
        if rows == 0 { currency = m.amount.currency }
        if uniform && m.amount.currency != currency { uniform = false }
        rows += 1
    }

    /// Row `r`'s text `k` (0 date, 1 currency, … 6 path) as bytes in `base`.
    @inline(__always)
    func span(_ r: Int, _ k: Int) -> (start: Int, count: Int) {
        let rowStart = r == 0 ? 0 : Int(ends[r * Self.texts - 1])
        if k == 0 { return (rowStart, 10) }
        let start = k == 1 ? rowStart + 10 : Int(ends[r * Self.texts + k - 2])
        return (start, Int(ends[r * Self.texts + k - 1]) - start)
    }
}

/// The warehouse's accounts, funds and counterparties by their bytes, read
/// once per file and then kept by the reader thread, which gives new ones
/// their id; the loader stores them ahead of the rows that use them. A
/// repeated value costs a hash look-up, and text is made only of new ones.
final class Dimensions: @unchecked Sendable {
    private let accounts = ByteInterner()
    private let funds = ByteInterner()
    private let counterparties = ByteInterner()
    /// Warehouse ids, by interned number.
    private var accountIds: [Int64] = []
    private var fundIds: [Int64] = []
    private var counterpartyIds: [Int64] = []
    private var next: (account: Int64, fund: Int64, counterparty: Int64) = (1, 1, 1)
    private var currency: (Currency, [UInt8])? = nil

    convenience init(_ db: Database) throws {
        self.init(accounts: try Row.fetchAll(db, sql: "SELECT id, code, name FROM account").map { ($0[0], $0[1], $0[2]) },
                  funds: try Row.fetchAll(db, sql: "SELECT id, code FROM fund").map { ($0[0], $0[1]) },
                  counterparties: try Row.fetchAll(db, sql: "SELECT id, name, org_id FROM counterparty").map { ($0[0], $0[1], $0[2]) })
    }

    /// The dimensions already stored: (id, code, name), (id, code), (id, name, org id).
    init(accounts: [(Int64, String, String)], funds: [(Int64, String)], counterparties: [(Int64, String, String)]) {
        for (id, code, name) in accounts {
            if self.accounts.intern(code, name).isNew { accountIds.append(id) }
        }
        for (id, code) in funds {
            if self.funds.intern(code).isNew { fundIds.append(id) }
        }
        for (id, name, orgId) in counterparties {
            if self.counterparties.intern(name, orgId).isNew { counterpartyIds.append(id) }
        }
        next = ((accountIds.max() ?? 0) + 1, (fundIds.max() ?? 0) + 1, (counterpartyIds.max() ?? 0) + 1)
    }

    /// The currency's code as bytes (rows of one file share one currency).
    @inline(__always)
    func currencyCode(_ c: Currency) -> [UInt8] {
        if let (known, bytes) = currency, known == c { return bytes }
        let bytes = Array(c.code.utf8)
        currency = (c, bytes)
        return bytes
    }

    func account(_ code: UnsafeRawBufferPointer, _ name: UnsafeRawBufferPointer, _ batch: inout Batch) -> Int64 {
        let (i, isNew) = accounts.intern(code, name)
        if !isNew { return accountIds[i] }
        let id = next.account
        next.account += 1
        accountIds.append(id)
        let (c, n) = accounts.pair(i)
        batch.newAccounts.append((id, c, n))
        return id
    }

    func fund(_ code: UnsafeRawBufferPointer, _ batch: inout Batch) -> Int64 {
        let (i, isNew) = funds.intern(code)
        if !isNew { return fundIds[i] }
        let id = next.fund
        next.fund += 1
        fundIds.append(id)
        batch.newFunds.append((id, funds.string(i)))
        return id
    }

    func counterparty(_ name: UnsafeRawBufferPointer, _ orgId: UnsafeRawBufferPointer, _ batch: inout Batch) -> Int64 {
        let (i, isNew) = counterparties.intern(name, orgId)
        if !isNew { return counterpartyIds[i] }
        let id = next.counterparty
        next.counterparty += 1
        counterpartyIds.append(id)
        let (n, o) = counterparties.pair(i)
        batch.newCounterparties.append((id, n, o))
        return id
    }

    func account(_ code: String, _ name: String, _ batch: inout Batch) -> Int64 {
        var c = code, n = name
        return c.withUTF8 { cb in n.withUTF8 { nb in account(UnsafeRawBufferPointer(cb), UnsafeRawBufferPointer(nb), &batch) } }
    }

    func fund(_ code: String, _ batch: inout Batch) -> Int64 {
        var c = code
        return c.withUTF8 { fund(UnsafeRawBufferPointer($0), &batch) }
    }

    func counterparty(_ name: String, _ orgId: String, _ batch: inout Batch) -> Int64 {
        var n = name, o = orgId
        return n.withUTF8 { nb in o.withUTF8 { ob in counterparty(UnsafeRawBufferPointer(nb), UnsafeRawBufferPointer(ob), &batch) } }
    }
}

/// A bounded queue of record batches from one reader thread to one loader.
final class BatchChannel: @unchecked Sendable {
    static let batchSize = 4096
    private let condition = NSCondition()
    private var batches: [Batch] = []
    private let capacity: Int
    private var done = false
    private var cancelled = false
    private var result: Result<RecordSink, Error>?

    init(capacity: Int) { self.capacity = capacity }

    /// Waits while the queue is full; drops the batch when the loader gave up.
    func put(_ batch: Batch) {
        guard batch.count > 0 else { return }
        condition.lock()
        while batches.count >= capacity && !cancelled { condition.wait() }
        if !cancelled { batches.append(batch) }
        condition.broadcast()
        condition.unlock()
    }

    func finish(_ outcome: Result<RecordSink, Error>) {
        condition.lock()
        result = outcome
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil when the reader has finished and all are taken.
    func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !done { condition.wait() }
        if batches.isEmpty { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// The reader's outcome, once it is done; asked for once. It is handed
    /// over, not kept: the sink's closures refer back to this channel.
    func waitForResult() -> Result<RecordSink, Error> {
        condition.lock()
        defer { condition.unlock() }
        while !done { condition.wait() }
        guard let outcome = result else { preconditionFailure("the reader's outcome was asked for twice") }
        result = nil
        return outcome
    }
}

/// Writes one file's records with SQLite's C API: movements a batch to one
/// `INSERT … SELECT` from the batch (`BatchTable`); new accounts, funds
/// and counterparties ahead of them; and each movement's occurrence (its
/// number among identical rows of the file) worked out without remembering
/// every row.
final class RecordLoader {
    private let db: Database
    private let connection: OpaquePointer
    private let fileId: Int64
    private var insertStatement: OpaquePointer?
    /// For uniform batches: currency bound once, no kind, no path.
    private var uniformStatement: OpaquePointer?
    private var batchTable: BatchTable?
    private var candidateStatement: OpaquePointer?
    private var candidateRowStatement: OpaquePointer?
    private var candidates: Int = 0
    private var grantStatement: Statement?
    private var memberStatement: Statement?
    private var balanceStatement: Statement?

    init(_ db: Database, fileId: Int64) throws {
        self.db = db
        self.connection = db.sqliteConnection!
        self.fileId = fileId
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS occurrence_candidate(identity INTEGER PRIMARY KEY); DELETE FROM occurrence_candidate;
            CREATE TEMP TABLE IF NOT EXISTS occurrence_row(row INTEGER PRIMARY KEY); DELETE FROM occurrence_row
            """)
    }

    deinit {
        sqlite3_finalize(insertStatement)
        sqlite3_finalize(uniformStatement)
        batchTable = nil    // after the statement that reads it
        sqlite3_finalize(candidateStatement)
        sqlite3_finalize(candidateRowStatement)
    }

    func add(_ batch: Batch) throws {
        for (id, code, name) in batch.newAccounts {
            try db.execute(sql: "INSERT INTO account(id, code, name) VALUES (?, ?, ?)", arguments: [id, code, name])
        }
        for (id, code) in batch.newFunds {
            try db.execute(sql: "INSERT INTO fund(id, code) VALUES (?, ?)", arguments: [id, code])
        }
        for (id, name, orgId) in batch.newCounterparties {
            try db.execute(sql: "INSERT INTO counterparty(id, name, org_id) VALUES (?, ?, ?)", arguments: [id, name, orgId])
        }
        for record in batch.others { try add(record) }
        guard batch.rows > 0 else { return }
        for identity in batch.candidateIdentities { try candidate(identity) }
        for row in batch.candidateRows { try candidateRow(row) }
        if insertStatement == nil {
            batchTable = try BatchTable(connection)
            insertStatement = try prepare("""
                INSERT INTO movement_row(file_id, \(BatchTable.columns)) SELECT ?1, \(BatchTable.columns) FROM \(BatchTable.name)
                """)
            sqlite3_bind_int64(insertStatement, 1, fileId)
            uniformStatement = try prepare("""
                INSERT INTO movement_row(file_id, \(BatchTable.columns))
                SELECT ?1, line, identity, date, amount, ?2, account_id, fund_id, counterparty_id, description, reference,
                  native_id, '', NULL FROM \(BatchTable.name)
                """)
            sqlite3_bind_int64(uniformStatement, 1, fileId)
        }
        let table = batchTable!
        let statement: OpaquePointer?
        if batch.uniform, let currency = batch.currency {
            statement = uniformStatement
            sqlite3_bind_text(statement, 2, currency.code, -1, Self.transient)
        } else {
            statement = insertStatement
        }
        let rc = batch.integers.withUnsafeBufferPointer { integers in
            batch.text.withUnsafeBufferPointer { text in
                batch.ends.withUnsafeBufferPointer { ends in
                    batch.hasPath.withUnsafeBufferPointer { hasPath in
                        // The table shows this batch for this one step.
                        table.source.pointee = BatchTable.Source(integers: integers.baseAddress, text: text.baseAddress,
                                                                 ends: ends.baseAddress, hasPath: hasPath.baseAddress,
                                                                 rows: batch.rows)
                        defer { table.source.pointee = BatchTable.Source() }
                        let rc = sqlite3_step(statement)
                        sqlite3_reset(statement)
                        return rc
                    }
                }
            }
        }
        guard rc == SQLITE_DONE else { throw failure(rc) }
        if !batch.originals.isEmpty {
            // Rows of one INSERT … SELECT get consecutive ids: row k has id first + k.
            let first = sqlite3_last_insert_rowid(connection) - Int64(batch.rows) + 1
            for (row, original) in batch.originals { try store(original, id: first + Int64(row)) }
        }
    }

    private var originalStatement: Statement?

    /// What a converted movement was, beside its row.
    private func store(_ o: OriginalAmount, id: Int64) throws {
        if originalStatement == nil {
            originalStatement = try db.makeStatement(sql: """
                UPDATE movement_row SET original_amount = ?, original_currency = ?, rate = ?, rate_date = ?, rate_source = ?
                WHERE id = ?
                """)
        }
        try originalStatement!.execute(arguments: [o.amount.minorUnits, o.amount.currency.code, o.rate.description,
                                                   o.rateDate.description, o.rateSource, id])
    }

    private func candidate(_ identity: Int64) throws {
        if candidateStatement == nil {
            candidateStatement = try prepare("INSERT OR IGNORE INTO occurrence_candidate(identity) VALUES (?)")
        }
        sqlite3_bind_int64(candidateStatement, 1, identity)
        let rc = sqlite3_step(candidateStatement)
        sqlite3_reset(candidateStatement)
        guard rc == SQLITE_DONE else { throw failure(rc) }
        candidates += 1
    }

    /// A row (by its index in the file) that shares its identity's
    /// fingerprint with another: only these are numbered, while the filter
    /// still knows every row.
    private func candidateRow(_ row: Int) throws {
        if candidateRowStatement == nil {
            candidateRowStatement = try prepare("INSERT OR IGNORE INTO occurrence_row(row) VALUES (?)")
        }
        sqlite3_bind_int64(candidateRowStatement, 1, Int64(row))
        let rc = sqlite3_step(candidateRowStatement)
        sqlite3_reset(candidateRowStatement)
        guard rc == SQLITE_DONE else { throw failure(rc) }
    }

    /// Grants, member register entries and statement balances: few per file.
    func add(_ record: SourceRecord) throws {
        switch record {
        case .movement:
            preconditionFailure("movements arrive in a Batch")
        case .grant(let g):
            if grantStatement == nil {
                grantStatement = try db.makeStatement(sql: """
                    INSERT INTO grant_award(file_id, line, identifier, title, description, amount_awarded, amount_disbursed, currency,
                      award_date, payment_date, recipient_id, recipient_name, funder_id, funder_name, programme, fund, beneficiary_location,
                      planned_start, planned_end, duration_months, other_identifiers, summarises_movements)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            try grantStatement!.execute(arguments: [
                fileId, g.location.line, g.identifier, g.title, g.description, g.amountAwarded.minorUnits,
                g.amountDisbursed?.minorUnits, g.amountAwarded.currency.code, g.awardDate.description,
                g.paymentDate?.description, g.recipientId, g.recipientName, g.funderId, g.funderName, g.programme,
                g.fund, g.beneficiaryLocation, g.plannedStart?.description, g.plannedEnd?.description, g.durationMonths,
                g.otherIdentifiers.joined(separator: ";"), g.summarisesMovements])
        case .member(let m):
            if memberStatement == nil {
                memberStatement = try db.makeStatement(sql: """
                    INSERT INTO member(file_id, line, member_id, name, kind, region, characteristics, consent, consent_date,
                                       consent_scope, consent_expires)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            try memberStatement!.execute(arguments: [
                fileId, m.location.line, m.id, m.name, m.kind.rawValue, m.region,
                m.characteristics.joined(separator: ";"), m.consentToBeNamed, m.consentDate?.description,
                m.consentScope.text, m.consentExpires?.description])
        case .balance(let b):
            if balanceStatement == nil {
                balanceStatement = try db.makeStatement(sql: """
                    INSERT INTO balance(file_id, line, kind, date, amount, currency, account, statement_id, path)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            try balanceStatement!.execute(arguments: [
                fileId, b.location.line, b.kind.rawValue, b.date.description, b.amount.minorUnits, b.amount.currency.code,
                b.account, b.statementId, b.location.path])
        }
    }

    /// Numbers identical rows of the file, once every row is in; `exact`
    /// when the filter named every row that may repeat.
    func finish(_ occurrences: OccurrenceFilter) throws {
        guard candidates > 0 else { return }
        defer { _ = try? db.execute(sql: "DELETE FROM occurrence_candidate; DELETE FROM occurrence_row") }
        var exact = occurrences.isExact
        if !exact {
            // Past the table's size: the rows with a flagged identity are found
            // in the file's identities, which the filter wrote out in order.
            let flagged = Set(try Int64.fetchAll(db, sql: "SELECT identity FROM occurrence_candidate"))
            if let rows = occurrences.rows(withIdentityIn: flagged) {
                for row in rows { try candidateRow(row) }
                exact = true
            }
        }
        if exact {
            // The filter knew each row: number just the rows it named. Rows
            // of a file are inserted in order, so row k has id first + k.
            try db.execute(sql: """
                UPDATE movement_row SET occurrence = o.n
                FROM (SELECT id, row_number() OVER (PARTITION BY identity, native_id ORDER BY id) AS n
                      FROM movement_row WHERE id IN (SELECT (SELECT min(id) FROM movement_row WHERE file_id = ?1) + row
                                                     FROM occurrence_row)) AS o
                WHERE movement_row.id = o.id AND o.n > 1
                """, arguments: [fileId])
            return
        }
        // (Without the identities written out.) Only identities the filter saw
        // twice can repeat; number their rows 1, 2, … in file order.
        // Everything else keeps occurrence 1.
        try db.execute(sql: """
            UPDATE movement_row SET occurrence = o.n
            FROM (SELECT id, row_number() OVER (PARTITION BY identity, native_id ORDER BY id) AS n
                  FROM movement_row WHERE file_id = ?1 AND identity IN (SELECT identity FROM occurrence_candidate)) AS o
            WHERE movement_row.id = o.id AND o.n > 1
            """, arguments: [fileId])
    }

    private func failure(_ rc: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)))
    }

    /// SQLite copies the text.
    nonisolated(unsafe) private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func prepare(_ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(rc) }
        return statement
    }
}

/// Whether a file's movements, in the order they are read (which is the
/// order they are stored in, so of their ids), are in the ledger's order
/// within the file: by date, then line. `sql/classify.sql` then takes the
/// run's stored rows as they are instead of sorting them. Noted on the
/// reader's thread, one comparison a row.
final class StoredOrder: @unchecked Sendable {
    private var inDateOrder = true
    private var first: Day? = nil
    private var last: Day? = nil
    private var lastLine = 0

    func note(_ date: Day, line: Int) {
        if let last, (date.ordinal, line) < (last.ordinal, lastLine) { inDateOrder = false }
        if first == nil { first = date }
        last = date
        lastLine = line
    }

    /// What `source_file` keeps: 1 when the file's movements were read in
    /// ledger order (0 for a file that failed or has none), with its first
    /// and last movement's dates.
    func stored(_ read: Bool) -> (inDateOrder: Int64, first: String?, last: String?) {
        guard read, let first, let last else { return (0, nil, nil) }
        return (inDateOrder ? 1 : 0, first.description, last.description)
    }
}

/// Finds, on the reader's thread, the rows of a file that may repeat
/// another (its table is 16 MiB of random accesses: a cache miss a row),
/// and hands them to the loader with their batch.
final class OccurrenceFilter: @unchecked Sendable {
    private var seen = IdentityFilter()
    /// Movement rows of the file so far.
    private var rows = 0
    private(set) var isExact = true
    /// Every row's identity in file order (8 bytes a row, a temporary file,
    /// not memory), read back only when the table became the bitmap.
    private let spill: UnsafeMutablePointer<FILE>? = tmpfile()
    private var spillFailed = false
    private var identities: [Int64] = []

    deinit {
        seen.free()
        if let spill { fclose(spill) }
    }

    /// The rows (by index in the file, in order) whose identity is in `flagged`;
    /// nil when the identities could not be written out.
    func rows(withIdentityIn flagged: Set<Int64>) -> [Int]? {
        guard let spill, !spillFailed, fflush(spill) == 0 else { return nil }
        rewind(spill)
        var out: [Int] = []
        var row = 0
        var buffer = [Int64](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { fread($0.baseAddress, 8, $0.count, spill) }
            if n == 0 { break }
            for i in 0..<n where flagged.contains(buffer[i]) { out.append(row + i) }
            row += n
        }
        return row == rows ? out : nil
    }

    /// Notes the batch's movements, all at once: a tight loop lets the
    /// processor wait for several of the table's cache misses together.
    func note(_ batch: inout Batch) {
        var seen = self.seen
        var rows = self.rows
        defer { self.seen = seen; self.rows = rows; isExact = seen.isExact }
        for r in 0..<batch.rows {
            let identity = batch.integers[r * Batch.integers + 1]
            switch seen.insert(identity, row: rows) {
            case .new: break
            case .repeats(let first):
                batch.candidateIdentities.append(identity)
                batch.candidateRows.append(first)
                batch.candidateRows.append(rows)
            case .mayRepeat:
                batch.candidateIdentities.append(identity)
            }
            rows += 1
        }
        guard let spill, !spillFailed else { return }
        identities.removeAll(keepingCapacity: true)
        for r in 0..<batch.rows { identities.append(batch.integers[r * Batch.integers + 1]) }
        let written = identities.withUnsafeBufferPointer { fwrite($0.baseAddress, 8, $0.count, spill) }
        if written != identities.count { spillFailed = true }
    }
}

/// The identity keys seen in the file being loaded, in a fixed 16 MiB, so
/// memory does not grow with the file.
///
/// Up to 1.5M rows it is a hash table of (32-bit fingerprint, row index):
/// a key whose fingerprint is new is certainly new, and a repeat names the
/// row it may repeat, so only those rows need numbering. Past that it turns,
/// in place, into a bitmap of the same fingerprints: a key not in it is
/// certainly new, one in it may repeat, and the numbering then looks at the
/// file's rows with those keys. A false alarm only costs a candidate that
/// the numbering finds to be unique.
struct IdentityFilter {
    static let slotBits = 21                  // 2^21 eight-byte slots = 16 MiB = 2^27 bits
    static let slots = 1 << slotBits
    static let maxEntries = slots / 4 * 3
    private var words: UnsafeMutablePointer<UInt64>
    private var entries = 0
    /// Whether it is still the table (every row known), not the bitmap.
    private(set) var isExact = true

    enum Seen: Equatable {
        case new
        /// The fingerprint was seen first at that row.
        case repeats(firstRow: Int)
        /// The bitmap's bit was already set.
        case mayRepeat
    }

    init() {
        // Pages are touched only as keys land on them.
        words = UnsafeMutablePointer<UInt64>(OpaquePointer(calloc(Self.slots, 8)!))
    }

    @inline(__always)
    private static func mix(_ key: Int64) -> UInt64 { UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15 }

    /// Notes `key`, the identity of row `row` of the file.
    mutating func insert(_ key: Int64, row: Int) -> Seen {
        let h = Self.mix(key)
        if isExact {
            let fingerprint = h >> 32
            var slot = Int(h >> UInt64(64 - Self.slotBits))
            while true {
                let entry = words[slot]
                if entry == 0 { break }
                if entry >> 32 == fingerprint { return .repeats(firstRow: Int(entry & 0xFFFF_FFFF) - 1) }
                slot = (slot + 1) & (Self.slots - 1)
            }
            if entries < Self.maxEntries {
                words[slot] = fingerprint << 32 | UInt64(row + 1)
                entries += 1
                return .new
            }
            becomeBitmap()
        }
        let bit = Int(h >> UInt64(64 - Self.slotBits - 6))
        let mask = UInt64(1) << UInt64(bit & 63)
        let seen = words[bit >> 6] & mask != 0
        words[bit >> 6] |= mask
        return seen ? .mayRepeat : .new
    }

    /// Turns the table into the bitmap of its fingerprints, in place. An
    /// entry's bit lies in the word of its home slot, which is at or before
    /// the slot holding it, except for entries that wrapped past the end:
    /// those are set aside first. Walking up the table, each word is read,
    /// cleared, and its entry's bit set at or below it.
    mutating func becomeBitmap() {
        isExact = false
        func home(_ entry: UInt64) -> Int { Int(entry >> (64 - UInt64(Self.slotBits))) }
        func bit(_ entry: UInt64) -> Int { Int(entry >> (64 - UInt64(Self.slotBits) - 6)) }
        var wrapped: [UInt64] = []
        var s = 0
        while s < Self.slots && words[s] != 0 {
            if home(words[s]) > s { wrapped.append(words[s]); words[s] = 0 }
            s += 1
        }
        for s in 0..<Self.slots {
            let entry = words[s]
            if entry == 0 { continue }
            words[s] = 0
            let b = bit(entry)
            words[b >> 6] |= UInt64(1) << UInt64(b & 63)
        }
        for entry in wrapped {
            let b = bit(entry)
            words[b >> 6] |= UInt64(1) << UInt64(b & 63)
        }
    }

    func free() { Foundation.free(words) }
}

extension Warehouse {
    /// Days since 1970 of a stored `yyyy-mm-dd`.
    /// The day number of a stored `yyyy-mm-dd`; nil for anything else (damage).
    static func ordinal(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Int? {
        guard let p, n == 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-") else { return nil }
        var digits = true
        func num(_ a: Int, _ b: Int) -> Int {
            var v = 0
            for i in a..<b { let d = p[i] &- 48; if d > 9 { digits = false }; v = v * 10 + Int(d) }
            return v
        }
        let (y, m, d) = (num(0, 4), num(5, 7), num(8, 10))
        guard digits else { return nil }
        return Day(year: y, month: m, day: d)?.ordinal
    }
}
