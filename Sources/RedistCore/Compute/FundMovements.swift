import RedistModel

/// One fund's movements over a period, as a charity's accounts analyse
/// them: what it held before the period, what came in, what was spent,
/// what moved between our own funds, and what it held at the end.
///
/// Money no rule has classified is still money the fund moved: it is in
/// `income` (in) and `expenditure` (out), and shown again on its own as
/// `unclassifiedIn` and `unclassifiedOut`, so the balance always adds up.
public struct FundMovement: Sendable, Hashable {
    /// The fund's code; `all` for the total row.
    public var fund: String
    public var name: String
    /// `unrestricted`, `designated`, `restricted`, `hosted`, `not declared`, or `all`.
    public var type: String
    public var opening: Int64
    public var income: Int64
    public var expenditure: Int64
    /// Into the fund less out of it, hosting fees included.
    public var transfers: Int64
    public var closing: Int64
    public var unclassifiedIn: Int64
    public var unclassifiedOut: Int64

    public init(fund: String, name: String, type: String, opening: Int64, income: Int64, expenditure: Int64, transfers: Int64,
                closing: Int64, unclassifiedIn: Int64, unclassifiedOut: Int64) {
        self.fund = fund
        self.name = name
        self.type = type
        self.opening = opening
        self.income = income
        self.expenditure = expenditure
        self.transfers = transfers
        self.closing = closing
        self.unclassifiedIn = unclassifiedIn
        self.unclassifiedOut = unclassifiedOut
    }

    /// True when opening + income − expenditure + transfers = closing.
    public var balances: Bool {
        let (a, o1) = opening.addingReportingOverflow(income)
        let (b, o2) = a.subtractingReportingOverflow(expenditure)
        let (c, o3) = b.addingReportingOverflow(transfers)
        return !o1 && !o2 && !o3 && c == closing
    }

    /// The spending net of what came in: positive when more went out than came in.
    public var spentMoreThanCameIn: Int64 { expenditure - income }
}

/// Every fund's movements over one period, and the organisation's total.
public struct FundMovements: Sendable {
    public var period: Period
    /// Unrestricted funds, then designated, restricted, hosted, and any
    /// fund the ledger uses that the pipeline does not declare.
    public var funds: [FundMovement]
    /// The whole organisation (`fund = all`): the sum of the fund rows.
    public var total: FundMovement

    public init(period: Period, funds: [FundMovement], total: FundMovement) {
        self.period = period
        self.funds = funds
        self.total = total
    }

    /// The fund rows of one type, in order.
    public func of(_ type: Pipeline.FundType) -> [FundMovement] { funds.filter { $0.type == type.rawValue } }

    /// The closing balances of one type of fund, summed.
    public func closing(_ type: Pipeline.FundType) -> Int64 { of(type).reduce(0) { $0 + $1.closing } }

    /// Free reserves: unrestricted money not designated for a purpose.
    /// Designated funds are unrestricted money set aside, so they are
    /// counted in the charity's unrestricted funds but not in its free reserves.
    public var freeReserves: Int64 { closing(.unrestricted) }
    /// Unrestricted funds, designated ones included.
    public var unrestrictedFunds: Int64 { closing(.unrestricted) + closing(.designated) }
    /// Money held for the projects we host ("held as agent"): never our reserves.
    public var heldForGroups: Int64 { closing(.hosted) }
}

/// Why a fund movements table was refused: a row that does not add up.
public struct FundMovementsError: Error, CustomStringConvertible {
    public var period: String
    public var row: FundMovement

    public init(period: String, row: FundMovement) {
        self.period = period
        self.row = row
    }

    public var description: String {
        "fund movements for \(period): fund \(row.fund) does not add up: opening \(row.opening) + income \(row.income) − expenditure \(row.expenditure) + transfers \(row.transfers) ≠ closing \(row.closing) (minor units)"
    }
}

extension MeasureEngine {
    /// The analysis of fund movements for a period, composed from the
    /// scope measures: opening is the balance held on the day before the
    /// period starts, closing the balance held at its end.
    public func fundMovements(_ period: Period) -> FundMovements {
        let before = period.start.adding(days: -1)
        let dayBefore = Period(start: before, end: before, label: "\(before)")
        let order: [Pipeline.FundType] = [.unrestricted, .designated, .restricted, .hosted]
        let codes = fundCodes
        func rank(_ code: String) -> Int {
            guard let f = pipeline.fund(code) else { return order.count }
            return order.firstIndex(of: f.type)!
        }
        let sorted = codes.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
        let rows = sorted.map { code -> FundMovement in
            let m = fund(code, period)
            let fee = m.spent(.retainedHostingFee)
            return FundMovement(
                fund: code, name: m.scope.name, type: pipeline.fund(code)?.type.rawValue ?? "not declared",
                opening: fund(code, dayBefore).held,
                income: m.income + m.unclassifiedIn,
                expenditure: m.redistributed + m.retained - fee + m.unclassifiedOut,
                transfers: m.transfersIn - m.transfersOut - fee,
                closing: m.held, unclassifiedIn: m.unclassifiedIn, unclassifiedOut: m.unclassifiedOut)
        }
        let org = organisation(period)
        var total = FundMovement(
            fund: "all", name: pipeline.organisation.name, type: "all",
            opening: organisation(dayBefore).held, income: org.income + org.unclassifiedIn,
            expenditure: org.redistributed + org.retained + org.unclassifiedOut,
            transfers: org.transfersIn - org.transfersOut, closing: org.held,
            unclassifiedIn: org.unclassifiedIn, unclassifiedOut: org.unclassifiedOut)
        // Movements booked to no fund at all belong to the organisation but
        // to no fund row: they get a row of their own so the rows sum to the total.
        var rest = total
        for r in rows {
            rest.opening -= r.opening; rest.income -= r.income; rest.expenditure -= r.expenditure
            rest.transfers -= r.transfers; rest.closing -= r.closing
            rest.unclassifiedIn -= r.unclassifiedIn; rest.unclassifiedOut -= r.unclassifiedOut
        }
        var all = rows
        if [rest.opening, rest.income, rest.expenditure, rest.transfers, rest.closing].contains(where: { $0 != 0 }) {
            rest.fund = ""
            rest.name = "No fund given"
            rest.type = "not declared"
            all.append(rest)
        }
        total.name = "All funds"
        return FundMovements(period: period, funds: all, total: total)
    }

    /// The analysis of fund movements, refused when a row does not add up.
    public func checkedFundMovements(_ period: Period) throws -> FundMovements {
        let fm = fundMovements(period)
        for row in fm.funds + [fm.total] where !row.balances { throw FundMovementsError(period: period.label, row: row) }
        return fm
    }
}

extension Dataset {
    /// The date the figures for a period are as at: the latest ledger
    /// movement on or before the period's end; nil when there is none.
    public func asAt(_ period: Period) -> Day? {
        var low = 0, high = ledgerDays.count
        while low < high {
            let mid = (low + high) / 2
            if ledgerDays[mid] <= period.end.ordinal { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : Day(ordinal: ledgerDays[low - 1])
    }

    /// True when no ledger movement is dated in the period.
    public func hasNoLedgerMovements(in period: Period) -> Bool {
        guard let last = asAt(period) else { return true }
        return last < period.start
    }
}

extension MeasureEngine {
    /// Grant income our ledger received from the funder into one fund in
    /// the period (by the funder's id or name as the counterparty:
    /// `sql/funder_payment.sql`).
    public func grantIncome(from funder: Pipeline.Funder, intoFund code: String, _ period: Period) -> Int64 {
        guard let position = pipeline.funders.firstIndex(where: { $0.id == funder.id && $0.name == funder.name }) else { return 0 }
        return data.rows.run(0) { w in
            try w.query("""
                SELECT CAST(coalesce(sum(amount), 0) AS BIGINT) FROM funder_payment
                WHERE funder_position = ? AND fund = ? AND category = 'income.grant' AND date >= ? AND date <= ?
                """, [.int(Int64(position)), .text(code), .text(period.start.description), .text(period.end.description)])
                .first?.int(0) ?? 0
        }
    }
}
