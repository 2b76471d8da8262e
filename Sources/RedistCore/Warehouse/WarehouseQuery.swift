import Foundation
import GRDB
import GRDBSQLite
import PostgresNIO
import RedistModel

/// A value bound to, or read from, a statement of the shipped SQL.
enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case text(String)

    var int: Int64? { if case .int(let i) = self { return i }; return nil }
    var text: String? { if case .text(let t) = self { return t }; return nil }
}

/// One row of a query's answer, by column position.
struct SQLRow: Sendable {
    var values: [SQLValue]
    subscript(_ i: Int) -> SQLValue { values[i] }
    func int(_ i: Int) -> Int64 { values[i].int ?? 0 }
    func text(_ i: Int) -> String { values[i].text ?? "" }
}

/// The one small interface through which Swift runs the shipped SQL on
/// either engine: statements in the neutral spelling (`SQLDialect`), with
/// `?` for each bound value, in order.
extension Warehouse {
    var dialect: SQLDialect { postgres == nil ? .sqlite : .postgresql }

    /// Runs statements (and whatever `body` runs through `SQLSession`) in one transaction.
    func transaction<T>(_ body: (SQLSession) throws -> T) throws -> T {
        if let postgres {
            return try postgres.transaction { try body(SQLSession(postgres: postgres, db: nil)) }
        }
        return try db.write { db in try body(SQLSession(postgres: nil, db: db)) }
    }

    /// The rows a query gives.
    func query(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLRow] {
        if let postgres { return try SQLSession(postgres: postgres, db: nil).query(sql, values) }
        return try db.read { db in try SQLSession(postgres: nil, db: db).query(sql, values) }
    }

    /// Calls `body` with each row of a query as it comes, without holding them all.
    func each(_ sql: String, _ values: [SQLValue] = [], _ body: @escaping (SQLRow) throws -> Void) throws {
        if let postgres {
            let box = UncheckedBox(body)
            return try postgres.each(SQLDialect.postgresql.render(SQLSession.numbered(sql)), values.map(SQLSession.pg)) { row in
                try box.value(SQLRow(values: row.map(SQLSession.value)))
            }
        }
        try db.read { db in
            let cursor = try Row.fetchCursor(db, sql: SQLDialect.sqlite.render(sql), arguments: SQLSession.arguments(values))
            while let r = try cursor.next() { try body(SQLSession.row(r)) }
        }
    }
}

extension Warehouse {
    /// Calls `body` with each row of a query as it comes, read in place:
    /// on SQLite straight from the statement (no value made for a column
    /// not read), on PostgreSQL through `each`. Nothing is held between
    /// rows, so a query over the whole ledger takes the memory of one row.
    /// `body` must not ask the warehouse anything itself.
    func stream(_ sql: String, _ values: [SQLValue] = [], _ body: (SQLCursorRow) throws -> Void) throws {
        if postgres != nil {
            // The driver may keep its row callback a little after the query
            // ends, so it holds a slot that is emptied here, never `body`.
            try withoutActuallyEscaping(body) { body in
                let slot = RowSlot(body)
                defer { slot.body = nil }
                try each(sql, values) { r in try slot.body?(SQLCursorRow(statement: nil, row: r)) }
            }
            return
        }
        try db.read { db in
            let statement = try db.makeStatement(sql: SQLDialect.sqlite.render(sql))
            try statement.setArguments(SQLSession.arguments(values))
            let cursor = try Row.fetchCursor(statement)
            let s = statement.sqliteStatement
            while try cursor.next() != nil { try body(SQLCursorRow(statement: s, row: nil)) }
        }
    }
}

/// One row of `Warehouse.stream`, by column position; text is lent as
/// UTF-8 for the length of a call.
struct SQLCursorRow {
    fileprivate let statement: OpaquePointer?
    fileprivate let row: SQLRow?

    func int(_ i: Int) -> Int64 {
        if let s = statement { return sqlite3_column_int64(s, Int32(i)) }
        return row!.int(i)
    }

    func isNull(_ i: Int) -> Bool {
        if let s = statement { return sqlite3_column_type(s, Int32(i)) == SQLITE_NULL }
        return row![i] == .null
    }

    func withText<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let s = statement {
            let p = sqlite3_column_text(s, Int32(i))
            let n = Int(sqlite3_column_bytes(s, Int32(i)))
            return try body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : n))
        }
        var t = row!.text(i)
        return try t.withUTF8(body)
    }

    func text(_ i: Int) -> String { withText(i) { String(decoding: $0, as: UTF8.self) } }
}

private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Statements run inside one transaction of either engine.
struct SQLSession {
    let postgres: PostgresWarehouse?
    let db: Database?

    var dialect: SQLDialect { postgres == nil ? .sqlite : .postgresql }

    func execute(_ sql: String, _ values: [SQLValue] = []) throws {
        if let postgres { return try postgres.execute(SQLDialect.postgresql.render(Self.numbered(sql)), values.map(Self.pg)) }
        try db!.execute(sql: SQLDialect.sqlite.render(sql), arguments: Self.arguments(values))
    }

    func query(_ sql: String, _ values: [SQLValue] = []) throws -> [SQLRow] {
        if let postgres {
            return try postgres.rows(SQLDialect.postgresql.render(Self.numbered(sql)), values.map(Self.pg)).map { r in
                SQLRow(values: r.map(Self.value))
            }
        }
        return try Row.fetchAll(db!, sql: SQLDialect.sqlite.render(sql), arguments: Self.arguments(values)).map(Self.row)
    }

    /// Inserts rows into a table, many to a statement.
    func insert(_ table: String, _ columns: [String], _ rows: [[SQLValue]]) throws {
        let perStatement = max(1, 2000 / max(columns.count, 1))
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            let tuple = "(" + columns.map { _ in "?" }.joined(separator: ", ") + ")"
            let sql = "INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES "
                + chunk.map { _ in tuple }.joined(separator: ", ")
            try execute(sql, chunk.flatMap { $0 })
            start += perStatement
        }
    }

    /// Runs every statement of a shipped SQL file, in order.
    func run(file name: String, _ values: [SQLValue] = []) throws {
        for statement in SQLCatalogue.statements(name) { try execute(statement, values) }
    }

    // MARK: Values

    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { v -> DatabaseValueConvertible? in
            switch v {
            case .null: return nil
            case .int(let i): return i
            case .text(let t): return t
            }
        })
    }

    static func row(_ r: Row) -> SQLRow {
        SQLRow(values: (0..<r.count).map { i in
            switch r[i] as DatabaseValue {
            case let d where d.isNull: return .null
            case let d:
                switch d.storage {
                case .int64(let i): return .int(i)
                case .string(let s): return .text(s)
                case .double(let x): return .int(Int64(x))
                case .blob(let b): return .text(String(decoding: b, as: UTF8.self))
                case .null: return .null
                }
            }
        })
    }

    static func pg(_ v: SQLValue) -> PostgresWarehouse.Value {
        switch v {
        case .null: return .text(nil)
        case .int(let i): return .int(i)
        case .text(let t): return .text(t)
        }
    }

    /// A PostgreSQL cell as a value: integers (and the decimals PostgreSQL's
    /// `sum` of integers gives, always whole here) as `.int`, the rest as text.
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return (try? cell.decode(Int64.self)).map(SQLValue.int) ?? .null
        case .numeric:
            if let s = try? cell.decode(String.self), let i = Int64(s) { return .int(i) }
            if let d = try? cell.decode(Decimal.self) { return .int(NSDecimalNumber(decimal: d).int64Value) }
            return .null
        case .bool:
            return .int((try? cell.decode(Bool.self)) == true ? 1 : 0)
        default:
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, … (the shipped SQL has no `?` in its text).
    static func numbered(_ sql: String) -> String {
        guard sql.contains("?") else { return sql }
        var out = "", n = 0
        for ch in sql {
            if ch == "?" { n += 1; out += "$\(n)" } else { out.append(ch) }
        }
        return out
    }
}

/// The SQL files the project ships (`sql/`, embedded as `SQLFiles`).
enum SQLCatalogue {
    /// A file's statements, split at each `;` that ends a line; comment-only parts dropped.
    static func statements(_ name: String) -> [String] {
        guard let text = SQLFiles.files[name + ".sql"] else { fatalError("sql/\(name).sql is not embedded: run make embed") }
        var out: [String] = [], current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.trimmingCharacters(in: .whitespaces).hasSuffix(";") {
                out.append(current)
                current = ""
            }
        }
        out.append(current)
        return out.compactMap { s in
            let code = s.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
                .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !code.isEmpty else { return nil }
            return code.hasSuffix(";") ? String(code.dropLast()) : code
        }
    }
}

/// Lends `Warehouse.stream`'s body to the driver's callback for the length of one query.
private final class RowSlot: @unchecked Sendable {
    var body: ((SQLCursorRow) throws -> Void)?
    init(_ body: @escaping (SQLCursorRow) throws -> Void) { self.body = body }
}
