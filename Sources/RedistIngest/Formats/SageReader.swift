import RedistModel

/// Sage 50 Accounts' audit trail, exported as CSV (the audit trail list's
/// columns, as Sage's knowledge base describes them: `No`, `Type`,
/// `Account`, `Nominal`, `Dept`, `Details`, `Date`, `Ref`, `Net`, `Tax`, `T/C`,
/// `Paid`, `Amount Paid`, `Bank`, …), one row per transaction line.
///
/// Sage gives each line a two-letter type (Sage knowledge base, "Audit trail
/// transaction types"); a line's money moved when it is a receipt or a
/// payment: `BR`, `CR`, `VR`, `SR`, `SA`, `PR` are money in, `BP`, `CP`, `VP`,
/// `PP`, `PA`, `SP` money out. Invoices, credit notes, journals and
/// discounts (`SI`, `SC`, `PI`, `PC`, `JD`, `JC`, `SD`, `PD`) move no money:
/// they are skipped and counted. The amount is `Net` plus `Tax` (what left or
/// reached the bank), signed by the type; `Nominal` is the account, `Account`
/// (the customer, supplier or bank reference) the counterparty, `Details`
/// the description, `Ref` the reference, `Dept` the fund (charities keep
/// funds or projects as departments), `No` the native id and the type the
/// kind. Dates are dd/mm/yyyy. Title lines above the header are skipped. A
/// customer receipt or supplier payment (`SR`, `PP`, …) carries the bank's
/// nominal code, the income or expense code being on its invoice: books kept
/// for a cash view use bank receipts and payments (`BR`, `BP`), which carry
/// it. Department `0` (Sage's "none") is no fund.
/// The exact titles of Sage Accounting's (cloud) audit trail CSV could not be
/// found documented; a file without these columns is refused, naming them.
public struct SageReader: SourceReader {
    public static let format = "sage"
    public static let roles: [SourceRole] = [.ledger]
    public static let columnKeys: [String] = []
    public static let optionKeys = ["encoding", "currency", "round_amounts", "date_format"]

    static let moneyIn: Set<String> = ["BR", "CR", "VR", "SR", "SA", "PR"]
    static let moneyOut: Set<String> = ["BP", "CP", "VP", "PP", "PA", "SP"]
    static let noMoney: Set<String> = ["SI", "SC", "PI", "PC", "JD", "JC", "SD", "PD"]
    static let required = ["Type", "Nominal", "Date", "Net"]

    let configuration: ReaderConfiguration
    let encoding: TextEncoding
    let currency: Currency
    let dateFormat: DateFormat

    public init(_ configuration: ReaderConfiguration) throws {
        self.configuration = configuration
        encoding = try configuration.encoding()
        currency = try configuration.fileCurrency()
        dateFormat = try configuration.dateFormat(default: .dayMonthYear)
    }

    /// A header row with `No`, `Type`, `Nominal`, `Details`, `Date` and `Net`.
    public static func claims(_ head: FileHead) -> Bool {
        head.row(containing: "No", "Type", "Nominal", "Details", "Date", "Net") != nil
    }

    public func read(path: String, displayPath: String, into sink: RecordSink) throws {
        let scanner = CSVScanner(encoding: encoding)
        let parser = AmountParser(currency: currency, rounding: try configuration.rounding())
        var cols: [String: Int]? = nil
        var width = 0, titled = 0
        var rounded = 0
        try scanCSV(scanner, path: path, displayPath: displayPath) { record in
            guard let c = cols else {
                let header = HeaderIndex(record)
                if Self.required.allSatisfy({ header.index(of: $0) != nil }) {
                    var found: [String: Int] = [:]
                    for (key, titles) in [("type", ["Type"]), ("nominal", ["Nominal", "N/C"]), ("date", ["Date"]), ("net", ["Net"]),
                                          ("tax", ["Tax", "VAT"]), ("account", ["Account", "A/C"]), ("details", ["Details"]),
                                          ("ref", ["Ref", "Reference"]), ("dept", ["Dept", "Department"]), ("no", ["No", "Tran No"])] {
                        if let i = titles.lazy.compactMap({ header.index(of: $0) }).first { found[key] = i }
                    }
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
            let type = record.string(c["type"]!).uppercased()
            var units: Int64 = 0
            do throws(FieldProblem) {
                let net = try record.amount(c["net"], parser, file: displayPath, what: "Net", required: true, currency: currency, rounded: &rounded)!
                let tax = try record.amount(c["tax"], parser, file: displayPath, what: "Tax", required: false, currency: currency, rounded: &rounded) ?? 0
                units = net + tax
            } catch {
                try error.reject(into: sink)
                return true
            }
            let gross = Money(minorUnits: units, currency: currency)
            if Self.noMoney.contains(type) {
                sink.skip(record.rowLocation(displayPath), check: .skipNoMoney,
                          "a \(type) line skipped: invoices, credit notes, journals and discounts move no money (their payments and receipts do)", amount: gross)
                return true
            }
            let sign: Int64
            if Self.moneyIn.contains(type) { sign = 1 } else if Self.moneyOut.contains(type) { sign = -1 } else {
                sink.reject(record.location(displayPath, c["type"]!), check: .rejectType,
                            "\"\(record.string(c["type"]!))\" is not a Sage transaction type (expected BR, BP, CR, CP, SR, PP, … or SI, PI, JD, JC)", amount: gross)
                return true
            }
            let money = Money(minorUnits: sign * units, currency: currency)
            let day: Day
            do throws(FieldProblem) {
                day = try record.date(c["date"]!, dateFormat, file: displayPath)
            } catch {
                try error.reject(into: sink, amount: money)
                return true
            }
            let movement = Movement(
                date: day, amount: money, account: record.optionalString(c["nominal"]),
                fund: record.optionalString(c["dept"]) == "0" ? "" : record.optionalString(c["dept"]),
                counterparty: record.optionalString(c["account"]), description: record.optionalString(c["details"]),
                reference: record.optionalString(c["ref"]), nativeId: record.optionalString(c["no"]), kind: type,
                location: record.rowLocation(displayPath))
            sink.load(.movement(movement), amount: money.minorUnits)
            return true
        }
        sink.noteRounded(rounded, digits: currency.minorDigits, file: displayPath)
        if cols == nil {
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "no header row with the columns \(Self.required.map { "\"\($0)\"" }.joined(separator: ", ")) (expected Sage 50's audit trail exported as CSV)")
        }
    }
}
