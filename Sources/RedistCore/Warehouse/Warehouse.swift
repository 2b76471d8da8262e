import Foundation
import GRDB
import RedistIngest
import RedistModel

/// The normalised model in one SQLite file: every record with the file, the
/// file's SHA-256 and the line it came from, the findings, and each file's
/// control totals. Staff can open it with any SQLite tool.
///
/// The same warehouse can live on a PostgreSQL server instead (`path` a
/// `postgresql://` URL): the same tables, loaded and read back by
/// `PostgresWarehouse`, giving the same reports byte for byte.
public final class Warehouse {
    /// The SQLite file, or the PostgreSQL URL (which never holds a password).
    public let path: String
    /// True when this process made the SQLite file (it did not exist when
    /// opened): a file written only by this run needs no check for damage
    /// left by an earlier one.
    public let isNew: Bool
    private let sqlite: DatabaseQueue?
    /// Set when the warehouse is on a PostgreSQL server.
    let postgres: PostgresWarehouse?
    /// The SQLite database (only used when `postgres` is nil).
    var db: DatabaseQueue { sqlite! }

    /// The newest migration's number (`WarehouseSchema`).
    public static let schemaVersion = WarehouseSchema.version

    /// Opens the warehouse `location` names: a `postgresql://` URL (the
    /// password read from `passwordVariable`, PGPASSWORD by default, in
    /// `environment`) or a SQLite file.
    public static func open(_ location: String, passwordVariable: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Warehouse {
        guard PostgresLocation.isURL(location) else { return try Warehouse(path: location) }
        return try Warehouse(postgres: PostgresLocation(url: location, passwordVariable: passwordVariable), environment: environment)
    }

    /// A warehouse on a PostgreSQL server.
    public init(postgres location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        path = location.description
        isNew = false
        postgres = try PostgresWarehouse(location, environment: environment)
        sqlite = nil
    }

    /// Opens (or makes) the warehouse. A file SQLite cannot read as a
    /// database throws `WarehouseError.damaged`; one from a newer schema
    /// throws `WarehouseError.newerSchema`.
    public init(path: String) throws {
        self.path = path
        isNew = !FileManager.default.fileExists(atPath: path)
        postgres = nil
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        do {
            sqlite = try DatabaseQueue(path: path, configuration: Self.configuration(readOnly: false))
            try migrate()
        } catch let e as DatabaseError where Self.isDamage(e) {
            throw WarehouseError.damaged(path: path, reason: e.message ?? "\(e)")
        }
    }

    /// A second, read-only connection to the SQLite file `writer` opened,
    /// for reading beside the writer: the ledger's rows on several threads
    /// at once (`LedgerQueries`), the day totals while the writer fills the
    /// reach tables (`MeasureSQL`), the control totals while the ledger is
    /// classified (`Dataset.load`).
    init(readingFrom writer: Warehouse) throws {
        precondition(writer.postgres == nil, "a PostgreSQL warehouse is read through its own connection")
        path = writer.path
        isNew = false
        postgres = nil
        sqlite = try DatabaseQueue(path: path, configuration: Self.configuration(readOnly: true))
    }

    /// From here on, readers read while the writer commits. The stages after
    /// the ingest read on several connections at once (`init(readingFrom:)`)
    /// and write as they go (the periods' reach, the run stamp); with
    /// SQLite's rollback journal a commit waits for every reader to finish
    /// its query, and a new reader for the commit. A write-ahead log lets
    /// each go on. `keepAsOneFile` ends it.
    public func readBesideWriter() throws {
        guard postgres == nil else { return }
        try db.writeWithoutTransaction { db in _ = try Self.journal("wal", db) }
    }

    /// The warehouse back to one file (the write-ahead log folded in and
    /// removed), so staff can copy or open it alone. Every reading
    /// connection must be closed first (`Dataset.closeReaders`); if
    /// another program has it open, it stays as it is, which SQLite reads
    /// just the same, and the next run folds it in.
    public func keepAsOneFile() {
        guard postgres == nil else { return }
        _ = try? db.writeWithoutTransaction { db in try Self.journal("delete", db) }
    }

    /// How long a connection waits for another's lock, in seconds.
    private static let lockWait: TimeInterval = 120

    /// Sets the journal mode without waiting for a lock: true when it took.
    private static func journal(_ mode: String, _ db: Database) throws -> Bool {
        try db.execute(sql: "PRAGMA busy_timeout = 0")
        defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(lockWait * 1000))") }
        return (try? String.fetchOne(db, sql: "PRAGMA journal_mode = \(mode)")) == mode
    }

    /// How every connection to a SQLite warehouse is set up.
    private static func configuration(readOnly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readOnly
        // A connection that finds the file locked by another of this run's
        // (a reader while the writer commits, the writer while a report is
        // read) waits for it; a run is the file's only user (`RunLock`).
        config.busyMode = .timeout(Self.lockWait)
        let traceMilliseconds = ProcessInfo.processInfo.environment["REDIST_SQL_TRACE"].flatMap { Double($0) }
        config.prepareDatabase { db in
            // With `REDIST_SQL_TRACE=MS`: every statement that takes at
            // least MS milliseconds, with its time, on stderr (a diagnostic
            // for a slow run; outputs are unchanged).
            if let limit = traceMilliseconds {
                db.trace(options: .profile) { event in
                    guard case let .profile(statement, duration) = event, duration * 1000 >= limit else { return }
                    let text = statement.sql.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                        .joined(separator: " ")
                    FileHandle.standardError.write(Data(String(format: "sql %8.1f ms  %@\n", duration * 1000, String(text.prefix(160))).utf8))
                }
            }
            // A batch job that can always be re-run from its inputs:
            // - synchronous = NORMAL: durable at commit is enough (one commit per file);
            // - the rollback journal while files are loaded: a load appends
            //   new pages, which need no journal entry, where a write-ahead
            //   log would write every page twice (the stages after it read
            //   beside the writer: `readBesideWriter`);
            // - cache_size 8 MiB: holds the right edge of every B-tree a load
            //   appends to, and bounds memory whatever the warehouse's size
            //   (16 MiB loaded no faster);
            // - temp_store = FILE: the occurrence numbering's scratch tables
            //   go to disk, not memory;
            // - foreign keys keep deletes whole;
            // - page_size 16 KiB (a new warehouse only): a quarter of the page
            //   splits, cell moves and writes of 4 KiB pages on a bulk load
            //   (INSERT … SELECT of 1M rows: about a fifth less CPU);
            // - a reading connection streams rows in order: 2 MiB of cache is
            //   enough, and each thread reading at once has one;
            // - threads = 2: the writer's large sorts (the ledger in date
            //   order) sort their pieces on a second core while rows are
            //   still read (1M-row ledger insert: 2.5 s -> 2.3 s).
            try db.execute(sql: readOnly ? "PRAGMA cache_size = -2048; PRAGMA temp_store = FILE;" : """
                PRAGMA page_size = 16384;
                PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8192; PRAGMA temp_store = FILE;
                PRAGMA threads = 2;
                """)
            // A run that stopped before `keepAsOneFile` left the file in
            // write-ahead mode: it goes back (when no other program has it
            // open; else it is read and loaded as it is).
            if !readOnly, try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal" { _ = try Self.journal("delete", db) }
        }
        return config
    }

    /// Takes the warehouse for one run. A SQLite file is locked by its lock
    /// file (`RunLock`) before it is opened; a PostgreSQL warehouse on its
    /// server, here, until this connection closes.
    public func lockForRun() throws {
        if let postgres, try !postgres.lockForRun() { throw WarehouseError.busy(path: path) }
    }

    /// SQLite's verdict on a file that is not, or no longer, a whole database.
    static func isDamage(_ e: DatabaseError) -> Bool {
        [.SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT].contains(e.resultCode)
    }

    /// What is wrong, when `error` says the warehouse is damaged; else nil.
    public static func damageReason(_ error: Error) -> String? {
        if case WarehouseError.damaged(_, let reason) = error { return reason }
        if let e = error as? DatabaseError, isDamage(e) { return e.message ?? "\(e)" }
        return nil
    }

    /// `PRAGMA quick_check`: nil when the file is whole, else SQLite's first
    /// complaints. It reads every page (about a second per gigabyte), so it
    /// runs before the figures are read back, not on a replayed run.
    public func damage() -> String? {
        // A PostgreSQL server keeps its own pages whole.
        guard postgres == nil else { return nil }
        do {
            let lines = try db.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
            return lines == ["ok"] ? nil : lines.joined(separator: "; ")
        } catch {
            return (error as? DatabaseError)?.message ?? "\(error)"
        }
    }

    func migrate() throws {
        try db.write { db in
            // A warehouse from before the numbered migrations is rebuilt from
            // the inputs: it holds nothing that the source files do not.
            if try db.tableExists("meta"),
               let version = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'"),
               version != String(Self.schemaVersion) {
                // From schema 3 on, the migrator takes it forward.
                if let found = Int(version), found >= 3, found < Self.schemaVersion { return }
                // A newer redist's warehouse is not ours to drop: its figures
                // may hold what this version cannot read.
                if let found = Int(version), found > Self.schemaVersion {
                    throw WarehouseError.newerSchema(path: path, found: found, supported: Self.schemaVersion)
                }
                // `movement` was a table before schema 2 and is a view since.
                for (type, name) in try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')")
                    .map({ ($0[0] as String, $0[1] as String) }) where name != "meta" && !name.hasPrefix("sqlite_") {
                    try db.execute(sql: "DROP \(type == "view" ? "VIEW" : "TABLE") IF EXISTS \(name)")
                }
            }
        }
        // The tables, as numbered migrations (the same ones PostgreSQL gets).
        var migrator = DatabaseMigrator()
        for m in WarehouseSchema.migrations {
            migrator.registerMigration(m.identifier) { db in
                for statement in m.statements { try db.execute(sql: SQLDialect.sqlite.render(statement)) }
            }
        }
        try migrator.migrate(db)
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", arguments: [String(Self.schemaVersion)])
        }
    }

    /// A loaded file as the warehouse knows it.
    public struct LoadedFile: Sendable, Hashable {
        public var id: Int64
        public var source: String
        public var role: String
        public var format: String
        public var path: String
        public var sha256: String
        public var configHash: String
        public var bytes: Int64
        public var rowsRead: Int, rowsLoaded: Int, rowsRejected: Int, rowsSkipped: Int
        public var amountRead: Int64, amountLoaded: Int64, amountRejected: Int64, amountSkipped: Int64
        public var failure: String?
    }

    public func files() throws -> [LoadedFile] {
        if let postgres { return try postgres.files() }
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM source_file ORDER BY source, path").map { r in
                LoadedFile(id: try r.decode(forColumn: "id"), source: try r.decode(forColumn: "source"), role: try r.decode(forColumn: "role"),
                           format: try r.decode(forColumn: "format"), path: try r.decode(forColumn: "path"),
                           sha256: try r.decode(forColumn: "sha256"), configHash: try r.decode(forColumn: "config_hash"),
                           bytes: try r.decode(forColumn: "bytes"),
                           rowsRead: try r.decode(forColumn: "rows_read"), rowsLoaded: try r.decode(forColumn: "rows_loaded"),
                           rowsRejected: try r.decode(forColumn: "rows_rejected"), rowsSkipped: try r.decode(forColumn: "rows_skipped"),
                           amountRead: try r.decode(forColumn: "amount_read"), amountLoaded: try r.decode(forColumn: "amount_loaded"),
                           amountRejected: try r.decode(forColumn: "amount_rejected"), amountSkipped: try r.decode(forColumn: "amount_skipped"),
                           failure: try r.decode(forColumn: "failure"))
            }
        }
    }

    /// Removes files (and everything read from them).
    public func remove(fileIds: [Int64]) throws {
        guard !fileIds.isEmpty else { return }
        if let postgres { return try postgres.remove(fileIds: fileIds) }
        try db.write { db in
            for id in fileIds {
                try db.execute(sql: "DELETE FROM movement_row WHERE file_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM source_file WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Frees SQLite's caches (after a large load).
    public func releaseMemory() {
        sqlite?.releaseMemory()
    }

    /// A value kept in the `meta` table (the run stamp, the schema version).
    public func meta(_ key: String) throws -> String? {
        if let postgres { return try postgres.meta(key) }
        return try db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func setMeta(_ key: String, _ value: String) throws {
        if let postgres { return try postgres.setMeta(key, value) }
        try db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    // MARK: Reading back

    /// A stored date, which the loader wrote as `yyyy-mm-dd`: anything else
    /// is damage, reported, never a trap.
    static func day(_ text: String, _ table: String) throws -> Day {
        guard let d = Day(iso: text) else {
            throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "\(table) holds \"\(text)\" where a date was stored")
        }
        return d
    }

    public func grants(files: [LoadedFile]) throws -> [StoredGrant] {
        if let postgres { return try postgres.grants(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM grant_award ORDER BY file_id, id").compactMap { r in
                let fileId: Int64 = (try r.decode(forColumn: "file_id"))
                guard let file = byId[fileId] else { return nil }
                let currency = Currency(code: (try r.decode(String.self, forColumn: "currency"))) ?? .gbp
                let disbursed: Int64? = (try r.decode(forColumn: "amount_disbursed"))
                let paymentText: String? = (try r.decode(forColumn: "payment_date"))
                let startText: String? = (try r.decode(forColumn: "planned_start"))
                let endText: String? = (try r.decode(forColumn: "planned_end"))
                let months: Int64? = (try r.decode(forColumn: "duration_months"))
                let others: String = (try r.decode(forColumn: "other_identifiers"))
                let summarises: Int64 = (try r.decode(forColumn: "summarises_movements"))
                let g = GrantRecord(identifier: (try r.decode(forColumn: "identifier")), title: (try r.decode(forColumn: "title")), description: (try r.decode(forColumn: "description")),
                                    amountAwarded: Money(minorUnits: (try r.decode(forColumn: "amount_awarded")), currency: currency),
                                    amountDisbursed: disbursed.map { Money(minorUnits: $0, currency: currency) },
                                    awardDate: try Self.day(try r.decode(String.self, forColumn: "award_date"), "grant_award"), paymentDate: paymentText.flatMap { Day(iso: $0) },
                                    recipientId: (try r.decode(forColumn: "recipient_id")), recipientName: (try r.decode(forColumn: "recipient_name")), funderId: (try r.decode(forColumn: "funder_id")),
                                    funderName: (try r.decode(forColumn: "funder_name")), programme: (try r.decode(forColumn: "programme")), fund: (try r.decode(forColumn: "fund")),
                                    beneficiaryLocation: (try r.decode(forColumn: "beneficiary_location")),
                                    plannedStart: startText.flatMap { Day(iso: $0) }, plannedEnd: endText.flatMap { Day(iso: $0) },
                                    durationMonths: months.map { Int($0) },
                                    otherIdentifiers: others.split(separator: ";").map(String.init), summarisesMovements: summarises != 0,
                                    location: SourceLocation(file: file.path, line: (try r.decode(forColumn: "line"))))
                return StoredGrant(grant: g, source: file.source, role: file.role)
            }
        }
    }

    public func members(files: [LoadedFile]) throws -> [MemberRecord] {
        if let postgres { return try postgres.members(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM member ORDER BY file_id, id").compactMap { r in
                let fileId: Int64 = (try r.decode(forColumn: "file_id"))
                guard let file = byId[fileId] else { return nil }
                let chars: String = (try r.decode(forColumn: "characteristics"))
                let consentDate: String? = (try r.decode(forColumn: "consent_date"))
                let scope: String = (try r.decode(forColumn: "consent_scope"))
                let expires: String? = (try r.decode(forColumn: "consent_expires"))
                return MemberRecord(id: (try r.decode(forColumn: "member_id")), name: (try r.decode(forColumn: "name")), kind: OrganisationRole(rawValue: try r.decode(String.self, forColumn: "kind")) ?? .memberGroup,
                                    region: (try r.decode(forColumn: "region")), characteristics: chars.split(separator: ";").map(String.init),
                                    consentToBeNamed: (try r.decode(forColumn: "consent")), consentDate: consentDate.flatMap { Day(iso: $0) },
                                    consentScope: ConsentScope(stored: scope), consentExpires: expires.flatMap { Day(iso: $0) },
                                    location: SourceLocation(file: file.path, line: (try r.decode(forColumn: "line"))))
            }
        }
    }

    public func balances(files: [LoadedFile]) throws -> [(StatementBalance, String)] {
        if let postgres { return try postgres.balances(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM balance ORDER BY file_id, id").compactMap { r in
                let fileId: Int64 = (try r.decode(forColumn: "file_id"))
                guard let file = byId[fileId] else { return nil }
                let b = StatementBalance(kind: StatementBalance.Kind(rawValue: try r.decode(String.self, forColumn: "kind")) ?? .opening, date: try Self.day(try r.decode(String.self, forColumn: "date"), "balance"),
                                         amount: Money(minorUnits: (try r.decode(forColumn: "amount")), currency: Currency(code: (try r.decode(String.self, forColumn: "currency"))) ?? .gbp),
                                         account: (try r.decode(forColumn: "account")), statementId: (try r.decode(forColumn: "statement_id")),
                                         location: SourceLocation(file: file.path, line: (try r.decode(forColumn: "line")), path: (try r.decode(forColumn: "path"))))
                return (b, file.source)
            }
        }
    }

    public func findings(files: [LoadedFile]) throws -> [(Diagnostic, LoadedFile)] {
        if let postgres { return try postgres.findings(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM finding ORDER BY file_id, line, id").compactMap { r in
                let fileId: Int64 = (try r.decode(forColumn: "file_id"))
                guard let file = byId[fileId] else { return nil }
                let amount: Int64? = (try r.decode(forColumn: "amount"))
                let currency: String? = (try r.decode(forColumn: "currency"))
                let d = Diagnostic(stored: try r.decode(String.self, forColumn: "severity"),
                                   SourceLocation(file: file.path, line: (try r.decode(forColumn: "line")), column: (try r.decode(forColumn: "col")), path: (try r.decode(forColumn: "path"))),
                                   check: (try r.decode(forColumn: "check_name")), (try r.decode(forColumn: "message")),
                                   amount: amount.map { Money(minorUnits: $0, currency: Currency(code: currency ?? "GBP") ?? .gbp) })
                return (d, file)
            }
        }
    }
}

/// A warehouse that cannot be used as it is: exit status 1, naming it.
public enum WarehouseError: Error, CustomStringConvertible {
    /// SQLite finds the file damaged (not a database, pages missing or broken).
    case damaged(path: String, reason: String)
    /// Made by a newer redist: refused, never dropped.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The warehouse no longer holds what was loaded from a file.
    case controlTotals(path: String, file: String, message: String)
    /// Another run is using it (a PostgreSQL warehouse, locked on its server).
    case busy(path: String)

    public var description: String {
        switch self {
        case .damaged(let path, let reason):
            return "\(path): error: the warehouse is damaged (\(reason)); delete it and run again to rebuild it from the inputs"
        case .newerSchema(let path, let found, let supported):
            return "\(path): error: the warehouse was made by a newer redist (schema \(found); this one reads schema \(supported)): run that version, or give another --warehouse"
        case .controlTotals(let path, let file, let message):
            return "\(file): error: the warehouse \(path) does not hold what was loaded from this file: \(message); delete the warehouse and run again to rebuild it from the inputs"
        case .busy(let path):
            return "\(path): error: another redist run is using this warehouse; wait for it to finish, then run again"
        }
    }
}

public struct StoredGrant: Sendable {
    public var grant: GrantRecord
    public var source: String
    public var role: String
}

/// Content identity for movements whose source gives no id of its own.
enum Identity {
    /// A 64-bit FNV-1a hash of the normalised fields, as hex (`h:…`): the
    /// identity shown in ids and stored, as an integer, in the warehouse.
    static func content(of m: Movement) -> String {
        let hex = String(UInt64(bitPattern: contentHash(of: m)), radix: 16)
        return "h:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The integer the warehouse stores: the content hash, or for a movement
    /// with the source's own id, the hash of `id:<native id>`.
    static func key(of m: Movement) -> Int64 {
        if m.nativeId.isEmpty { return contentHash(of: m) }
        var h = FNV()
        h.mix("id:")
        h.mix(m.nativeId)
        return Int64(bitPattern: h.value)
    }

    /// The hash of date, amount, currency, account, fund, counterparty (name
    /// and id), description and reference, each followed by 0x1F; the same
    /// bytes as hashing their text forms, without making the text.
    static func contentHash(of m: Movement) -> Int64 {
        var h = FNV()
        mixDateAndAmount(&h, m.date, m.amount)
        h.mix(m.account); h.separator()
        h.mix(m.fund); h.separator()
        h.mix(m.counterparty); h.separator()
        h.mix(m.counterpartyId); h.separator()
        h.mix(m.description); h.separator()
        h.mix(m.reference); h.separator()
        return Int64(bitPattern: h.value)
    }

    /// The date as `yyyy-mm-dd`, the amount in minor units as decimal text and
    /// its currency code, each followed by a separator: the start of every
    /// content hash, for a `Movement` and a `MovementRow` alike.
    @inline(__always)
    static func mixDateAndAmount(_ h: inout FNV, _ date: Day, _ amount: Money) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { b in
            writeISO(date, into: b.baseAddress!)
            h.mix(UnsafeBufferPointer(start: b.baseAddress, count: 10))
            h.separator()
            var v = amount.minorUnits.magnitude
            var n = 0
            repeat { b[23 - n] = UInt8(48 + v % 10); v /= 10; n += 1 } while v > 0
            if amount.minorUnits < 0 { b[23 - n] = UInt8(ascii: "-"); n += 1 }
            h.mix(UnsafeBufferPointer(start: b.baseAddress! + 24 - n, count: n))
            h.separator()
        }
        h.mix(amount.currency.code); h.separator()
    }

    /// `key(of:)` for a row handed over as bytes: the same hash of the same bytes.
    static func key(of r: borrowing MovementRow) -> Int64 {
        var h = FNV()
        if r.nativeId.count > 0 {
            h.mix("id:")
            h.mix(r.nativeId)
            return Int64(bitPattern: h.value)
        }
        mixDateAndAmount(&h, r.date, r.amount)
        h.mix(r.account); h.separator()
        h.mix(r.fund); h.separator()
        h.mix(r.counterparty); h.separator()
        h.mix(r.counterpartyId); h.separator()
        h.mix(r.description); h.separator()
        h.mix(r.reference); h.separator()
        return Int64(bitPattern: h.value)
    }

    struct FNV {
        @inline(__always) mutating func mix(_ bytes: UnsafeRawBufferPointer) {
            mix(bytes.assumingMemoryBound(to: UInt8.self))
        }

        var value: UInt64 = 0xcbf29ce484222325
        @inline(__always) mutating func mix(_ s: String) {
            // Over the string's own bytes where it has them (native strings do).
            if let done: Void = s.utf8.withContiguousStorageIfAvailable({ mix($0) }) { return done }
            for b in s.utf8 { value = (value ^ UInt64(b)) &* 0x100000001b3 }
        }
        @inline(__always) mutating func mix(_ bytes: UnsafeBufferPointer<UInt8>) {
            var v = value
            if let p = bytes.baseAddress {
                for i in 0..<bytes.count { v = (v ^ UInt64(p[i])) &* 0x100000001b3 }
            }
            value = v
        }
        @inline(__always) mutating func separator() { value = (value ^ 0x1F) &* 0x100000001b3 }
    }

    /// Writes `yyyy-mm-dd` (10 bytes), as `Day.description` spells it.
    @inline(__always)
    static func writeISO(_ d: Day, into p: UnsafeMutablePointer<UInt8>) {
        var y = d.year
        for i in stride(from: 3, through: 0, by: -1) { p[i] = UInt8(48 + y % 10); y /= 10 }
        p[4] = UInt8(ascii: "-")
        p[5] = UInt8(48 + d.month / 10); p[6] = UInt8(48 + d.month % 10)
        p[7] = UInt8(ascii: "-")
        p[8] = UInt8(48 + d.day / 10); p[9] = UInt8(48 + d.day % 10)
    }
}
