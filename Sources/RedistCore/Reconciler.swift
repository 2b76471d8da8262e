import RedistModel

/// One line of `reconciliation.csv`: the same money as two sources saw it.
public struct ReconciliationRow: Sendable, Hashable {
    public enum Status: String, Sendable { case matched, amountDiffers = "amount-differs", onlyLeft = "only-left", onlyRight = "only-right" }

    public var kind: String
    public var leftSource: String
    public var leftRef: String
    public var rightSource: String
    public var rightRef: String
    public var leftDate: Day?
    public var rightDate: Day?
    public var leftAmount: Int64?
    public var rightAmount: Int64?
    public var status: Status
    /// Which rule made the match, or why there is none.
    public var rule: String
    /// The funder or group the money belongs to, for the packs.
    public var party: String

    /// left − right; a missing side counts as zero.
    public var difference: Int64 { (leftAmount ?? 0) - (rightAmount ?? 0) }
    public var latestDate: Day { max(leftDate ?? rightDate!, rightDate ?? leftDate!) }
}

/// An item either side of a reconciliation.
struct ReconItem {
    var source: String
    var ref: String
    var date: Day
    var amount: Int64
    /// Who the money is from or to; items only match within one key.
    var key: String
    /// A reference both sides may quote (grant identifier, end-to-end id).
    var reference: String
    var order: SourceLocation
}

/// Matches the same money seen in two sources, one to one and
/// deterministically, and explains every match and every difference.
///
/// - `funder-…`: what a funder says it paid (IATI disbursements, 360Giving
///   Amount Disbursed) against ledger grant income from that funder.
/// - `grants-…`: each paid grant of the grants-out register against the
///   ledger payment to that group; unpaid grants are committed, not differences.
/// - `bank-…`: each bank statement entry against the ledger movements that
///   went through the bank (journals and movements between own funds have no
///   bank line and are left out).
public struct Reconciler {
    public let data: Dataset
    public var window: Int { data.pipeline.reconciliation.dateWindowDays }

    public init(data: Dataset) { self.data = data }

    public func all() -> [ReconciliationRow] {
        funderVsLedger() + grantsVsLedger() + bankVsLedger()
    }

    /// Matching in three passes over items sorted by date and place:
    /// 1. same key, same amount, same reference, dates within the window;
    /// 2. same key, same amount, dates within the window (nearest date first);
    /// 3. same key and same reference but another amount: `amount-differs`.
    /// What is left is `only-left` or `only-right`.
    func match(kind: String, left: [ReconItem], right: [ReconItem], reportRight: (ReconItem) -> Bool = { _ in true }) -> [ReconciliationRow] {
        let left = left.sorted { ($0.date, $0.order) < ($1.date, $1.order) }
        let right = right.sorted { ($0.date, $0.order) < ($1.date, $1.order) }
        var used = [Bool](repeating: false, count: right.count)
        var rows: [ReconciliationRow?] = [ReconciliationRow?](repeating: nil, count: left.count)
        var byKey: [String: [Int]] = [:]
        for (i, r) in right.enumerated() { byKey[r.key, default: []].append(i) }

        func row(_ l: ReconItem?, _ r: ReconItem?, _ status: ReconciliationRow.Status, _ rule: String) -> ReconciliationRow {
            ReconciliationRow(kind: kind, leftSource: l?.source ?? "", leftRef: l?.ref ?? "", rightSource: r?.source ?? "",
                              rightRef: r?.ref ?? "", leftDate: l?.date, rightDate: r?.date, leftAmount: l?.amount,
                              rightAmount: r?.amount, status: status, rule: rule, party: l?.key ?? r?.key ?? "")
        }
        let passes: [(name: String, test: (ReconItem, ReconItem) -> Bool, status: ReconciliationRow.Status)] = [
            ("same amount, same reference, within \(window) days",
             { l, r in l.amount == r.amount && !l.reference.isEmpty && l.reference == r.reference && abs(l.date - r.date) <= window }, .matched),
            ("same amount within \(window) days",
             { l, r in l.amount == r.amount && abs(l.date - r.date) <= window }, .matched),
            ("same reference, different amount",
             { l, r in !l.reference.isEmpty && l.reference == r.reference && abs(l.date - r.date) <= max(window, 31) }, .amountDiffers),
        ]
        for pass in passes {
            for (li, l) in left.enumerated() where rows[li] == nil {
                var best: Int? = nil
                for ri in byKey[l.key] ?? [] where !used[ri] && pass.test(l, right[ri]) {
                    if let b = best, abs(right[b].date - l.date) <= abs(right[ri].date - l.date) { continue }
                    best = ri
                }
                if let b = best {
                    used[b] = true
                    rows[li] = row(l, right[b], pass.status, pass.name)
                }
            }
        }
        var out: [ReconciliationRow] = []
        for (li, l) in left.enumerated() {
            out.append(rows[li] ?? row(l, nil, .onlyLeft, "no \(right.first?.source ?? "other-side") line within \(window) days with this amount"))
        }
        for (ri, r) in right.enumerated() where !used[ri] && reportRight(r) {
            out.append(row(nil, r, .onlyRight, "no \(left.first?.source ?? "other-side") line within \(window) days with this amount"))
        }
        return out.sorted { ($0.latestDate, $0.leftRef, $0.rightRef) < ($1.latestDate, $1.leftRef, $1.rightRef) }
    }

    func ledgerRef(_ c: ClassifiedMovement) -> String {
        "\(c.movement.location.file):\(c.movement.location.line)"
    }

    // MARK: Funder vs ledger

    func funderVsLedger() -> [ReconciliationRow] {
        let funders = data.pipeline.funders
        let engine = MeasureEngine(data: data)
        func funderKey(id: String, name: String) -> String? {
            funders.first { $0.id == id || (!name.isEmpty && $0.name.caseInsensitiveEquals(name)) }?.id
        }
        // The ledger's grant income, keyed by funder.
        var receipts: [ReconItem] = []
        let state = engine.state
        let matches = funders.map { engine.match($0) }
        /// `engine.isFrom(c, funders[i])`, by string numbers for the ledger's own rows.
        func from(_ c: ClassifiedMovement, _ i: Int) -> Bool {
            guard let t = state.tableObject, c.table === t else { return engine.isFrom(c, funders[i]) }
            return matches[i].id[Int(t.c.counterpartyId[c.row])] || matches[i].name[Int(t.c.counterparty[c.row])]
        }
        for c in data.ledger where c.category == .incomeGrant && !c.isOut {
            guard let i = funders.indices.first(where: { from(c, $0) }) else { continue }
            let f = funders[i]
            let m = c.movement
            receipts.append(ReconItem(source: c.source, ref: "\(m.location.file):\(m.location.line)", date: m.date,
                                      amount: m.amount.minorUnits, key: f.id, reference: m.reference, order: m.location))
        }
        var rows: [ReconciliationRow] = []
        // Transaction-level reports (IATI disbursements, code 3, or 1 for incoming funds).
        var reported: [ReconItem] = []
        for c in data.funderMovements where c.movement.kind == "3" || c.movement.kind == "1" || c.movement.kind == "D" || c.movement.kind == "IF" {
            let key = funderKey(id: c.movement.counterpartyId, name: c.movement.counterparty) ?? c.movement.counterpartyId
            reported.append(ReconItem(source: c.source, ref: c.movement.nativeId.nonEmpty ?? ledgerRef(c), date: c.date,
                                      amount: Int64(c.movement.amount.minorUnits.magnitude), key: key,
                                      reference: c.movement.reference, order: c.movement.location))
        }
        let reportingFunders = Set(reported.map(\.key))
        let transactionLevel = match(kind: "funder-payments", left: reported,
                                     right: receipts.filter { reportingFunders.contains($0.key) })
        rows += transactionLevel
        // Grant-level reports (360Giving Amount Disbursed): the cumulative
        // total against the receipts that quote the grant, or, when none
        // quotes it, every receipt from that funder not already matched.
        let usedRefs = Set(transactionLevel.compactMap { $0.status == .onlyLeft ? nil : $0.rightRef })
        for g in data.grantsIn {
            guard let disbursed = g.grant.amountDisbursed else { continue }
            let key = funderKey(id: g.grant.funderId, name: g.grant.funderName) ?? g.grant.funderId
            let quoting = receipts.filter { $0.key == key && $0.reference == g.grant.identifier }
            let taken = quoting.isEmpty ? receipts.filter { $0.key == key && !usedRefs.contains($0.ref) } : quoting
            let total = taken.reduce(0) { $0 + $1.amount }
            let status: ReconciliationRow.Status = taken.isEmpty ? .onlyLeft : (total == disbursed.minorUnits ? .matched : .amountDiffers)
            let rule = taken.isEmpty ? "no ledger income from this funder"
                : "cumulative: \(taken.count) ledger receipt\(taken.count == 1 ? "" : "s") \(quoting.isEmpty ? "from this funder" : "quoting the grant")"
            rows.append(ReconciliationRow(
                kind: "funder-grant-totals", leftSource: g.source, leftRef: g.grant.identifier,
                rightSource: taken.first?.source ?? "", rightRef: taken.map(\.ref).joined(separator: " "),
                leftDate: g.grant.awardDate, rightDate: taken.map(\.date).max(), leftAmount: disbursed.minorUnits,
                rightAmount: taken.isEmpty ? nil : total, status: status, rule: rule, party: key))
        }
        return rows
    }

    // MARK: Grants register vs ledger

    func grantsVsLedger() -> [ReconciliationRow] {
        let byName = Dictionary(data.members.map { ($0.name.lowercased(), $0.id) }, uniquingKeysWith: { a, _ in a })
        var left: [ReconItem] = []
        for g in data.grantsOut {
            guard let paid = g.grant.paymentDate else { continue }  // awarded, not paid: committed
            let amount = g.grant.amountDisbursed?.minorUnits ?? g.grant.amountAwarded.minorUnits
            guard amount > 0 else { continue }
            let key = g.grant.recipientId.nonEmpty ?? byName[g.grant.recipientName.lowercased()] ?? g.grant.recipientName.lowercased()
            left.append(ReconItem(source: g.source, ref: g.grant.identifier, date: paid, amount: amount, key: key,
                                  reference: g.grant.identifier, order: g.grant.location))
        }
        guard !left.isEmpty else { return [] }
        var right: [ReconItem] = []
        for c in data.ledger where c.category == .redistributedGrant && c.isOut {
            let m = c.movement
            let key = c.member?.id ?? m.counterpartyId.nonEmpty ?? m.counterparty.lowercased()
            right.append(ReconItem(source: c.source, ref: "\(m.location.file):\(m.location.line)", date: m.date,
                                   amount: -m.amount.minorUnits, key: key, reference: m.reference, order: m.location))
        }
        return match(kind: "grants-payments", left: left, right: right)
    }

    // MARK: Bank vs ledger

    func bankVsLedger() -> [ReconciliationRow] {
        guard !data.bank.isEmpty else { return [] }
        let left = data.bank.map { c in
            ReconItem(source: c.source, ref: c.movement.nativeId.nonEmpty ?? ledgerRef(c), date: c.date,
                      amount: c.movement.amount.minorUnits, key: "bank", reference: c.movement.reference, order: c.movement.location)
        }
        // The statements' coverage: their balance dates where they give them, else their entries' dates.
        let balanceDates = data.balances.map(\.0.date)
        let first = (balanceDates + left.map(\.date)).min()!, last = (balanceDates + left.map(\.date)).max()!
        // Ledger movements that went through the bank: not transfers or journals between our own funds.
        let right = data.ledger.filter { $0.category != .transfer && $0.category != .retainedHostingFee }.map { c in
            ReconItem(source: c.source, ref: ledgerRef(c), date: c.date, amount: c.movement.amount.minorUnits, key: "bank",
                      reference: c.movement.reference, order: c.movement.location)
        }
        // Only ledger lines inside the statements' dates can be missing from them.
        return match(kind: "bank-statement", left: left, right: right) { r in r.date >= first && r.date <= last }
    }
}
