import Crypto
import Foundation
import RedistIngest
import RedistModel

/// What the ingest stage did, for the run's progress lines.
public struct IngestReport: Sendable {
    public var filesRead = 0
    public var filesUnchanged = 0
    public var filesRemoved = 0
    public var filesFailed: [FileFailure] = []
    /// Sources whose path matched no file.
    public var emptySources: [Pipeline.Source] = []

    public init() {}
}

/// Reads every source file into the warehouse. A file already loaded with
/// the same SHA-256 and the same source settings is not read again; a file
/// no longer matched by its source's path is removed from the warehouse.
public struct IngestStage {
    public let pipeline: Pipeline
    public let warehouse: Warehouse

    public init(pipeline: Pipeline, warehouse: Warehouse) {
        self.pipeline = pipeline
        self.warehouse = warehouse
    }

    public func run(log: (String) -> Void = { _ in }) throws -> IngestReport {
        var report = IngestReport()
        let existing = try warehouse.files()
        for source in pipeline.sources {
            let paths = Glob.expand(source.path, relativeTo: pipeline.directory)
            if paths.isEmpty { report.emptySources.append(source) }
            let configHash = source.configurationHash(pipeline.organisation)
            for (absolute, display) in paths {
                let digest: FileDigest
                if let old = existing.first(where: { $0.source == source.name && $0.path == display }) {
                    let sha = try FileHash.sha256(path: absolute)
                    digest = FileDigest(sha)
                    guard old.sha256 != sha.hex || old.configHash != configHash else {
                        report.filesUnchanged += 1
                        if let failure = old.failure {
                            // Reported where the first run found it, kept with the file's findings.
                            let location = try warehouse.findings(files: [old]).first { $0.0.check == "file" }?.0.location
                                ?? SourceLocation(file: display, line: 0)
                            report.filesFailed.append(FileFailure(location, failure))
                        }
                        continue
                    }
                } else {
                    // A file not seen before is read whatever its hash: hash it
                    // on another thread while it is read.
                    digest = FileDigest(hashing: absolute)
                }
                log("reading \(display)")
                let reader = try Readers.reader(for: source.format)!.init(source.readerConfiguration(pipeline.organisation))
                let job = ReadJob(reader: reader, path: absolute, display: display, currency: pipeline.organisation.currency)
                let outcome = try warehouse.load(source: source, path: display, digest: digest, configHash: configHash,
                                                 read: job.run)
                if case .failed(let f) = outcome { report.filesFailed.append(f) }
                report.filesRead += 1
            }
        }
        let current = try warehouse.files()
        let wanted = Set(pipeline.sources.flatMap { s in Glob.expand(s.path, relativeTo: pipeline.directory).map { "\(s.name)\u{0}\($0.display)" } })
        let stale = current.filter { !wanted.contains("\($0.source)\u{0}\($0.path)") }.map(\.id)
        try warehouse.remove(fileIds: stale)
        report.filesRemoved = stale.count
        if report.filesRead > 0 {
            // A load leaves SQLite's page cache full and the heap holding the
            // freed batches; give both back before the dataset is built.
            warehouse.releaseMemory()
            Portability.releaseFreedMemory()
        }
        return report
    }

    /// Money in another currency cannot be added to the reporting currency
    /// without a rate, so such rows are rejected rather than mixed.
    static func currencyProblem(_ record: SourceRecord, currency: Currency) -> String? {
        let other: Currency?
        switch record {
        case .movement(let m): other = m.amount.currency == currency ? nil : m.amount.currency
        case .grant(let g): other = g.amountAwarded.currency == currency ? nil : g.amountAwarded.currency
        case .balance(let b): other = b.amount.currency == currency ? nil : b.amount.currency
        case .member: other = nil
        }
        guard let other else { return nil }
        return "the amount is in \(other.code) but the organisation reports in \(currency.code); redist never mixes currencies (expected \(currency.code))"
    }
}

/// One file's read, handed to the warehouse's reader thread.
struct ReadJob: @unchecked Sendable {
    let reader: any SourceReader
    let path: String
    let display: String
    let currency: Currency

    func run(_ emit: @escaping (SourceRecord) -> Void, _ emitRow: @escaping (borrowing MovementRow) -> Void) throws -> RecordSink {
        let sink = RecordSink(emit, rows: emitRow)
        let currency = self.currency
        sink.validate = { record in IngestStage.currencyProblem(record, currency: currency) }
        try reader.read(path: path, displayPath: display, into: sink)
        // Totals that overflowed cannot be counted: the file fails, and what it loaded is rolled back.
        if let failure = sink.totalsFailure { throw failure }
        return sink
    }
}

extension Pipeline.Source {
    /// Changes when anything that decides how the file is read changes,
    /// including what a reader takes from it: a 360Giving file loaded before
    /// grants' planned dates were read (`reader-1`) is read again.
    func configurationHash(_ organisation: Pipeline.Organisation) -> String {
        let reader = format == "360giving" ? "reader-2" : "reader-1"
        var text = "\(role.rawValue)|\(format)|\(organisation.id)|\(organisation.currency.code)|\(reader)"
        for (k, v) in columns.sorted(by: { $0.key < $1.key }) { text += "|c:\(k)=\(v)" }
        for (k, v) in options.sorted(by: { $0.key < $1.key }) { text += "|o:\(k)=\(v)" }
        return SHA256.hash(data: Array(text.utf8)).hex
    }
}

/// A file's SHA-256 and size, known already or being worked out on a thread
/// of its own.
public final class FileDigest: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<(hex: String, bytes: Int64), Error>? = nil

    public init(_ value: (hex: String, bytes: Int64)) { result = .success(value) }

    public init(hashing path: String) {
        let thread = Thread { [self] in
            let r = Result { try FileHash.sha256(path: path) }
            condition.lock()
            result = r
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Waits for the hash if need be.
    public func value() throws -> (hex: String, bytes: Int64) {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}

/// SHA-256 of a file, read in chunks.
public enum FileHash {
    public static func sha256(path: String) throws -> (hex: String, bytes: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileFailure(SourceLocation(file: path, line: 0), "cannot open the file")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            total += Int64(chunk.count)
            hasher.update(data: chunk)
        }
        return (hasher.finalize().hex, total)
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, two digits a byte.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in self { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Digest {
    public var hex: String { Array(self.makeIterator()).hex }
}

/// Expands a path pattern (`exports/cashbook-*.csv`) relative to a folder.
public enum Glob {
    /// Matching files, sorted, each as (absolute path, path as shown to
    /// people). The shown path is the file's identity in the warehouse: it
    /// is relative to `directory` (the pipeline file's folder) as the
    /// pattern is, so the folder the command is run from changes nothing.
    public static func expand(_ pattern: String, relativeTo directory: String) -> [(absolute: String, display: String)] {
        let relative = !pattern.hasPrefix("/") && !directory.isEmpty
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        let full = relative ? prefix + pattern : pattern
        var out: [(String, String)] = []
        for absolute in Portability.glob(full) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let shown = relative && absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
            out.append((absolute, normalise(shown)))
        }
        return out.sorted { $0.1 < $1.1 }
    }

    /// `a/./b` as `a/b` and `a/x/../b` as `a/b`, by the text alone (a
    /// leading `..` stays: the file is outside the pipeline's folder).
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
