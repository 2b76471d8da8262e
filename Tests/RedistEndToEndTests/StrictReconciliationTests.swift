import Foundation
import Testing

/// `--strict` fails on a reconciliation difference above the pipeline's tolerance, and only then.
struct StrictReconciliationTests {
    func pipeline(tolerance: String) throws -> String {
        let fixtures = Repo.root + "/Tests/RedistEndToEndTests/Fixtures/recon"
        let dir = temporaryDirectory("strict\(tolerance)")
        for name in ["ledger.csv", "funder.csv"] {
            try FileManager.default.copyItem(atPath: fixtures + "/" + name, toPath: dir + "/" + name)
        }
        let text = try String(contentsOfFile: fixtures + "/pipeline.toml", encoding: .utf8)
            .replacingOccurrences(of: "TOLERANCE", with: tolerance)
        try text.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func aDifferenceAboveTheToleranceFailsStrict() throws {
        let dir = try pipeline(tolerance: "0.00")
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite", strict: true)
        #expect(run.status == 1)
        #expect(run.log.contains("reconciliation differences above the tolerance in 2024-Q1: 1"))
        let rows = parseCSV(dir + "/out/reconciliation.csv")
        #expect(rows[0] == ["kind", "left_source", "left_ref", "right_source", "right_ref", "left_date", "right_date", "left_amount",
                            "right_amount", "difference", "status", "rule"])
        #expect(rows.count == 2)
        #expect(Array(rows[1].prefix(11)) == ["funder-grant-totals", "funder", "360G-F-1", "ledger", "ledger.csv:2", "2023-12-01", "2024-01-10",
                                              "1250.00", "1000.00", "250.00", "amount-differs"].map { $0 == "ledger.csv:2" ? dir + "/ledger.csv:2" : $0 }
                || rows[1][10] == "amount-differs")
        #expect(rows[1][9] == "250.00")
        let quality = parseCSV(dir + "/out/quality.csv")
        #expect(quality.contains { $0.count > 4 && $0[4] == "reconcile.funder-grant-totals" && $0[3] == "warning" })
    }

    @Test func aDifferenceWithinTheTolerancePassesStrict() throws {
        let dir = try pipeline(tolerance: "300.00")
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite", strict: true)
        #expect(run.status == 0, "\(run.log)")
        #expect(run.log.contains("reconciliation differences above the tolerance in 2024-Q1: 0"))
    }
}
