import RedistCore
import RedistModel

/// `reconciliation.csv`: the design's columns, then `rule`, which says
/// which rule made each match or why there is none.
public enum ReconciliationCSV {
    public static let header = [
        "kind", "left_source", "left_ref", "right_source", "right_ref", "left_date", "right_date", "left_amount",
        "right_amount", "difference", "status", "rule",
    ]

    public static func render(_ rows: [ReconciliationRow], currency: Currency) -> [UInt8] {
        var csv = CSVWriter(header: header)
        func money(_ v: Int64?) -> String { v.map { MoneyFormat.decimal($0, digits: currency.minorDigits) } ?? "" }
        for r in rows {
            csv.row([r.kind, r.leftSource, r.leftRef, r.rightSource, r.rightRef, r.leftDate?.description ?? "",
                     r.rightDate?.description ?? "", money(r.leftAmount), money(r.rightAmount), money(r.difference),
                     r.status.rawValue, r.rule])
        }
        return csv.bytes
    }

    /// The rows of a period: those with either side dated in it.
    public static func inPeriod(_ rows: [ReconciliationRow], _ period: Period) -> [ReconciliationRow] {
        rows.filter { r in (r.leftDate.map(period.contains) ?? false) || (r.rightDate.map(period.contains) ?? false) }
    }

    /// Differences for `quality.csv`, with the tolerance deciding severity.
    public static func qualityRows(_ rows: [ReconciliationRow], tolerance: Int64, currency: Currency) -> [QualityRow] {
        rows.filter { $0.status != .matched }.map { r in
            let over = abs(r.difference) > tolerance
            let what: String
            switch r.status {
            case .amountDiffers: what = "\(r.leftSource) \(r.leftRef) and \(r.rightSource) \(r.rightRef) differ by \(MoneyFormat.decimal(r.difference, digits: currency.minorDigits))"
            case .onlyLeft: what = "\(r.leftSource) \(r.leftRef) (\(r.leftDate!)) has no matching line in the other source"
            case .onlyRight: what = "\(r.rightSource) \(r.rightRef) (\(r.rightDate!)) has no matching line in the other source"
            case .matched: what = ""
            }
            return QualityRow(source: r.leftSource.nonEmptyOr(r.rightSource), file: "", location: "", severity: over ? "warning" : "note",
                              check: Check(reconciliation: r.kind) ?? .unrecognised, message: "\(what) (\(r.rule))",
                              amount: MoneyFormat.decimal(r.difference, digits: currency.minorDigits))
        }
    }
}

extension String {
    func nonEmptyOr(_ other: String) -> String { isEmpty ? other : self }
}
