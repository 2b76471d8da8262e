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
        postgres = try PostgresWarehouse(location, environment: environment)
        sqlite = nil
    }

    public init(path: String) throws {
        self.path = path
        postgres = nil
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        var config = Configuration()
        config.prepareDatabase { db in
            // A batch job that can always be re-run from its inputs:
            // - synchronous = NORMAL: durable at commit is enough (one commit per file);
            // - the default rollback journal: a load appends new pages, which
            //   need no journal entry, where WAL would write every page twice;
            // - cache_size 8 MiB: holds the right edge of every B-tree a load
            //   appends to, and bounds memory whatever the warehouse's size
            //   (16 MiB loaded no faster);
            // - temp_store = FILE: the occurrence numbering's scratch tables
            //   go to disk, not memory;
            // - foreign keys keep deletes whole;
            // - page_size 16 KiB (a new warehouse only): a quarter of the page
            //   splits, cell moves and writes of 4 KiB pages on a bulk load
            //   (INSERT … SELECT of 1M rows: about a fifth less CPU).
            try db.execute(sql: """
                PRAGMA page_size = 16384;
                PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8192; PRAGMA temp_store = FILE;
                """)
        }
        sqlite = try DatabaseQueue(path: path, configuration: config)
        try migrate()
    }

    func migrate() throws {
        try db.write { db in
            // A warehouse from an older schema is rebuilt from the inputs: it
            // holds nothing that the source files do not.
            if try db.tableExists("meta"),
               let version = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'"),
               version != String(Self.schemaVersion) {
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
                LoadedFile(id: r["id"], source: r["source"], role: r["role"], format: r["format"], path: r["path"],
                           sha256: r["sha256"], configHash: r["config_hash"], bytes: r["bytes"],
                           rowsRead: r["rows_read"], rowsLoaded: r["rows_loaded"], rowsRejected: r["rows_rejected"],
                           rowsSkipped: r["rows_skipped"], amountRead: r["amount_read"], amountLoaded: r["amount_loaded"],
                           amountRejected: r["amount_rejected"], amountSkipped: r["amount_skipped"], failure: r["failure"])
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

    /// Every movement of the given files, in file order then line order.
    public func movements(files: [LoadedFile]) throws -> [StoredMovement] {
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            var out: [StoredMovement] = []
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT file_id, line, identity, occurrence, date, amount, currency, account, account_name, fund, counterparty,
                  counterparty_id, description, reference, native_id, kind, path FROM movement ORDER BY file_id, id
                """)
            while let r = try cursor.next() {
                let fileId: Int64 = r[0]
                guard let file = byId[fileId] else { continue }
                let currencyCode: String = r[6]
                let dateText: String = r[4]
                let m = Movement(date: Day(iso: dateText)!, amount: Money(minorUnits: r[5], currency: Currency(code: currencyCode) ?? .gbp),
                                 account: r[7], accountName: r[8], fund: r[9], counterparty: r[10], counterpartyId: r[11],
                                 description: r[12], reference: r[13], nativeId: r[14], kind: r[15],
                                 location: SourceLocation(file: file.path, line: r[1], path: r[16]))
                out.append(StoredMovement(movement: m, source: file.source, role: file.role, fileSha256: file.sha256,
                                          identity: r[2], occurrence: r[3]))
            }
            return out
        }
    }

    public func grants(files: [LoadedFile]) throws -> [StoredGrant] {
        if let postgres { return try postgres.grants(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM grant_award ORDER BY file_id, id").compactMap { r in
                let fileId: Int64 = r["file_id"]
                guard let file = byId[fileId] else { return nil }
                let currency = Currency(code: r["currency"] as String) ?? .gbp
                let disbursed: Int64? = r["amount_disbursed"]
                let paymentText: String? = r["payment_date"]
                let g = GrantRecord(identifier: r["identifier"], title: r["title"], description: r["description"],
                                    amountAwarded: Money(minorUnits: r["amount_awarded"], currency: currency),
                                    amountDisbursed: disbursed.map { Money(minorUnits: $0, currency: currency) },
                                    awardDate: Day(iso: r["award_date"] as String)!, paymentDate: paymentText.flatMap { Day(iso: $0) },
                                    recipientId: r["recipient_id"], recipientName: r["recipient_name"], funderId: r["funder_id"],
                                    funderName: r["funder_name"], programme: r["programme"], fund: r["fund"],
                                    beneficiaryLocation: r["beneficiary_location"],
                                    location: SourceLocation(file: file.path, line: r["line"]))
                return StoredGrant(grant: g, source: file.source, role: file.role)
            }
        }
    }

    public func members(files: [LoadedFile]) throws -> [MemberRecord] {
        if let postgres { return try postgres.members(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM member ORDER BY file_id, id").compactMap { r in
                let fileId: Int64 = r["file_id"]
                guard let file = byId[fileId] else { return nil }
                let chars: String = r["characteristics"]
                let consentDate: String? = r["consent_date"]
                return MemberRecord(id: r["member_id"], name: r["name"], kind: OrganisationRole(rawValue: r["kind"]) ?? .memberGroup,
                                    region: r["region"], characteristics: chars.split(separator: ";").map(String.init),
                                    consentToBeNamed: r["consent"], consentDate: consentDate.flatMap { Day(iso: $0) },
                                    location: SourceLocation(file: file.path, line: r["line"]))
            }
        }
    }

    public func balances(files: [LoadedFile]) throws -> [(StatementBalance, String)] {
        if let postgres { return try postgres.balances(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM balance ORDER BY file_id, id").compactMap { r in
                let fileId: Int64 = r["file_id"]
                guard let file = byId[fileId] else { return nil }
                let b = StatementBalance(kind: StatementBalance.Kind(rawValue: r["kind"]) ?? .opening, date: Day(iso: r["date"] as String)!,
                                         amount: Money(minorUnits: r["amount"], currency: Currency(code: r["currency"] as String) ?? .gbp),
                                         account: r["account"], statementId: r["statement_id"],
                                         location: SourceLocation(file: file.path, line: r["line"], path: r["path"]))
                return (b, file.source)
            }
        }
    }

    public func findings(files: [LoadedFile]) throws -> [(Diagnostic, LoadedFile)] {
        if let postgres { return try postgres.findings(files: files) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM finding ORDER BY file_id, line, id").compactMap { r in
                let fileId: Int64 = r["file_id"]
                guard let file = byId[fileId] else { return nil }
                let amount: Int64? = r["amount"]
                let currency: String? = r["currency"]
                let d = Diagnostic(Diagnostic.Severity(rawValue: r["severity"]) ?? .error,
                                   SourceLocation(file: file.path, line: r["line"], column: r["col"], path: r["path"]),
                                   check: r["check_name"], r["message"],
                                   amount: amount.map { Money(minorUnits: $0, currency: Currency(code: currency ?? "GBP") ?? .gbp) })
                return (d, file)
            }
        }
    }
}

/// A movement read back from the warehouse, with where it came from.
public struct StoredMovement: Sendable {
    public var movement: Movement
    public var source: String
    public var role: String
    public var fileSha256: String
    public var identity: String
    public var occurrence: Int
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
