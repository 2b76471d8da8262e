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

    typealias Outcome = ReaderOutcome

    static func read(_ reader: some SourceReader, _ path: String, display: String? = nil) -> Outcome {
        ReaderOutcome.read(reader, path, display: display)
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
        try ReaderOutcome.temporaryFile(prefix: "redist-csv", name, bytes)
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
