import Foundation
@testable import RedistCore
import RedistIngest
import RedistModel
import Testing

/// Error cases in hledger's style: each folder under `Fixtures/errors/` holds
/// an input file, the `pipeline.toml` that reads it and `expected.txt`, the
/// exact messages a user sees (`file:line:column: error: …`, paths relative
/// to the case's folder). One test runs them all: the pipeline is loaded, its
/// sources are ingested into a fresh warehouse, and the errors and warnings
/// the warehouse kept (or the pipeline file's error) are compared.
@Suite("Error cases")
struct ErrorCaseTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/errors")
        .standardizedFileURL.path

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// What redist says about one case, paths made relative to its folder.
    static func messages(_ name: String) throws -> [String] {
        let folder = root + "/" + name
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("redist-errors-\(name)-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var lines: [String] = []
        do {
            let pipeline = try Pipeline.load(path: folder + "/pipeline.toml")
            let warehouse = try Warehouse(path: scratch + "/warehouse.sqlite")
            let report = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
            let findings = try warehouse.findings(files: try warehouse.files()).map(\.0)
            lines = findings.filter { $0.severity != .note }.map(\.rendered)
            // A file that could not be read is both reported by the stage and kept as a finding, in the same words.
            for failure in report.filesFailed {
                #expect(lines.contains(failure.description), "\(failure) is not among the findings")
            }
        } catch let error as PipelineError {
            lines = [error.description]
        }
        // Inputs are shown relative to the current folder when under it, else in full.
        let cwd = FileManager.default.currentDirectoryPath
        let prefixes = [folder + "/", folder.hasPrefix(cwd + "/") ? String(folder.dropFirst(cwd.count + 1)) + "/" : folder + "/"]
        return lines.map { line in
            var line = line
            for prefix in prefixes where line.hasPrefix(prefix) { line = String(line.dropFirst(prefix.count)) }
            return line
        }
    }

    @Test func thereAreCasesToRun() {
        #expect(Self.cases.count >= 10)
        for name in Self.cases {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: Self.root + "/" + name)) ?? []
            #expect(files.contains("pipeline.toml") && files.contains("expected.txt") && files.count >= 3, "\(name) needs an input, pipeline.toml and expected.txt")
        }
    }

    @Test(arguments: cases)
    func errorCase(_ name: String) throws {
        let expected = try String(contentsOfFile: Self.root + "/" + name + "/expected.txt", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let produced = try Self.messages(name)
        #expect(produced == expected, "\(name): got\n\(produced.joined(separator: "\n"))")
    }

    /// A file refused whole leaves nothing behind: the rows read before the
    /// failure are rolled back with the file (the case's folder, ingested).
    static func ingestLeavesNothing(_ folder: String) throws -> (failure: String?, movements: Int) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("redist-refused-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let pipeline = try Pipeline.load(path: folder + "/pipeline.toml")
        let warehouse = try Warehouse(path: scratch + "/warehouse.sqlite")
        _ = try IngestStage(pipeline: pipeline, warehouse: warehouse).run()
        let files = try warehouse.files()
        return (files.first?.failure, Int(try warehouse.query("SELECT count(*) FROM movement_row").first?.int(0) ?? -1))
    }

    @Test func datesInTheOtherOrderLoadNothingFromTheFile() throws {
        let (failure, movements) = try Self.ingestLeavesNothing(Self.root + "/dates-other-order")
        #expect(failure?.hasPrefix("\"11/27/2023\" is a date only as mm/dd/yyyy") == true)
        #expect(movements == 0)
    }

    /// Sums past 64 bits fail the file, with its line, instead of crashing the run.
    @Test func amountsThatOverflowTheTotalsFailTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redist-overflow-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipeline = try String(contentsOfFile: Self.root + "/amount-overflow/pipeline.toml", encoding: .utf8)
        try pipeline.write(toFile: folder + "/pipeline.toml", atomically: true, encoding: .utf8)
        // 10,000 of the largest amount accepted add up to 10^19 pence, more than 64 bits hold.
        var csv = "Date,Details,Amount\n"
        for _ in 0..<10_000 { csv += "01/04/2024,Large,9999999999999.99\n" }
        try csv.write(toFile: folder + "/ledger.csv", atomically: true, encoding: .utf8)
        let (failure, movements) = try Self.ingestLeavesNothing(folder)
        #expect(failure?.hasPrefix("the amounts of this file add up to more than redist can count") == true)
        #expect(movements == 0)
    }

    /// With `round_amounts`, the rounding is stated among the file's findings (which quality.csv lists).
    @Test func roundedAmountsAreStatedInTheFindings() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redist-rounding-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pipeline = try String(contentsOfFile: Self.root + "/too-many-decimals/pipeline.toml", encoding: .utf8)
        try (pipeline + "round_amounts = \"true\"\n").write(toFile: folder + "/pipeline.toml", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: Self.root + "/too-many-decimals/ledger.csv", toPath: folder + "/ledger.csv")
        let warehouse = try Warehouse(path: folder + "/warehouse.sqlite")
        _ = try IngestStage(pipeline: try Pipeline.load(path: folder + "/pipeline.toml"), warehouse: warehouse).run()
        let files = try warehouse.files()
        let notes = try warehouse.findings(files: files).map(\.0).filter { $0.check == .rounded }.map(\.message)
        #expect(notes == ["2 amounts were rounded to 2 decimal places (round_amounts = \"true\")"])
        #expect(try warehouse.query("SELECT amount FROM movement_row ORDER BY amount").map { $0.int(0) } == [33, 1_234, 1_235])
    }
}

