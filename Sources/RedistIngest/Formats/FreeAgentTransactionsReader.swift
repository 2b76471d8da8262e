import RedistModel

/// FreeAgent's accounting transactions: every posting to the nominal
/// ledger, one row per account it touches, as the "Account Transactions"
/// report downloads them (support.freeagent.com, "Report: Account
/// Transactions", article 115001826384: a CSV of the transactions against
/// each nominal account for a period of at most a year, "credit transactions
/// are displayed as negative values and debits as positive", so income shows
/// negative and costs positive) and as FreeAgent's API describes each one
/// (dev.freeagent.com/docs/transactions: `dated_on` as yyyy-mm-dd,
/// `description`, `category_name`, `nominal_code`, `debit_value` with
/// credits negative, and `foreign_currency_data` for a transaction in
/// another currency).
///
/// The report's exact column titles are not published; the reader takes a
/// header with a date (`Date` or `Dated On`), the nominal code (`Nominal
/// Code`), the description and the debit value (`Debit Value`, `Debit`, or
/// `Amount`/`Value` signed as the report signs them), written as titles or
/// as the API's names (`dated_on`, `nominal_code`, `debit_value`), and the
/// category's name where there is one (`Category`, `Category Name`,
/// `Account`). A file with none of these is refused, naming them.
///
/// A debit is money out of the organisation and a credit money in, so the
/// movement's amount is the debit value negated: a grant received (a credit
/// to income) is positive, a grant paid (a debit to costs) negative. A
/// posting is recorded against both its accounts; the side against a bank
/// account (FreeAgent numbers bank accounts 750, their sub-accounts
/// `750-1`, `750-2`, …) is the same money again, so it is skipped and
/// counted, and the income or cost side is kept. Dates are yyyy-mm-dd as
/// the API writes them, or dd/mm/yyyy as a UK download does.
public struct FreeAgentTransactionsReader: SourceReader {
    public static let format = "freeagent-transactions"
    public static let roles: [SourceRole] = [.ledger]
    public static let columnKeys: [String] = []
    public static let optionKeys = ["encoding", "currency", "round_amounts", "date_format"]

    static let titles: [(key: String, titles: [String])] = [
        ("date", ["Date", "Dated On", "dated_on"]),
        ("nominal", ["Nominal Code", "nominal_code", "Nominal"]),
        ("description", ["Description", "description"]),
        ("value", ["Debit Value", "debit_value", "Debit", "Amount", "Value"]),
        ("category", ["Category Name", "category_name", "Category", "Account"]),
        ("currency", ["Currency", "currency_code"]),
    ]
    static let required = ["date", "nominal", "description", "value"]

    let configuration: ReaderConfiguration
    let encoding: TextEncoding
    let currency: Currency
    let dateFormat: DateFormat?

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        encoding = try configuration.encoding()
        currency = try configuration.fileCurrency()
        dateFormat = configuration.options["date_format"] == nil ? nil : try configuration.dateFormat(default: .iso)
    }

    /// The indexes of the columns, when `titles` is a header this reader reads.
    static func columns(_ header: HeaderIndex) -> [String: Int]? {
        var found: [String: Int] = [:]
        for (key, names) in titles {
            if let i = names.lazy.compactMap({ header.index(of: $0) }).first { found[key] = i }
        }
        return required.allSatisfy { found[$0] != nil } ? found : nil
    }

    /// A header row with a nominal code and a debit value beside a date and a description.
    public static func claims(_ head: FileHead) -> Bool {
        head.csvRows.prefix(10).contains { row in
            let folded = Set(row.map { HeaderIndex.fold($0) })
            return (folded.contains("nominal code") || folded.contains("nominal_code"))
                && (folded.contains("debit value") || folded.contains("debit_value"))
                && (folded.contains("date") || folded.contains("dated on") || folded.contains("dated_on"))
                && folded.contains("description")
        }
    }

    /// A FreeAgent bank account's nominal code: 750, or 750- and its number.
    static func isBankAccount(_ code: String) -> Bool {
        code == "750" || (code.hasPrefix("750-") && code.count > 4)
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(encoding: encoding)
        let rounding = try configuration.rounding()
        let parser = AmountParser(currency: currency, rounding: rounding)
        var cols: [String: Int]? = nil
        var width = 0, titled = 0
        var rounded = 0
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            guard let c = cols else {
                if let found = Self.columns(HeaderIndex(record)) {
                    cols = found
                    width = record.count
                    titled = record.titledCount
                } else if !record.allBlank {
                    sink.skip(record.rowLocation(displayPath), check: .skipTitle, "title line \"\(record.string(0))\" skipped")
                }
                return true
            }
            if record.allBlank { return true }
            if let problem = record.shapeProblem(displayPath, width: width, titled: titled) {
                try problem.reject(into: sink)
                return true
            }
            var rowCurrency = currency
            if let i = c["currency"], !record.isBlank(i) {
                guard let given = Currency(code: record.string(i)) else {
                    sink.reject(record.location(displayPath, i), check: .rejectCurrency,
                                "\"\(record.string(i))\" is not an ISO 4217 currency code (expected GBP, EUR, USD, …)")
                    return true
                }
                rowCurrency = given
            }
            let debit: Int64
            do throws(FieldProblem) {
                let p = rowCurrency == currency ? parser : AmountParser(currency: rowCurrency, rounding: rounding)
                debit = try record.amount(c["value"], p, file: displayPath, what: "the debit value", required: true,
                                          currency: rowCurrency, rounded: &rounded)!
            } catch {
                try error.reject(into: sink)
                return true
            }
            // A debit leaves the organisation, a credit reaches it.
            let money = Money(minorUnits: -debit, currency: rowCurrency)
            let nominal = record.optionalString(c["nominal"])
            if Self.isBankAccount(nominal) {
                sink.skip(record.rowLocation(displayPath), check: .skipBankSide,
                          "the bank account's side of a posting (nominal \(nominal)) skipped: its income or cost side is the same money", amount: money)
                return true
            }
            let day: Day
            do throws(FieldProblem) {
                if let dateFormat {
                    day = try record.date(c["date"]!, dateFormat, file: displayPath)
                } else if let iso = DateFormat.iso.parse(Substring(record.string(c["date"]!))) {
                    day = iso
                } else {
                    day = try record.date(c["date"]!, .dayMonthYear, file: displayPath)
                }
            } catch {
                try error.reject(into: sink, amount: money)
                return true
            }
            let movement = Movement(
                date: day, amount: money, account: nominal, accountName: record.optionalString(c["category"]),
                description: record.optionalString(c["description"]), location: record.rowLocation(displayPath))
            sink.load(.movement(movement), amount: money.minorUnits)
            return true
        }
        sink.noteRounded(rounded, digits: currency.minorDigits, file: displayPath)
        if cols == nil {
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "no header row with a date (\"Date\" or \"dated_on\"), \"Nominal Code\", \"Description\" and \"Debit Value\" (expected FreeAgent's account transactions exported as CSV)")
        }
    }
}
