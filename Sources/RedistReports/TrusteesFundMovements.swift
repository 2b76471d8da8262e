import RedistCore
import RedistModel

/// The trustees' report's analysis of fund movements and reserves: the
/// same rows as `fund_movements.csv`, grouped as a charity's accounts
/// group them (unrestricted with designated inside it, restricted, and
/// money held for hosted projects as their agent).
extension TrusteesReport {
    func fundMovementsModel(_ table: FundMovements, id: String) -> [String: Any] {
        func row(_ r: FundMovement, kind: String) -> [String: Any] {
            ["name": r.name, "code": r.fund, "hasCode": !r.fund.isEmpty && r.fund != "all", "designated": r.type == "designated",
             "subtotal": kind == "subtotal", "total": kind == "total",
             "opening": say.money(r.opening), "income": say.money(r.income), "expenditure": say.money(r.expenditure),
             "transfers": say.money(r.transfers), "closing": say.money(r.closing)]
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
        let shown: [[String: Any]] = groups.filter { !$0.rows.isEmpty }.map { g in
            var rows = g.rows.map { row($0, kind: "fund") }
            if g.rows.count > 1 { rows.append(row(subtotal(g.rows, "Total " + g.title.prefix(1).lowercased() + g.title.dropFirst()), kind: "subtotal")) }
            return ["title": g.title, "key": g.key, "rows": rows]
        }
        let t = table.total
        let gap = t.expenditure - t.income
        return [
            "id": id, "dates": say.dates(table.period), "groups": shown, "total": row(t, kind: "total"),
            "opening": say.pounds(t.opening), "closing": say.pounds(t.closing),
            "income": say.pounds(t.income), "expenditure": say.pounds(t.expenditure),
            // Did we spend more or less than came in, and by how much (whole pounds).
            "spentMore": gap > 0, "spentLess": gap < 0, "spentSame": gap == 0, "gap": say.pounds(abs(gap)),
            "rose": t.closing > t.opening, "fell": t.closing < t.opening,
            "hasUnclassified": t.unclassifiedIn != 0 || t.unclassifiedOut != 0,
            "hasUnclassifiedIn": t.unclassifiedIn != 0, "hasUnclassifiedOut": t.unclassifiedOut != 0,
            "unclassifiedIn": say.money(t.unclassifiedIn), "unclassifiedOut": say.money(t.unclassifiedOut),
        ]
    }

    /// Free reserves beside the money that is not ours.
    func reservesModel(_ table: FundMovements) -> [String: Any] {
        let designated = table.of(.designated)
        let restricted = table.closing(.restricted)
        let undeclared = table.funds.filter { $0.type == "not declared" }
        return [
            "unrestricted": say.money(table.unrestrictedFunds), "free": say.money(table.freeReserves), "freePounds": say.pounds(table.freeReserves),
            "designated": say.money(table.closing(.designated)), "hasDesignated": !designated.isEmpty,
            "designatedFunds": Words.list(designated.map { ["name": $0.name, "amount": say.money($0.closing)] }),
            "restricted": say.money(restricted), "hasRestricted": !table.of(.restricted).isEmpty,
            "hosted": say.money(table.heldForGroups), "hasHosted": !table.of(.hosted).isEmpty,
            "undeclared": say.money(undeclared.reduce(0) { $0 + $1.closing }), "hasUndeclared": !undeclared.isEmpty,
            "freeNegative": table.freeReserves < 0,
        ]
    }
}

extension TrusteesReport {
    /// The bank balance statement, where a bank statement gives a closing balance.
    func bankModel() -> [String: Any] {
        guard let b = BankBalanceStatement.make(data, period: period, reconciliation: allReconciliation) else { return ["has": false] }
        return ["has": true, "date": say.day(b.statementDate), "ledger": say.money(b.ledgerBalance),
                "missingFromLedger": say.money(b.missingFromLedger), "missingFromLedgerCount": Words.count(b.missingFromLedgerCount),
                "missingFromBank": say.money(-b.missingFromBank), "missingFromBankCount": Words.count(b.missingFromBankCount),
                "differences": say.money(b.differences), "differencesCount": Words.count(b.differencesCount),
                "explained": say.money(b.explained), "closing": say.money(b.bankClosing),
                "unexplained": say.money(b.unexplained), "agrees": b.unexplained == 0, "unexplainedPounds": say.pounds(abs(b.unexplained))]
    }

    /// The same quarter a year before, beside this one, where the ledger reaches back into it.
    func sameQuarterLastYear(_ org: ScopeMeasures, _ engine: MeasureEngine) -> [String: Any] {
        guard period.calendarQuarter != nil, let first = data.firstLedgerDate,
              let start = Day(year: period.start.year - 1, month: period.start.month, day: 1),
              let end = Day(year: period.end.year - 1, month: period.end.month, day: Day.daysIn(month: period.end.month, year: period.end.year - 1)),
              end >= first else { return ["has": false] }
        let last = engine.organisation(Period(start: start, end: end, label: "\(start)..\(end)"))
        func row(_ now: String, _ then: String) -> [String: String] { ["now": now, "then": then] }
        return ["has": true, "name": say.shortName(last.period),
                "rows": ["income": row(say.money(org.income), say.money(last.income)),
                         "redistributed": row(say.money(org.redistributed), say.money(last.redistributed)),
                         "retained": row(say.money(org.retained), say.money(last.retained)),
                         "rate": row(say.percent(org.rate), say.percent(last.rate)),
                         "groups": row(String(org.groupsReached), String(last.groupsReached))]]
    }
}
