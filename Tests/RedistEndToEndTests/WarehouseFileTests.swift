import Foundation
import RedistCore
import Testing

/// The SQLite warehouse is one file when a run is over, whatever journal
/// the stages used on the way: staff copy it, mail it, open it in any
/// SQLite tool, and a write-ahead log left beside it would hold part of it.
@Suite("Warehouse file")
struct WarehouseFileTests {
    /// Bytes 18 and 19 of a SQLite file: 1 and 1 in rollback-journal mode, 2 and 2 in write-ahead-log mode.
    func journalBytes(_ path: String) -> [UInt8] {
        Array(read(path).dropFirst(18).prefix(2))
    }

    func leftBeside(_ path: String) -> [String] {
        ["-wal", "-shm", "-journal"].filter { FileManager.default.fileExists(atPath: path + $0) }
    }

    @Test func aRunLeavesTheWarehouseAsOneFile() throws {
        let dir = temporaryDirectory()
        let warehouse = dir + "/w.sqlite"
        let run = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: warehouse)
        #expect(run.status == 0, "\(run.log)")
        #expect(journalBytes(warehouse) == [1, 1])
        #expect(leftBeside(warehouse) == [])
    }

    @Test func aWarehouseLeftInWriteAheadModeIsFoldedBackAndGivesTheSameReports() throws {
        let dir = temporaryDirectory()
        let first = dir + "/first.sqlite", second = dir + "/second.sqlite"
        #expect(runPipeline(period: "2024-Q1", out: dir + "/out1", warehouse: first).status == 0)
        // As a run that stopped between its stages leaves it.
        do {
            let w = try Warehouse(path: second)
            try w.readBesideWriter()
        }
        #expect(journalBytes(second) == [2, 2])
        let run = runPipeline(period: "2024-Q1", out: dir + "/out2", warehouse: second)
        #expect(run.status == 0, "\(run.log)")
        #expect(journalBytes(second) == [1, 1])
        #expect(leftBeside(second) == [])
        for name in ["summary.csv", "transactions.csv", "trustees.html"] {
            #expect(read(dir + "/out1/" + name) == read(dir + "/out2/" + name), "\(name)")
        }
    }
}
