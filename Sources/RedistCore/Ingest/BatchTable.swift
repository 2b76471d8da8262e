import Foundation
import GRDBSQLite

/// The batch being loaded as an SQLite virtual table (`redist_batch`), so a
/// batch of movements goes in with one `INSERT … SELECT`: SQLite reads each
/// value straight from the batch's buffers, instead of having 14 parameters
/// a row bound and copied first (a fifth of the loader's time).
///
/// Eponymous and for this connection only: registered by the loader of one
/// file, pointed at each batch around one step, and unregistered after.
final class BatchTable {
    static let name = "redist_batch"
    static let columns = "line, identity, date, amount, currency, account_id, fund_id, counterparty_id, description, reference, native_id, kind, path"

    /// What the table shows: the current batch's buffers (see `Batch`).
    struct Source {
        var integers: UnsafePointer<Int64>? = nil
        var text: UnsafePointer<UInt8>? = nil
        var ends: UnsafePointer<Int32>? = nil
        var hasPath: UnsafePointer<Bool>? = nil
        var rows = 0
    }

    private let connection: OpaquePointer
    let source: UnsafeMutablePointer<Source>

    /// The table's methods, the same for every connection, made once and
    /// never freed: SQLite disconnects an unregistered table lazily, at the
    /// connection's next statement, through this struct.
    nonisolated(unsafe) private static let module: UnsafeMutablePointer<sqlite3_module> = {
        let m = UnsafeMutablePointer<sqlite3_module>.allocate(capacity: 1)
        m.initialize(to: makeModule())
        return m
    }()

    init(_ connection: OpaquePointer) throws {
        self.connection = connection
        source = .allocate(capacity: 1)
        source.initialize(to: Source())
        // SQLite frees `source` (with `freeSource`) once nothing of the
        // table is left, which may be after this object is gone; also when
        // registering fails.
        let rc = sqlite3_create_module_v2(connection, Self.name, Self.module, source, Self.freeSource)
        guard rc == SQLITE_OK else {
            throw DatabaseErrorMessage(String(cString: sqlite3_errmsg(connection)))
        }
    }

    /// Unregisters the table; statements that use it must be finalized first.
    deinit {
        sqlite3_create_module_v2(connection, Self.name, nil, nil, nil)
    }

    private static let freeSource: @convention(c) (UnsafeMutableRawPointer?) -> Void = { aux in
        aux?.assumingMemoryBound(to: Source.self).deallocate()
    }

    /// The table's object and its cursors: SQLite's base struct first, then ours.
    private struct Table { var base: sqlite3_vtab; var source: UnsafeMutablePointer<Source> }
    private struct Cursor { var base: sqlite3_vtab_cursor; var row: Int; var source: UnsafeMutablePointer<Source> }

    private static func makeModule() -> sqlite3_module {
        var m = sqlite3_module()
        m.iVersion = 1
        m.xCreate = nil   // eponymous only: no CREATE VIRTUAL TABLE
        m.xConnect = { db, aux, _, _, table, _ in
            let rc = sqlite3_declare_vtab(db, "CREATE TABLE x(\(BatchTable.columns))")
            guard rc == SQLITE_OK else { return rc }
            let t = UnsafeMutablePointer<Table>.allocate(capacity: 1)
            t.initialize(to: Table(base: sqlite3_vtab(), source: aux!.assumingMemoryBound(to: Source.self)))
            table!.pointee = UnsafeMutableRawPointer(t).assumingMemoryBound(to: sqlite3_vtab.self)
            return SQLITE_OK
        }
        m.xBestIndex = { _, info in
            info!.pointee.estimatedCost = 4096
            info!.pointee.estimatedRows = 4096
            return SQLITE_OK
        }
        m.xDisconnect = { table in
            UnsafeMutableRawPointer(table!).assumingMemoryBound(to: Table.self).deallocate()
            return SQLITE_OK
        }
        m.xDestroy = m.xDisconnect
        m.xOpen = { table, cursor in
            let t = UnsafeMutableRawPointer(table!).assumingMemoryBound(to: Table.self)
            let c = UnsafeMutablePointer<Cursor>.allocate(capacity: 1)
            c.initialize(to: Cursor(base: sqlite3_vtab_cursor(), row: 0, source: t.pointee.source))
            cursor!.pointee = UnsafeMutableRawPointer(c).assumingMemoryBound(to: sqlite3_vtab_cursor.self)
            return SQLITE_OK
        }
        m.xClose = { cursor in
            UnsafeMutableRawPointer(cursor!).assumingMemoryBound(to: Cursor.self).deallocate()
            return SQLITE_OK
        }
        m.xFilter = { cursor, _, _, _, _ in
            UnsafeMutableRawPointer(cursor!).assumingMemoryBound(to: Cursor.self).pointee.row = 0
            return SQLITE_OK
        }
        m.xNext = { cursor in
            UnsafeMutableRawPointer(cursor!).assumingMemoryBound(to: Cursor.self).pointee.row += 1
            return SQLITE_OK
        }
        m.xEof = { cursor in
            let c = UnsafeMutableRawPointer(cursor!).assumingMemoryBound(to: Cursor.self).pointee
            return c.row >= c.source.pointee.rows ? 1 : 0
        }
        m.xRowid = { cursor, rowid in
            rowid!.pointee = Int64(UnsafeMutableRawPointer(cursor!).assumingMemoryBound(to: Cursor.self).pointee.row)
            return SQLITE_OK
        }
        m.xColumn = { cursor, context, column in
            let c = UnsafeMutableRawPointer(cursor!).assumingMemoryBound(to: Cursor.self).pointee
            let s = c.source.pointee
            let r = c.row
            let integers = s.integers! + r * Batch.integers
            @inline(__always) func text(_ k: Int) {
                // Text k of the row (0 date, 1 currency, … 6 path), as `Batch.span` finds it.
                let ends = s.ends!
                let rowStart = r == 0 ? 0 : Int(ends[r * Batch.texts - 1])
                let start = k == 0 ? rowStart : (k == 1 ? rowStart + 10 : Int(ends[r * Batch.texts + k - 2]))
                let end = k == 0 ? rowStart + 10 : Int(ends[r * Batch.texts + k - 1])
                sqlite3_result_text(context, UnsafeRawPointer(s.text! + start).assumingMemoryBound(to: CChar.self),
                                    Int32(end - start), BatchTable.staticText)
            }
            switch column {
            case 0: sqlite3_result_int64(context, integers[0])       // line
            case 1: sqlite3_result_int64(context, integers[1])       // identity
            case 2: text(0)                                          // date
            case 3: sqlite3_result_int64(context, integers[2])       // amount
            case 4: text(1)                                          // currency
            case 5: sqlite3_result_int64(context, integers[3])       // account
            case 6: sqlite3_result_int64(context, integers[4])       // fund
            case 7: sqlite3_result_int64(context, integers[5])       // counterparty
            case 8: text(2)                                          // description
            case 9: text(3)                                          // reference
            case 10: text(4)                                         // native id
            case 11: text(5)                                         // kind
            default:                                                 // path
                if s.hasPath![r] { text(6) } else { sqlite3_result_null(context) }
            }
            return SQLITE_OK
        }
        return m
    }

    /// SQLite reads the batch's text in place: it outlives the statement's step.
    nonisolated(unsafe) static let staticText = unsafeBitCast(0, to: sqlite3_destructor_type.self)
}

/// An SQLite error message from registering the table.
struct DatabaseErrorMessage: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}
