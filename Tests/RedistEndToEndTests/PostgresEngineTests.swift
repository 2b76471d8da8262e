import Foundation
import RedistCore
import RedistModel
import RedistReports
import Testing

/// One warehouse, two engines: the sample pipeline run on SQLite and on a
/// real PostgreSQL server writes the same files, byte for byte.
@Suite(.serialized, .enabled(if: PostgresTestServer.url != nil, PostgresTestServer.skipReason))
struct PostgresEngineTests {
    /// Every file under `dir`, relative to it, sorted.
    static func files(under dir: String) -> [String] {
        let names = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    @Test(arguments: ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"])
    func everyOutputIsByteIdenticalOnBothEngines(period: String) throws {
        let dir = temporaryDirectory()
        // The same output folder for both runs (its path is part of what the
        // run stamp hashes), moved aside after the first.
        let sqlite = runPipeline(period: period, out: dir + "/out", warehouse: dir + "/w.sqlite")
        try FileManager.default.moveItem(atPath: dir + "/out", toPath: dir + "/sqlite")
        let postgres = runPipeline(period: period, out: dir + "/out", warehouse: PostgresTestServer.freshWarehouse())
        #expect(sqlite.status == postgres.status, "SQLite \(sqlite.log)\nPostgreSQL \(postgres.log)")
        #expect(sqlite.log == postgres.log)
        let written = Self.files(under: dir + "/sqlite")
        #expect(written.count >= SamplePipelineTests.outputs.count, "\(written)")
        #expect(Self.files(under: dir + "/out") == written)
        for name in written {
            #expect(read(dir + "/out/" + name) == read(dir + "/sqlite/" + name), "\(name) differs between SQLite and PostgreSQL")
        }
    }

    /// Staff can read the warehouse with SQL: the catalogue, the schema
    /// version and the movements with their dimensions' names.
    @Test func theWarehouseIsThereForSQLTools() throws {
        let dir = temporaryDirectory()
        let url = PostgresTestServer.freshWarehouse()
        let run = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: url)
        #expect(run.status == 0, "\(run.log)")
        let warehouse = try Warehouse.open(url)
        #expect(try warehouse.meta("schema_version") == "14")
        let files = try warehouse.files()
        #expect(files.count == 13)
        #expect(files.allSatisfy { $0.sha256.count == 64 && $0.rowsRead == $0.rowsLoaded + $0.rowsRejected + $0.rowsSkipped })
        // In the catalogue's order, source then path, compared by their bytes as SQLite does.
        let keys = files.map { Array($0.source.utf8) + [0] + Array($0.path.utf8) }
        #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// A file whose contents change is read again and its old rows go;
    /// a file no longer matched goes with everything read from it.
    @Test func changedAndRemovedFilesAreReplaced() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/exports", withIntermediateDirectories: true)
        try """
        [organisation]
        id = "GB-CHC-1"
        name = "Hub"
        [[source]]
        name = "cashbook"
        role = "ledger"
        format = "csv"
        path = "exports/*.csv"
        [source.columns]
        date = "Date"
        description = "Details"
        amount = "Amount"
        """.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        try "Date,Details,Amount\n2024-04-01,Rent,-10.00\n2024-04-01,Rent,-10.00\n".write(toFile: dir + "/exports/a.csv", atomically: true, encoding: .utf8)
        try "Date,Details,Amount\n2024-04-02,Gift,5.00\n".write(toFile: dir + "/exports/b.csv", atomically: true, encoding: .utf8)
        let pipeline = try Pipeline.load(path: dir + "/pipeline.toml")
        let warehouse = try Warehouse.open(PostgresTestServer.freshWarehouse())
        _ = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
        var data = try Dataset.load(pipeline: pipeline, warehouse: warehouse)
        // Two identical rows in one file are two movements (occurrences 1 and 2).
        #expect(try data.ledger.map(\.movement.amount.minorUnits).sorted() == [-1000, -1000, 500])
        #expect(try Set(data.ledger.map(\.id)).count == 3)

        try "Date,Details,Amount\n2024-04-01,Rent,-12.00\n".write(toFile: dir + "/exports/a.csv", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/exports/b.csv")
        let report = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
        #expect(report.filesRead == 1 && report.filesRemoved == 1)
        data = try Dataset.load(pipeline: pipeline, warehouse: warehouse)
        #expect(try data.ledger.map(\.movement.amount.minorUnits) == [-1200])
        #expect(try warehouse.files().map(\.path).count == 1)
    }

    /// Text that COPY's format must escape arrives as it was written.
    @Test func textSurvivesTheCopyFormat() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/exports", withIntermediateDirectories: true)
        try """
        [organisation]
        id = "GB-CHC-1"
        name = "Hub"
        [[source]]
        name = "cashbook"
        role = "ledger"
        format = "csv"
        path = "exports/*.csv"
        [source.columns]
        date = "Date"
        description = "Details"
        reference = "Ref"
        counterparty = "Payee"
        amount = "Amount"
        """.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        let descriptions = ["tab\there", "back\\slash \\N", "two\nlines", "carriage\r\nreturn", "Café £5 — ünïcödé", ""]
        var csv = "Date,Details,Ref,Payee,Amount\r\n"
        for (i, d) in descriptions.enumerated() {
            csv += "2024-04-0\(i + 1),\"\(d)\",R\\\(i),\"Payee\t\(i)\",-\(i + 1).00\r\n"
        }
        try csv.write(toFile: dir + "/exports/a.csv", atomically: true, encoding: .utf8)
        let pipeline = try Pipeline.load(path: dir + "/pipeline.toml")
        var seen: [[String]] = []
        for location in [dir + "/w.sqlite", PostgresTestServer.freshWarehouse()] {
            let warehouse = try Warehouse.open(location)
            _ = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
            let data = try Dataset.load(pipeline: pipeline, warehouse: warehouse)
            seen.append(try data.ledger.map { m in
                [m.id, m.movement.description, m.movement.reference, m.movement.counterparty, "\(m.movement.amount.minorUnits)"]
                    .joined(separator: "|")
            })
        }
        #expect(seen[0].count == descriptions.count)
        #expect(seen[0] == seen[1])
        let stored = Set(seen[1].map { String($0.split(separator: "|", omittingEmptySubsequences: false)[1]) })
        for d in ["tab\there", "back\\slash \\N", "two\nlines", "Café £5 — ünïcödé"] {
            #expect(stored.contains(d), "\(d) was not kept")
        }
    }

    /// PostgreSQL's text cannot hold U+0000 (SQLite's can): a NUL byte in a
    /// description is kept as U+FFFD, and the file loads all the same.
    @Test func aNulByteIsStoredAsTheReplacementCharacter() throws {
        let dir = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/exports", withIntermediateDirectories: true)
        try """
        [organisation]
        id = "GB-CHC-1"
        name = "Hub"
        [[source]]
        name = "cashbook"
        role = "ledger"
        format = "csv"
        path = "exports/*.csv"
        [source.columns]
        date = "Date"
        description = "Details"
        amount = "Amount"
        """.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        try Data("Date,Details,Amount\n2024-04-01,Ren\u{0}t,-10.00\n2024-04-02,Gift,5.00\n".utf8)
            .write(to: URL(fileURLWithPath: dir + "/exports/a.csv"))
        let pipeline = try Pipeline.load(path: dir + "/pipeline.toml")
        let warehouse = try Warehouse.open(PostgresTestServer.freshWarehouse())
        let report = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
        #expect(report.filesFailed.isEmpty)
        let data = try Dataset.load(pipeline: pipeline, warehouse: warehouse)
        #expect(try data.ledger.map(\.movement.description).sorted() == ["Gift", "Ren\u{FFFD}t"])
    }
}
