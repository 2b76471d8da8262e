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
    /// Movements of the funder's funds in the period.
    public var flows: [ClassifiedMovement]
    /// Grants from the funder's funds paid (or awarded and unpaid) in the period.
    public var grants: [GrantRecord]
    public var grantsIn: [StoredGrant]
    public var reach: [Category: SuppressedTable]
    /// Groups that received the funder's money and agreed to be named.
    public var namedGroups: [MemberRecord]
    public var unnamedGroupCount: Int
    public var reconciliation: [ReconciliationRow]

    public var slug: String { Slug.make(funder.name) }
}

public enum Slug {
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
        return out.isEmpty ? "funder" : out
    }
}

extension MeasureEngine {
    /// The funders with money in or out of their funds in the period, in pipeline order.
    public func fundersWithFlows(_ period: Period) -> [Pipeline.Funder] {
        pipeline.funders.filter { f in
            let funds = Set(pipeline.funds.filter { $0.funders.contains(f.id) }.map(\.code))
            return data.ledger.contains { period.contains($0.date) && (funds.contains($0.fund) || ($0.category.isIncome && isFrom($0, f))) }
        }
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
        let fromFunder = data.ledger.filter { $0.category == .incomeGrant && isFrom($0, funder) }
        let given = fromFunder.filter { period.contains($0.date) }.reduce(0) { $0 + $1.minorUnits }
        let givenToDate = fromFunder.filter { $0.date <= period.end }.reduce(0) { $0 + $1.minorUnits }

        // Unrestricted: this funder's share of unrestricted income in the period.
        let unrestricted = Set(pipeline.funds.filter { $0.type == .unrestricted }.map(\.code))
        let unrestrictedIncome = data.ledger.filter { unrestricted.contains($0.fund) && period.contains($0.date) && $0.category.isIncome }
        let mine = unrestrictedIncome.filter { isFrom($0, funder) }.reduce(0) { $0 + $1.minorUnits }
        let all = unrestrictedIncome.reduce(0) { $0 + $1.minorUnits }
        var apportioned: [Category: Int64] = [:]
        var unrestrictedShare: (Int64, Int64)? = nil
        if mine > 0 && all > 0 {
            unrestrictedShare = (mine, all)
            var spending: [Category: Int64] = [:]
            for c in data.ledger where unrestricted.contains(c.fund) && period.contains(c.date) && (c.category.isRedistributed || c.category.isRetained) {
                spending[c.category, default: 0] -= c.minorUnits
            }
            for (category, amount) in spending {
                apportioned[category] = Apportion.largestRemainder(total: amount, weights: [mine, all - mine])?[0] ?? 0
            }
        }

        let flows = data.ledger.filter { codes.contains($0.fund) && period.contains($0.date) }
        let grants = data.grantsOut.map(\.grant).filter { g in
            codes.contains(g.fund) && ((g.paymentDate.map(period.contains) ?? false) || (g.paymentDate == nil && g.awardDate <= period.end))
        }
        // Reach: groups (never people) paid from the funder's funds in the period.
        var groupsByCategory: [Category: [String: MemberRecord?]] = [:]
        for c in flows where c.category.isRedistributed && c.isOut && !c.isIndividual && c.hasCounterparty {
            let key = c.member?.id ?? c.counterpartyName.lowercased()
            groupsByCategory[c.category, default: [:]][key] = c.member
        }
        var reach: [Category: SuppressedTable] = [:]
        for (category, groups) in groupsByCategory {
            reach[category] = Self.reachTable(groups.values.map { $0 }, minimum: pipeline.privacy.minGroupCount)
        }
        var everyone: [String: MemberRecord?] = [:]
        for (_, g) in groupsByCategory { everyone.merge(g) { a, _ in a } }
        let named = everyone.values.compactMap { $0 }.filter(\.consentToBeNamed).sorted { $0.name < $1.name }
        return FunderEvidence(
            funder: funder, period: period, measures: self.funder(funder, period), given: given, givenToDate: givenToDate,
            funds: funds, shares: shares, apportioned: apportioned, unrestrictedShare: unrestrictedShare, flows: flows,
            grants: grants, grantsIn: data.grantsIn.filter { $0.grant.funderId == funder.id },
            reach: reach, namedGroups: named, unnamedGroupCount: everyone.count - named.count,
            reconciliation: reconciliation.filter { $0.party == funder.id })
    }

    /// Groups by region (rows) and self-described characteristic (columns).
    /// A group not in the register counts under "not recorded".
    static func reachTable(_ groups: [MemberRecord?], minimum k: Int) -> SuppressedTable {
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
