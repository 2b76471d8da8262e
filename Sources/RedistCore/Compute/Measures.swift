import RedistModel

/// Who a row of figures is about.
public struct Scope: Hashable, Sendable {
    public enum Kind: String, Sendable { case organisation, fund, funder }
    public var kind: Kind
    public var id: String
    public var name: String
}

/// The measures for one scope and one period. Amounts are minor units of
/// the reporting currency; outflows are positive.
public struct ScopeMeasures: Sendable {
    public var period: Period
    public var scope: Scope
    public var currency: Currency
    /// Inflows by income category (transfers excluded).
    public var incomeByCategory: [Category: Int64] = [:]
    /// Outflows by redistributed and retained category, net of refunds.
    public var spending: [Category: Int64] = [:]
    /// Gross size of movements no rule classified, in and out.
    public var unclassified: Int64 = 0
    public var unclassifiedCount = 0
    /// Of `unclassified`: the money that came in and the money that went out, each positive.
    public var unclassifiedIn: Int64 = 0
    public var unclassifiedOut: Int64 = 0
    public var transfersIn: Int64 = 0
    public var transfersOut: Int64 = 0
    /// Awarded to groups and not yet paid at the period's end.
    public var committed: Int64 = 0
    /// Balance at the period's end.
    public var held: Int64 = 0
    /// The part of `held` that is hosted projects' money.
    public var heldHosted: Int64 = 0
    public var groupsReached = 0
    public var firstTimeGroups = 0
    public var individualsPaid = 0
    /// Days from award to payment for grants paid in the period.
    public var timeToMoney: TimeToMoney?
    /// Grants paid in the period, which the funder sees evidence of without a report from the group.
    public var grantsEvidenced = 0

    public var income: Int64 { incomeByCategory.values.reduce(0, +) }
    public var redistributed: Int64 { spending.filter { $0.key.isRedistributed }.values.reduce(0, +) }
    public var retained: Int64 { spending.filter { $0.key.isRetained }.values.reduce(0, +) }
    public func spent(_ c: Category) -> Int64 { spending[c] ?? 0 }

    /// redistributed ÷ (redistributed + retained), four places; nil when nothing was spent.
    public var rate: String? { Rounding.ratio(redistributed, redistributed + retained, places: 4) }

    /// Pence of every pound spent that reached groups, rounded half up.
    public var penceInThePound: Int64? {
        let total = redistributed + retained
        return total == 0 ? nil : Rounding.scaledHalfUp(redistributed, by: 100, total)
    }
}

public struct TimeToMoney: Sendable, Hashable {
    public var count: Int
    public var median: Int
    public var p90: Int

    /// Median (middle two averaged, rounded half up) and 90th percentile
    /// (nearest rank) of the days, as `sql/time_to_money.sql` works them out.
    public init(count: Int, median: Int, p90: Int) {
        self.count = count
        self.median = median
        self.p90 = p90
    }
}

/// Computes the measures of the design for any period and scope.
///
/// Every engine made from one dataset shares its `LedgerIndex`: each
/// scope's measures, once computed. The figures come from the warehouse's
/// measure views (`MeasureSQL`).
public struct MeasureEngine {
    public let data: Dataset
    var pipeline: Pipeline { data.pipeline }
    var index: LedgerIndex { data.index }
    /// The warehouse's measure views; a dataset made without one (in a test) has none to ask.
    var sql: MeasureSQL { data.sql ?? MeasureSQL.none }

    public init(data: Dataset) { self.data = data }

    /// One row for the organisation, one per fund, one per funder.
    public func summary(for period: Period) -> [ScopeMeasures] {
        sql.markReported(period)
        var rows = [organisation(period)]
        for code in fundCodes { rows.append(fund(code, period)) }
        for f in pipeline.funders { rows.append(funder(f, period)) }
        return rows
    }

    /// Declared funds first, then any fund code the ledger uses that is not declared.
    public var fundCodes: [String] {
        var codes = pipeline.funds.map(\.code)
        codes += Set(data.ledgerFunds).subtracting(codes).subtracting([""]).sorted()
        return codes
    }

    public func organisation(_ period: Period) -> ScopeMeasures {
        index.remembered(\.organisation, period) {
            let flows = sql.flows(period)
            var m = measure(Scope(kind: .organisation, id: pipeline.organisation.id, name: pipeline.organisation.name),
                            period, key: .organisation, flows: flows.organisation,
                            held: flows.totalHeld)
            m.heldHosted = flows.hostedHeld
            return m
        }
    }

    public func fund(_ code: String, _ period: Period) -> ScopeMeasures {
        index.remembered(\.fund, LedgerIndex.FundPeriod(code: code, period: period)) {
            let name = pipeline.fund(code)?.name ?? code
            let flows = sql.flows(period)
            var m = measure(Scope(kind: .fund, id: code, name: name), period,
                            key: .fund(code), flows: flows.fund[code] ?? [:], held: flows.held[code] ?? 0)
            if pipeline.fund(code)?.type == .hosted { m.heldHosted = m.held }
            return m
        }
    }

    /// A funder's restricted (and designated) funds, pooled ones shared pro
    /// rata to the income each funder paid in, by largest remainder.
    public func funder(_ funder: Pipeline.Funder, _ period: Period) -> ScopeMeasures {
        index.remembered(\.funder, LedgerIndex.FundPeriod(code: funder.id + "\u{0}" + funder.name, period: period)) {
            computeFunder(funder, period)
        }
    }

    private func computeFunder(_ funder: Pipeline.Funder, _ period: Period) -> ScopeMeasures {
        var total = ScopeMeasures(period: period, scope: Scope(kind: .funder, id: funder.id, name: funder.name),
                                  currency: pipeline.organisation.currency)
        for fund in pipeline.funds where fund.funders.contains(funder.id) {
            let whole = self.fund(fund.code, period)
            let weights = poolWeights(fund, upTo: period.end)
            guard let index = fund.funders.firstIndex(of: funder.id) else { continue }
            func share(_ v: Int64) -> Int64 { Apportion.largestRemainder(total: v, weights: weights)?[index] ?? 0 }
            for (c, v) in whole.incomeByCategory { total.incomeByCategory[c, default: 0] += share(v) }
            for (c, v) in whole.spending { total.spending[c, default: 0] += share(v) }
            total.unclassified += share(whole.unclassified)
            total.unclassifiedIn += share(whole.unclassifiedIn)
            total.unclassifiedOut += share(whole.unclassifiedOut)
            total.unclassifiedCount += whole.unclassifiedCount
            total.transfersIn += share(whole.transfersIn)
            total.transfersOut += share(whole.transfersOut)
            total.committed += share(whole.committed)
            total.held += share(whole.held)
            total.heldHosted += share(whole.heldHosted)
            total.grantsEvidenced += whole.grantsEvidenced
        }
        let figures = sql.flows(period)
        let reach = figures.reach[.funder(funder.id)] ?? MeasureSQL.Reach()
        total.groupsReached = reach.groups
        total.firstTimeGroups = reach.firstTime
        total.individualsPaid = reach.individuals
        total.timeToMoney = figures.timing[.funder(funder.id)]
        return total
    }

    /// Each funder's share of a fund: income it paid in up to `end`
    /// (`sql/pool_weight.sql`); equal shares before any has arrived.
    public func poolWeights(_ fund: Pipeline.Fund, upTo end: Day) -> [Int64] {
        guard fund.funders.count > 1 else { return [1] }
        let paid = sql.flows(Period(start: end, end: end, label: "\(end)..\(end)")).poolWeights[fund.code] ?? [:]
        let weights = fund.funders.indices.map { paid[$0] ?? 0 }
        return weights.contains { $0 > 0 } ? weights.map { max($0, 0) } : fund.funders.map { _ in 1 }
    }

    /// The measures of a scope, as the shipped views give them: flows and
    /// balance (`sql/scope_flow.sql`, `sql/fund_held.sql`), reach
    /// (`sql/reach.sql`), commitments and time to money.
    func measure(_ scope: Scope, _ period: Period, key: MeasureSQL.ScopeKey,
                 flows: [Category: MeasureSQL.Flow], held: Int64) -> ScopeMeasures {
        var m = ScopeMeasures(period: period, scope: scope, currency: pipeline.organisation.currency)
        m.held = held
        for (category, f) in flows {
            switch category {
            case .unclassified:
                m.unclassified = f.moneyIn + f.moneyOut
                m.unclassifiedIn = f.moneyIn
                m.unclassifiedOut = f.moneyOut
                m.unclassifiedCount = f.movements
            case .transfer:
                m.transfersIn = f.moneyIn
                m.transfersOut = f.moneyOut
            default:
                if category.isIncome { m.incomeByCategory[category] = f.net } else { m.spending[category] = f.net }
            }
        }
        let figures = sql.flows(period)
        let reach = figures.reach[key] ?? MeasureSQL.Reach()
        m.groupsReached = reach.groups
        m.firstTimeGroups = reach.firstTime
        m.individualsPaid = reach.individuals
        m.committed = figures.committed[key] ?? 0
        m.timeToMoney = figures.timing[key]
        m.grantsEvidenced = m.timeToMoney?.count ?? 0
        return m
    }

    /// The calendar quarters, up to `count`, ending with the period's, that hold ledger data.
    public func trendQuarters(endingWith period: Period, count: Int = 8) -> [Period] {
        guard let first = data.firstLedgerDate else { return [] }
        return period.quartersEnding(count: count).filter { $0.end >= first }
    }

    /// The financial year to date: from the start of the financial year holding the period's end.
    public func yearToDate(_ period: Period) -> Period {
        let start = pipeline.organisation.financialYear.yearStart(containing: period.end)
        return Period(start: start, end: period.end, label: "\(start)..\(period.end)")
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
    func caseInsensitiveEquals(_ other: String) -> Bool { !isEmpty && lowercased() == other.lowercased() }
}
