import Foundation
import Testing

/// A funder's file in US dollars reconciles against the ledger's sterling
/// receipt through the pipeline's rates, on every engine; without a rate
/// for its date the grant is rejected, naming the rate it lacks.
struct CurrencyConversionTests {
    func pipeline(_ name: String, rates: String? = nil) throws -> String {
        let fixtures = Repo.root + "/Tests/RedistEndToEndTests/Fixtures/rates"
        let dir = temporaryDirectory(name)
        for file in ["ledger.csv", "funder.csv", "pipeline.toml"] {
            try FileManager.default.copyItem(atPath: fixtures + "/" + file, toPath: dir + "/" + file)
        }
        try (rates ?? String(contentsOfFile: fixtures + "/rates.csv", encoding: .utf8))
            .write(toFile: dir + "/rates.csv", atomically: true, encoding: .utf8)
        return dir
    }

    @Test(arguments: TestEngine.available)
    func aDollarGrantMatchesTheSterlingReceiptAtTheRateOnOrBeforeItsDay(engine: TestEngine) throws {
        let dir = try pipeline("usd-\(engine.rawValue)")
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: engine.warehouse(in: dir), strict: true)
        #expect(run.status == 0, "\(run.log)")
        let rows = parseCSV(dir + "/out/reconciliation.csv")
        try #require(rows.count == 2, "\(rows)")
        // 1580.00 USD at 0.7913 (the rate of 2023-11-30, not the later one) is 1250.254: 1250.25 GBP.
        #expect(rows[1][0] == "funder-grant-totals")
        #expect(rows[1][7] == "1250.25")
        #expect(rows[1][8] == "1250.25")
        #expect(rows[1][9] == "0.00")
        #expect(rows[1][10] == "matched")
        let quality = parseCSV(dir + "/out/quality.csv")
        let note = quality.first { $0.count > 5 && $0[4] == "converted" }
        // The grant's amount awarded and its amount disbursed.
        #expect(note?[5] == "2 amounts were in USD, converted to GBP at the rate dated on or before each one's day (rates from: Bank of England XUDLUSS)")
    }

    @Test(arguments: TestEngine.available)
    func aGrantDatedBeforeEveryRateIsRejectedNamingTheRate(engine: TestEngine) throws {
        let dir = try pipeline("no-usd-\(engine.rawValue)", rates: "date,currency,rate,source\n2023-12-15,USD,0.9000,A later rate\n")
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: engine.warehouse(in: dir), strict: true)
        #expect(run.status == 1, "\(run.log)")
        let quality = parseCSV(dir + "/out/quality.csv")
        let reject = try #require(quality.first { $0.count > 5 && $0[4] == "reject.currency" }, "\(quality)")
        #expect(reject[1] == "funder.csv")
        #expect(reject[5] == "the amount is in USD but the organisation reports in GBP, and no rate for USD is dated on or before 2023-12-01; redist never mixes currencies (expected a [[rate]] with currency = \"USD\" and a date on or before 2023-12-01)")
        // Nothing in another currency reached the reconciliation.
        let recon = parseCSV(dir + "/out/reconciliation.csv")
        #expect(recon.dropFirst().allSatisfy { $0[10] == "only-right" }, "\(recon)")
    }
}
