import RedistModel

/// A field that could not be read, ready to be reported against its row.
struct FieldProblem: Error {
    var location: SourceLocation
    var check: Check
    var message: String
    /// The problem condemns the whole file, not only the row (see `failing`).
    var wholeFile = false

    /// The row is rejected, counted with `amount`; a problem with the whole
    /// file is thrown as its failure instead, so nothing from it is loaded.
    func reject(into sink: RecordSink, amount: Money? = nil) throws {
        if wholeFile { throw FileFailure(location, message) }
        sink.reject(location, check: check, message, amount: amount)
    }
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
    /// `currency` names the amount's currency in messages; an amount the
    /// parser had to round (only with `round_amounts`) adds one to `rounded`.
    func amount(_ index: Int?, _ parser: AmountParser, file: String, what: String, required: Bool,
                currency: Currency, rounded: inout Int) throws(FieldProblem) -> Int64? {
        guard let index else { return nil }
        if isBlank(index) {
            if required {
                throw FieldProblem(location: location(file, index), check: .rejectAmount,
                                   message: "\(what) is empty (\(AmountParser.expectation))")
            }
            return nil
        }
        let reading = parser.read(bytes(index))
        switch reading {
        case .amount(let v): return v
        case .rounded(let v): rounded += 1; return v
        default:
            throw FieldProblem(location: location(file, index), check: .rejectAmount,
                               message: parser.problem(reading, text: string(index), currency: currency.code)!)
        }
    }

    /// A row that does not have the header's shape, read with malformed
    /// quoting, or holding bytes that are not UTF-8: its values cannot be
    /// trusted, so the row is refused whole. `width` is the header's number
    /// of fields and `titled` the same without empty titles at its end (a row
    /// may stop after the last titled column, or go on with empty fields).
    func shapeProblem(_ file: String, width: Int, titled: Int, against what: String = "the header") -> FieldProblem? {
        let n = count
        if n > width {
            var extra = width
            while extra < n && isBlank(extra) { extra += 1 }
            if extra < n {
                return FieldProblem(location: location(file, extra), check: .rejectFields,
                                    message: "the row has \(n) fields but \(what) has \(width) (expected a comma inside a value to be quoted, as in \"1,234.00\")")
            }
        } else if n < width && n < titled {
            return FieldProblem(location: location(file, n), check: .rejectFields,
                                message: "the row has \(n) field\(n == 1 ? "" : "s") but \(what) has \(width) (expected \(width): a value or a comma is missing, or a quote is out of place)")
        }
        if let stray = strayText {
            return FieldProblem(location: SourceLocation(file: file, line: stray.line, column: stray.column), check: .rejectQuote,
                                message: "the value \"\(string(stray.field))\" has text after its closing quote (expected the whole value inside the quotes, or no quotes)")
        }
        if !isUTF8 {
            for k in 0..<fields.count where !CSVScanner.isValidUTF8(bytes(k), allowTruncatedEnd: false) {
                return FieldProblem(location: location(file, k), check: .rejectEncoding,
                                    message: "the value holds bytes that are not UTF-8, in a file that is UTF-8 elsewhere (expected the whole file in one encoding: save it again as UTF-8, or, if all of it is Windows-1252, set encoding = \"windows-1252\" in [source.options])")
            }
        }
        return nil
    }

    /// A date in the given format. A date that exists only with day and
    /// month the other way round (`11/27/2023` under dd/mm/yyyy) is a problem
    /// with the whole file: once one row shows the file's dates are the other
    /// way round, `12/02/2023` on any row cannot be trusted either.
    func date(_ index: Int, _ format: DateFormat, file: String) throws(FieldProblem) -> Day {
        if let d = Self.numericDate(bytes(index), format) { return d }
        let text = string(index)
        if let d = format.parse(Substring(text)) { return d }
        if let other = format.swapped, other.parse(Substring(text)) != nil {
            throw Self.dateOrderProblem(text, said: "date_format is \(format.rawValue)", other: other, at: location(file, index))
        }
        let message = text.isEmpty ? "the date is empty (\(format.expectation))"
                                   : "\"\(text)\" is not a date (\(format.expectation))"
        throw FieldProblem(location: location(file, index), check: .rejectDate, message: message)
    }

    /// `said` is how the source reads dates (`date_format is dd/mm/yyyy`).
    static func dateOrderProblem(_ text: String, said: String, other: DateFormat, at location: SourceLocation) -> FieldProblem {
        FieldProblem(location: location, check: .file, message:
            "\"\(text)\" is a date only as \(other.rawValue), but \(said): the file's dates look like \(other.rawValue), so none of them can be trusted and nothing from this file is loaded (expected date_format = \"\(other.rawValue)\" for this file, or dates as \(other.swapped!.rawValue))",
            wholeFile: true)
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

    /// The number of fields up to the last one that is not blank: for a
    /// header, its titled columns.
    var titledCount: Int {
        var n = count
        while n > 0 && isBlank(n - 1) { n -= 1 }
        return n
    }

    func optionalString(_ index: Int?) -> String {
        guard let index else { return "" }
        return string(index)
    }
}

extension ReaderConfiguration {
    /// The ids a funder's file names the organisation by, compared loosely
    /// (`IATIReader.normalisedId`): `[organisation] id` and any
    /// `organisation_ref`; a grants-in source must have one.
    func organisationIds(format: String, finding: String) throws -> Set<String> {
        var ids = Set<String>()
        let own = IATIReader.normalisedId(organisationId)
        if !own.isEmpty { ids.insert(own) }
        if let refs = options["organisation_ref"] {
            for ref in refs.split(separator: ",", omittingEmptySubsequences: false) {
                let id = IATIReader.normalisedId(String(ref))
                guard !id.isEmpty else {
                    throw ReaderConfigurationError("source \"\(sourceName)\": organisation_ref \"\(refs)\" has an empty id (expected ids such as GB-CHC-1234567, separated by commas)")
                }
                ids.insert(id)
            }
        }
        if role == .grantsIn && ids.isEmpty {
            throw ReaderConfigurationError("source \"\(sourceName)\": a grants-in \(format) source needs the organisation's id ([organisation] id) or organisation_ref, to find \(finding)")
        }
        return ids
    }

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

    /// `round_amounts = "true"`: digits beyond the currency's minor unit are
    /// rounded (and the file's findings say how many were) instead of refused.
    func rounding() throws -> Bool { try flag("round_amounts") }

    func fileCurrency() throws -> Currency {
        guard let text = options["currency"] else { return currency }
        guard let c = Currency(code: text) else {
            throw ReaderConfigurationError("source \"\(sourceName)\": currency \"\(text)\" is not an ISO 4217 code such as GBP")
        }
        return c
    }
}

extension AmountParser {
    /// An XML value in minor units: exact, or rounded to the currency's
    /// decimals (counted in `rounded`, so the file's findings can say so);
    /// nil when it is not an amount, with `tooLarge` set when that is why.
    static func xmlValue(_ bytes: UnsafeRawBufferPointer, digits: Int, rounded: inout Int, tooLarge: inout Bool) -> Int64? {
        switch AmountParser(digits: digits).read(bytes) {
        case .amount(let v): return v
        case .rounded(let v): rounded += 1; return v
        case .tooLarge: tooLarge = true; return nil
        default: return nil
        }
    }

    static func xmlValue(_ text: String, digits: Int, rounded: inout Int, tooLarge: inout Bool) -> Int64? {
        var copy = text
        return copy.withUTF8 { xmlValue(UnsafeRawBufferPointer($0), digits: digits, rounded: &rounded, tooLarge: &tooLarge) }
    }

    /// What an XML reader says of a value too large to accept.
    static func tooLargeMessage(_ text: String, digits: Int) -> String {
        "\"\(text)\" is larger than redist accepts (expected less than \(MoneyFormat.grouped(maximum, digits: digits)))"
    }
}

extension RecordSink {
    /// The note that says how many of an XML file's values had more decimals than their currency and were rounded.
    func noteRoundedValues(_ count: Int, file: String) {
        guard count > 0 else { return }
        report(Diagnostic(.note, SourceLocation(file: file, line: 1), check: .rounded,
                          "\(count) value\(count == 1 ? " has" : "s have") more decimal places than its currency and \(count == 1 ? "was" : "were") rounded half away from zero"))
    }

    /// The note that says how many of a file's amounts were rounded, if any were.
    func noteRounded(_ count: Int, digits: Int, file: String) {
        guard count > 0 else { return }
        report(Diagnostic(.note, SourceLocation(file: file, line: 0), check: .rounded,
                          "\(count) amount\(count == 1 ? " was" : "s were") rounded to \(digits) decimal places (round_amounts = \"true\")"))
    }
}
