#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedistModel

/// A Quicken Interchange Format file (`.qif`), as UK banks and Microsoft
/// Money, Quicken and GnuCash export it: `!Type:Bank`, `!Type:CCard` and
/// `!Type:Cash` sections of records, each a field a line (`D` date, `T` or
/// `U` amount, `P` payee, `M` memo, `N` number, `L` category) ended by `^`.
///
/// A record becomes a movement: `T` signed as it stands (positive is money
/// in), `P` as counterparty, `M` as description, `N` as reference, `L` as
/// account and the section's type (`Bank`) as kind; an `!Account` block's
/// `N` names the account the records after it belong to (account name). A
/// record with split lines (`S` category, `E` memo, `$` amount) becomes one
/// movement per split, and its splits must add up to its `T`.
///
/// Dates come as banks write them: `01/05/2023`, `1/5'23`, `8/ 1/97`,
/// `2023-01-05` (`DateOrder.parse`). Day and month order is `date_format`
/// (`dd/mm/yyyy`, `mm/dd/yyyy`, `yyyy-mm-dd`); without it, it is inferred
/// from all the file's dates (`DateOrder.infer`), and the file is refused,
/// saying so, when every date could be read either way. Amounts may carry
/// thousands commas (`-1,234.56`); `decimal_comma = "true"` reads `1.234,56`.
/// Sections of other types (`Invst`, `Cat`, `Class`, `Memorized`) hold no
/// bank movements: their records are skipped and counted. Text is UTF-8, or
/// Windows-1252 when it is not.
public struct QIFReader: SourceReader {
    public static let format = "qif"
    public static let roles: [SourceRole] = [.bank, .ledger]
    public static let columnKeys: [String] = []
    public static let optionKeys = ["date_format", "currency", "decimal_comma"]

    let configuration: ReaderConfiguration
    let dateFormat: DateFormat?
    let currency: Currency
    let parser: AmountParser

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        if configuration.options["date_format"] != nil {
            let f = try configuration.dateFormat(default: .dayMonthYear)
            guard [.dayMonthYear, .monthDayYear, .iso].contains(f) else {
                throw ReaderConfigurationError("source \"\(configuration.sourceName)\": date_format for QIF is one of dd/mm/yyyy, mm/dd/yyyy, yyyy-mm-dd, not \"\(f.rawValue)\"")
            }
            dateFormat = f
        } else {
            dateFormat = nil
        }
        currency = try configuration.fileCurrency()
        parser = AmountParser(currency: currency, decimalComma: try configuration.flag("decimal_comma"))
    }

    /// A first line `!Type:…`, `!Account` or `!Option:…`.
    public static func claims(_ head: FileHead) -> Bool {
        let first = head.text.drop(while: { $0.isWhitespace }).prefix(while: { $0 != "\n" && $0 != "\r" && $0 != "\r\n" })
            .trimmingSpaces.lowercased()
        return first.hasPrefix("!type:") || first == "!account" || first.hasPrefix("!option:") || first.hasPrefix("!clear:")
    }

    static let bankTypes: Set<String> = ["bank", "ccard", "cash", "oth a", "oth l"]

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let format: DateFormat
        if let dateFormat {
            format = dateFormat
        } else {
            var dates: [String] = []
            try QIFLines.read(path: path, displayPath: displayPath) { line, _ in
                if line.first == "D" { dates.append(String(line.dropFirst())) }
            }
            switch DateOrder.infer(dates) {
            case .order(let f): format = f
            case .none: format = .dayMonthYear
            case .ambiguous(let example):
                throw FileFailure(SourceLocation(file: displayPath, line: 1),
                                  "every date in the file could be day first or month first (as \"\(example)\"), so redist cannot tell which (expected date_format = \"dd/mm/yyyy\" or \"mm/dd/yyyy\" in [source.options])")
            case .mixed(let d, let m):
                throw FileFailure(SourceLocation(file: displayPath, line: 1),
                                  "the dates are in both orders: \"\(d)\" is day first and \"\(m)\" month first, so none of them can be trusted (expected one order throughout, or date_format in [source.options])")
            }
        }
        var type = ""
        /// The section's type as the file spells it (`CCard`), for the movements' kind.
        var typeShown = ""
        var inAccountBlock = false
        var accountName = ""
        var record = QIFRecord()
        var sawType = false
        try QIFLines.read(path: path, displayPath: displayPath) { line, number in
            if record.start == 0 { record.start = number }
            guard let code = line.first else { return }
            if code == "!" {
                let header = line.dropFirst().trimmingSpaces.lowercased()
                if !record.isEmpty {
                    reject(record, "the record is not ended by ^ before \"\(line)\" (expected ^ after each record)", sink, displayPath)
                }
                record = QIFRecord()
                if header.hasPrefix("type:") {
                    type = String(header.dropFirst(5)).trimmingCharacters()
                    typeShown = String(line.dropFirst().trimmingSpaces.dropFirst(5)).trimmingCharacters()
                    inAccountBlock = false
                    sawType = true
                } else if header == "account" {
                    inAccountBlock = true
                }
                return
            }
            if code == "^" {
                defer { record = QIFRecord() }
                if inAccountBlock {
                    accountName = record.fields["N"]?.value ?? accountName
                    return
                }
                guard !record.isEmpty else { return }
                if !Self.bankTypes.contains(type) {
                    sink.skip(SourceLocation(file: displayPath, line: record.start, column: 1), check: .skipQIFType,
                              "a !Type:\(type.isEmpty ? "(none)" : type) record skipped: only Bank, CCard and Cash records are money movements")
                    return
                }
                emit(record, type: typeShown, account: accountName, format: format, sink, displayPath)
                return
            }
            if !sawType && !inAccountBlock {
                throw FileFailure(SourceLocation(file: displayPath, line: number, column: 1),
                                  "\"\(line.prefix(40))\" before any !Type line (expected a QIF file starting with !Type:Bank)")
            }
            let value = String(line.dropFirst()).trimmingCharacters()
            switch code {
            case "S":
                record.splits.append(QIFSplit(category: value, line: number))
            case "E" where !record.splits.isEmpty:
                record.splits[record.splits.count - 1].memo = value
            case "$" where !record.splits.isEmpty:
                record.splits[record.splits.count - 1].amount = value
                record.splits[record.splits.count - 1].amountLine = number
            default:
                if record.fields[code] == nil { record.fields[code] = (value, number) }
            }
        }
        if !record.isEmpty {
            reject(record, "the last record is not ended by ^ (the file may be cut short: expected ^ after each record)", sink, displayPath)
        }
        if !sawType {
            throw FileFailure(SourceLocation(file: displayPath, line: 1), "no !Type line (expected a QIF file starting with !Type:Bank, !Type:CCard or !Type:Cash)")
        }
    }

    private func reject(_ record: QIFRecord, _ message: String, _ sink: RecordSink, _ file: String) {
        sink.reject(SourceLocation(file: file, line: record.start, column: 1), check: .rejectRecord, message)
    }

    private func amount(_ text: String, line: Int, what: String, _ file: String) -> Result<Int64, FieldProblem> {
        let at = SourceLocation(file: file, line: line, column: 2)
        if text.isEmpty {
            return .failure(FieldProblem(location: at, check: .rejectAmount, message: "\(what) is empty (\(AmountParser.expectation))"))
        }
        let reading = parser.read(text)
        if let v = reading.value, parser.problem(reading, text: text, currency: currency.code) == nil { return .success(v) }
        return .failure(FieldProblem(location: at, check: .rejectAmount,
                                     message: parser.problem(reading, text: text, currency: currency.code) ?? "\"\(text)\" is not an amount"))
    }

    private func emit(_ r: QIFRecord, type: String, account: String, format: DateFormat, _ sink: RecordSink, _ file: String) {
        guard let t = r.fields["T"] ?? r.fields["U"] else {
            sink.reject(SourceLocation(file: file, line: r.start, column: 1), check: .rejectAmount, "the record has no amount (expected a T line such as T-12.50)")
            return
        }
        let total: Int64
        switch amount(t.value, line: t.line, what: "the amount", file) {
        case .success(let v): total = v
        case .failure(let p): sink.reject(p.location, check: p.check, p.message); return
        }
        let money = Money(minorUnits: total, currency: currency)
        guard let d = r.fields["D"] else {
            sink.reject(SourceLocation(file: file, line: r.start, column: 1), check: .rejectDate, "the record has no date (expected a D line such as D01/05/2023)", amount: money)
            return
        }
        guard let day = DateOrder.parse(d.value, format) else {
            sink.reject(SourceLocation(file: file, line: d.line, column: 2), check: .rejectDate,
                        "\"\(d.value)\" is not a date (expected \(format.rawValue), as in \(format == .iso ? "2023-01-05" : format == .monthDayYear ? "01/05/2023 or 1/5'23" : "05/01/2023 or 5/1'23"))",
                        amount: money)
            return
        }
        let payee = r.fields["P"]?.value ?? ""
        let memo = r.fields["M"]?.value ?? ""
        let number = r.fields["N"]?.value ?? ""
        let location = SourceLocation(file: file, line: r.start, column: 1)
        let kind = type
        if r.splits.isEmpty {
            sink.load(.movement(Movement(date: day, amount: money, account: r.fields["L"]?.value ?? "", accountName: account,
                                         counterparty: payee, description: memo, reference: number, kind: String(kind),
                                         location: location)), amount: total)
            return
        }
        var parts: [(Int64, QIFSplit)] = []
        var sum: Int64 = 0
        for s in r.splits {
            switch amount(s.amount, line: s.amountLine == 0 ? s.line : s.amountLine, what: "the split's amount ($)", file) {
            case .success(let v):
                parts.append((v, s))
                sum = sum.addingReportingOverflow(v).partialValue
            case .failure(let p):
                sink.reject(p.location, check: p.check, p.message, amount: money)
                return
            }
        }
        if sum != total {
            sink.reject(SourceLocation(file: file, line: r.start, column: 1), check: .rejectAmount,
                        "the splits add up to \(Money(minorUnits: sum, currency: currency).decimalString) but the record's amount is \(money.decimalString) (expected the $ lines to add up to T)",
                        amount: money)
            return
        }
        for (v, s) in parts {
            sink.load(.movement(Movement(date: day, amount: Money(minorUnits: v, currency: currency), account: s.category,
                                         accountName: account, counterparty: payee, description: s.memo.isEmpty ? memo : s.memo,
                                         reference: number, kind: String(kind), location: SourceLocation(file: file, line: s.line, column: 1))),
                      amount: v)
        }
    }
}

struct QIFSplit {
    var category: String
    var memo = ""
    var amount = ""
    var line: Int
    var amountLine = 0
}

struct QIFRecord {
    var start = 0
    var fields: [Character: (value: String, line: Int)] = [:]
    var splits: [QIFSplit] = []
    var isEmpty: Bool { fields.isEmpty && splits.isEmpty }
}

extension StringProtocol {
    func trimmingCharacters() -> String { String(trimmingSpaces) }
}

/// A file's lines, read in 64 KiB chunks: each line without its end (LF,
/// CRLF or CR), as UTF-8 (Windows-1252 converted), with its number; blank
/// lines are skipped. A line longer than 64 KiB fails the file.
enum QIFLines {
    static let maxLine = 64 * 1024

    static func read(path: String, displayPath: String, _ body: (String, Int) throws -> Void) throws {
        guard let f = fopen(path, "rb") else {
            throw FileFailure(SourceLocation(file: displayPath, line: 1), "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var current: [UInt8] = []
        var number = 1
        var lastCR = false
        var first = true
        func finish() throws {
            var bytes = current[...]
            if first, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            first = false
            let text: String
            if Array(bytes).withUnsafeBytes({ CSVScanner.isValidUTF8($0, allowTruncatedEnd: false) }) {
                text = String(decoding: bytes, as: UTF8.self)
            } else {
                var out = [UInt8](repeating: 0, count: bytes.count * 3)
                let n = Array(bytes).withUnsafeBytes { src in out.withUnsafeMutableBytes { Windows1252.transcode(src, into: $0.baseAddress!) } }
                text = String(decoding: out[..<n], as: UTF8.self)
            }
            current.removeAll(keepingCapacity: true)
            if !text.trimmingSpaces.isEmpty { try body(String(text.trimmingSpaces), number) }
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            for i in 0..<n {
                let b = chunk[i]
                if b == 0x0A {
                    if lastCR { lastCR = false; continue }
                    try finish(); number += 1
                } else if b == 0x0D {
                    try finish(); number += 1
                    lastCR = true
                    continue
                } else {
                    current.append(b)
                    if current.count > maxLine {
                        throw FileFailure(SourceLocation(file: displayPath, line: number), "a line longer than \(maxLine / 1024) KiB (expected one QIF field a line)")
                    }
                }
                lastCR = false
            }
        }
        if ferror(f) != 0 { throw FileFailure(SourceLocation(file: displayPath, line: number), "the file could not be read to its end") }
        if !current.isEmpty { try finish() }
    }
}
