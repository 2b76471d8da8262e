import RedistCore
import RedistModel

/// `summary.csv`: one row per scope with the design's columns.
public enum SummaryCSV {
    public static let header = [
        "period", "scope", "scope_id", "scope_name", "currency", "income", "redistributed", "redistributed_grant",
        "redistributed_small_costs", "redistributed_hosted", "redistributed_payment", "retained", "retained_staff",
        "retained_programme", "retained_overhead", "retained_hosting_fee", "unclassified", "redistribution_rate",
        "committed", "held", "groups_reached",
    ]

    public static func render(_ rows: [ScopeMeasures]) -> [UInt8] {
        var csv = CSVWriter(header: header)
        for m in rows {
            let d = m.currency.minorDigits
            func money(_ v: Int64) -> String { MoneyFormat.decimal(v, digits: d) }
            csv.row([
                m.period.label, m.scope.kind.rawValue, m.scope.id, m.scope.name, m.currency.code, money(m.income),
                money(m.redistributed), money(m.spent(.redistributedGrant)), money(m.spent(.redistributedSmallCosts)),
                money(m.spent(.redistributedHosted)), money(m.spent(.redistributedPayment)), money(m.retained),
                money(m.spent(.retainedStaff)), money(m.spent(.retainedProgramme)), money(m.spent(.retainedOverhead)),
                money(m.spent(.retainedHostingFee)), money(m.unclassified), m.rate ?? "", money(m.committed), money(m.held),
                String(m.groupsReached),
            ])
        }
        return csv.bytes
    }
}
