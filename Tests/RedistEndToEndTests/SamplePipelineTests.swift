import Foundation
import RedistModel
import RedistReports
import Testing

/// The sample pipeline, end to end: golden files for every output, the
/// figures against the generator's own ground truth, and re-running.
@Suite(.serialized) struct SamplePipelineTests {
    static let outputs = ["summary.csv", "fund_movements.csv", "transactions.csv", "quality.csv", "reconciliation.csv", "trustees.html",
                          "open-data/360giving.csv", "evidence/tidewater-foundation/index.html", "evidence/tidewater-foundation/flows.csv",
                          "evidence/tidewater-foundation/grants.csv", "evidence/tidewater-foundation/manifest.json"]

    /// Set REDIST_RECORD_GOLDEN=1 to write the golden files anew after an intended change.
    /// On every available warehouse engine: the same golden files for each.
    @Test(arguments: TestEngine.available)
    func outputsMatchGoldenFiles(engine: TestEngine) throws {
        let dir = temporaryDirectory()
        let run = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: engine.warehouse(in: dir))
        #expect(run.status == 0, "log: \(run.log)")
        let record = ProcessInfo.processInfo.environment["REDIST_RECORD_GOLDEN"] == "1" && engine == .sqlite
        for name in Self.outputs {
            let produced = read(dir + "/out/" + name)
            #expect(!produced.isEmpty, "\(name) was not written")
            let goldenPath = Repo.golden + "/2024-Q1/" + name
            if record {
                try FileManager.default.createDirectory(atPath: (goldenPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(produced).write(to: URL(fileURLWithPath: goldenPath))
                continue
            }
            let golden = read(goldenPath)
            #expect(produced == golden, "\(name) differs from \(goldenPath); if the change is intended, re-record with REDIST_RECORD_GOLDEN=1")
        }
    }

    /// The organisation and fund rows agree, to the penny, with the totals
    /// the sample-data generator kept from its own list of transactions.
    @Test(arguments: TestEngine.available, ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"])
    func figuresMatchGroundTruth(engine: TestEngine, period: String) throws {
        let dir = temporaryDirectory()
        let run = runPipeline(period: period, out: dir + "/out", warehouse: engine.warehouse(in: dir))
        #expect(run.status == 0)
        let summary = parseCSV(dir + "/out/summary.csv")
        let header = summary[0]
        func column(_ row: [String], _ name: String) -> Int64 {
            let v = row[header.firstIndex(of: name)!]
            return AmountParser(digits: 2).parse(v)!
        }
        let expected = parseCSV(Repo.expected)
        let eh = expected[0]
        let rows = expected.dropFirst().filter { $0.count == eh.count && $0[0] == period }
        #expect(rows.count == 7)
        for e in rows {
            func want(_ name: String) -> Int64 { Int64(e[eh.firstIndex(of: name)!])! }
            let scope = e[1], id = e[2]
            let got = try #require(summary.first { $0[1] == scope && $0[2] == id }, "no \(scope) \(id) row")
            #expect(column(got, "income") == want("income"), "\(period) \(id) income")
            for name in ["redistributed_grant", "redistributed_small_costs", "redistributed_hosted", "redistributed_payment",
                         "retained_staff", "retained_programme", "retained_overhead", "retained_hosting_fee", "unclassified"] {
                #expect(column(got, name) == want(name), "\(period) \(id) \(name)")
            }
        }
    }

    /// A second run on unchanged files reads none of them and writes the same bytes.
    @Test(arguments: TestEngine.available)
    func rerunIsByteIdenticalAndReadsNothing(engine: TestEngine) throws {
        let dir = temporaryDirectory()
        let warehouse = engine.warehouse(in: dir)
        let first = runPipeline(period: "2023-Q4", out: dir + "/a", warehouse: warehouse)
        let second = runPipeline(period: "2023-Q4", out: dir + "/b", warehouse: warehouse)
        #expect(first.status == 0 && second.status == 0)
        #expect(first.log.contains { $0.contains("files read: 13, unchanged: 0") })
        #expect(second.log.contains { $0.contains("files read: 0, unchanged: 13") })
        for name in Self.outputs {
            #expect(read(dir + "/a/" + name) == read(dir + "/b/" + name), "\(name) changed on a re-run")
        }
    }

    /// Nothing is lost: the rejects are named compiler-style and counted,
    /// and `--strict` turns them into exit status 1.
    @Test func rejectsAreNamedAndStrictFails() throws {
        let dir = temporaryDirectory()
        let run = runPipeline(period: "2023-Q3", out: dir + "/out", warehouse: dir + "/w.sqlite")
        #expect(run.status == 0)
        #expect(run.log.contains("sample-data/exports/cashbook-2023-Q3.csv:140:85: error: \"12.3.4\" is not an amount (expected an amount such as 1234.56, 1,234.56, £1,234.56, -12.00 or (12.00))")
                || run.log.contains { $0.hasSuffix("cashbook-2023-Q3.csv:140:85: error: \"12.3.4\" is not an amount (expected an amount such as 1234.56, 1,234.56, £1,234.56, -12.00 or (12.00))") })
        #expect(run.log.contains { $0.hasSuffix("cashbook-2023-Q3.csv:196:1: error: \"31/02/2023\" is not a date (expected a date as dd/mm/yyyy, e.g. 31/03/2024)") })
        let quality = parseCSV(dir + "/out/quality.csv")
        let rejects = quality.filter { $0.count > 4 && $0[4].hasPrefix("reject.") }
        #expect(rejects.count == 4)
        let strict = runPipeline(period: "2023-Q3", out: dir + "/strict", warehouse: dir + "/w.sqlite", strict: true)
        #expect(strict.status == 1)
    }

    /// Control totals balance for every file: rows read = loaded + rejected + skipped.
    @Test func controlTotalsBalance() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let quality = parseCSV(dir + "/out/quality.csv")
        let totals = quality.filter { $0.count > 4 && $0[4] == "control-totals" }
        #expect(totals.count == 13)
        for row in totals {
            #expect(row[3] == "note", "\(row)")
            let numbers = row[5].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            // rows read, loaded, rejected, skipped are the first four numbers.
            #expect(numbers[0] == numbers[1] + numbers[2] + numbers[3], "\(row[5])")
        }
    }

    /// People paid for their expertise are never named in any output.
    @Test func individualsAreNeverNamed() throws {
        let dir = temporaryDirectory()
        _ = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite")
        let members = parseCSV(Repo.root + "/sample-data/members.csv")
        let people = members.filter { $0.count > 2 && $0[2] == "individual" }.map { $0[1] }
        #expect(people.count >= 5)
        let transactions = text(dir + "/out/transactions.csv")
        #expect(transactions.contains("person-"))
        for name in Self.outputs where !name.hasPrefix("evidence/") {
            let content = text(dir + "/out/" + name)
            for person in people {
                #expect(!content.contains(person), "\(person) is named in \(name)")
                let surname = person.split(separator: " ").last.map(String.init) ?? person
                #expect(!content.contains(surname), "\(surname) appears in \(name)")
            }
        }
    }

    /// Without the pseudonym key the run stops before reading anything, with exit status 2.
    @Test func missingPseudonymKeyIsAClearError() {
        let dir = temporaryDirectory()
        let run = runPipeline(period: "2024-Q1", out: dir + "/out", warehouse: dir + "/w.sqlite", key: nil)
        #expect(run.status == 2)
        #expect(run.log.first?.contains("REDIST_PSEUDONYM_KEY is not set") == true)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/summary.csv"))
    }
}
