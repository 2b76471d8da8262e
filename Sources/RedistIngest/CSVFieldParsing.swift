import RedistModel

/// A field that could not be read, ready to be reported against its row.
struct FieldProblem: Error {
    var location: SourceLocation
    var check: String
    var message: String
}

extension CSVRecord {
    /// Where field `index` starts, for error messages.
    func location(_ file: String, _ index: Int) -> SourceLocation {
        let p = position(of: index)
        return SourceLocation(file: file, line: p.line, column: p.column)
    }

    /// The record's first line, for findings about the whole row.
    func rowLocation(_ file: String) -> SourceLocation {
        SourceLocation(file: file, line: line, column: 1)
    }

    /// An amount in minor units; a blank field is nil unless `required`.
    func amount(_ index: Int?, _ parser: AmountParser, file: String, what: String, required: Bool) throws(FieldProblem) -> Int64? {
        guard let index else { return nil }
        if isBlank(index) {
            if required {
                throw FieldProblem(location: location(file, index), check: "reject.amount",
                                   message: "\(what) is empty (\(AmountParser.expectation))")
            }
            return nil
        }
        let raw = bytes(index)
        if let v = parser.parse(raw) { return v }
        throw FieldProblem(location: location(file, index), check: "reject.amount",
                           message: "\"\(string(index))\" is not an amount (\(AmountParser.expectation))")
    }

    /// A date in the given format.
    func date(_ index: Int, _ format: DateFormat, file: String) throws(FieldProblem) -> Day {
        if let d = Self.numericDate(bytes(index), format) { return d }
        let text = string(index)
        if let d = format.parse(Substring(text)) { return d }
        let message = text.isEmpty ? "the date is empty (\(format.expectation))"
                                   : "\"\(text)\" is not a date (\(format.expectation))"
        throw FieldProblem(location: location(file, index), check: "reject.date", message: message)
    }

    /// The common spellings (`31/03/2024`, `2024-03-31`: ten ASCII bytes)
    /// read from the bytes, as `DateFormat.parse` reads them, without making
    /// text; nil for anything else, which then goes the general way.
    @inline(__always)
    static func numericDate(_ b: UnsafeRawBufferPointer, _ format: DateFormat) -> Day? {
        guard b.count == 10 else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let v = Int(b[i]) - 48
            return v >= 0 && v <= 9 ? v : nil
        }
        @inline(__always) func two(_ i: Int) -> Int? {
            guard let a = digit(i), let c = digit(i + 1) else { return nil }
            return a * 10 + c
        }
        switch format {
        case .iso:
            guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), let y1 = two(0), let y2 = two(2), let m = two(5), let d = two(8)
            else { return nil }
            return Day(year: y1 * 100 + y2, month: m, day: d)
        case .dayMonthYear, .monthDayYear:
            @inline(__always) func separator(_ x: UInt8) -> Bool { x == UInt8(ascii: "/") || x == UInt8(ascii: "-") || x == UInt8(ascii: ".") }
            guard separator(b[2]), separator(b[5]), let a = two(0), let c = two(3), let y1 = two(6), let y2 = two(8) else { return nil }
            let y = y1 * 100 + y2
            return format == .dayMonthYear ? Day(year: y, month: c, day: a) : Day(year: y, month: a, day: c)
        default:
            return nil
        }
    }

    /// The field's bytes with surrounding spaces removed, as `string` reads it.
    @inline(__always)
    func trimmedBytes(_ index: Int?) -> UnsafeRawBufferPointer {
        guard let index, index < fields.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let f = fields[index]
        var start = f.start, end = f.end
        let p = base.assumingMemoryBound(to: UInt8.self)
        while start < end && (p[start] == 0x20 || p[start] == 0x09) { start += 1 }
        while end > start && (p[end - 1] == 0x20 || p[end - 1] == 0x09) { end -= 1 }
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    /// True when the row's text fields are valid UTF-8, so they can be
    /// handed over as bytes (else the `String` way repairs them, as it always has).
    @inline(__always)
    func textIsUTF8(_ cols: MovementFields) -> Bool {
        if isUTF8 { return true }
        @inline(__always) func valid(_ index: Int?) -> Bool { CSVScanner.isValidUTF8(trimmedBytes(index), allowTruncatedEnd: false) }
        return valid(cols.account) && valid(cols.accountName) && valid(cols.fund) && valid(cols.counterparty)
            && valid(cols.counterpartyId) && valid(cols.description) && valid(cols.reference) && valid(cols.id)
    }

    func optionalString(_ index: Int?) -> String {
        guard let index else { return "" }
        return string(index)
    }
}

extension ReaderConfiguration {
    func option(_ key: String) -> String? { options[key] }

    func dateFormat(default fallback: DateFormat) throws -> DateFormat {
        guard let text = options["date_format"] else { return fallback }
        guard let format = DateFormat(rawValue: text) else {
            throw ReaderConfigurationError("source \"\(sourceName)\": date_format \"\(text)\" is not one of \(DateFormat.allCases.map { $0.rawValue }.joined(separator: ", "))")
        }
        return format
    }

    func encoding() throws -> TextEncoding {
        guard let text = options["encoding"] else { return .auto }
        guard let e = TextEncoding(rawValue: text) else {
            throw ReaderConfigurationError("source \"\(sourceName)\": encoding \"\(text)\" is not one of auto, utf-8, windows-1252")
        }
        return e
    }

    func delimiter() throws -> UInt8 {
        guard let text = options["delimiter"] else { return UInt8(ascii: ",") }
        switch text {
        case ",": return UInt8(ascii: ",")
        case ";": return UInt8(ascii: ";")
        case "\t", "tab": return 0x09
        case "|": return UInt8(ascii: "|")
        default: throw ReaderConfigurationError("source \"\(sourceName)\": delimiter \"\(text)\" is not one of \",\", \";\", \"tab\", \"|\"")
        }
    }

    func flag(_ key: String) throws -> Bool {
        guard let text = options[key] else { return false }
        switch text.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw ReaderConfigurationError("source \"\(sourceName)\": \(key) must be true or false, not \"\(text)\"")
        }
    }

    func fileCurrency() throws -> Currency {
        guard let text = options["currency"] else { return currency }
        guard let c = Currency(code: text) else {
            throw ReaderConfigurationError("source \"\(sourceName)\": currency \"\(text)\" is not an ISO 4217 code such as GBP")
        }
        return c
    }
}
