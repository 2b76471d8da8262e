import RedistModel

/// Any accounting system's CSV export, read through the column mapping in
/// the pipeline file (`format = "csv"`), so a new export needs no code.
///
/// Amounts come from one signed `amount` column (positive = money in), a
/// `paid_in`/`paid_out` pair, or a `debit`/`credit` pair, where `debit`
/// means money out unless `debit_means = "in"` (a ledger's view of its bank
/// account). With role `members` the same reader reads the member register.
public struct MappedCSVReader: SourceReader {
    public static let format = "csv"
    public static let roles: [SourceRole] = [.ledger, .bank, .members]
    public static let columnKeys = [
        "date", "account", "account_name", "fund", "counterparty", "counterparty_id", "description", "reference",
        "amount", "paid_in", "paid_out", "debit", "credit", "currency", "id",
        "name", "kind", "region", "characteristics", "consent", "consent_date",
    ]
    public static let optionKeys = ["date_format", "encoding", "delimiter", "decimal_comma", "debit_means", "skip_lines", "currency", "header"]

    enum AmountColumns { case signed, inOut, debitCredit }

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
        parser = AmountParser(digits: currency.minorDigits, decimalComma: try configuration.flag("decimal_comma"))
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
        if c["amount"] != nil {
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
        // Fields a row may have: the header's; a file without a header row has nothing to check against.
        var headerWidth = Int.max
        var skipped = 0
        var failure: FileFailure? = nil
        var fields: MovementFields? = nil
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            if skipped < skipLines { skipped += 1; return true }
            guard let cols = columns else {
                let header = HeaderIndex(record)
                let wanted = configuration.columns.sorted { $0.key < $1.key }.map { (key: $0.key, title: $0.value) }
                do {
                    columns = try header.require(wanted, location: SourceLocation(file: displayPath, line: record.line))
                    headerWidth = record.count
                } catch let f as FileFailure {
                    failure = f
                    return false
                }
                return true
            }
            if record.allBlank { return true }
            // More values than titles: an unquoted comma (`£1,234.00`) has shifted the row, so its
            // columns cannot be trusted. Blank extras (a trailing comma) are harmless.
            var extra = headerWidth
            while extra < record.count && record.isBlank(extra) { extra += 1 }
            if extra < record.count {
                sink.reject(record.location(displayPath, extra), check: "reject.fields",
                            "the row has \(record.count) fields but the header has \(headerWidth) (expected a comma inside a value to be quoted, as in \"1,234.00\")")
                return true
            }
            if configuration.role == .members {
                readMember(record, cols, displayPath, sink)
            } else {
                if fields == nil { fields = MovementFields(cols) }
                readMovement(record, fields!, displayPath, sink)
            }
            return true
        }
        if let failure { throw failure }
        if columns == nil { throw FileFailure(SourceLocation(file: displayPath, line: 1), "the file is empty (expected a header row)") }
        if scanner.detectedWindows1252 {
            sink.report(Diagnostic(.note, SourceLocation(file: displayPath, line: 1), check: "encoding",
                                   "not UTF-8: read as Windows-1252"))
        }
    }

    private func readMovement(_ record: borrowing CSVRecord, _ cols: MovementFields, _ file: String, _ sink: RecordSink) {
        var amount: Int64 = 0
        do throws(FieldProblem) {
            switch amounts {
            case .signed:
                amount = try record.amount(cols.amount, parser, file: file, what: "the amount", required: true)!
            case .inOut:
                let i = try record.amount(cols.paidIn, parser, file: file, what: "paid in", required: false)
                let o = try record.amount(cols.paidOut, parser, file: file, what: "paid out", required: false)
                if i == nil && o == nil {
                    throw FieldProblem(location: record.location(file, cols.paidIn!), check: "reject.amount",
                                       message: "both paid in and paid out are empty (expected an amount in one of them)")
                }
                amount = (i ?? 0) - (o ?? 0)
            case .debitCredit:
                let d = try record.amount(cols.debit, parser, file: file, what: "debit", required: false)
                let c = try record.amount(cols.credit, parser, file: file, what: "credit", required: false)
                if d == nil && c == nil {
                    throw FieldProblem(location: record.location(file, cols.debit!), check: "reject.amount",
                                       message: "both debit and credit are empty (expected an amount in one of them)")
                }
                amount = debitIsOut ? (c ?? 0) - (d ?? 0) : (d ?? 0) - (c ?? 0)
            }
        } catch {
            sink.reject(error.location, check: error.check, error.message)
            return
        }
        var rowCurrency = currency
        if let ci = cols.currency, !record.isBlank(ci) {
            guard let c = Currency(code: record.string(ci)) else {
                sink.reject(record.location(file, ci), check: "reject.currency",
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
            sink.reject(error.location, check: error.check, error.message, amount: money)
            return
        }
        if sink.takesRows && record.textIsUTF8(cols) {
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
            nativeId: record.optionalString(cols.id), location: record.rowLocation(file))
        sink.load(.movement(movement), amount: amount)
    }

    private func readMember(_ record: borrowing CSVRecord, _ cols: [String: Int], _ file: String, _ sink: RecordSink) {
        let id = record.optionalString(cols["id"])
        guard !id.isEmpty else {
            sink.reject(record.location(file, cols["id"]!), check: "reject.member", "the identifier is empty (expected an org-id such as 360G-ABC-G001)")
            return
        }
        var kind = OrganisationRole.memberGroup
        if let ki = cols["kind"], !record.isBlank(ki) {
            guard let k = OrganisationRole(rawValue: record.string(ki).lowercased()) else {
                sink.reject(record.location(file, ki), check: "reject.member",
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
                sink.reject(record.location(file, ci), check: "reject.member",
                            "\"\(record.string(ci))\" is not a consent answer (expected yes or no)")
                return
            }
        }
        var consentDate: Day? = nil
        if let di = cols["consent_date"], !record.isBlank(di) {
            guard let d = Day(iso: record.string(di)) ?? DateFormat.dayMonthYear.parse(Substring(record.string(di))) else {
                sink.reject(record.location(file, di), check: "reject.member",
                            "\"\(record.string(di))\" is not a date (expected yyyy-mm-dd)")
                return
            }
            consentDate = d
        }
        let characteristics = record.optionalString(cols["characteristics"])
            .split(separator: ";").map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
        let member = MemberRecord(id: id, name: record.optionalString(cols["name"]), kind: kind,
                                  region: record.optionalString(cols["region"]), characteristics: characteristics,
                                  consentToBeNamed: consent, consentDate: consentDate, location: record.rowLocation(file))
        sink.load(.member(member), amount: 0)
    }
}

/// The columns of a movement row, looked up in the header once per file
/// rather than by name on every row.
struct MovementFields {
    var amount, paidIn, paidOut, debit, credit, currency, date: Int?
    var account, accountName, fund, counterparty, counterpartyId, description, reference, id: Int?

    init(_ c: [String: Int]) {
        amount = c["amount"]; paidIn = c["paid_in"]; paidOut = c["paid_out"]; debit = c["debit"]; credit = c["credit"]
        currency = c["currency"]; date = c["date"]; account = c["account"]; accountName = c["account_name"]; fund = c["fund"]
        counterparty = c["counterparty"]; counterpartyId = c["counterparty_id"]; description = c["description"]
        reference = c["reference"]; id = c["id"]
    }
}
