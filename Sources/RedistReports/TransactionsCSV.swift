import RedistCore
import RedistModel

/// `transactions.csv`: every ledger movement in the period, the audit
/// trail. People are pseudonymised and staff costs name no one.
public enum TransactionsCSV {
    public static let header = [
        "id", "date", "fund", "account", "account_name", "counterparty", "description", "reference", "direction",
        "amount", "currency", "category", "source", "location",
    ]

    public static func render(_ movements: [ClassifiedMovement], period: Period, pseudonymiser: Pseudonymiser) -> [UInt8] {
        var csv = CSVWriter(header: header)
        csv.reserve(movements.reduce(0) { period.contains($1.date) ? $0 + 320 : $0 })
        for c in movements where period.contains(c.date) {
            let m = c.movement
            let privacy = Privacy.shown(c, pseudonymiser: pseudonymiser)
            csv.row([
                c.id, m.date.description, m.fund, m.account, m.accountName, privacy.counterparty, privacy.description,
                m.reference, c.isOut ? "out" : "in",
                MoneyFormat.decimal(Int64(m.amount.minorUnits.magnitude), digits: m.amount.currency.minorDigits),
                m.amount.currency.code, c.category.rawValue, c.source, "\(m.location.file):\(m.location.line)",
            ])
        }
        return csv.bytes
    }
}

/// What of a movement's counterparty and description may be shown outside the warehouse.
public enum Privacy {
    public static let withheld = "[withheld: payment to a person]"

    public static func shown(_ c: ClassifiedMovement, pseudonymiser: Pseudonymiser) -> (counterparty: String, description: String) {
        if c.isIndividual {
            let who = c.member?.id ?? c.movement.counterparty
            return (who.isEmpty ? "" : pseudonymiser.pseudonym(who), withheld)
        }
        if c.category == .retainedStaff { return ("", c.movement.description) }
        return (c.movement.counterparty, c.movement.description)
    }
}
