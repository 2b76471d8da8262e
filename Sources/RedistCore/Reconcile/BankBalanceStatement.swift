import RedistModel

/// The ledger's balance against the bank statement's closing balance, as a
/// finance officer reconciles them: the ledger's balance at the period's
/// end, plus bank lines the ledger lacks, less ledger lines the bank lacks,
/// plus the differences where both have a line; what that leaves short of
/// the statement's closing balance (`CLBD`) is shown as unexplained.
public struct BankBalanceStatement: Sendable, Hashable {
    /// The latest closing balance on or before the period's end (one per account, summed).
    public var statementDate: Day
    public var bankClosing: Int64
    public var ledgerBalance: Int64
    /// Bank lines with no ledger line: the ledger would need them added.
    public var missingFromLedger: Int64
    public var missingFromLedgerCount: Int
    /// Ledger lines with no bank line: the bank has not seen them.
    public var missingFromBank: Int64
    public var missingFromBankCount: Int
    /// Bank amount less ledger amount, where both have the line.
    public var differences: Int64
    public var differencesCount: Int

    /// The ledger balance with every reconciling item applied.
    public var explained: Int64 { ledgerBalance + missingFromLedger - missingFromBank + differences }
    /// What the items do not explain: zero when the ledger and the bank agree.
    public var unexplained: Int64 { bankClosing - explained }

    /// Nil when no bank statement gives a closing balance on or before the period's end.
    public static func make(_ data: Dataset, period: Period, reconciliation: [ReconciliationRow]) -> BankBalanceStatement? {
        var latest: [String: StatementBalance] = [:]
        for (b, _) in data.balances where b.kind == .closing && b.date <= period.end {
            if let seen = latest[b.account], (seen.date, seen.statementId) >= (b.date, b.statementId) { continue }
            latest[b.account] = b
        }
        guard let date = latest.values.map(\.date).max() else { return nil }
        let engine = MeasureEngine(data: data)
        var s = BankBalanceStatement(statementDate: date, bankClosing: latest.values.reduce(0) { $0 + $1.amount.minorUnits },
                                     ledgerBalance: engine.organisation(Period(start: date, end: date, label: "\(date)")).held,
                                     missingFromLedger: 0, missingFromLedgerCount: 0, missingFromBank: 0, missingFromBankCount: 0,
                                     differences: 0, differencesCount: 0)
        for r in reconciliation where r.kind == "bank-statement" && r.status != .matched && (r.leftDate ?? r.rightDate!) <= date {
            switch r.status {
            case .onlyLeft: s.missingFromLedger += r.leftAmount ?? 0; s.missingFromLedgerCount += 1
            case .onlyRight: s.missingFromBank += r.rightAmount ?? 0; s.missingFromBankCount += 1
            case .amountDiffers: s.differences += r.difference; s.differencesCount += 1
            case .matched: break
            }
        }
        return s
    }
}
