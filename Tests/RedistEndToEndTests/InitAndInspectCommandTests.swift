import Foundation
import Testing

/// `redist init` and `redist inspect`, run as staff run them.
@Suite struct InitAndInspectCommandTests {
    static let binary = Repo.root + "/.build/debug/redist"

    func redist(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String)? {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            print("skipped: no built redist at \(Self.binary)")
            return nil
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test func initOnTheSampleDataWritesAPipelineThatChecksAndRunsAndNeverOverwrites() throws {
        let copy = try SampleCopy()
        guard let made = try redist(["init", copy.data]) else { return }
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("exports/cashbook-2023-Q2.csv: csv (ledger), source \"cashbook\""))
        #expect(made.stdout.contains("redist check \(copy.data)/pipeline.toml"))
        let written = try String(contentsOfFile: copy.data + "/pipeline.toml", encoding: .utf8)
        guard let checked = try redist(["check", copy.data + "/pipeline.toml"], environment: ["REDIST_PSEUDONYM_KEY": "a key for tests only"]) else { return }
        #expect(checked.status == 0, "\(checked.stderr)")
        guard let ran = try redist(["run", copy.data + "/pipeline.toml", "--period", "2024-Q1", "--out", copy.out, "--warehouse", copy.warehouse],
                                   environment: ["REDIST_PSEUDONYM_KEY": "a key for tests only"]) else { return }
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(FileManager.default.fileExists(atPath: copy.out + "/trustees.html"))
        guard let again = try redist(["init", copy.data]) else { return }
        #expect(again.status == 2)
        #expect(again.stderr.contains("already exists, and redist init never overwrites a pipeline file"))
        #expect(try String(contentsOfFile: copy.data + "/pipeline.toml", encoding: .utf8) == written)
    }

    @Test func inspectNeedsNoFlagButTheFile() throws {
        guard let qif = try redist(["inspect", Repo.root + "/sample-data/formats/qif--bank.qif"]) else { return }
        #expect(qif.status == 0)
        #expect(qif.stderr.contains("note: identified as --format qif"))
        #expect(qif.stdout.split(separator: "\n").count == 6)
        guard let csv = try redist(["inspect", Repo.root + "/sample-data/exports/cashbook-2023-Q2.csv"]) else { return }
        #expect(csv.stderr.contains("read as --format csv with --column account=\"Nominal Code\""), "\(csv.stderr)")
        guard let funder = try redist(["inspect", "--format", "iati", Repo.root + "/sample-data/funders/fellhouse-iati.xml"]) else { return }
        #expect(funder.status == 0)
        #expect(funder.stderr.contains("every transaction is shown; with --organisation ID only those to that organisation are kept"))
        guard let narrowed = try redist(["inspect", "--organisation", "GB-CHC-9990012", Repo.root + "/sample-data/funders/fellhouse-iati.xml"]) else { return }
        #expect(narrowed.stdout.split(separator: "\n").count < funder.stdout.split(separator: "\n").count)
        guard let unmapped = try redist(["inspect", "--format", "csv", "--column", "amount=Paid In", Repo.root + "/sample-data/exports/cashbook-2023-Q2.csv"]) else { return }
        #expect(unmapped.status == 2)
        #expect(unmapped.stderr.contains("it needs --column date=\"<column header>\""), "\(unmapped.stderr)")
    }

    /// With a pipeline, amounts in another currency are shown converted at
    /// its rates with the original beside them; without one, stderr says
    /// they are not converted.
    @Test func inspectConvertsAtThePipelinesRatesOrSaysItDoesNot() throws {
        let fixtures = Repo.root + "/Tests/RedistEndToEndTests/Fixtures/rates-eur"
        guard let plain = try redist(["inspect", fixtures + "/funder-eur.xml"]) else { return }
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("note: amounts are shown unconverted, in the file's own currency (EUR)"), "\(plain.stderr)")
        #expect(!plain.stdout.contains("original_amount"))
        guard let converted = try redist(["inspect", "--pipeline", fixtures + "/pipeline.toml", fixtures + "/funder-eur.xml"]) else { return }
        #expect(converted.status == 0, "\(converted.stderr)")
        let captured = temporaryDirectory("inspect-rates") + "/out.csv"
        try converted.stdout.write(toFile: captured, atomically: true, encoding: .utf8)
        let rows = parseCSV(captured)
        let header = rows[0].map { $0.replacingOccurrences(of: "\u{FEFF}", with: "") }
        #expect(Array(header.suffix(5)) == ["original_amount", "original_currency", "rate", "rate_date", "rate_source"])
        func cell(_ row: [String], _ name: String) -> String { row[header.firstIndex(of: name)!] }
        #expect(rows.dropFirst().map { "\(cell($0, "amount")) \(cell($0, "currency")) = \(cell($0, "original_amount")) \(cell($0, "original_currency")) × \(cell($0, "rate"))" }
                == ["857.00 GBP = 1000.00 EUR × 0.8570", "427.79 GBP = 499.75 EUR × 0.8560"], "\(converted.stdout)")
        #expect(converted.stderr.contains("2 amounts were in EUR, converted to GBP"), "\(converted.stderr)")
    }
}
