import RedistModel

/// Any accounting system's CSV export, read through the column mapping in
/// the pipeline file (`format = "csv"`), so a new export needs no code.
///
/// Amounts come from one signed `amount` column (positive = money in), a
/// `paid_in`/`paid_out` pair, or a `debit`/`credit` pair, where `debit`
/// means money out unless `debit_means = "in"` (a ledger's view of its bank
/// account). An unsigned `amount` beside a `direction` column (`Transaction
/// Type` of `debit`/`credit`, as Mint and many banks export; also `DR`/`CR`,
/// `D`/`C`, `out`/`in`) takes its sign from that column. A `kind` column is
/// kept as the movement's kind. With role `members` the same reader reads the
/// member register.
public struct MappedCSVReader: SourceReader {
    public static let format = "csv"
    public static let roles: [SourceRole] = [.ledger, .bank, .members]
    public static let columnKeys = [
        "date", "account", "account_name", "fund", "counterparty", "counterparty_id", "description", "reference",
        "amount", "paid_in", "paid_out", "debit", "credit", "currency", "id", "direction",
        "name", "kind", "region", "characteristics", "consent", "consent_date", "consent_scope", "consent_expires",
    ]
    public static let optionKeys = ["date_format", "encoding", "delimiter", "decimal_comma", "debit_means", "skip_lines", "currency", "header",
                                    "round_amounts"]

    enum AmountColumns { case signed, inOut, debitCredit, withDirection }

    let configuration: ReaderConfiguration
    let dateFormat: DateFormat
    let encoding: TextEncoding
    let delimiter: UInt8
    let amounts: AmountColumns
    let debitIsOut: Bool
    let skipLines: Int
    /// With `header = "none"` the file has no header row and `[source.columns]`
    /// name columns by number, counting from 1 (`date = "1"`).
    let positional: [String: Int]?
    let parser: AmountParser
    let currency: Currency

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        let c = configuration.columns
        let name = configuration.sourceName
        dateFormat = try configuration.dateFormat(default: .iso)
        encoding = try configuration.encoding()
        delimiter = try configuration.delimiter()
        currency = try configuration.fileCurrency()
        parser = AmountParser(currency: currency, decimalComma: try configuration.flag("decimal_comma"), rounding: try configuration.rounding())
        skipLines = Int(configuration.options["skip_lines"] ?? "0") ?? -1
        guard skipLines >= 0 else {
            throw ReaderConfigurationError("source \"\(name)\": skip_lines must be a whole number")
        }
        switch configuration.options["header"] ?? "first-row" {
        case "first-row":
            positional = nil
        case "none":
            var map: [String: Int] = [:]
            for (key, value) in configuration.columns {
                guard let n = Int(value), n >= 1 else {
                    throw ReaderConfigurationError("source \"\(name)\": with header = \"none\", columns are numbers counting from 1, so \(key) = \"\(value)\" should be a number such as \"3\"")
                }
                map[key] = n - 1
            }
            positional = map
        case let other:
            throw ReaderConfigurationError("source \"\(name)\": header must be \"first-row\" or \"none\", not \"\(other)\"")
        }
        switch configuration.options["debit_means"] ?? "out" {
        case "out": debitIsOut = true
        case "in": debitIsOut = false
        case let other: throw ReaderConfigurationError("source \"\(name)\": debit_means must be \"out\" or \"in\", not \"\(other)\"")
        }
        if configuration.role == .members {
            amounts = .signed
            for key in ["id", "name"] where c[key] == nil {
                throw ReaderConfigurationError("source \"\(name)\": a members source needs [source.columns] \(key)")
            }
            return
        }
        guard c["date"] != nil else {
            throw ReaderConfigurationError("source \"\(name)\": [source.columns] needs date = \"<column header>\"")
        }
        if c["amount"] != nil && c["direction"] != nil {
            amounts = .withDirection
        } else if c["amount"] != nil {
            amounts = .signed
        } else if c["paid_in"] != nil && c["paid_out"] != nil {
            amounts = .inOut
        } else if c["debit"] != nil && c["credit"] != nil {
            amounts = .debitCredit
        } else {
            throw ReaderConfigurationError("source \"\(name)\": [source.columns] needs amount, or paid_in and paid_out, or debit and credit")
        }
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(delimiter: delimiter, encoding: encoding)
        var columns: [String: Int]? = positional
        // Fields a row must have: the header's (or, without a header row, the first row's).
        var width = -1, titled = -1
        var skipped = 0
        var failure: FileFailure? = nil
        var fields: MovementFields? = nil
        var rounded = 0
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            if skipped < skipLines { skipped += 1; return true }
            guard let cols = columns else {
                let header = HeaderIndex(record)
                let wanted = configuration.columns.sorted { $0.key < $1.key }.map { (key: $0.key, title: $0.value) }
                do {
                    columns = try header.require(wanted, location: SourceLocation(file: displayPath, line: record.line),
                                                 mapped: Set(configuration.columns.keys))
                    width = record.count
                    titled = record.titledCount
                } catch let f as FileFailure {
                    failure = f
                    return false
                }
                return true
            }
            if record.allBlank { return true }
            if width < 0 { width = record.count; titled = record.titledCount }
            // A row of another shape than the header's has shifted columns (an
            // unquoted comma in `£1,234.00`, a missing value, a stray quote),
            // so none of its values can be trusted.
            if let problem = record.shapeProblem(displayPath, width: width, titled: titled,
                                                 against: positional == nil ? "the header" : "the first row") {
                try problem.reject(into: sink)
                return true
            }
            if configuration.role == .members {
                readMember(record, cols, displayPath, sink)
            } else {
                if fields == nil { fields = MovementFields(cols) }
                try readMovement(record, fields!, displayPath, sink, &rounded)
            }
            return true
        }
        if let failure { throw failure }
        if columns == nil { throw FileFailure(SourceLocation(file: displayPath, line: 1), "the file is empty (expected a header row)") }
        if scanner.detectedWindows1252 {
            sink.report(Diagnostic(.note, SourceLocation(file: displayPath, line: 1), check: .encoding,
                                   "not UTF-8: read as Windows-1252"))
        }
        sink.noteRounded(rounded, digits: currency.minorDigits, file: displayPath)
    }

    private func readMovement(_ record: borrowing CSVRecord, _ cols: MovementFields, _ file: String, _ sink: RecordSink,
                              _ rounded: inout Int) throws {
        var amount: Int64 = 0
        do throws(FieldProblem) {
            switch amounts {
            case .signed:
                amount = try record.amount(cols.amount, parser, file: file, what: "the amount", required: true,
                                           currency: currency, rounded: &rounded)!
            case .withDirection:
                let unsigned = try record.amount(cols.amount, parser, file: file, what: "the amount", required: true,
                                                 currency: currency, rounded: &rounded)!
                let di = cols.direction!
                let word = record.string(di).lowercased()
                let sign: Int64
                switch word {
                case "credit", "cr", "c", "in", "deposit", "paid in", "receipt": sign = 1
                case "debit", "dr", "d", "out", "withdrawal", "payment", "paid out": sign = -1
                default:
                    throw FieldProblem(location: record.location(file, di), check: .rejectAmount,
                                       message: word.isEmpty ? "the direction is empty (expected debit or credit, DR or CR)"
                                                             : "\"\(record.string(di))\" is not a direction (expected debit or credit, DR or CR)")
                }
                if unsigned < 0 {
                    throw FieldProblem(location: record.location(file, cols.amount!), check: .rejectAmount,
                                       message: "\"\(record.string(cols.amount!))\" has a sign, but the direction column gives the sign (expected an amount without sign)")
                }
                amount = sign * unsigned
            case .inOut, .debitCredit:
                let inOut = amounts == .inOut
                let (first, second) = inOut ? (cols.paidIn!, cols.paidOut!) : (cols.debit!, cols.credit!)
                let names = inOut ? ("paid in", "paid out") : ("debit", "credit")
                let a = try record.amount(first, parser, file: file, what: names.0, required: false, currency: currency, rounded: &rounded)
                let b = try record.amount(second, parser, file: file, what: names.1, required: false, currency: currency, rounded: &rounded)
                if a == nil && b == nil {
                    throw FieldProblem(location: record.location(file, first), check: .rejectAmount,
                                       message: "both \(names.0) and \(names.1) are empty (expected an amount in one of them)")
                }
                // Both filled is not a net to work out: which one is right is not known.
                if let a, let b, a != 0, b != 0 {
                    throw FieldProblem(location: record.location(file, second), check: .rejectAmount,
                                       message: "both \(names.0) (\(record.string(first))) and \(names.1) (\(record.string(second))) hold an amount (expected one of them, the other empty or 0.00)")
                }
                let (i, o) = inOut || !debitIsOut ? (a ?? 0, b ?? 0) : (b ?? 0, a ?? 0)
                amount = i - o
            }
        } catch {
            try error.reject(into: sink)
            return
        }
        var rowCurrency = currency
        if let ci = cols.currency, !record.isBlank(ci) {
            guard let c = Currency(code: record.string(ci)) else {
                sink.reject(record.location(file, ci), check: .rejectCurrency,
                            "\"\(record.string(ci))\" is not a currency (expected an ISO 4217 code such as GBP)")
                return
            }
            rowCurrency = c
        }
        let money = Money(minorUnits: amount, currency: rowCurrency)
        let day: Day
        do throws(FieldProblem) {
            day = try record.date(cols.date!, dateFormat, file: file)
        } catch {
            try error.reject(into: sink, amount: money)
            return
        }
        if sink.takesRows && cols.kind == nil && record.textIsUTF8(cols) {
            sink.load(MovementRow(
                date: day, amount: money, file: file, line: record.line,
                account: record.trimmedBytes(cols.account), accountName: record.trimmedBytes(cols.accountName),
                fund: record.trimmedBytes(cols.fund), counterparty: record.trimmedBytes(cols.counterparty),
                counterpartyId: record.trimmedBytes(cols.counterpartyId), description: record.trimmedBytes(cols.description),
                reference: record.trimmedBytes(cols.reference), nativeId: record.trimmedBytes(cols.id)))
            return
        }
        let movement = Movement(
            date: day, amount: money,
            account: record.optionalString(cols.account), accountName: record.optionalString(cols.accountName),
            fund: record.optionalString(cols.fund), counterparty: record.optionalString(cols.counterparty),
            counterpartyId: record.optionalString(cols.counterpartyId),
            description: record.optionalString(cols.description), reference: record.optionalString(cols.reference),
            nativeId: record.optionalString(cols.id), kind: record.optionalString(cols.kind), location: record.rowLocation(file))
        sink.load(.movement(movement), amount: amount)
    }

    /// A member register cell read by `parse`: `.some(nil)` when the column
    /// is not mapped or the cell is blank, nil when the row was rejected for it.
    private func memberCell<T>(_ record: borrowing CSVRecord, _ column: Int?, _ file: String, _ sink: RecordSink,
                               _ parse: (String) -> T?, _ expected: (String) -> String) -> T?? {
        guard let i = column, !record.isBlank(i) else { return .some(nil) }
        let text = record.string(i)
        if let value = parse(text) { return .some(value) }
        sink.reject(record.location(file, i), check: .rejectMember, expected(text))
        return nil
    }

    private func readMember(_ record: borrowing CSVRecord, _ cols: [String: Int], _ file: String, _ sink: RecordSink) {
        let id = record.optionalString(cols["id"])
        guard !id.isEmpty else {
            sink.reject(record.location(file, cols["id"]!), check: .rejectMember, "the identifier is empty (expected an org-id such as 360G-ABC-G001)")
            return
        }
        var kind = OrganisationRole.memberGroup
        if let ki = cols["kind"], !record.isBlank(ki) {
            guard let k = OrganisationRole(rawValue: record.string(ki).lowercased()) else {
                sink.reject(record.location(file, ki), check: .rejectMember,
                            "\"\(record.string(ki))\" is not a kind (expected member-group, hosted-project, individual, supplier or funder)")
                return
            }
            kind = k
        }
        var consent = false
        if let ci = cols["consent"], !record.isBlank(ci) {
            switch record.string(ci).lowercased() {
            case "yes", "y", "true", "1": consent = true
            case "no", "n", "false", "0": consent = false
            default:
                sink.reject(record.location(file, ci), check: .rejectMember,
                            "\"\(record.string(ci))\" is not a consent answer (expected yes or no)")
                return
            }
        }
        let day: (String) -> Day? = { Day(iso: $0) ?? DateFormat.dayMonthYear.parse(Substring($0)) }
        let notADate: (String) -> String = { "\"\($0)\" is not a date (expected yyyy-mm-dd)" }
        guard let consentDate = memberCell(record, cols["consent_date"], file, sink, day, notADate),
              let scope = memberCell(record, cols["consent_scope"], file, sink, { ConsentScope(text: $0) },
                                     { "\"\($0)\" is not a consent scope (\(ConsentScope.expectation))" }),
              let expires = memberCell(record, cols["consent_expires"], file, sink, day, notADate) else { return }
        let characteristics = record.optionalString(cols["characteristics"])
            .split(separator: ";").map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
        let member = MemberRecord(id: id, name: record.optionalString(cols["name"]), kind: kind,
                                  region: record.optionalString(cols["region"]), characteristics: characteristics,
                                  consentToBeNamed: consent, consentDate: consentDate, consentScope: scope ?? .public, consentExpires: expires,
                                  location: record.rowLocation(file))
        sink.load(.member(member), amount: 0)
    }
}

/// The columns of a movement row, looked up in the header once per file
/// rather than by name on every row.
struct MovementFields {
    var amount, paidIn, paidOut, debit, credit, currency, date: Int?
    var account, accountName, fund, counterparty, counterpartyId, description, reference, id: Int?
    var direction, kind: Int?

    init(_ c: [String: Int]) {
        amount = c["amount"]; paidIn = c["paid_in"]; paidOut = c["paid_out"]; debit = c["debit"]; credit = c["credit"]
        currency = c["currency"]; date = c["date"]; account = c["account"]; accountName = c["account_name"]; fund = c["fund"]
        counterparty = c["counterparty"]; counterpartyId = c["counterparty_id"]; description = c["description"]
        reference = c["reference"]; id = c["id"]; direction = c["direction"]; kind = c["kind"]
    }
}
