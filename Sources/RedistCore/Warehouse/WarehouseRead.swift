import Foundation
import GRDB
import RedistModel

extension Warehouse {
    /// Checks, before any figure is computed, that the warehouse still
    /// holds what was loaded from each file: rows read = loaded + rejected
    /// + skipped as stored, and the rows and gross amounts (the sum of
    /// magnitudes) loaded equal those held now, added up in SQL. Rows deleted or
    /// changed behind the loader's back throw `WarehouseError.controlTotals`
    /// naming the file. Returns the gross amount of everything read back, a
    /// bound on every sum the measures make (checked: a total past 64 bits
    /// throws `DataError`, naming the file), and the number of movement
    /// rows the files hold.
    /// The most the magnitudes of all amounts may add up to: a sixteenth of
    /// what 64 bits hold, so every sum the measures make, and the little
    /// arithmetic the reports do on sums (a chart's axis steps, a tenth of a
    /// total), stays far from overflowing. It is about 5.7 × 10^15 pounds.
    public static let grossLimit = Int64.max / 16

    func checkControlTotals(files: [LoadedFile]) throws -> (gross: Int64, movements: Int) {
        struct Held { var rows = 0; var gross: Int64 = 0; var extra: Int64 = 0; var overflow = false }
        var held: [Int64: Held] = [:]
        // Balances and members are loaded with no amount; a grant with its
        // amount awarded. A grant that sums up its file's movements is not a
        // row of its own: only its amounts count, toward the gross limit.
        // (The casts: PostgreSQL's sum of 64-bit integers is a decimal.)
        let queries = ["SELECT file_id, count(*), CAST(sum(abs(amount_awarded)) AS BIGINT), CAST(sum(abs(coalesce(amount_disbursed, 0))) AS BIGINT) FROM grant_award WHERE summarises_movements = 0 GROUP BY file_id",
                       "SELECT file_id, CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(sum(abs(amount_awarded)) + sum(abs(coalesce(amount_disbursed, 0))) AS BIGINT) FROM grant_award WHERE summarises_movements = 1 GROUP BY file_id",
                       "SELECT file_id, count(*), CAST(0 AS BIGINT), CAST(sum(abs(amount)) AS BIGINT) FROM balance GROUP BY file_id",
                       "SELECT file_id, count(*), CAST(0 AS BIGINT), CAST(0 AS BIGINT) FROM member GROUP BY file_id"]
        for sql in queries {
            for r in try query(sql) {
                held[r.int(0), default: Held()].rows += Int(r.int(1))
                held[r.int(0), default: Held()].gross += r.int(2)
                held[r.int(0), default: Held()].extra += r.int(3)
            }
        }
        // The movements' magnitudes, added in two halves (above and below
        // 2^32) so no engine's sum can overflow; the one amount with no
        // 64-bit magnitude (the most negative) is counted apart.
        var movements: [Int64: Int] = [:]
        for r in try query("""
            SELECT file_id, count(*),
              CAST(sum(CASE WHEN amount < -9223372036854775807 THEN 0 ELSE abs(amount) / 4294967296 END) AS BIGINT),
              CAST(sum(CASE WHEN amount < -9223372036854775807 THEN 0 ELSE abs(amount) % 4294967296 END) AS BIGINT),
              CAST(sum(CASE WHEN amount < -9223372036854775807 THEN 1 ELSE 0 END) AS BIGINT)
            FROM movement_row GROUP BY file_id
            """) {
            let (high, o1) = r.int(2).multipliedReportingOverflow(by: 1 << 32)
            let (gross, o2) = high.addingReportingOverflow(r.int(3))
            movements[r.int(0)] = Int(r.int(1))
            held[r.int(0), default: Held()].rows += Int(r.int(1))
            let (sum, o3) = held[r.int(0), default: Held()].gross.addingReportingOverflow(gross)
            held[r.int(0), default: Held()].gross = sum
            if o1 || o2 || o3 || r.int(4) > 0 { held[r.int(0), default: Held()].overflow = true }
        }
        var total: Int64 = 0
        for f in files {
            if f.rowsRead != f.rowsLoaded + f.rowsRejected + f.rowsSkipped
                || f.amountRead != f.amountLoaded &+ f.amountRejected &+ f.amountSkipped {
                throw WarehouseError.controlTotals(path: path, file: f.path, message: "rows read \(f.rowsRead) ≠ loaded \(f.rowsLoaded) + rejected \(f.rowsRejected) + skipped \(f.rowsSkipped), or amounts read \(f.amountRead) ≠ loaded \(f.amountLoaded) + rejected \(f.amountRejected) + skipped \(f.amountSkipped) (in minor units)")
            }
            // A file that failed kept nothing but its failure.
            guard f.failure == nil else { continue }
            let h = held[f.id] ?? Held()
            let overflow = h.overflow
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
        return (total, files.reduce(0) { $0 + (movements[$1.id] ?? 0) })
    }
}

/// The data cannot give a trustworthy figure (a sum past 64 bits, a
/// register that failed): exit status 1, with the message as it stands.
public struct DataError: Error, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { description = message }
}

