import Foundation
@testable import RedistCore
import RedistIngest
import RedistModel
import Testing

/// `redist init`'s draft: formats identified by content, files grouped, a
/// pipeline that checks and ingests, stubs sorted by total.
@Suite("Pipeline draft (redist init)")
struct PipelineDraftTests {
    static let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-data").standardizedFileURL.path

    static func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-init-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func theSampleDataGivesAPipelineThatChecksAndIngests() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.sampleData, toPath: dir + "/data")
        let draft = PipelineDraft.make(directory: dir + "/data")
        #expect(draft.errors.isEmpty, "\(draft.errors)")
        try draft.toml.write(toFile: dir + "/data/pipeline.toml", atomically: true, encoding: .utf8)
        let pipeline = try Pipeline.load(path: dir + "/data/pipeline.toml")
        let byFormat = Dictionary(grouping: pipeline.sources, by: \.format).mapValues { $0.map(\.path) }
        #expect(byFormat["csv"]?.contains("exports/cashbook-*.csv") == true)
        #expect(byFormat["xero"] == ["exports/xero-*.csv"])
        #expect(byFormat["gnucash"] == ["exports/books-2023-Q4.gnucash"])
        #expect(byFormat["camt053"] == ["bank/statement-2024-Q1.xml"])
        #expect(byFormat["ofx"] == ["formats/ofx--*.ofx"])
        #expect(byFormat["360giving"]?.sorted() == ["funders/*.csv", "grants-out.csv"])
        #expect(pipeline.sources.first { $0.path == "grants-out.csv" }?.role == .grantsOut)
        #expect(pipeline.sources.first { $0.path == "members.csv" }?.role == .members)
        #expect(pipeline.sources.first { $0.path == "exports/cashbook-*.csv" }?.name == "cashbook")
        #expect(pipeline.sources.first { $0.path == "exports/cashbook-*.csv" }?.options["date_format"] == "dd/mm/yyyy")
        #expect(pipeline.organisation.id == "GB-CHC-9990012")
        #expect(Set(pipeline.funds.map(\.code)) == ["GEN", "SCP", "TW-CC", "ML-PEER", "POOL-RG", "HOST-TL", "1"])  // "1": the Sage sample's department
        #expect(pipeline.funders.count == 3)
        // Redist's own outputs and the generator's files are named as not recognised, with the reason.
        #expect(draft.notRecognised.contains { $0.hasPrefix("formats/qif--bank.qif.expected.csv: redist's own output") })
        #expect(draft.notRecognised.contains { $0.hasPrefix("generate.py: not an export redist knows") })
        // The largest account comes first among the rule stubs.
        let stubs = draft.toml.split(separator: "\n").filter { $0.hasPrefix("# [[rule]]") }
        #expect(stubs.first?.contains("4000") == true, "\(stubs.prefix(2))")
        #expect(draft.suggestedPeriod == "2024-Q1")
        // Every sample amount is in pounds: no rates to fill in.
        #expect(!draft.toml.contains("[[rate]]"))
        let warehouse = try Warehouse(path: dir + "/w.sqlite")
        let report = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
        #expect(report.filesFailed.isEmpty, "\(report.filesFailed)")
        #expect(report.filesRead >= 20)
    }

    /// Files with amounts in euros and dollars get a commented rate stub for
    /// each currency, dated on its earliest amount, and the draft still loads.
    @Test func otherCurrenciesGetACommentedRatesBlock() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RedistEndToEndTests/Fixtures/rates-eur").standardizedFileURL.path
        for file in ["ledger.csv", "funder-usd.csv", "funder-eur.xml"] {
            try FileManager.default.copyItem(atPath: fixtures + "/" + file, toPath: dir + "/" + file)
        }
        let draft = PipelineDraft.make(directory: dir)
        #expect(draft.errors.isEmpty, "\(draft.errors)")
        #expect(draft.toml.contains("# Amounts in EUR and USD were found, and the organisation reports in GBP"), "\(draft.toml)")
        let lines = draft.toml.split(separator: "\n").map(String.init)
        let dates = lines.filter { $0.hasPrefix("# date = ") }.map { $0.dropFirst(9).prefix(12) }
        let currencies = lines.filter { $0.hasPrefix("# currency = ") }
        #expect(currencies == ["# currency = \"EUR\"", "# currency = \"USD\""])
        // The euro funder's first disbursement, and the dollar grant's award.
        #expect(dates == ["\"2024-01-15\"", "\"2023-12-01\""], "\(dates)")
        try draft.toml.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        #expect(try Pipeline.load(path: dir + "/pipeline.toml").rates.isEmpty)
        // Filled in and uncommented, the stubs are rates.
        var filled = draft.toml
        for (i, code) in ["EUR", "USD"].enumerated() {
            let date = String(dates[i])
            filled = filled.replacingOccurrences(of: "# [[rate]]\n# date = \(date)", with: "[[rate]]\ndate = \(date)")
            filled = filled.replacingOccurrences(of: "# currency = \"\(code)\"\n# rate = \"\"", with: "currency = \"\(code)\"\nrate = \"0.85\"")
        }
        filled = filled.replacingOccurrences(of: "# source = \"\"", with: "source = \"test\"")
        try filled.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        #expect(try Pipeline.load(path: dir + "/pipeline.toml").rates.entries.count == 2)
    }

    @Test func aCSVWhoseDatesAreAllAmbiguousIsWrittenCommentedOutSayingWhy() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "Date,Description,Paid in,Paid out\n02/01/2024,Grant,10.00,\n03/01/2024,Rent,,5.00\n".write(toFile: dir + "/bank.csv", atomically: true, encoding: .utf8)
        try "Date,Description,Amount\n13/01/2024,Grant,10.00\n".write(toFile: dir + "/other.csv", atomically: true, encoding: .utf8)
        let draft = PipelineDraft.make(directory: dir)
        #expect(draft.recognised.contains { $0.contains("bank.csv") && $0.contains("every date in Date could be day first or month first (as \"02/01/2024\")") })
        try draft.toml.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        let pipeline = try Pipeline.load(path: dir + "/pipeline.toml")
        #expect(pipeline.sources.map(\.path) == ["other.csv"])
        #expect(pipeline.sources[0].options["date_format"] == "dd/mm/yyyy")
        #expect(pipeline.sources[0].columns == ["date": "Date", "description": "Description", "amount": "Amount"])
    }

    /// A bank CSV that starts with title lines (the account's name and
    /// balance, a blank line) has its header found below them: skip_lines
    /// passes over them, and every row under the header is read.
    @Test func titleLinesAboveTheHeaderAreSkipped() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = """
            Transactions for Community Account 12345678
            Account Balance:,"£2,209.56"

            Date,Description,Paid out,Paid in,Balance
            05/04/2023,BACS TIDEWATER FOUNDATION,,"£1,000.00","£2,234.56"
            12/04/2023,CHEQUE 100234,£25.00,,"£2,209.56"
            13/04/2023,CARD PAYMENT CAFE,£4.50,,"£2,205.06"

            """
        try csv.write(toFile: dir + "/statement.csv", atomically: true, encoding: .utf8)
        let draft = PipelineDraft.make(directory: dir)
        #expect(draft.errors.isEmpty, "\(draft.errors)")
        try draft.toml.write(toFile: dir + "/pipeline.toml", atomically: true, encoding: .utf8)
        let pipeline = try Pipeline.load(path: dir + "/pipeline.toml")
        let source = try #require(pipeline.sources.first { $0.path == "statement.csv" }, "\(draft.toml)")
        #expect(source.role == .bank)
        #expect(source.columns == ["date": "Date", "description": "Description", "paid_in": "Paid in", "paid_out": "Paid out"])
        #expect(source.options["date_format"] == "dd/mm/yyyy")
        let skip = try #require(source.options["skip_lines"].flatMap { Int($0) })
        #expect((2...3).contains(skip), "the title, the balance line and (if the scanner counts it) the blank line: \(skip)")
        let warehouse = try Warehouse(path: dir + "/w.sqlite")
        let report = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
        #expect(report.filesFailed.isEmpty, "\(report.filesFailed)")
        let rows = try warehouse.query("SELECT count(*), sum(amount) FROM movement_row")
        let (count, total) = (rows.first?.int(0) ?? 0, rows.first?.int(1) ?? 0)
        #expect(count == 3)
        #expect(total == 97_050, "£1,000.00 in, £25.00 and £4.50 out")
    }

    /// A funder's 360Giving JSON is named as what it is, with what to do
    /// instead, not as a CSV without a header.
    @Test func aThreeSixtyGivingJSONFileIsNamedAndRefusedSayingWhatToDo() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "{\n  \"grants\": [\n    {\"id\": \"360G-x-1\", \"amountAwarded\": 5000}\n  ]\n}\n".write(toFile: dir + "/funder.json", atomically: true, encoding: .utf8)
        try "[1, 2, 3]\n".write(toFile: dir + "/other.json", atomically: true, encoding: .utf8)
        let draft = PipelineDraft.make(directory: dir)
        #expect(draft.notRecognised.contains { $0.hasPrefix("funder.json: 360Giving data as JSON, which redist does not read: download the same grants as 360Giving CSV") }, "\(draft.notRecognised)")
        #expect(draft.notRecognised.contains { $0.hasPrefix("other.json: a JSON file: no reader knows it") }, "\(draft.notRecognised)")
    }

    @Test func aFileTwoFormatsClaimIsAnError() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The header of Lloyds' export and Barclays' at once.
        try "Transaction Date,Transaction Type,Transaction Description,Debit Amount,Credit Amount,Number,Date,Account,Amount,Subcategory,Memo\n"
            .write(toFile: dir + "/both.csv", atomically: true, encoding: .utf8)
        let draft = PipelineDraft.make(directory: dir)
        #expect(draft.errors == ["both.csv: error: claimed by 2 formats (bank-lloyds, bank-barclays): name one with format = in [[source]]"])
        #expect(!draft.toml.contains("both.csv"))
    }

    @Test func everyReaderAnswersForEveryCorpusFileWithoutTwoClaims() throws {
        let corpus = URL(fileURLWithPath: Self.sampleData).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/corpus").path
        guard FileManager.default.fileExists(atPath: corpus) else { return }
        for relative in PipelineDraft.files(under: corpus) where !relative.hasSuffix(".md") {
            let claims = Readers.identify(FileHead(path: corpus + "/" + relative)).map { $0.format }
            #expect(claims.count <= 1, "\(relative): \(claims)")
            let folder = relative.split(separator: "/").first.map(String.init) ?? ""
            let expected = ["iati-xml": "iati", "gnucash-xml": "gnucash", "camt053-xml": "camt053", "ofx": "ofx", "360giving-csv": "360giving"][folder]
            if let expected { #expect(claims == [expected], "\(relative): \(claims)") }
        }
    }
}
