import Foundation
import GRDB
import RedistIngest
import RedistModel

/// The normalised model in one SQLite file: every record with the file, the
/// file's SHA-256 and the line it came from, the findings, and each file's
/// control totals. Staff can open it with any SQLite tool.
public final class Warehouse {
    public let path: String
    let db: DatabaseQueue

    public static let schemaVersion = 1

    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        var config = Configuration()
        config.prepareDatabase { db in
            // A batch job that can always be re-run from its inputs: durability
            // at commit is enough, and foreign keys keep deletes whole.
            try db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY;")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        try migrate()
    }

    func migrate() throws {
        try db.write { db in
            try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS source_file(
                id INTEGER PRIMARY KEY,
                source TEXT NOT NULL,
                role TEXT NOT NULL,
                format TEXT NOT NULL,
                path TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                rows_read INTEGER NOT NULL,
                rows_loaded INTEGER NOT NULL,
                rows_rejected INTEGER NOT NULL,
                rows_skipped INTEGER NOT NULL,
                amount_read INTEGER NOT NULL,
                amount_loaded INTEGER NOT NULL,
                amount_rejected INTEGER NOT NULL,
                amount_skipped INTEGER NOT NULL,
                failure TEXT,
                UNIQUE(source, path));
            CREATE TABLE IF NOT EXISTS movement(
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line INTEGER NOT NULL,
                identity TEXT NOT NULL,
                occurrence INTEGER NOT NULL,
                date TEXT NOT NULL,
                amount INTEGER NOT NULL,
                currency TEXT NOT NULL,
                account TEXT NOT NULL,
                account_name TEXT NOT NULL,
                fund TEXT NOT NULL,
                counterparty TEXT NOT NULL,
                counterparty_id TEXT NOT NULL,
                description TEXT NOT NULL,
                reference TEXT NOT NULL,
                native_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                path TEXT);
            CREATE TABLE IF NOT EXISTS grant_award(
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line INTEGER NOT NULL,
                identifier TEXT NOT NULL,
                title TEXT NOT NULL,
                description TEXT NOT NULL,
                amount_awarded INTEGER NOT NULL,
                amount_disbursed INTEGER,
                currency TEXT NOT NULL,
                award_date TEXT NOT NULL,
                payment_date TEXT,
                recipient_id TEXT NOT NULL,
                recipient_name TEXT NOT NULL,
                funder_id TEXT NOT NULL,
                funder_name TEXT NOT NULL,
                programme TEXT NOT NULL,
                fund TEXT NOT NULL,
                beneficiary_location TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS member(
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line INTEGER NOT NULL,
                member_id TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                region TEXT NOT NULL,
                characteristics TEXT NOT NULL,
                consent INTEGER NOT NULL,
                consent_date TEXT);
            CREATE TABLE IF NOT EXISTS balance(
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                line INTEGER NOT NULL,
                kind TEXT NOT NULL,
                date TEXT NOT NULL,
                amount INTEGER NOT NULL,
                currency TEXT NOT NULL,
                account TEXT NOT NULL,
                statement_id TEXT NOT NULL,
                path TEXT);
            CREATE TABLE IF NOT EXISTS finding(
                id INTEGER PRIMARY KEY,
                file_id INTEGER NOT NULL REFERENCES source_file(id) ON DELETE CASCADE,
                severity TEXT NOT NULL,
                line INTEGER NOT NULL,
                col INTEGER,
                path TEXT,
                check_name TEXT NOT NULL,
                message TEXT NOT NULL,
                amount INTEGER,
                currency TEXT);
            CREATE INDEX IF NOT EXISTS movement_file ON movement(file_id);
            CREATE INDEX IF NOT EXISTS grant_file ON grant_award(file_id);
            CREATE INDEX IF NOT EXISTS member_file ON member(file_id);
            CREATE INDEX IF NOT EXISTS balance_file ON balance(file_id);
            CREATE INDEX IF NOT EXISTS finding_file ON finding(file_id);
            INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '\(Self.schemaVersion)');
            """)
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
        try db.read { db in
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
        try db.write { db in
            for id in fileIds { try db.execute(sql: "DELETE FROM source_file WHERE id = ?", arguments: [id]) }
        }
    }

    /// Writes one file's records and findings in one transaction, replacing
    /// whatever was loaded before from the same source and path.
    public func store(source: Pipeline.Source, path: String, sha256: String, configHash: String, bytes: Int64,
                      records: [SourceRecord], sink: RecordSink?, failure: FileFailure?) throws {
        try db.write { db in
            try db.execute(sql: "DELETE FROM source_file WHERE source = ? AND path = ?", arguments: [source.name, path])
            try db.execute(sql: """
                INSERT INTO source_file(source, role, format, path, sha256, config_hash, bytes, rows_read, rows_loaded,
                  rows_rejected, rows_skipped, amount_read, amount_loaded, amount_rejected, amount_skipped, failure)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [source.name, source.role.rawValue, source.format, path, sha256, configHash, bytes,
                                 sink?.rowsRead ?? 0, sink?.rowsLoaded ?? 0, sink?.rowsRejected ?? 0, sink?.rowsSkipped ?? 0,
                                 sink?.amountRead ?? 0, sink?.amountLoaded ?? 0, sink?.amountRejected ?? 0,
                                 sink?.amountSkipped ?? 0, failure?.message])
            let fileId = db.lastInsertedRowID
            let insertMovement = try db.makeStatement(sql: """
                INSERT INTO movement(file_id, line, identity, occurrence, date, amount, currency, account, account_name, fund,
                  counterparty, counterparty_id, description, reference, native_id, kind, path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertGrant = try db.makeStatement(sql: """
                INSERT INTO grant_award(file_id, line, identifier, title, description, amount_awarded, amount_disbursed, currency,
                  award_date, payment_date, recipient_id, recipient_name, funder_id, funder_name, programme, fund, beneficiary_location)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertMember = try db.makeStatement(sql: """
                INSERT INTO member(file_id, line, member_id, name, kind, region, characteristics, consent, consent_date)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertBalance = try db.makeStatement(sql: """
                INSERT INTO balance(file_id, line, kind, date, amount, currency, account, statement_id, path)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var occurrences: [String: Int] = [:]
            for record in records {
                switch record {
                case .movement(let m):
                    let identity = m.nativeId.isEmpty ? Identity.content(of: m) : "id:" + m.nativeId
                    let n = occurrences[identity, default: 0] + 1
                    occurrences[identity] = n
                    try insertMovement.execute(arguments: [
                        fileId, m.location.line, identity, n, m.date.description, m.amount.minorUnits, m.amount.currency.code,
                        m.account, m.accountName, m.fund, m.counterparty, m.counterpartyId, m.description, m.reference,
                        m.nativeId, m.kind, m.location.path])
                case .grant(let g):
                    try insertGrant.execute(arguments: [
                        fileId, g.location.line, g.identifier, g.title, g.description, g.amountAwarded.minorUnits,
                        g.amountDisbursed?.minorUnits, g.amountAwarded.currency.code, g.awardDate.description,
                        g.paymentDate?.description, g.recipientId, g.recipientName, g.funderId, g.funderName, g.programme,
                        g.fund, g.beneficiaryLocation])
                case .member(let m):
                    try insertMember.execute(arguments: [
                        fileId, m.location.line, m.id, m.name, m.kind.rawValue, m.region,
                        m.characteristics.joined(separator: ";"), m.consentToBeNamed, m.consentDate?.description])
                case .balance(let b):
                    try insertBalance.execute(arguments: [
                        fileId, b.location.line, b.kind.rawValue, b.date.description, b.amount.minorUnits, b.amount.currency.code,
                        b.account, b.statementId, b.location.path])
                }
            }
            let insertFinding = try db.makeStatement(sql: """
                INSERT INTO finding(file_id, severity, line, col, path, check_name, message, amount, currency)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var findings = sink?.diagnostics ?? []
            if let failure { findings.append(Diagnostic(.error, failure.location, check: "file", failure.message)) }
            for (check, count) in (sink?.unkeptFindings ?? [:]).sorted(by: { $0.key < $1.key }) {
                findings.append(Diagnostic(.warning, SourceLocation(file: path, line: 0), check: check,
                                           "\(count) more findings of this kind are counted but not listed"))
            }
            for d in findings {
                try insertFinding.execute(arguments: [
                    fileId, d.severity.rawValue, d.location.line, d.location.column, d.location.path, d.check, d.message,
                    d.amount?.minorUnits, d.amount?.currency.code])
            }
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
    /// A 64-bit FNV-1a hash of the normalised fields, as hex.
    static func content(of m: Movement) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        func mix(_ s: String) {
            for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            h = (h ^ 0x1F) &* 0x100000001b3
        }
        mix(m.date.description)
        mix(String(m.amount.minorUnits))
        mix(m.amount.currency.code)
        mix(m.account)
        mix(m.fund)
        mix(m.counterparty)
        mix(m.counterpartyId)
        mix(m.description)
        mix(m.reference)
        let hex = String(h, radix: 16)
        return "h:" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
