import Foundation
import RedistModel

/// QuickBooks Online's General Ledger report exported as CSV.
///
/// Title rows (company, report name, date range, blank), then the header
/// `,Date,Transaction Type,Num,Name,Memo/Description,Split,Amount,Balance`
/// with an empty first column; per account a section row with the account
/// in the first cell, `Beginning Balance`, the transactions (MM/DD/YYYY,
/// negatives in parentheses), `Total for <account>`; a final `TOTAL` and a
/// footer. Only the transactions become movements. QuickBooks signs each
/// amount by the account's own nature, so the reader needs to know which
/// accounts are income (`income_accounts`, codes or ranges, default
/// `4000-4999`; a heading that says "income" also counts): there a positive
/// amount is money in, elsewhere a positive amount is money out.
public struct QuickBooksReader: SourceReader {
    public static let format = "quickbooks"
    public static let roles: [SourceRole] = [.ledger]

    /// A header row with `Date`, `Transaction Type`, `Num`, `Name`, `Split` and `Amount`.
    public static func claims(_ head: FileHead) -> Bool {
        head.row(containing: "Date", "Transaction Type", "Num", "Split", "Amount") != nil
    }
    public static let columnKeys = ["fund", "counterparty"]
    public static let optionKeys = ["encoding", "currency", "income_accounts", "date_format", "round_amounts"]

    let configuration: ReaderConfiguration
    let encoding: TextEncoding
    let currency: Currency
    let incomeAccounts: AccountMatcher
    let dateFormat: DateFormat

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        encoding = try configuration.encoding()
        currency = try configuration.fileCurrency()
        dateFormat = try configuration.dateFormat(default: .monthDayYear)
        let spec = configuration.options["income_accounts"] ?? "4000-4999"
        guard let matcher = AccountMatcher(spec.split(separator: ",").map { String($0.trimmingSpaces) }) else {
            throw ReaderConfigurationError("source \"\(configuration.sourceName)\": income_accounts \"\(spec)\" is not a list of codes or ranges such as \"4000-4999\"")
        }
        incomeAccounts = matcher
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(encoding: encoding)
        let parser = AmountParser(currency: currency, rounding: try configuration.rounding())
        var cols: [String: Int]? = nil
        var width = 0, titled = 0
        var rounded = 0
        var account = "", accountName = "", accountIsIncome = false
        var failure: FileFailure? = nil
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            guard let c = cols else {
                let header = HeaderIndex(record)
                if header.index(of: "Date") != nil && header.index(of: "Amount") != nil {
                    do {
                        var found = try header.require([(key: "date", title: "Date"), (key: "amount", title: "Amount")],
                                                       location: record.rowLocation(displayPath))
                        for (key, title) in [("type", "Transaction Type"), ("num", "Num"),
                                             ("counterparty", configuration.columns["counterparty"] ?? "Name"),
                                             ("description", "Memo/Description"), ("fund", configuration.columns["fund"] ?? "Class")] {
                            if let i = header.index(of: title) { found[key] = i }
                        }
                        cols = found
                        width = record.count
                        titled = record.titledCount
                    } catch let f as FileFailure {
                        failure = f
                        return false
                    }
                } else {
                    sink.skip(record.rowLocation(displayPath), check: .skipTitle, "title line \"\(record.string(0))\" skipped")
                }
                return true
            }
            if record.allBlank { return true }
            let dateIndex = c["date"]!
            var label = ""
            for i in 0..<record.count where !record.isBlank(i) { label = record.string(i); break }
            let lower = label.lowercased()
            if record.isBlank(dateIndex) || dateIndex >= record.count {
                if lower.hasPrefix("beginning balance") || lower.hasPrefix("total for ") || lower == "total" || lower.hasPrefix("total ") {
                    sink.skip(record.rowLocation(displayPath), check: .skipBalanceRow, "\"\(label)\" row skipped (not a transaction)")
                } else if lower.hasPrefix("accrual basis") || lower.hasPrefix("cash basis") {
                    // The report's footer ("Accrual Basis Monday, April 1, …"), not an account.
                    sink.skip(record.rowLocation(displayPath), check: .skipFooter, "\"\(label)\" row skipped (the report's footer)")
                } else if record.isBlank(c["amount"]!) && !record.isBlank(0) {
                    (account, accountName) = Self.splitHeading(record.string(0))
                    accountIsIncome = incomeAccounts.matches(account) || accountName.lowercased().contains("income")
                    sink.skip(record.rowLocation(displayPath), check: .skipHeading, "account heading \"\(record.string(0))\"")
                } else {
                    sink.skip(record.rowLocation(displayPath), check: .skipFooter, "\"\(label)\" row skipped (no date)")
                }
                return true
            }
            // A transaction row: it must have the header's shape, or its columns have shifted.
            if let problem = record.shapeProblem(displayPath, width: width, titled: titled) {
                try problem.reject(into: sink)
                return true
            }
            var amount: Int64 = 0
            do throws(FieldProblem) {
                amount = try record.amount(c["amount"], parser, file: displayPath, what: "the amount", required: true,
                                           currency: currency, rounded: &rounded)!
            } catch {
                try error.reject(into: sink)
                return true
            }
            if !accountIsIncome { amount = -amount }
            let money = Money(minorUnits: amount, currency: currency)
            let day: Day
            do throws(FieldProblem) {
                day = try record.date(dateIndex, dateFormat, file: displayPath)
            } catch {
                try error.reject(into: sink, amount: money)
                return true
            }
            if account.isEmpty {
                sink.reject(record.rowLocation(displayPath), check: .rejectAccount,
                            "a transaction before any account section (expected an account row above it)", amount: money)
                return true
            }
            let movement = Movement(
                date: day, amount: money, account: account, accountName: accountName,
                fund: record.optionalString(c["fund"]), counterparty: record.optionalString(c["counterparty"]),
                description: record.optionalString(c["description"]), reference: record.optionalString(c["num"]),
                kind: record.optionalString(c["type"]), location: record.rowLocation(displayPath))
            sink.load(.movement(movement), amount: amount)
            return true
        }
        if let failure { throw failure }
        sink.noteRounded(rounded, digits: currency.minorDigits, file: displayPath)
        if cols == nil {
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "no header row found (expected ,Date,Transaction Type,Num,Name,Memo/Description,Split,Amount,Balance)")
        }
    }

    /// `5000 Grants to groups` is account 5000; `Grants to groups` is its own code.
    static func splitHeading(_ text: String) -> (String, String) {
        let t = String(text.trimmingSpaces)
        if let range = t.range(of: " - ") {
            return (String(t[..<range.lowerBound]), String(t[range.upperBound...]))
        }
        let digits = t.prefix { $0.isASCIIDigit }
        if !digits.isEmpty, digits.count < t.count, t[t.index(t.startIndex, offsetBy: digits.count)] == " " {
            return (String(digits), String(t.dropFirst(digits.count + 1)))
        }
        return (t, t)
    }
}

