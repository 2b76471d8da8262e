import Foundation
import RedistModel

/// Xero's Account Transactions (general ledger) report exported as CSV.
///
/// Three title lines and a blank line, then the header
/// `Date,Source,Description,Reference,Debit,Credit,Running Balance,Gross,Tax`
/// (Xero adds `Contact` and tracking columns such as `Fund` when chosen), then
/// per account a heading row (`5000 - Grants to groups`), `Opening Balance`,
/// the transactions dated `02 Sep 2022`, `Total <account>` and `Closing
/// Balance`. Title, balance and total rows are skipped and reported, never
/// counted as transactions; each transaction takes its account from the
/// heading above it. A credit is money in, a debit money out.
public struct XeroReader: SourceReader {
    public static let format = "xero"
    public static let roles: [SourceRole] = [.ledger]
    public static let columnKeys = ["fund", "counterparty"]
    public static let optionKeys = ["encoding", "currency", "round_amounts"]

    let configuration: ReaderConfiguration
    let encoding: TextEncoding
    let currency: Currency

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        encoding = try configuration.encoding()
        currency = try configuration.fileCurrency()
    }

    /// A header row `Date,Source,…,Debit,Credit,Running Balance` (after the title lines).
    public static func claims(_ head: FileHead) -> Bool {
        head.row(containing: "Date", "Debit", "Credit", "Running Balance") != nil
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(encoding: encoding)
        let parser = AmountParser(currency: currency, rounding: try configuration.rounding())
        var cols: [String: Int]? = nil
        var width = 0, titled = 0
        var rounded = 0
        var account = "", accountName = ""
        var failure: FileFailure? = nil
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            guard let c = cols else {
                let first = record.string(0)
                if first == "Date" && record.count >= 5 {
                    let header = HeaderIndex(record)
                    let wanted = [(key: "date", title: "Date"), (key: "description", title: "Description"),
                                  (key: "debit", title: "Debit"), (key: "credit", title: "Credit")]
                    do {
                        var found = try header.require(wanted, location: record.rowLocation(displayPath))
                        for (key, title) in [("reference", "Reference"), ("source", "Source"),
                                             ("counterparty", configuration.columns["counterparty"] ?? "Contact"),
                                             ("fund", configuration.columns["fund"] ?? "Fund")] {
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
            let first = record.string(c["date"]!)
            let lower = first.lowercased()
            if lower == "opening balance" || lower == "closing balance" || lower.hasPrefix("total ") || lower == "total" {
                sink.skip(record.rowLocation(displayPath), check: .skipBalanceRow, "\"\(first)\" row skipped (not a transaction)")
                return true
            }
            // An account heading: text in the first cell, nothing in the amounts.
            if record.isBlank(c["debit"]!) && record.isBlank(c["credit"]!) && DateFormat.dayMonthNameYear.parse(Substring(first)) == nil {
                (account, accountName) = Self.splitHeading(first)
                sink.skip(record.rowLocation(displayPath), check: .skipHeading, "account heading \"\(first)\"")
                return true
            }
            // A transaction row: it must have the header's shape, or its columns have shifted.
            if let problem = record.shapeProblem(displayPath, width: width, titled: titled) {
                try problem.reject(into: sink)
                return true
            }
            var amount: Int64 = 0
            do throws(FieldProblem) {
                let d = try record.amount(c["debit"], parser, file: displayPath, what: "debit", required: false,
                                          currency: currency, rounded: &rounded)
                let cr = try record.amount(c["credit"], parser, file: displayPath, what: "credit", required: false,
                                           currency: currency, rounded: &rounded)
                if let d, let cr, d != 0, cr != 0 {
                    throw FieldProblem(location: record.location(displayPath, c["credit"]!), check: .rejectAmount,
                                       message: "both debit (\(record.string(c["debit"]!))) and credit (\(record.string(c["credit"]!))) hold an amount (expected one of them, the other empty or 0.00)")
                }
                amount = (cr ?? 0) - (d ?? 0)
            } catch {
                try error.reject(into: sink)
                return true
            }
            let money = Money(minorUnits: amount, currency: currency)
            let day: Day
            do throws(FieldProblem) {
                day = try record.date(c["date"]!, .dayMonthNameYear, file: displayPath)
            } catch {
                try error.reject(into: sink, amount: money)
                return true
            }
            if account.isEmpty {
                sink.reject(record.rowLocation(displayPath), check: .rejectAccount,
                            "a transaction before any account heading (expected a row such as \"5000 - Grants\" above it)", amount: money)
                return true
            }
            let movement = Movement(
                date: day, amount: money, account: account, accountName: accountName,
                fund: record.optionalString(c["fund"]), counterparty: record.optionalString(c["counterparty"]),
                description: record.optionalString(c["description"]), reference: record.optionalString(c["reference"]),
                kind: record.optionalString(c["source"]), location: record.rowLocation(displayPath))
            sink.load(.movement(movement), amount: amount)
            return true
        }
        if let failure { throw failure }
        sink.noteRounded(rounded, digits: currency.minorDigits, file: displayPath)
        if cols == nil {
            // The whole file is at fault: every row was taken for a title line.
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "no header row found (expected Date,Source,Description,Reference,Debit,Credit,… after the title lines)")
        }
    }

    /// `5000 - Grants to groups` is account 5000, "Grants to groups"; a
    /// heading without a code is both.
    static func splitHeading(_ text: String) -> (String, String) {
        if let range = text.range(of: " - ") {
            let code = String(text[..<range.lowerBound].trimmingSpaces)
            let name = String(text[range.upperBound...].trimmingSpaces)
            return (code, name)
        }
        return (text, text)
    }
}

/// Runs a scan, turning a scanner failure into a file failure.
func scanCSV(_ scanner: CSVScanner, path: String, displayPath: String, _ body: (borrowing CSVRecord) throws -> Bool) throws {
    do {
        try scanner.scan(path: path, body)
    } catch let e as CSVScanner.Failure {
        if case .unterminatedQuote(let line) = e {
            throw FileFailure(SourceLocation(file: displayPath, line: line), e.description)
        }
        throw FileFailure(SourceLocation(file: displayPath, line: 1), e.description)
    }
}
