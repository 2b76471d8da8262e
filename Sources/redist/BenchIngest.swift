import ArgumentParser
import Foundation
import RedistIngest
import RedistModel

/// How to read one file outside a pipeline: the format, the role, and the
/// column mapping and options a pipeline's `[[source]]` would give.
struct ReaderOptions: ParsableArguments {
    @Option(help: "The format: \(Readers.formats.joined(separator: ", ")).")
    var format: String

    @Option(help: "The role the file would play (default: the format's first).")
    var role: String?

    @Option(help: "The organisation's identifier, for grants-in files.")
    var organisation: String = ""

    @Option(name: .customLong("column"), help: "A column mapping for format csv, as field=Header (repeatable).")
    var columns: [String] = []

    @Option(name: .customLong("option"), help: "A source option, as key=value (repeatable).")
    var sourceOptions: [String] = []

    /// The configured reader; a mistake in the options is a usage error (exit 2).
    func reader() throws -> any SourceReader {
        guard let reader = Readers.reader(for: format) else {
            throw ValidationError("format \"\(format)\" is not one of \(Readers.formats.joined(separator: ", "))")
        }
        var sourceRole = reader.roles[0]
        if let role {
            guard let r = SourceRole(rawValue: role), reader.roles.contains(r) else {
                throw ValidationError("role \"\(role)\" is not one of \(reader.roles.map(\.rawValue).joined(separator: ", "))")
            }
            sourceRole = r
        }
        func pairs(_ items: [String]) throws -> [String: String] {
            var out: [String: String] = [:]
            for item in items {
                guard let eq = item.firstIndex(of: "=") else { throw ValidationError("\"\(item)\" should be key=value") }
                out[String(item[..<eq])] = String(item[item.index(after: eq)...])
            }
            return out
        }
        let configuration = ReaderConfiguration(sourceName: "inspect", role: sourceRole, columns: try pairs(columns),
                                                options: try pairs(sourceOptions), organisationId: organisation)
        do { return try reader.init(configuration) } catch { throw ValidationError("\(error)") }
    }
}

/// `make bench`'s view of a reader: parse one file and total its money in
/// exact minor units, with nothing else in the way (no warehouse, no
/// output but the totals), so the reader's own speed can be compared with
/// pandas, Python's csv module, lxml and xmllint on the same file.
///
/// Prints `key,rows,in,out` per account (or per kind), sorted, then
/// `total,rows,in,out`: the figures bench/reference/ prints too.
struct BenchIngest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-ingest", abstract: "Parse one file and print its money totals (for make bench).",
        shouldDisplay: false)

    @OptionGroup var reading: ReaderOptions

    @Option(help: "Total by account or kind.")
    var by: String = "account"

    @Flag(help: "Print the formats this build reads, and stop.")
    var listFormats = false

    @Argument(help: "The file.")
    var file: String?

    func run() throws {
        if listFormats {
            print(Readers.formats.joined(separator: "\n"))
            return
        }
        guard let file else { throw ValidationError("name the file to read") }
        let reader = try reading.reader()
        let byKind = by == "kind"
        // Totals by key, numbered by the key's bytes: a row costs a hash
        // look-up, not a String.
        let keys = ByteInterner()
        let totals = Tally()
        let sink = RecordSink({ record in
            guard case .movement(let m) = record else { return }
            totals.add(keys.intern(byKind ? m.kind : m.account).index, m.amount.minorUnits)
        }, rows: { row in
            // Rows come from ledgers, which have no kind.
            totals.add(keys.intern(byKind ? UnsafeRawBufferPointer(start: nil, count: 0) : row.account).index,
                       row.amount.minorUnits)
        })
        do {
            try reader.read(path: file, displayPath: file, into: sink)
        } catch {
            log("\(error)")
            throw ExitCode(1)
        }
        var text = ""
        var all: (rows: Int, paidIn: Int64, paidOut: Int64) = (0, 0, 0)
        for (key, t) in totals.all.indices.map({ (keys.string($0), totals.all[$0]) }).sorted(by: { $0.0 < $1.0 }) {
            text += "\(key),\(t.rows),\(t.paidIn),\(t.paidOut)\n"
            all = (all.rows + t.rows, all.paidIn + t.paidIn, all.paidOut + t.paidOut)
        }
        text += "total,\(all.rows),\(all.paidIn),\(all.paidOut)\n"
        FileHandle.standardOutput.write(Data(text.utf8))
        log("\(file): rows read \(sink.rowsRead), loaded \(sink.rowsLoaded), rejected \(sink.rowsRejected), skipped \(sink.rowsSkipped)")
    }
}

/// Rows and money in and out per key number, behind one pointer (a class's
/// stored `var` would be checked for exclusive access on every row).
final class Tally {
    private let totals = UnsafeMutablePointer<[(rows: Int, paidIn: Int64, paidOut: Int64)]>.allocate(capacity: 1)

    init() { totals.initialize(to: []) }

    deinit {
        totals.deinitialize(count: 1)
        totals.deallocate()
    }

    var all: [(rows: Int, paidIn: Int64, paidOut: Int64)] { totals.pointee }

    @inline(__always)
    func add(_ key: Int, _ pence: Int64) {
        if key == totals.pointee.count { totals.pointee.append((0, 0, 0)) }
        totals.pointee[key].rows += 1
        if pence >= 0 { totals.pointee[key].paidIn += pence } else { totals.pointee[key].paidOut -= pence }
    }
}
