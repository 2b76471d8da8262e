import RedistCore
import RedistModel

/// One line of the data-quality account.
public struct QualityRow: Sendable {
    public var source: String
    public var file: String
    public var location: String
    public var severity: String
    public var check: String
    public var message: String
    public var amount: String
    /// The message for shared reports (trustees.html): never a raw cell of
    /// the input, which `message` may quote (quality.csv stays with staff).
    /// A cell split by a stray CR can hold a person's name.
    public var shared: String

    public init(source: String, file: String, location: String, severity: String, check: String, message: String, amount: String,
                shared: String? = nil) {
        self.source = source
        self.file = file
        self.location = location
        self.severity = severity
        self.check = check
        self.message = message
        self.amount = amount
        self.shared = shared ?? message
    }
}

/// `quality.csv`: control totals per source file, every reject and
/// finding, every unclassified movement, and reconciliation differences.
public enum QualityCSV {
    public static let header = ["source", "file", "location", "severity", "check", "message", "amount"]

    public static func rows(_ data: Dataset, period: Period, extra: [QualityRow] = []) -> [QualityRow] {
        var rows: [QualityRow] = []
        let currency = data.pipeline.organisation.currency
        func money(_ v: Int64) -> String { MoneyFormat.decimal(v, digits: currency.minorDigits) }
        for f in data.files {
            if let failure = f.failure {
                rows.append(QualityRow(source: f.source, file: f.path, location: "", severity: "error", check: "file",
                                       message: "the file could not be read: \(failure)", amount: ""))
                continue
            }
            let balanced = f.rowsRead == f.rowsLoaded + f.rowsRejected + f.rowsSkipped
                && f.amountRead == f.amountLoaded + f.amountRejected + f.amountSkipped
            rows.append(QualityRow(
                source: f.source, file: f.path, location: "", severity: balanced ? "note" : "error", check: "control-totals",
                message: "rows read \(f.rowsRead) = loaded \(f.rowsLoaded) + rejected \(f.rowsRejected) + skipped \(f.rowsSkipped); "
                    + "amounts read \(money(f.amountRead)) = loaded \(money(f.amountLoaded)) + rejected \(money(f.amountRejected)) + skipped \(money(f.amountSkipped)); sha256 \(f.sha256)",
                amount: money(f.amountRead)))
        }
        for (d, f) in data.findings where d.check != "file" {
            rows.append(QualityRow(source: f.source, file: f.path, location: d.location.shortDescription, severity: d.severity.rawValue,
                                   check: d.check, message: d.message,
                                   amount: d.amount.map { MoneyFormat.decimal($0.minorUnits, digits: $0.currency.minorDigits) } ?? "",
                                   shared: cellFree(d.check)))
        }
        for s in data.sourcesWithoutFiles {
            rows.append(QualityRow(source: s.name, file: data.pipeline.fileName, location: "line \(s.line)", severity: "warning", check: "source.no-file",
                                   message: "source \"\(s.name)\" matched no file with path \"\(s.path)\", so nothing from it is in any figure",
                                   amount: ""))
        }
        if data.duplicatesDropped > 0 {
            rows.append(QualityRow(source: "", file: "", location: "", severity: "note", check: "duplicates",
                                   message: "\(data.duplicatesDropped) rows were the same money seen again in an overlapping export and were counted once",
                                   amount: ""))
        }
        let declared = Set(data.pipeline.funds.map(\.code))
        var undeclared: [String: Int] = [:]
        var last = (fund: "", undeclared: false)  // rows of one fund come in runs
        for c in data.ledger where c.isDated(in: period) {
            let fund = c.fund
            if fund != last.fund { last = (fund, !fund.isEmpty && !declared.contains(fund)) }
            if last.undeclared { undeclared[fund, default: 0] += 1 }
            guard c.category == .unclassified else { continue }
            let m = c.movement
            rows.append(QualityRow(
                source: c.source, file: m.location.file, location: m.location.shortDescription, severity: "warning", check: "unclassified",
                message: "no rule matched: account \(m.account)\(m.accountName.isEmpty ? "" : " (\(m.accountName))"), fund \(m.fund.isEmpty ? "none" : m.fund), \(c.isOut ? "out" : "in") on \(m.date); add a [[rule]] for it",
                amount: MoneyFormat.decimal(m.amount.minorUnits, digits: m.amount.currency.minorDigits)))
        }
        for (fund, count) in undeclared.sorted(by: { $0.key < $1.key }) {
            rows.append(QualityRow(source: "", file: data.pipeline.fileName, location: "", severity: "warning", check: "fund.undeclared",
                                   message: "fund \"\(fund)\" is used by \(count) movements in the period but has no [[fund]] table, so its type and funders are unknown",
                                   amount: ""))
        }
        return rows + extra
    }

    /// What a reader's finding is about, in words that quote nothing from
    /// the file: the check says what kind of problem it is, the file and
    /// line where; quality.csv has the full message.
    static func cellFree(_ check: String) -> String {
        let rejected: [String: String] = [
            "reject.amount": "its amount could not be read", "reject.date": "its date could not be read",
            "reject.currency": "its currency is not the one we report in", "reject.account": "its account could not be read",
            "reject.fields": "it has a different number of fields from the header", "reject.member": "a value in it could not be read",
            "reject.grant": "a value in it could not be read", "reject.identifier": "its identifier could not be read",
        ]
        if check.hasPrefix("reject.") {
            return "A row was rejected: \(rejected[check] ?? "a value in it could not be read") (details in quality.csv)."
        }
        let other: [String: String] = [
            "bank.balance": "The statement's balances do not add up, or could not be checked",
            "bank.entry-date": "Statement entries have no date of their own",
            "encoding": "The file's text encoding was not given and was worked out from its bytes",
            "missing-column": "A column the format expects is missing",
            "duplicate-identifier": "Two grants have the same identifier",
            "xml.warning": "The XML reader warned about the file",
        ]
        return "\(other[check] ?? "A check (\(check)) found a problem") (details in quality.csv)."
    }

    public static func render(_ rows: [QualityRow]) -> [UInt8] {
        var csv = CSVWriter(header: header)
        for r in rows { csv.row([r.source, r.file, r.location, r.severity, r.check, r.message, r.amount]) }
        return csv.bytes
    }
}
