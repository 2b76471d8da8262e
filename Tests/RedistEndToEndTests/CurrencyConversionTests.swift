import Foundation
@testable import RedistCore
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

    /// The fixture with a euro funder's IATI file beside the dollar 360Giving
    /// file, and a ledger payment made in euros.
    func twoCurrencies(_ name: String, rates: String? = nil) throws -> String {
        let fixtures = Repo.root + "/Tests/RedistEndToEndTests/Fixtures/rates-eur"
        let dir = temporaryDirectory(name)
        for file in ["ledger.csv", "funder-usd.csv", "funder-eur.xml", "pipeline.toml", "rates.csv"] {
            try FileManager.default.copyItem(atPath: fixtures + "/" + file, toPath: dir + "/" + file)
        }
        if let rates { try rates.write(toFile: dir + "/rates.csv", atomically: true, encoding: .utf8) }
        return dir
    }

    @Test(arguments: TestEngine.available)
    func euroAndDollarFundersReconcileAgainstTheSterlingReceipts(engine: TestEngine) throws {
        let dir = try twoCurrencies("eur-usd-\(engine.rawValue)")
        let warehouse = engine.warehouse(in: dir)
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: warehouse, strict: true)
        #expect(run.status == 0, "\(run.log)")
        let recon = parseCSV(dir + "/out/reconciliation.csv")
        let header = recon[0]
        func column(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        // 1000.00 EUR at 0.8570 (2023-12-29) is 857.00 GBP; 499.75 EUR at 0.8560 (2024-02-01) is 427.786, so 427.79.
        let payments = recon.dropFirst().filter { $0[0] == "funder-payments" }
        #expect(payments.map { column($0, "left_amount") } == ["857.00", "427.79"], "\(recon)")
        #expect(payments.map { column($0, "right_amount") } == ["857.00", "427.79"], "\(recon)")
        #expect(payments.allSatisfy { column($0, "status") == "matched" }, "\(recon)")
        // The dollar grant, as before: 1580.00 USD at 0.7913 is 1250.25 GBP.
        let grant = try #require(recon.first { $0[0] == "funder-grant-totals" }, "\(recon)")
        #expect(column(grant, "left_amount") == "1250.25" && column(grant, "status") == "matched", "\(grant)")

        // transactions.csv keeps what the euro payment was, and the rate that converted it.
        let transactions = parseCSV(dir + "/out/transactions.csv")
        let t = transactions[0]
        func cell(_ row: [String], _ name: String) -> String { row[t.firstIndex(of: name)!] }
        #expect(Array(t.suffix(6)) == ["signed_amount", "original_amount", "original_currency", "rate", "rate_date", "rate_source"])
        let euro = try #require(transactions.first { $0.count == t.count && cell($0, "reference") == "G-2" }, "\(transactions)")
        #expect(cell(euro, "signed_amount") == "-171.00" && cell(euro, "currency") == "GBP")
        #expect(cell(euro, "original_amount") == "-200.00" && cell(euro, "original_currency") == "EUR")
        #expect(cell(euro, "rate") == "0.8550" && cell(euro, "rate_date") == "2024-03-01")
        #expect(cell(euro, "rate_source") == "Bank of England XUDLERS")
        let sterling = try #require(transactions.first { $0.count == t.count && cell($0, "reference") == "G-1" })
        #expect(Array(sterling.suffix(5)) == ["", "", "", "", ""])

        // The warehouse's movement view shows the same, on either engine; money in pounds has none.
        let w = try Warehouse.open(warehouse)
        let rows = try w.query("""
            SELECT reference, amount, currency, original_amount, original_currency, rate, rate_date, rate_source
            FROM movement WHERE original_currency IS NOT NULL ORDER BY date
            """)
        #expect(rows.count == 3, "\(rows)")
        let payment = try #require(rows.first { $0.text(0) == "G-2" }, "\(rows)")
        #expect(payment.int(1) == -17100 && payment.text(2) == "GBP")
        #expect(payment.int(3) == -20000 && payment.text(4) == "EUR" && payment.text(5) == "0.8550")
        #expect(payment.text(6) == "2024-03-01" && payment.text(7) == "Bank of England XUDLERS")
        let disbursed = rows.filter { $0.text(4) == "EUR" }.map { ($0.int(1), $0.int(3)) }
        #expect(disbursed.contains { $0 == (85700, 100000) } && disbursed.contains { $0 == (42779, 49975) }, "\(rows)")
        let unconverted = try w.query("SELECT count(*) FROM movement WHERE original_currency IS NULL AND rate IS NULL")
        #expect(unconverted.first?.int(0) == 4)
    }

    @Test(arguments: TestEngine.available)
    func aEuroDisbursementBeforeEveryEuroRateIsRejectedNamingTheRate(engine: TestEngine) throws {
        let dir = try twoCurrencies("no-eur-\(engine.rawValue)", rates: """
            date,currency,rate,source
            2023-11-30,USD,0.7913,Bank of England XUDLUSS
            2024-02-01,EUR,0.8560,Bank of England XUDLERS
            2024-03-01,EUR,0.8550,Bank of England XUDLERS

            """)
        let run = runPipeline(dir + "/pipeline.toml", period: "2024-Q1", out: dir + "/out", warehouse: engine.warehouse(in: dir), strict: true)
        #expect(run.status == 1, "\(run.log)")
        let quality = parseCSV(dir + "/out/quality.csv")
        let rejects = quality.filter { $0.count > 5 && $0[4] == "reject.currency" }
        try #require(rejects.count == 1, "\(quality)")
        #expect(rejects[0][1] == "funder-eur.xml")
        #expect(rejects[0][5] == "the amount is in EUR but the organisation reports in GBP, and no rate for EUR is dated on or before 2024-01-15; redist never mixes currencies (expected a [[rate]] with currency = \"EUR\" and a date on or before 2024-01-15)")
        // The receipt it would have matched is left unmatched; the later one still matches at its own rate.
        let recon = parseCSV(dir + "/out/reconciliation.csv")
        let payments = recon.dropFirst().filter { $0[0] == "funder-payments" }
        #expect(payments.map { $0[10] }.sorted() == ["matched", "only-right"], "\(recon)")
    }
}
