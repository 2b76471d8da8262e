import RedistModel

/// The columns `redist inspect` prints: one row per money movement.
public let inspectHeader = [
    "date", "amount", "currency", "account", "account_name", "fund", "counterparty", "counterparty_id",
    "description", "reference", "native_id", "kind", "location",
]

/// The `inspect` rows for a record: one for a movement, one for a grant
/// (its award), none for a member or a balance.
public func inspectRows(_ record: SourceRecord) -> [[String]] {
    switch record {
    case .movement(let m):
        return [[m.date.description, m.amount.decimalString, m.amount.currency.code, m.account, m.accountName, m.fund,
                 m.counterparty, m.counterpartyId, m.description, m.reference, m.nativeId, m.kind, m.location.description]]
    case .grant(let g):
        return [[g.awardDate.description, g.amountAwarded.decimalString, g.amountAwarded.currency.code, g.identifier, g.title,
                 g.fund, g.recipientName, g.recipientId, g.description, g.funderId, g.identifier, "award", g.location.description]]
    case .member, .balance:
        return []
    }
}
