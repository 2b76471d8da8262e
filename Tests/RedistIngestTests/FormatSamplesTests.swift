import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// Every sample in `sample-data/formats/` (named `<format>--<what>.<ext>`) is
/// identified as its format by content alone, and reads to the movements in
/// its `<name>.expected.csv` beside it (`redist inspect`'s columns). Set
/// REDIST_RECORD_GOLDEN=1 to write the expected files anew after an
/// intended change.
@Suite("Format samples")
struct FormatSamplesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-data/formats").standardizedFileURL.path

    static var samples: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.contains("--") && !$0.hasSuffix(".expected.csv") && !$0.hasPrefix(".") }.sorted()
    }

    /// Formats that never claim a file by themselves (their layouts are ones any CSV could have).
    static let unclaimed: Set<String> = ["csv", "bank-caf", "bank-unity", "bank-santander"]

    /// The mappings a plain CSV sample is read with.
    static let csvColumns: [String: [String: String]] = [
        "csv--mint-type-column.csv": ["date": "Date", "description": "Description", "amount": "Amount", "direction": "Transaction Type",
                                      "account_name": "Category"],
    ]

    static func rendered(_ rows: [[String]]) -> String {
        func cell(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([inspectHeader] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    @Test func thereAreSamplesOfEveryNewFormat() {
        let formats = Set(Self.samples.map { String($0.split(separator: "-").first ?? "") })
        #expect(Self.samples.count >= 13)
        for f in ["ofx", "qif", "csv", "bank"] { #expect(formats.contains(f), "no sample of \(f)") }
    }

    @Test(arguments: samples)
    func sampleIsIdentifiedAndReadAsExpected(_ name: String) throws {
        let format = String(name[..<name.range(of: "--")!.lowerBound])
        let path = Self.folder + "/" + name
        let claimed = Readers.identify(FileHead(path: path)).map { $0.format }
        #expect(claimed == (Self.unclaimed.contains(format) ? [] : [format]), "\(name) is claimed by \(claimed)")
        let reader = try #require(Readers.reader(for: format))
        var options: [String: String] = [:]
        if format == "csv" { options["date_format"] = "mm/dd/yyyy" }
        let instance = try reader.init(ReaderConfiguration(sourceName: "sample", role: reader.roles.contains(.bank) ? .bank : reader.roles[0],
                                                           columns: Self.csvColumns[name] ?? [:], options: options))
        let out = ReaderOutcome.read(instance, path, display: name)
        #expect(out.failure == nil, "\(name): \(String(describing: out.failure))")
        #expect(out.errors.isEmpty, "\(name): \(out.errors)")
        #expect(out.sink.rowsRejected == 0 && out.totalsBalance)
        #expect(!out.movements.isEmpty)
        let produced = Self.rendered(out.records.map(inspectRows).filter { !$0.isEmpty })
        let expectedPath = path + ".expected.csv"
        if ProcessInfo.processInfo.environment["REDIST_RECORD_GOLDEN"] == "1" {
            try produced.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(produced == expected, "\(name) differs from \(expectedPath); if the change is intended, re-record with REDIST_RECORD_GOLDEN=1")
    }
}
