import ArgumentParser
import Foundation
import RedistIngest
import RedistModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `make fuzz`'s view of the parsers: many inputs through one process, so
/// the harness in fuzz/ can compare thousands of cases a second with
/// Python's csv module, libxml2 and its own arithmetic, instead of
/// starting one process per case.
///
/// Input on stdin, repeated until end of file: a frame of a 4-byte
/// little-endian length and that many bytes of JSON (the case's options),
/// then a 4-byte length and that many bytes of input. Output on stdout:
/// one line of JSON per frame, flushed, in order; so a crash or a hang is
/// pinned on the first case with no line.
///
/// Modes:
/// - `csv`: options `delimiter` (one byte), `encoding` (auto, utf-8,
///   windows-1252), `chunk` (the scanner's chunk size); prints
///   `{"records":[{"line":N,"fields":["hex",…]},…]}` or `{"error":"…"}`.
///   A record with text after a closing quote (`CSVRecord.strayText`, which
///   readers refuse) carries `"reject":true`: the harness takes it as
///   refused, not as fields to compare.
/// - `amount`: options `digits`, `comma`; input is the amount's text;
///   prints `{"value":N}` or `{"value":null}`.
/// - `date`: option `format` (a date_format); prints `{"day":"yyyy-mm-dd"}` or `{"day":null}`.
/// - `read`: options `format`, `role`, `columns`, `options`, `organisation`,
///   `name` (the file name to show); the input is written to a temporary
///   file and read as the pipeline would; prints the sink's control totals,
///   what the records handed over add up to, and the file failure if any.
struct FuzzBatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-batch", abstract: "Run many fuzz cases through one parser (for make fuzz).",
        shouldDisplay: false)

    @Argument(help: "csv, amount, date or read.")
    var mode: String

    func run() throws {
        guard ["csv", "amount", "date", "read"].contains(mode) else {
            throw ValidationError("mode \"\(mode)\" is not one of csv, amount, date, read")
        }
        let scratch = NSTemporaryDirectory() + "redist-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        while let header = Self.frame(), let input = Self.frame() {
            let options = (try? JSONSerialization.jsonObject(with: Data(header))) as? [String: Any] ?? [:]
            let line: String
            switch mode {
            case "csv": line = Self.csv(input, options)
            case "amount": line = Self.amount(input, options)
            case "date": line = Self.date(input, options)
            default: line = Self.readSource(input, options, scratch: scratch)
            }
            Self.emit(line + "\n")
        }
    }

    // MARK: The modes

    static func csv(_ input: [UInt8], _ options: [String: Any]) -> String {
        let delimiter = (options["delimiter"] as? String)?.utf8.first ?? UInt8(ascii: ",")
        let encoding = TextEncoding(rawValue: options["encoding"] as? String ?? "auto") ?? .auto
        let chunk = max(1, options["chunk"] as? Int ?? 1 << 20)
        let scanner = CSVScanner(delimiter: delimiter, encoding: encoding, chunkSize: chunk)
        var records: [String] = []
        do {
            try scanner.scan(bytes: input) { record in
                var fields: [String] = []
                for i in 0..<record.count { fields.append("\"" + hex(record.bytes(i)) + "\"") }
                let reject = record.strayText == nil ? "" : ",\"reject\":true"
                records.append("{\"line\":\(record.line),\"fields\":[\(fields.joined(separator: ","))]\(reject)}")
                return true
            }
        } catch {
            return "{\"error\":\(json("\(error)"))}"
        }
        return "{\"records\":[\(records.joined(separator: ","))],\"windows1252\":\(scanner.detectedWindows1252)}"
    }

    static func amount(_ input: [UInt8], _ options: [String: Any]) -> String {
        let parser = AmountParser(digits: options["digits"] as? Int ?? 2, decimalComma: options["comma"] as? Bool ?? false)
        let value = input.withUnsafeBytes { parser.parse($0) }
        return "{\"value\":\(value.map { String($0) } ?? "null")}"
    }

    static func date(_ input: [UInt8], _ options: [String: Any]) -> String {
        guard let format = DateFormat(rawValue: options["format"] as? String ?? "") else {
            return "{\"error\":\"unknown format\"}"
        }
        let day = format.parse(Substring(String(decoding: input, as: UTF8.self)))
        return "{\"day\":\(day.map { json($0.description) } ?? "null")}"
    }

    static func readSource(_ input: [UInt8], _ options: [String: Any], scratch: String) -> String {
        let name = options["name"] as? String ?? "input"
        let path = scratch + "/" + ((name as NSString).lastPathComponent)
        guard FileManager.default.createFile(atPath: path, contents: Data(input)) else {
            return "{\"harness\":\"cannot write \(path)\"}"
        }
        defer { unlink(path) }
        guard let type = Readers.reader(for: options["format"] as? String ?? "") else {
            return "{\"harness\":\"unknown format\"}"
        }
        let role = SourceRole(rawValue: options["role"] as? String ?? "") ?? type.roles[0]
        let configuration = ReaderConfiguration(
            sourceName: "fuzz", role: role, columns: options["columns"] as? [String: String] ?? [:],
            options: options["options"] as? [String: String] ?? [:], organisationId: options["organisation"] as? String ?? "")
        let reader: any SourceReader
        do { reader = try type.init(configuration) } catch { return "{\"harness\":\(json("configuration: \(error)"))}" }
        var records = 0
        var recordsAmount: Int64 = 0
        var overflow = false
        let sink = RecordSink { record in
            records += 1
            let money: Money?
            switch record {
            case .movement(let m): money = m.amount
            case .grant(let g): money = g.amountAwarded
            case .balance, .member: money = nil
            }
            let (sum, o) = recordsAmount.addingReportingOverflow(Int64(money?.minorUnits.magnitude ?? 0))
            recordsAmount = sum
            overflow = overflow || o
        }
        var failure = "null"
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            try reader.read(path: path, displayPath: name, into: sink)
        } catch let f as FileFailure {
            failure = json(f.description)
        } catch {
            failure = json("(not a FileFailure) \(error)")
        }
        let ms = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
        let errors = sink.diagnostics.filter { $0.severity == .error }.count
        return "{\"failure\":\(failure),\"rows_read\":\(sink.rowsRead),\"rows_loaded\":\(sink.rowsLoaded),"
            + "\"rows_rejected\":\(sink.rowsRejected),\"rows_skipped\":\(sink.rowsSkipped),"
            + "\"amount_read\":\(sink.amountRead),\"amount_loaded\":\(sink.amountLoaded),"
            + "\"amount_rejected\":\(sink.amountRejected),\"amount_skipped\":\(sink.amountSkipped),"
            + "\"records\":\(records),\"records_amount\":\(recordsAmount),\"records_amount_overflow\":\(overflow),"
            + "\"errors\":\(errors),\"ms\":\(ms)}"
    }

    // MARK: Frames and JSON

    /// One length-prefixed frame from stdin, or nil at end of input.
    static func frame() -> [UInt8]? {
        guard let prefix = exactly(4) else { return nil }
        let n = Int(prefix[0]) | Int(prefix[1]) << 8 | Int(prefix[2]) << 16 | Int(prefix[3]) << 24
        return exactly(n)
    }

    static func exactly(_ n: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = bytes.withUnsafeMutableBytes { read(0, $0.baseAddress! + got, n - got) }
            if r <= 0 { return nil }
            got += r
        }
        return bytes
    }

    static func emit(_ text: String) {
        let bytes = Array(text.utf8)
        let count = bytes.count
        var done = 0
        while done < count {
            let w = bytes.withUnsafeBytes { write(1, $0.baseAddress! + done, count - done) }
            if w <= 0 { Foundation.exit(1) }
            done += w
        }
    }

    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal.
    static func json(_ text: String) -> String {
        var out = "\""
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
