import RedistCore
import RedistModel

/// `transactions.csv`: every ledger movement in the period, the audit
/// trail. People are pseudonymised and staff costs name no one.
public enum TransactionsCSV {
    public static let header = [
        "id", "date", "fund", "account", "account_name", "counterparty", "description", "reference", "direction",
        "amount", "currency", "category", "source", "location",
        // After the contract's columns: in positive, out negative, so a SUM is the net movement.
        "signed_amount",
        // Money converted from another currency: what the source said (signed), and the rate; empty otherwise.
        "original_amount", "original_currency", "rate", "rate_date", "rate_source",
    ]

    /// The file's bytes, whole (for tests and small ledgers).
    public static func render(_ data: Dataset, period: Period, pseudonymiser: Pseudonymiser) throws -> [UInt8] {
        try layOut(data, period: period, pseudonymiser: pseudonymiser, reserve: 1 << 16, chunk: .max) { _ in }
    }

    /// Writes the file a megabyte at a time (under a temporary name, renamed
    /// at the end) as the ledger's rows stream from the warehouse in ledger
    /// order: the memory of a megabyte, whatever the ledger's size.
    public static func write(_ data: Dataset, period: Period, pseudonymiser: Pseudonymiser, to path: String) throws {
        let file = try ChunkedOutputFile(path: path)
        let chunk = 1 << 20
        let rest = try layOut(data, period: period, pseudonymiser: pseudonymiser, reserve: chunk + 64 * 1024, chunk: chunk) {
            try file.write($0)
        }
        try file.write(rest)
        try file.commit()
    }

    /// Lays the rows out, handing each full chunk to `sink`; returns what is left.
    static func layOut(_ data: Dataset, period: Period, pseudonymiser: Pseudonymiser, reserve: Int, chunk: Int,
                       sink: ([UInt8]) throws -> Void) throws -> [UInt8] {
        var csv = CSVBytes(header: header, reserve: reserve)
        var scratch: [UInt8] = []
        var pseudonyms: [String: String] = [:]
        var day = (number: Int.min, value: Day(ordinal: 0))
        try data.eachLedgerRow(in: period) { c in
            scratch.removeAll(keepingCapacity: true)
            c.appendId(to: &scratch)
            csv.field(scratch)
            if c.dayOrdinal != day.number { day = (c.dayOrdinal, Day(ordinal: c.dayOrdinal)) }
            csv.date(day.value)
            c.withUTF8(.fund) { csv.field($0) }
            c.withUTF8(.account) { csv.field($0) }
            c.withUTF8(.accountName) { csv.field($0) }
            // Privacy.shown, without making the strings.
            if c.isIndividual {
                let who = c.member?.id ?? c.text(.counterparty)
                if who.isEmpty { csv.field("") } else {
                    if pseudonyms[who] == nil { pseudonyms[who] = pseudonymiser.pseudonym(who) }
                    csv.field(pseudonyms[who]!)
                }
                csv.field(Privacy.withheld)
            } else {
                if c.category == .retainedStaff { csv.field("") } else { c.withUTF8(.counterparty) { csv.field($0) } }
                c.withUTF8(.description) { csv.field($0) }
            }
            c.withUTF8(.reference) { csv.field($0) }
            let amount = c.amount
            csv.plain(amount < 0 ? "out" : "in")
            csv.amount(Int64(amount.magnitude), digits: c.minorDigits)
            c.withUTF8(.currencyCode) { csv.field($0) }
            csv.field(c.category.rawValue)
            c.withUTF8(.source) { csv.field($0) }
            csv.location(c, scratch: &scratch)
            csv.amount(Int64(amount), digits: c.minorDigits)
            if let o = c.original {
                csv.amount(o.amount.minorUnits, digits: o.amount.currency.minorDigits)
                csv.field(o.amount.currency.code)
                csv.field(o.rate.description)
                csv.date(o.rateDate)
                csv.field(o.rateSource)
            } else {
                for _ in 0..<5 { csv.plain("") }
            }
            csv.endRow()
            try csv.spill(atLeast: chunk, to: sink)
        }
        return csv.bytes
    }
}

/// What of a movement's counterparty and description may be shown outside the warehouse.
public enum Privacy {
    public static let withheld = "[withheld: payment to a person]"

    public static func shown(_ c: LedgerRowView, pseudonymiser: Pseudonymiser) -> (counterparty: String, description: String) {
        if c.isIndividual {
            let who = c.member?.id ?? c.text(.counterparty)
            return (who.isEmpty ? "" : pseudonymiser.pseudonym(who), withheld)
        }
        if c.category == .retainedStaff { return ("", c.text(.description)) }
        return (c.text(.counterparty), c.text(.description))
    }
}
