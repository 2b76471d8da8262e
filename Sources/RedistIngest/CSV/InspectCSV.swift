import RedistModel

/// The columns of `redist inspect`: one row per money movement of one file,
/// as the reader normalised it.
public let inspectHeader: [String] = [
    "date", "amount", "currency", "account", "account_name", "fund", "counterparty", "counterparty_id",
    "description", "reference", "native_id", "kind", "location",
]

/// The `inspect` row for a record, its fields in `inspectHeader`'s order and
/// not yet CSV-escaped; empty for a record that is not money moving (a
/// statement balance, a member). A movement is shown as read: signed
/// amount (positive = into the organisation) as a plain decimal in its
/// currency's minor digits, ISO date, and its location without the file
/// (`line 12, /iati-activities/iati-activity[1]/transaction[2]`). A grant
/// award is shown as money moving to its recipient on its award date, kind
/// `grant`.
public func inspectRows(_ record: SourceRecord) -> [String] {
    switch record {
    case .movement(let m):
        return [
            m.date.description, m.amount.decimalString, m.amount.currency.code, m.account, m.accountName, m.fund,
            m.counterparty, m.counterpartyId, m.description, m.reference, m.nativeId, m.kind,
            m.location.shortDescription,
        ]
    case .grant(let g):
        return [
            g.awardDate.description, g.amountAwarded.decimalString, g.amountAwarded.currency.code, g.programme, "",
            g.fund, g.recipientName, g.recipientId, g.title, g.identifier, g.identifier, "grant",
            g.location.shortDescription,
        ]
    case .balance, .member:
        return []
    }
}

/// The columns `redist inspect --pipeline` adds after `inspectHeader`: what
/// a converted amount was in the file, and the rate that converted it.
public let inspectConversionHeader: [String] = ["original_amount", "original_currency", "rate", "rate_date", "rate_source"]

/// The `inspectConversionHeader` fields for an amount, empty when it was not converted.
public func inspectConversionFields(_ original: OriginalAmount?) -> [String] {
    guard let o = original else { return Array(repeating: "", count: inspectConversionHeader.count) }
    return [o.amount.decimalString, o.amount.currency.code, o.rate.description, o.rateDate.description, o.rateSource]
}
