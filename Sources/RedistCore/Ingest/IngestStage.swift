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
            let configHash = source.configurationHash(pipeline.organisation, rates: pipeline.rates)
            for (absolute, display) in paths {
                let digest: FileDigest
                if let old = existing.first(where: { $0.source == source.name && $0.path == display }) {
                    let sha = try FileHash.sha256(path: absolute)
                    digest = FileDigest(sha)
                    guard old.sha256 != sha.hex || old.configHash != configHash else {
                        report.filesUnchanged += 1
                        if let failure = old.failure {
                            // Reported where the first run found it, kept with the file's findings.
                            let location = try warehouse.findings(files: [old]).first { $0.0.check == .file }?.0.location
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
                let job = ReadJob(reader: reader, path: absolute, display: display,
                                  conversion: CurrencyConversion(currency: pipeline.organisation.currency, rates: pipeline.rates))
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
}

/// The one rule for money in another currency than the organisation's: it
/// is converted at the pipeline's rate dated on or before its day (rounded
/// once, half away from zero), or rejected naming the rate it lacks, so every reader's
/// records reach the warehouse in the reporting currency and no total mixes
/// currencies.
public struct CurrencyConversion: Sendable {
    public let currency: Currency
    public let rates: RateTable

    public init(currency: Currency, rates: RateTable) {
        self.currency = currency
        self.rates = rates
    }

    /// What was converted in one file, per currency: rows and the rates' sources.
    public struct Tally: Sendable {
        public var rows: [Currency: Int] = [:]
        public var sources: [Currency: Set<String>] = [:]
        public init() {}
    }

    /// Converts `money` dated `day`; the message when it cannot be.
    func convert(_ money: inout Money, on day: Day, tally: inout Tally) -> String? {
        var original: OriginalAmount? = nil
        return convert(&money, on: day, tally: &tally, original: &original)
    }

    /// The same, setting `original` to what `money` was and the rate that converted it.
    func convert(_ money: inout Money, on day: Day, tally: inout Tally, original: inout OriginalAmount?) -> String? {
        let other = money.currency
        guard other != currency else { return nil }
        guard let entry = rates.rate(other, on: day) else {
            return "the amount is in \(other.code) but the organisation reports in \(currency.code), and no rate for \(other.code) is dated on or before \(day); redist never mixes currencies (expected a [[rate]] with currency = \"\(other.code)\" and a date on or before \(day))"
        }
        guard let units = entry.rate.convert(money.minorUnits, fromDigits: other.minorDigits, toDigits: currency.minorDigits) else {
            return "\(money) at the rate \(entry.rate) of \(entry.date) is more \(currency.code) than redist can count"
        }
        original = OriginalAmount(amount: money, rate: entry.rate, rateDate: entry.date, rateSource: entry.source)
        money = Money(minorUnits: units, currency: currency)
        tally.rows[other, default: 0] += 1
        tally.sources[other, default: []].insert(entry.source)
        return nil
    }

    /// Converts every amount of `record` that is in another currency; the message when one cannot be.
    public func convert(_ record: inout SourceRecord, tally: inout Tally) -> String? {
        switch record {
        case .movement(var m):
            if let problem = convert(&m.amount, on: m.date, tally: &tally, original: &m.original) { return problem }
            record = .movement(m)
        case .grant(var g):
            if let problem = convert(&g.amountAwarded, on: g.awardDate, tally: &tally) { return problem }
            if var paid = g.amountDisbursed {
                if let problem = convert(&paid, on: g.paymentDate ?? g.awardDate, tally: &tally) { return problem }
                g.amountDisbursed = paid
            }
            record = .grant(g)
        case .balance(var b):
            if let problem = convert(&b.amount, on: b.date, tally: &tally) { return problem }
            record = .balance(b)
        case .member: break
        }
        return nil
    }

    /// The file's note saying what was converted, and at whose rates.
    public func notes(_ tally: Tally, file: String) -> [Diagnostic] {
        tally.rows.keys.sorted().map { other in
            let n = tally.rows[other]!
            let sources = tally.sources[other, default: []].sorted().joined(separator: "; ")
            return Diagnostic(.note, SourceLocation(file: file, line: 0), check: .converted,
                              "\(n) amount\(n == 1 ? " was" : "s were") in \(other.code), converted to \(currency.code) at the rate dated on or before each one's day (rates from: \(sources))")
        }
    }
}

/// One file's read, handed to the warehouse's reader thread.
struct ReadJob: @unchecked Sendable {
    let reader: any SourceReader
    let path: String
    let display: String
    let conversion: CurrencyConversion

    func run(_ emit: @escaping (SourceRecord) -> Void, _ emitRow: @escaping (borrowing MovementRow) -> Void) throws -> RecordSink {
        let sink = RecordSink(emit, rows: emitRow)
        let conversion = self.conversion
        var tally = CurrencyConversion.Tally()
        sink.validate = { record in conversion.convert(&record, tally: &tally) }
        try reader.read(path: path, displayPath: display, into: sink)
        for note in conversion.notes(tally, file: display) { sink.report(note) }
        // Totals that overflowed cannot be counted: the file fails, and what it loaded is rolled back.
        if let failure = sink.totalsFailure { throw failure }
        return sink
    }
}

extension Pipeline.Source {
    /// Changes when anything that decides how the file is read changes,
    /// including what a reader takes from it: a 360Giving file loaded before
    /// grants' planned dates were read (`reader-1`) is read again, and so is
    /// an IATI grants-in file read before its activities were grants.
    func configurationHash(_ organisation: Pipeline.Organisation) -> String {
        configurationHash(organisation, rates: RateTable())
    }

    /// The same, with the rates that convert the file's other currencies:
    /// a changed rate reads the file again.
    func configurationHash(_ organisation: Pipeline.Organisation, rates: RateTable) -> String {
        let reader = format == "360giving" || (format == "iati" && role == .grantsIn) ? "reader-2" : "reader-1"
        var text = "\(role.rawValue)|\(format)|\(organisation.id)|\(organisation.currency.code)|\(reader)"
        for r in rates.entries { text += "|r:\(r.date)=\(r.currency.code)@\(r.rate)/\(r.source)" }
        // Converted movements keep their originals since schema 7: files read before are read again.
        if !rates.isEmpty { text += "|originals-1" }
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
