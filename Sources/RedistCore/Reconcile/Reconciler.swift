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
    /// `rightSource` names the other side in the rule of an unmatched left
    /// item when `right` holds only part of it (else its first item's source).
    func match(kind: String, left: [ReconItem], right: [ReconItem], rightSource: String? = nil,
               reportRight: (ReconItem) -> Bool = { _ in true }) -> [ReconciliationRow] {
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
            out.append(rows[li] ?? row(l, nil, .onlyLeft, "no \(rightSource ?? right.first?.source ?? "other-side") line within \(window) days with this amount"))
        }
        for (ri, r) in right.enumerated() where !used[ri] && reportRight(r) {
            out.append(row(nil, r, .onlyRight, "no \(left.first?.source ?? "other-side") line within \(window) days with this amount"))
        }
        return out.sorted { ($0.latestDate, $0.leftRef, $0.rightRef) < ($1.latestDate, $1.leftRef, $1.rightRef) }
    }

    /// The ledger's (or another source's) place for a row: `file:line`.
    static func place(_ r: LedgerRowView) -> String { "\(r.text(.file)):\(r.line)" }

    /// Rows of one role passing `condition`, each made an item; a failed query stops the run later (`Dataset.checkMeasures`).
    func items(role: String, where condition: String = "", _ values: [SQLValue] = [], _ make: (LedgerRowView) -> ReconItem?) -> [ReconItem] {
        var out: [ReconItem] = []
        do {
            try data.rows.each(role: role, where: condition, values, members: data.members) { r in
                if let item = make(r) { out.append(item) }
            }
        } catch {
            data.rows.remember(error)
        }
        return out
    }

    // MARK: Funder vs ledger

    func funderVsLedger() -> [ReconciliationRow] {
        let funders = data.pipeline.funders
        func funderKey(id: String, name: String) -> String? {
            funders.first { $0.id == id || (!name.isEmpty && $0.name.caseInsensitiveEquals(name)) }?.id
        }
        // Transaction-level reports (IATI disbursements, code 3, or 1 for incoming funds).
        let reported = items(role: SourceRoleName.grantsIn, where: "m.kind IN ('3', '1', 'D', 'IF')") { r in
            let id = r.text(.counterpartyId)
            return ReconItem(source: r.text(.source), ref: r.text(.nativeId).nonEmpty ?? Self.place(r), date: r.date,
                             amount: Int64(r.amount.magnitude), key: funderKey(id: id, name: r.text(.counterparty)) ?? id,
                             reference: r.text(.reference), order: r.location)
        }
        // The ledger's grant income, keyed by the first funder it is from
        // (`sql/funder_payment.sql`): only from the funders whose files give
        // something to check it against, so the receipts held here are that
        // funder's, not every grant the ledger ever received.
        let reportingFunders = Set(reported.map(\.key))
        let checked = reportingFunders.union(data.grantsIn.compactMap { g in
            g.grant.amountDisbursed == nil ? nil : funderKey(id: g.grant.funderId, name: g.grant.funderName) ?? g.grant.funderId
        })
        let positions = funders.indices.filter { checked.contains(funders[$0].id) }
        let income = "e.category = 'income.grant' AND e.amount >= 0"
        var funderOf: [Int64: Int] = [:]
        if !positions.isEmpty {
            let list = positions.map(String.init).joined(separator: ", ")
            for r in data.rows.run([], { w in
                try w.query("""
                    SELECT e.position, min(e.funder_position) FROM funder_payment e WHERE \(income)
                    GROUP BY e.position HAVING min(e.funder_position) IN (\(list))
                    """)
            }) { funderOf[r.int(0)] = Int(r.int(1)) }
        }
        let receipts = funderOf.isEmpty ? [] : items(role: "ledger", where: income) { r in
            guard let i = funderOf[r.position], i < funders.count else { return nil }
            return ReconItem(source: r.text(.source), ref: Self.place(r), date: r.date, amount: r.amount, key: funders[i].id,
                             reference: r.text(.reference), order: r.location)
        }
        var rows: [ReconciliationRow] = []
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
        // The key: the register id, else the counterparty's id, else its name lower-cased (`run_party.group_key`).
        let right = items(role: "ledger", where: "e.category = 'redistributed.grant' AND e.amount < 0") { r in
            ReconItem(source: r.text(.source), ref: Self.place(r), date: r.date, amount: -r.amount, key: r.text(.groupKey),
                      reference: r.text(.reference), order: r.location)
        }
        return match(kind: "grants-payments", left: left, right: right)
    }

    // MARK: Bank vs ledger

    func bankVsLedger() -> [ReconciliationRow] {
        let left = items(role: "bank") { r in
            ReconItem(source: r.text(.source), ref: r.text(.nativeId).nonEmpty ?? Self.place(r), date: r.date, amount: r.amount,
                      key: "bank", reference: r.text(.reference), order: r.location)
        }
        guard !left.isEmpty else { return [] }
        // The statements' coverage: their balance dates where they give them, else their entries' dates.
        let balanceDates = data.balances.map(\.0.date)
        let first = (balanceDates + left.map(\.date)).min()!, last = (balanceDates + left.map(\.date)).max()!
        // Ledger movements that went through the bank: not transfers or journals between our own funds.
        // Only those near the statements can match one (no pass looks further than
        // the window or 31 days), and only those inside their dates can be missing from them.
        let reach = max(window, 31)
        let throughBank = "e.category NOT IN ('transfer', 'retained.hosting-fee')"
        let near = items(role: "ledger", where: throughBank + " AND e.date >= ? AND e.date <= ?",
                         [.text(first.adding(days: -reach).description), .text(last.adding(days: reach).description)]) { r in
            ReconItem(source: r.text(.source), ref: Self.place(r), date: r.date, amount: r.amount, key: "bank",
                      reference: r.text(.reference), order: r.location)
        }
        return match(kind: "bank-statement", left: left, right: near, rightSource: earliestSource(role: "ledger", where: throughBank)) { r in
            r.date >= first && r.date <= last
        }
    }

    /// The source of the earliest row (by date, then place) of a role passing `condition`.
    func earliestSource(role: String, where condition: String) -> String? {
        guard let day = data.rows.run(nil, { w in
            try w.query("SELECT min(e.date) FROM ledger_entry e WHERE e.role = ? AND \(condition)", [.text(role)]).first?[0].text
        }) else { return nil }
        return items(role: role, where: condition + " AND e.date = ?", [.text(day)]) { r in
            ReconItem(source: r.text(.source), ref: "", date: r.date, amount: 0, key: "", reference: "", order: r.location)
        }.min { $0.order < $1.order }?.source
    }
}
