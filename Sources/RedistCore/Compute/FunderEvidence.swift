import RedistModel

/// Everything a funder's evidence pack says, computed: what they gave,
/// what their money did, who it reached (consent and small numbers
/// applied), and whether their payments agree with the ledger.
public struct FunderEvidence: Sendable {
    public var funder: Pipeline.Funder
    public var period: Period
    /// The funder's restricted money, pooled funds shared pro rata.
    public var measures: ScopeMeasures
    /// Grant income from this funder in the period, into any fund.
    public var given: Int64
    public var givenToDate: Int64
    public var funds: [Pipeline.Fund]
    /// The funder's share of each fund (1 of 1 when not pooled), as "a/b".
    public var shares: [String: (Int64, Int64)]
    /// Unrestricted spending apportioned to this funder by its share of
    /// unrestricted income, by category; empty when it gave none.
    public var apportioned: [Category: Int64]
    public var unrestrictedShare: (Int64, Int64)?
    /// The funder's funds (codes): their movements in the period are the
    /// pack's flows (`Dataset.eachFlow`).
    public var flowFunds: [String]
    /// Grants from the funder's funds paid (or awarded and unpaid) in the period.
    public var grants: [GrantRecord]
    public var grantsIn: [StoredGrant]
    public var reach: [Category: SuppressedTable]
    /// Groups that received the funder's money and agreed to be named.
    public var namedGroups: [MemberRecord]
    public var unnamedGroupCount: Int
    public var reconciliation: [ReconciliationRow]
    /// Set instead of `reach` when some kind of payment reached too few
    /// groups to show on its own: every kind in one table.
    public var reachAllKinds: SuppressedTable? = nil

    public var slug: String { funder.packFolder }
}

public enum Slug {
    /// The longest funder name a pipeline may give: its pack's folder and
    /// `<folder>.zip.partial` stay well inside a file name's 255 bytes.
    public static let maximumLength = 200

    /// `Tidewater Foundation` → `tidewater-foundation`.
    public static func make(_ name: String) -> String {
        var out = ""
        var dash = false
        for c in name.lowercased() {
            if c.isASCII && (c.isLetter || c.isNumber) {
                if dash && !out.isEmpty { out.append("-") }
                out.append(c)
                dash = false
            } else {
                dash = true
            }
        }
        return out
    }
}

extension MeasureEngine {
    /// The funders with money in or out of their funds in the period, or
    /// income from them (`sql/funder_payment.sql`), in pipeline order: read
    /// from the ledger's totals by day (`ledger_day`, `funder_day`), which
    /// hold a row for every day, fund and category a movement has.
    public func fundersWithFlows(_ period: Period) -> [Pipeline.Funder] {
        let dates: [SQLValue] = [.text(period.start.description), .text(period.end.description)]
        let income = Category.allCases.filter(\.isIncome).map { SQLValue.text($0.rawValue) }
        let (funds, from) = data.rows.run((Set<String>(), Set<Int64>())) { w in
            let funds = try w.query("SELECT DISTINCT fund FROM ledger_day WHERE date >= ? AND date <= ?", dates)
            let from = try w.query("SELECT DISTINCT funder_position FROM funder_day WHERE date >= ? AND date <= ? AND category IN ("
                                   + income.map { _ in "?" }.joined(separator: ", ") + ")", dates + income)
            return (Set(funds.map { $0.text(0) }), Set(from.map { $0.int(0) }))
        }
        return pipeline.funders.enumerated().filter { i, f in
            from.contains(Int64(i)) || pipeline.funds.contains { $0.funders.contains(f.id) && funds.contains($0.code) }
        }.map(\.element)
    }

    public func evidence(for funder: Pipeline.Funder, period: Period, reconciliation: [ReconciliationRow]) -> FunderEvidence {
        let funds = pipeline.funds.filter { $0.funders.contains(funder.id) }
        let codes = Set(funds.map(\.code))
        var shares: [String: (Int64, Int64)] = [:]
        for fund in funds {
            let weights = poolWeights(fund, upTo: period.end)
            let i = fund.funders.firstIndex(of: funder.id)!
            shares[fund.code] = (weights[i], weights.reduce(0, +))
        }
        let figures = sql.flows(period)
        let money = pipeline.funders.firstIndex { $0.id == funder.id && $0.name == funder.name }
            .flatMap { figures.funderMoney[$0] } ?? MeasureSQL.FunderMoney()
        let given = money.given, givenToDate = money.givenToDate

        // Unrestricted: this funder's share of unrestricted income in the period
        // (`sql/funder_money.sql`, `sql/unrestricted_spending.sql`), the rounding by largest remainder.
        let mine = money.unrestrictedIncome
        let all = figures.unrestricted.filter { $0.key.isIncome }.values.reduce(0, +)
        var apportioned: [Category: Int64] = [:]
        var unrestrictedShare: (Int64, Int64)? = nil
        if mine > 0 && all > 0 {
            unrestrictedShare = (mine, all)
            for (category, spent) in figures.unrestricted where !category.isIncome {
                apportioned[category] = Apportion.largestRemainder(total: spent, weights: [mine, all - mine])?[0] ?? 0
            }
        }

        let grants = data.grantsOut.map(\.grant).filter { g in
            codes.contains(g.fund) && ((g.paymentDate.map(period.contains) ?? false) || (g.paymentDate == nil && g.awardDate <= period.end))
        }
        // Reach: groups (never people) paid from the funder's funds in the period.
        // Each distinct (category, member, counterparty) once, in the order of its last payment.
        var groupsByCategory: [Category: [String: MemberRecord?]] = [:]
        // The last payment to each from any of the funder's funds (a name is
        // compared byte for byte, as SQL's GROUP BY compares it).
        struct Paid: Hashable { var category: Category; var member: Int; var name: [UInt8] }
        var lastPaid: [Paid: (position: Int64, name: String)] = [:]
        let fundBytes = Set(codes.map { Array($0.utf8) })
        for g in data.rows.groupPayments(period) where fundBytes.contains(Array(g.fund.utf8)) {
            let key = Paid(category: g.category, member: g.member, name: Array(g.name.utf8))
            if let known = lastPaid[key], known.position >= g.last { continue }
            lastPaid[key] = (g.last, g.name)
        }
        let paid = lastPaid.sorted { $0.value.position < $1.value.position }.map { ($0.key.category, $0.key.member, $0.value.name) }
        for (category, index, name) in paid {
            let member = index >= 0 && index < data.members.count ? data.members[index] : nil
            groupsByCategory[category, default: [:]][member?.id ?? name.lowercased()] = member
        }
        var reach: [Category: SuppressedTable] = [:]
        var everyone: [String: MemberRecord?] = [:]
        for (_, g) in groupsByCategory { everyone.merge(g) { a, _ in a } }
        let k = pipeline.privacy.minGroupCount
        // Merge before suppressing: kinds of payment too small to show alone share one table.
        let mergeKinds = groupsByCategory.count > 1 && groupsByCategory.values.contains { $0.count < k }
        if !mergeKinds {
            for (category, groups) in groupsByCategory { reach[category] = Self.reachTable(groups.values.map { $0 }, minimum: k) }
        }
        let policy = NamingPolicy(.funderPack(funder), on: period.end)
        let named = everyone.values.compactMap { $0 }.filter { policy.mayName($0) }.sorted { $0.name < $1.name }
        return FunderEvidence(
            funder: funder, period: period, measures: self.funder(funder, period), given: given, givenToDate: givenToDate,
            funds: funds, shares: shares, apportioned: apportioned, unrestrictedShare: unrestrictedShare, flowFunds: codes.sorted(),
            grants: grants, grantsIn: data.distinctGrantsIn.filter { $0.grant.funderId == funder.id },
            reach: reach, namedGroups: named, unnamedGroupCount: everyone.count - named.count,
            reconciliation: reconciliation.filter { $0.party == funder.id },
            reachAllKinds: mergeKinds ? Self.reachTable(everyone.sorted { $0.key < $1.key }.map(\.value), minimum: k) : nil)
    }

    /// Groups by region (rows) and self-described characteristic (columns).
    /// A group not in the register counts under "not recorded".
    static func reachTable(_ groups: [MemberRecord?], minimum k: Int) -> SuppressedTable {
        let groups = ReachProtection.coarsened(groups, minimum: k)
        let notRecorded = "not recorded"
        let regions = Set(groups.map { $0.map { $0.region.isEmpty ? notRecorded : $0.region } ?? notRecorded }).sorted()
        let characteristics = Set(groups.flatMap { $0?.characteristics ?? [] }).sorted()
        var counts = regions.map { _ in characteristics.map { _ in 0 } }
        var rowTotals = regions.map { _ in 0 }
        var columnTotals = characteristics.map { _ in 0 }
        for g in groups {
            let r = regions.firstIndex(of: g.map { $0.region.isEmpty ? notRecorded : $0.region } ?? notRecorded)!
            rowTotals[r] += 1
            for ch in Set(g?.characteristics ?? []) {
                let c = characteristics.firstIndex(of: ch)!
                counts[r][c] += 1
                columnTotals[c] += 1
            }
        }
        return SuppressedTable(rowNames: regions, columnNames: characteristics, counts: counts, rowTotals: rowTotals,
                               columnTotals: columnTotals, total: groups.count, minimum: k)
    }
}

extension Dataset {
    /// Calls `body` with each movement of the pack's funds dated in its
    /// period, in ledger order, from the warehouse.
    public func eachFlow(of evidence: FunderEvidence, _ body: (LedgerRowView) throws -> Void) throws {
        guard !evidence.flowFunds.isEmpty else { return }
        try rows.each(role: "ledger", in: evidence.period,
                      where: "e.fund IN (" + evidence.flowFunds.map { _ in "?" }.joined(separator: ", ") + ")",
                      evidence.flowFunds.map(SQLValue.text), members: members, body)
    }
}
