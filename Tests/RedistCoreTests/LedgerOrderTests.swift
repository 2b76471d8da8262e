import Foundation
import PropertyBased
@testable import RedistCore
import Testing

/// `position` in `ledger_entry` is the ledger's order (date, then file by
/// path, then line), whether `classify.sql` takes the stored rows as they
/// are (they were stored in that order) or has to sort them.
@Suite("Ledger order")
struct LedgerOrderTests {
    let header = "Date,Details,Amount\n"

    /// Writes each file's rows (days after 1 January 2024, each row's text
    /// unique), runs the ingest and classify stages, and returns the rows'
    /// texts in `position` order, with whether they were taken as stored.
    /// (On PostgreSQL when `postgres` is given: a URL of a schema of its own.)
    func ledger(_ files: [[Int]], _ w: Workspace, postgres: String? = nil) throws -> (texts: [String], asStored: Bool) {
        for (f, days) in files.enumerated() {
            let rows = days.enumerated().map { i, d in
                "2024-01-\(String(format: "%02d", 1 + d)),Row \(f)-\(i),-1.00\n"
            }
            try w.write("exports/file-\(f).csv", header + rows.joined())
        }
        let warehouse: Warehouse
        if let postgres {
            warehouse = try Warehouse.open(postgres)
            _ = try IngestStage(pipeline: try w.pipeline(), warehouse: warehouse).run()
            _ = try Dataset.load(pipeline: try w.pipeline(), warehouse: warehouse)
        } else {
            try w.ingest()
            _ = try w.dataset()
            warehouse = try Warehouse(path: w.warehousePath)
        }
        let texts = try warehouse.query("""
            SELECT m.description FROM ledger_entry e JOIN movement_row m ON m.id = e.movement_id ORDER BY e.position
            """).map { $0.text(0) }
        let positions = try warehouse.query("SELECT min(position), max(position), count(*) FROM ledger_entry").first!
        #expect(positions.int(0) == 1 && positions.int(1) == Int64(texts.count) && positions.int(2) == Int64(texts.count))
        let asStored = try warehouse.query("SELECT in_stored_order FROM run_ledger_order").first?.int(0) == 1
        return (texts, asStored)
    }

    /// The order worked out here, from the files themselves.
    func expected(_ files: [[Int]]) -> [String] {
        var rows: [(day: Int, file: Int, line: Int, text: String)] = []
        for (f, days) in files.enumerated() {
            for (i, d) in days.enumerated() { rows.append((d, f, i + 2, "Row \(f)-\(i)")) }
        }
        // file-0.csv, file-1.csv, … sort by path in file order.
        return rows.sorted { ($0.day, $0.file, $0.line) < ($1.day, $1.file, $1.line) }.map(\.text)
    }

    @Test func oneExportInDateOrderIsTakenAsStored() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        let files = [[0, 0, 1, 3, 3, 3, 7]]
        let result = try ledger(files, w)
        #expect(result.asStored)
        #expect(result.texts == expected(files))
    }

    @Test func rowsOutOfDateOrderAreSorted() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        let files = [[3, 0, 1, 7, 3, 0]]
        let result = try ledger(files, w)
        #expect(!result.asStored)
        #expect(result.texts == expected(files))
    }

    /// Two exports that share a day: that day's rows of the file earlier by
    /// path come first, whichever file was stored first.
    @Test func exportsSharingADayAreInPathOrder() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        let files = [[0, 1, 2], [2, 3]]
        #expect(try ledger(files, w).texts == expected(files))
    }

    /// Each file records whether its movements were read in date order, and
    /// its first and last dates.
    @Test func eachFileRecordsWhetherItWasReadInDateOrder() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        _ = try ledger([[0, 0, 4], [3, 1]], w)
        let rows = try Warehouse(path: w.warehousePath).query(
            "SELECT path, in_date_order, first_date, last_date FROM source_file ORDER BY path")
        #expect(rows.map { [$0.text(0).hasSuffix("file-0.csv") ? "0" : "1", String($0.int(1)), $0.text(2), $0.text(3)] }
                == [["0", "1", "2024-01-01", "2024-01-05"], ["1", "0", "2024-01-04", "2024-01-02"]])
    }

    /// A re-read file's rows are stored again after the others', out of the
    /// ledger's order (its days come before theirs), so they are sorted.
    @Test func aChangedExportIsPlacedByItsDates() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        _ = try ledger([[0, 1], [5, 6]], w)
        try w.write("exports/file-0.csv", header + "2024-01-01,Row 0-0,-1.00\n2024-01-02,Row 0-1,-1.00\n2024-01-03,Row 0-2,-1.00\n")
        try w.ingest()
        _ = try w.dataset()
        let texts = try Warehouse(path: w.warehousePath).query("""
            SELECT m.description FROM ledger_entry e JOIN movement_row m ON m.id = e.movement_id ORDER BY e.position
            """).map { $0.text(0) }
        #expect(texts == ["Row 0-0", "Row 0-1", "Row 0-2", "Row 1-0", "Row 1-1"])
    }

    /// Any files, in date order or not: the same order as sorting them.
    @Test func positionIsTheLedgerOrderHoweverTheRowsWereStored() async {
        await sameOrderAsSorting(count: 60, postgres: false)
    }

    /// The same on PostgreSQL, where `position` is counted with row_number().
    @Test(.enabled(if: TestPostgres.url != nil,
                   "REDIST_TEST_PG_URL is not set: no PostgreSQL server to test against (scripts/pg-test-server.sh start)"))
    func positionIsTheLedgerOrderOnPostgreSQL() async {
        await sameOrderAsSorting(count: 15, postgres: true)
    }

    /// On PostgreSQL too, an export in date order is taken as stored, and one out of order sorted.
    @Test(.enabled(if: TestPostgres.url != nil,
                   "REDIST_TEST_PG_URL is not set: no PostgreSQL server to test against (scripts/pg-test-server.sh start)"))
    func bothWaysOnPostgreSQL() throws {
        for (files, asStored) in [([[0, 0, 1, 3, 3, 3, 7]], true), ([[3, 0, 1, 7, 3, 0]], false)] {
            let w = try Workspace()
            try w.write("pipeline.toml", Workspace.cashbook)
            let result = try ledger(files, w, postgres: TestPostgres.fresh())
            #expect(result.asStored == asStored)
            #expect(result.texts == expected(files))
        }
    }

    func sameOrderAsSorting(count: Int, postgres: Bool) async {
        await propertyCheck(count: count, input: Gen.int(in: 0...6).array(of: 1...9).array(of: 1...3), Gen.bool) { files, inOrder in
            let files = inOrder ? files.map { $0.sorted() } : files
            do {
                let w = try Workspace()
                try w.write("pipeline.toml", Workspace.cashbook)
                let result = try ledger(files, w, postgres: postgres ? TestPostgres.fresh() : nil)
                #expect(result.texts == expected(files), "files \(files)")
                // Taken as stored only when every file was in date order.
                if result.asStored { #expect(files.allSatisfy { $0 == $0.sorted() }, "files \(files)") }
            } catch {
                Issue.record("files \(files): \(error)")
            }
        }
    }
}
