import RedistCore
import RedistModel

/// The trustees' report's analysis of fund movements and reserves: the
/// same rows as `fund_movements.csv`, grouped as a charity's accounts
/// group them (unrestricted with designated inside it, restricted, and
/// money held for hosted projects as their agent).
extension TrusteesReport {
    /// One row of the fund movements table: a fund, a group's subtotal, or the total.
    struct FundMovementRow {
        let name: String, code: String
        let hasCode: Bool, designated: Bool, subtotal: Bool, total: Bool
        let opening: String, income: String, expenditure: String, transfers: String, closing: String
    }

    /// A group of funds as the accounts group them, with its subtotal row where it has more than one fund.
    struct FundGroup {
        let title: String, key: String
        let rows: [FundMovementRow]
    }

    /// The table and the sentence about it.
    struct FundMovementsView {
        let id: String, dates: String
        let groups: [FundGroup]
        let total: FundMovementRow
        let opening: String, closing: String, income: String, expenditure: String
        /// Did we spend more or less than came in, and by how much (whole pounds).
        let spentMore: Bool, spentLess: Bool, spentSame: Bool
        let gap: String
        let rose: Bool, fell: Bool
        let hasUnclassified: Bool, hasUnclassifiedIn: Bool, hasUnclassifiedOut: Bool
        let unclassifiedIn: String, unclassifiedOut: String
    }

    func fundMovementsModel(_ table: FundMovements, id: String) -> FundMovementsView {
        func row(_ r: FundMovement, kind: String) -> FundMovementRow {
            FundMovementRow(name: r.name, code: r.fund, hasCode: !r.fund.isEmpty && r.fund != "all", designated: r.type == "designated",
                            subtotal: kind == "subtotal", total: kind == "total",
                            opening: say.money(r.opening), income: say.money(r.income), expenditure: say.money(r.expenditure),
                            transfers: say.money(r.transfers), closing: say.money(r.closing))
        }
        func subtotal(_ rows: [FundMovement], _ name: String) -> FundMovement {
            var t = FundMovement(fund: "", name: name, type: "", opening: 0, income: 0, expenditure: 0, transfers: 0, closing: 0,
                                 unclassifiedIn: 0, unclassifiedOut: 0)
            for r in rows {
                t.opening += r.opening; t.income += r.income; t.expenditure += r.expenditure
                t.transfers += r.transfers; t.closing += r.closing
            }
            return t
        }
        // Each group: its heading, its funds, and a subtotal where it has more than one.
        let groups: [(key: String, title: String, rows: [FundMovement])] = [
            ("unrestricted", "Unrestricted funds", table.of(.unrestricted) + table.of(.designated)),
            ("restricted", "Restricted funds", table.of(.restricted)),
            ("hosted", "Held for the projects we host (as their agent)", table.of(.hosted)),
            ("undeclared", "Funds not declared in the pipeline file", table.funds.filter { $0.type == "not declared" }),
        ]
        let shown: [FundGroup] = groups.filter { !$0.rows.isEmpty }.map { g in
            var rows = g.rows.map { row($0, kind: "fund") }
            if g.rows.count > 1 { rows.append(row(subtotal(g.rows, "Total " + g.title.prefix(1).lowercased() + g.title.dropFirst()), kind: "subtotal")) }
            return FundGroup(title: g.title, key: g.key, rows: rows)
        }
        let t = table.total
        let gap = t.expenditure - t.income
        return FundMovementsView(
            id: id, dates: say.dates(table.period), groups: shown, total: row(t, kind: "total"),
            opening: say.pounds(t.opening), closing: say.pounds(t.closing),
            income: say.pounds(t.income), expenditure: say.pounds(t.expenditure),
            spentMore: gap > 0, spentLess: gap < 0, spentSame: gap == 0, gap: say.pounds(abs(gap)),
            rose: t.closing > t.opening, fell: t.closing < t.opening,
            hasUnclassified: t.unclassifiedIn != 0 || t.unclassifiedOut != 0,
            hasUnclassifiedIn: t.unclassifiedIn != 0, hasUnclassifiedOut: t.unclassifiedOut != 0,
            unclassifiedIn: say.money(t.unclassifiedIn), unclassifiedOut: say.money(t.unclassifiedOut))
    }

    /// A designated fund, for the sentence that lists them.
    struct DesignatedFund: ListItem {
        let name: String, amount: String
        var first = false, last = false
    }

    /// Free reserves beside the money that is not ours.
    struct ReservesView {
        let unrestricted: String, free: String, freePounds: String
        let designated: String, hasDesignated: Bool
        let designatedFunds: [DesignatedFund]
        let restricted: String, hasRestricted: Bool
        let hosted: String, hasHosted: Bool
        let undeclared: String, hasUndeclared: Bool
        let freeNegative: Bool
    }

    func reservesModel(_ table: FundMovements) -> ReservesView {
        let designated = table.of(.designated)
        let undeclared = table.funds.filter { $0.type == "not declared" }
        return ReservesView(
            unrestricted: say.money(table.unrestrictedFunds), free: say.money(table.freeReserves), freePounds: say.pounds(table.freeReserves),
            designated: say.money(table.closing(.designated)), hasDesignated: !designated.isEmpty,
            designatedFunds: Words.list(designated.map { DesignatedFund(name: $0.name, amount: say.money($0.closing)) }),
            restricted: say.money(table.closing(.restricted)), hasRestricted: !table.of(.restricted).isEmpty,
            hosted: say.money(table.heldForGroups), hasHosted: !table.of(.hosted).isEmpty,
            undeclared: say.money(undeclared.reduce(0) { $0 + $1.closing }), hasUndeclared: !undeclared.isEmpty,
            freeNegative: table.freeReserves < 0)
    }
}

extension TrusteesReport {
    /// The bank balance statement: the ledger's balance, each kind of
    /// reconciling item, and the statement's closing balance (`has` false,
    /// and nothing else read, where no statement gives one).
    struct BankView {
        var has = false
        var date = "", ledger = ""
        var missingFromLedger = "", missingFromLedgerCount = Words.count(0)
        var missingFromBank = "", missingFromBankCount = Words.count(0)
        var differences = "", differencesCount = Words.count(0)
        var explained = "", closing = "", unexplained = ""
        var agrees = false
        var unexplainedPounds = ""
    }

    /// The bank balance statement, where a bank statement gives a closing balance.
    func bankModel() -> BankView {
        guard let b = BankBalanceStatement.make(data, period: period, reconciliation: allReconciliation) else { return BankView() }
        return BankView(has: true, date: say.day(b.statementDate), ledger: say.money(b.ledgerBalance),
                        missingFromLedger: say.money(b.missingFromLedger), missingFromLedgerCount: Words.count(b.missingFromLedgerCount),
                        missingFromBank: say.money(-b.missingFromBank), missingFromBankCount: Words.count(b.missingFromBankCount),
                        differences: say.money(b.differences), differencesCount: Words.count(b.differencesCount),
                        explained: say.money(b.explained), closing: say.money(b.bankClosing),
                        unexplained: say.money(b.unexplained), agrees: b.unexplained == 0, unexplainedPounds: say.pounds(abs(b.unexplained)))
    }

    /// A figure now and a year before.
    struct NowAndThen {
        let now: String, then: String
    }

    /// The same quarter last year beside this one (`has` false where the ledger does not reach back).
    struct LastYearView {
        struct Rows {
            let income: NowAndThen, redistributed: NowAndThen, retained: NowAndThen, rate: NowAndThen, groups: NowAndThen
        }
        var has = false
        var name = ""
        var rows: Rows? = nil
    }

    /// The same quarter a year before, beside this one, where the ledger reaches back into it.
    func sameQuarterLastYear(_ org: ScopeMeasures, _ engine: MeasureEngine) -> LastYearView {
        guard period.calendarQuarter != nil, let first = data.firstLedgerDate,
              let start = Day(year: period.start.year - 1, month: period.start.month, day: 1),
              let end = Day(year: period.end.year - 1, month: period.end.month, day: Day.daysIn(month: period.end.month, year: period.end.year - 1)),
              end >= first else { return LastYearView() }
        let last = engine.organisation(Period(start: start, end: end, label: "\(start)..\(end)"))
        return LastYearView(has: true, name: say.shortName(last.period),
                            rows: .init(income: NowAndThen(now: say.money(org.income), then: say.money(last.income)),
                                        redistributed: NowAndThen(now: say.money(org.redistributed), then: say.money(last.redistributed)),
                                        retained: NowAndThen(now: say.money(org.retained), then: say.money(last.retained)),
                                        rate: NowAndThen(now: say.percent(org.rate), then: say.percent(last.rate)),
                                        groups: NowAndThen(now: String(org.groupsReached), then: String(last.groupsReached))))
    }
}
