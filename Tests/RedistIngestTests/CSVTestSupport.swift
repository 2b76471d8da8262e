import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// Shared helpers of the CSV reader tests.
enum CSVTestSupport {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// A hand-written fixture under `Fixtures/csv`.
    static func fixture(_ name: String) -> String {
        testsDirectory.appendingPathComponent("Fixtures/csv/\(name)").path
    }

    /// What a reader made of one file.
    struct Outcome {
        var records: [SourceRecord]
        var sink: RecordSink
        var failure: FileFailure?

        var movements: [Movement] { records.compactMap { if case .movement(let m) = $0 { m } else { nil } } }
        var grants: [GrantRecord] { records.compactMap { if case .grant(let g) = $0 { g } else { nil } } }
        var members: [MemberRecord] { records.compactMap { if case .member(let m) = $0 { m } else { nil } } }
        func findings(_ check: String) -> [Diagnostic] { sink.diagnostics.filter { $0.check == check } }
        var errors: [String] { sink.diagnostics.filter { $0.severity == .error }.map(\.rendered) }

        /// Control totals hold: every row read was loaded, rejected or skipped, and the same for money.
        var totalsBalance: Bool {
            sink.rowsRead == sink.rowsLoaded + sink.rowsRejected + sink.rowsSkipped
                && sink.amountRead == sink.amountLoaded + sink.amountRejected + sink.amountSkipped
        }
    }

    /// Reads `path` with `reader`, keeping every record and the failure, if any.
    static func read(_ reader: some SourceReader, _ path: String, display: String? = nil) -> Outcome {
        var records: [SourceRecord] = []
        let sink = RecordSink { records.append($0) }
        var failure: FileFailure? = nil
        do {
            try reader.read(path: path, displayPath: display ?? (path as NSString).lastPathComponent, into: sink)
        } catch let f as FileFailure {
            failure = f
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return Outcome(records: records, sink: sink, failure: failure)
    }

    /// Writes `text` (or bytes) to a new file in a fresh temporary folder and reads it.
    static func read(_ reader: some SourceReader, text: String, name: String = "input.csv") throws -> Outcome {
        try read(reader, bytes: Array(text.utf8), name: name)
    }

    static func read(_ reader: some SourceReader, bytes: [UInt8], name: String = "input.csv") throws -> Outcome {
        let path = try temporaryFile(name, bytes)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        return read(reader, path, display: name)
    }

    static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("redist-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func mapped(_ columns: [String: String], options: [String: String] = [:], role: SourceRole = .ledger,
                       currency: Currency = .gbp) throws -> MappedCSVReader {
        try MappedCSVReader(ReaderConfiguration(sourceName: "ledger", role: role, columns: columns, options: options,
                                                organisationId: "GB-CHC-9990012", currency: currency))
    }

    /// Scans bytes and returns every record's fields as text, with the line it starts on.
    static func scan(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), encoding: TextEncoding = .auto,
                     chunkSize: Int = 1 << 20) throws -> [(line: Int, fields: [String])] {
        let scanner = CSVScanner(delimiter: delimiter, encoding: encoding, chunkSize: chunkSize)
        var out: [(Int, [String])] = []
        try scanner.scan(bytes: bytes) { record in
            var fields: [String] = []
            for i in 0..<record.count { fields.append(String(decoding: record.bytes(i), as: UTF8.self)) }
            out.append((record.line, fields))
            return true
        }
        return out
    }

    static func scan(_ text: String, chunkSize: Int = 1 << 20) throws -> [(line: Int, fields: [String])] {
        try scan(Array(text.utf8), chunkSize: chunkSize)
    }
}

/// A small deterministic random source (SplitMix64), so generated cases are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
