import Foundation
import GRDB
import GRDBSQLite
import RedistModel

extension Warehouse {
    /// Appends every movement of `files` to `table` in the order they were
    /// loaded (file by file, line by line), stepping SQLite's C API: the
    /// dimensions (accounts, funds, counterparties) are arrays indexed by
    /// their warehouse ids, repeated text (currency, kind, path) is matched
    /// on its bytes against the previous row's before any look-up, and free
    /// text goes straight into the table's byte columns. Returns, for each
    /// file id, the table rows that came from it, in order.
    func readMovementColumns(files: [LoadedFile], into table: inout MovementColumns) throws -> [Int64: [Int32]] {
        if let postgres { return try postgres.readMovementColumns(files: files, into: &table) }
        let byId = Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        // The free text (descriptions, references, native ids) is read on the
        // second core through a connection of its own, while this one reads
        // the rest: the same rows in the same order.
        let freeText = FreeTextReader.start(path: path, files: Set(byId.keys),
                                            bytes: files.reduce(0) { $0 + Int($1.bytes) })
        var building = table
        table = MovementColumns()
        defer { table = building }
        return try db.read { db -> [Int64: [Int32]] in
            var table = building
            building = MovementColumns()
            defer { building = table }
            /// Warehouse id → the table's interned text (two columns); (0, 0) for an unknown id.
            func dimension(_ sql: String) throws -> [(Int32, Int32)] {
                var out: [(Int32, Int32)] = []
                for r in try Row.fetchAll(db, sql: sql) {
                    let id: Int64 = r[0]
                    guard id >= 0, id < 1 << 26 else { continue }
                    if out.count <= Int(id) { out += Array(repeating: (0, 0), count: Int(id) + 1 - out.count) }
                    out[Int(id)] = (table.intern(r[1]), table.intern(r[2]))
                }
                return out
            }
            let accounts = try dimension("SELECT id, code, name FROM account")
            let funds = try dimension("SELECT id, code, '' FROM fund")
            let counterparties = try dimension("SELECT id, name, org_id FROM counterparty")
            func lookUp(_ d: [(Int32, Int32)], _ id: Int64) -> (Int32, Int32) { id >= 0 && id < d.count ? d[Int(id)] : (0, 0) }
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM movement_row") ?? 0
            table.reserve(total)
            // Free text cannot be longer than the files it came from.
            let textBytes = files.reduce(0) { $0 + Int($1.bytes) }
            if freeText == nil {
                table.description.reserve(total, bytes: textBytes)
                table.reference.reserve(total, bytes: textBytes)
                table.nativeId.reserve(total, bytes: textBytes)
            }

            let connection = db.sqliteConnection!
            var statement: OpaquePointer?
            let sql = freeText == nil ? """
                SELECT file_id, line, identity, occurrence, date, amount, currency, account_id, fund_id, counterparty_id,
                  description, reference, native_id, kind, path, id FROM movement_row ORDER BY id
                """ : """
                SELECT file_id, line, identity, occurrence, date, amount, currency, account_id, fund_id, counterparty_id,
                  '', '', '', kind, path, id FROM movement_row ORDER BY id
                """
            guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let s = statement else {
                throw DatabaseError(message: String(cString: sqlite3_errmsg(connection)))
            }
            defer { sqlite3_finalize(s) }
            var rowsByFile: [Int64: [Int32]] = [:]
            var currentFile: Int64 = -1
            var fileInfo: Int32? = nil
            var fileRows: [Int32] = []
            func text(_ i: Int32) -> (UnsafePointer<UInt8>?, Int) {
                (sqlite3_column_text(s, i), Int(sqlite3_column_bytes(s, i)))
            }
            func string(_ i: Int32) -> String {
                let (p, n) = text(i)
                guard let p, n > 0 else { return "" }
                return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            }
            /// The previous row's value of a repeated text column, and what it became.
            struct Last<V> {
                var bytes: [UInt8] = []
                var value: V
                var known = false
                mutating func matches(_ p: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
                    guard known, bytes.count == n else { return false }
                    guard n > 0, let p else { return true }
                    return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, p, n) == 0 }
                }
                mutating func remember(_ p: UnsafePointer<UInt8>?, _ n: Int, _ v: V) {
                    bytes = n > 0 && p != nil ? Array(UnsafeBufferPointer(start: p, count: n)) : []
                    value = v
                    known = true
                }
            }
            var currency = Last<UInt8>(value: 0), kind = Last<Int32>(value: 0), path = Last<Int32>(value: -1)
            var date = Last<Int32>(value: 0)
            while try stepRow(s, connection) {
                let fileId = sqlite3_column_int64(s, 0)
                if fileId != currentFile {
                    if currentFile >= 0 { rowsByFile[currentFile, default: []].append(contentsOf: fileRows) }
                    fileRows = []
                    currentFile = fileId
                    fileInfo = byId[fileId].map { f in
                        table.origins.append(MovementColumns.Origin(file: table.intern(f.path), source: table.intern(f.source),
                                                                    role: table.intern(f.role)))
                        return Int32(table.origins.count - 1)
                    }
                }
                guard let info = fileInfo else { continue }
                let r = Int32(table.count)
                fileRows.append(r)
                table.line.append(Int32(sqlite3_column_int64(s, 1)))
                table.identity.append(sqlite3_column_int64(s, 2))
                table.occurrence.append(Int32(sqlite3_column_int64(s, 3)))
                var t = text(4)
                if !date.matches(t.0, t.1) {
                    guard let day = Self.ordinal(t.0, t.1) else {
                        throw DatabaseError(resultCode: .SQLITE_CORRUPT, message: "movement_row holds \"\(string(4))\" where a date was stored")
                    }
                    date.remember(t.0, t.1, Int32(day))
                }
                table.day.append(date.value)
                table.amount.append(sqlite3_column_int64(s, 5))
                t = text(6)
                if !currency.matches(t.0, t.1) {
                    currency.remember(t.0, t.1, table.currencyIndex(Currency(code: string(6)) ?? .gbp))
                }
                table.currency.append(currency.value)
                let a = lookUp(accounts, sqlite3_column_int64(s, 7))
                table.account.append(a.0); table.accountName.append(a.1)
                table.fund.append(lookUp(funds, sqlite3_column_int64(s, 8)).0)
                let c = lookUp(counterparties, sqlite3_column_int64(s, 9))
                table.counterparty.append(c.0); table.counterpartyId.append(c.1)
                if freeText == nil {
                    t = text(10); table.description.append(t.0, t.1)
                    t = text(11); table.reference.append(t.0, t.1)
                    t = text(12); table.nativeId.append(t.0, t.1)
                }
                t = text(13)
                if !kind.matches(t.0, t.1) { kind.remember(t.0, t.1, table.intern(string(13))) }
                table.kind.append(kind.value)
                if sqlite3_column_type(s, 14) == SQLITE_NULL { table.path.append(-1) } else {
                    t = text(14)
                    if !path.matches(t.0, t.1) { path.remember(t.0, t.1, table.intern(string(14))) }
                    table.path.append(path.value)
                }
                table.origin.append(info)
                table.movementId.append(sqlite3_column_int64(s, 15))
            }
            if currentFile >= 0 { rowsByFile[currentFile, default: []].append(contentsOf: fileRows) }
            if let freeText {
                let text = try freeText.wait()
                guard text.rows == table.count else {
                    throw DatabaseError(message: "the warehouse changed while it was read: \(text.rows) rows of text for \(table.count) movements")
                }
                table.description = text.description
                table.reference = text.reference
                table.nativeId = text.nativeId
            }
            return rowsByFile
        }
    }
}

extension Warehouse {
    /// Adds to `table` what each movement converted from another currency
    /// was (`movement_row`'s `original_*` and `rate*` columns), for the rows
    /// `readMovementColumns` read.
    func readOriginals(into table: inout MovementColumns) throws {
        var found: [(Int64, OriginalAmount)] = []
        try each("""
            SELECT id, original_amount, original_currency, rate, rate_date, rate_source FROM movement_row
            WHERE original_currency IS NOT NULL ORDER BY id
            """) { r in
            guard let currency = Currency(code: r.text(2)), let rate = ExchangeRate(r.text(3)), let day = Day(iso: r.text(4)) else {
                throw DataError("\(self.path): error: movement \(r.int(0)) holds a conversion that cannot be read (\(r.text(2)) at \(r.text(3)) of \(r.text(4))); run again with a new --warehouse")
            }
            found.append((r.int(0), OriginalAmount(amount: Money(minorUnits: r.int(1), currency: currency), rate: rate,
                                                   rateDate: day, rateSource: r.text(5))))
        }
        for (id, original) in found {
            if let row = table.row(movementId: id) { table.originals[Int32(row)] = original }
        }
    }

    /// Checks, before any figure is computed, that the warehouse still
    /// holds what was loaded from each file: rows read = loaded + rejected
    /// + skipped as stored, and the rows and gross amounts (the sum of
    /// magnitudes) loaded equal those read back now. `movementRows` and
    /// `amount` are what `readMovementColumns` read. Rows deleted or
    /// changed behind the loader's back throw `WarehouseError.controlTotals`
    /// naming the file. Returns the gross amount of everything read back, a
    /// bound on every sum the measures make (checked: a total past 64 bits
    /// throws `DataError`, naming the file).
    /// The most the magnitudes of all amounts may add up to: a sixteenth of
    /// what 64 bits hold, so every sum the measures make, and the little
    /// arithmetic the reports do on sums (a chart's axis steps, a tenth of a
    /// total), stays far from overflowing. It is about 5.7 × 10^15 pounds.
    public static let grossLimit = Int64.max / 16

    func checkControlTotals(files: [LoadedFile], movementRows: [Int64: [Int32]], amount: [Int64]) throws -> Int64 {
        struct Held { var rows = 0; var gross: Int64 = 0; var extra: Int64 = 0 }
        var held: [Int64: Held] = [:]
        // Balances and members are loaded with no amount; a grant with its amount awarded.
        // (The casts: PostgreSQL's sum of 64-bit integers is a decimal.)
        let queries = ["SELECT file_id, count(*), CAST(sum(abs(amount_awarded)) AS BIGINT), CAST(sum(abs(coalesce(amount_disbursed, 0))) AS BIGINT) FROM grant_award GROUP BY file_id",
                       "SELECT file_id, count(*), CAST(0 AS BIGINT), CAST(sum(abs(amount)) AS BIGINT) FROM balance GROUP BY file_id",
                       "SELECT file_id, count(*), CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM member GROUP BY file_id"]
        if let postgres {
            for sql in queries {
                for r in try postgres.heldTotals(sql) {
                    held[r.file, default: Held()].rows += r.rows
                    held[r.file, default: Held()].gross += r.gross
                    held[r.file, default: Held()].extra += r.extra
                }
            }
        } else {
            try db.read { db in
                for sql in queries {
                    for r in try Row.fetchAll(db, sql: sql) {
                        let id: Int64 = try r.decode(atIndex: 0)
                        let n: Int = try r.decode(atIndex: 1), g: Int64 = try r.decode(atIndex: 2), x: Int64 = try r.decode(atIndex: 3)
                        held[id, default: Held()].rows += n
                        held[id, default: Held()].gross += g
                        held[id, default: Held()].extra += x
                    }
                }
            }
        }
        var total: Int64 = 0
        for f in files {
            if f.rowsRead != f.rowsLoaded + f.rowsRejected + f.rowsSkipped
                || f.amountRead != f.amountLoaded &+ f.amountRejected &+ f.amountSkipped {
                throw WarehouseError.controlTotals(path: path, file: f.path, message: "rows read \(f.rowsRead) ≠ loaded \(f.rowsLoaded) + rejected \(f.rowsRejected) + skipped \(f.rowsSkipped), or amounts read \(f.amountRead) ≠ loaded \(f.amountLoaded) + rejected \(f.amountRejected) + skipped \(f.amountSkipped) (in minor units)")
            }
            // A file that failed kept nothing but its failure.
            guard f.failure == nil else { continue }
            var h = held[f.id] ?? Held()
            let rows = movementRows[f.id] ?? []
            h.rows += rows.count
            var overflow = false
            for r in rows {
                let v = amount[Int(r)]
                let (sum, o) = h.gross.addingReportingOverflow(v == .min ? .max : abs(v))
                h.gross = sum
                if o || v == .min { overflow = true; break }
            }
            if h.rows != f.rowsLoaded || (!overflow && h.gross != f.amountLoaded) {
                throw WarehouseError.controlTotals(path: path, file: f.path, message: "it holds \(h.rows) rows with amounts of \(h.gross) (in minor units) where \(f.rowsLoaded) rows with amounts of \(f.amountLoaded) were loaded")
            }
            let (a, o1) = total.addingReportingOverflow(h.gross)
            let (b, o2) = a.addingReportingOverflow(h.extra)
            if overflow || o1 || o2 || b > Self.grossLimit {
                throw DataError("\(f.path): error: the amounts of this file take the total of all amounts (in and out, added as magnitudes) past \(Self.grossLimit) minor units, more than the figures can be added up in; check the file for an amount far too large")
            }
            total = b
        }
        return total
    }
}

/// The data cannot give a trustworthy figure (a sum past 64 bits, a
/// register that failed): exit status 1, with the message as it stands.
public struct DataError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

/// Reads the movements' free text on a thread and a read-only connection
/// of its own, for `readMovementColumns`.
final class FreeTextReader: @unchecked Sendable {
    struct Text {
        var description = DictionaryTextColumn(), reference = TextColumn(), nativeId = TextColumn()
        var rows = 0
    }
    private var result: Result<Text, Error>?
    private let done = DispatchSemaphore(value: 0)

    /// Nil when the warehouse is not a file another connection can open.
    static func start(path: String, files: Set<Int64>, bytes: Int) -> FreeTextReader? {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:"), FileManager.default.fileExists(atPath: path) else { return nil }
        var connection: OpaquePointer?
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let connection else {
            sqlite3_close(connection)
            return nil
        }
        let reader = FreeTextReader()
        let handle = Handle(connection: connection)
        let thread = Thread {
            reader.result = Result { try Self.read(handle.connection, files: files, bytes: bytes) }
            sqlite3_close(handle.connection)
            reader.done.signal()
        }
        thread.start()
        return reader
    }

    private struct Handle: @unchecked Sendable { let connection: OpaquePointer }

    func wait() throws -> Text {
        done.wait()
        return try result!.get()
    }

    private static func read(_ connection: OpaquePointer, files: Set<Int64>, bytes: Int) throws -> Text {
        var statement: OpaquePointer?
        let sql = "SELECT file_id, description, reference, native_id FROM movement_row ORDER BY id"
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let s = statement else {
            throw DatabaseError(message: String(cString: sqlite3_errmsg(connection)))
        }
        defer { sqlite3_finalize(s) }
        var text = Text()
        var count: OpaquePointer?
        if sqlite3_prepare_v2(connection, "SELECT count(*) FROM movement_row", -1, &count, nil) == SQLITE_OK, let count {
            if sqlite3_step(count) == SQLITE_ROW {
                let n = Int(sqlite3_column_int64(count, 0))
                text.description.reserve(n, bytes: bytes)
                text.reference.reserve(n, bytes: bytes)
                text.nativeId.reserve(n, bytes: bytes)
            }
            sqlite3_finalize(count)
        }
        var currentFile: Int64 = -1, wanted = false
        while try stepRow(s, connection) {
            let fileId = sqlite3_column_int64(s, 0)
            if fileId != currentFile {
                currentFile = fileId
                wanted = files.contains(fileId)
            }
            guard wanted else { continue }
            text.description.append(sqlite3_column_text(s, 1), Int(sqlite3_column_bytes(s, 1)))
            text.reference.append(sqlite3_column_text(s, 2), Int(sqlite3_column_bytes(s, 2)))
            text.nativeId.append(sqlite3_column_text(s, 3), Int(sqlite3_column_bytes(s, 3)))
            text.rows += 1
        }
        return text
    }
}

/// Steps a statement: true with a row to read, false when done; a failure
/// throws SQLite's message.
@inline(__always)
private func stepRow(_ statement: OpaquePointer, _ connection: OpaquePointer) throws -> Bool {
    let rc = sqlite3_step(statement)
    if rc == SQLITE_ROW { return true }
    if rc == SQLITE_DONE { return false }
    throw DatabaseError(message: String(cString: sqlite3_errmsg(connection)))
}
