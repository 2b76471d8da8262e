import RedistCore
import RedistModel

/// The view model of `trustees.html`: every figure already formatted and
/// every sentence already written, so the template only places them.
public struct TrusteesReport {
    public let data: Dataset
    public let period: Period
    public let summary: [ScopeMeasures]
    public let quality: [QualityRow]
    public let reconciliation: [ReconciliationRow]

    public init(data: Dataset, period: Period, summary: [ScopeMeasures], quality: [QualityRow], reconciliation: [ReconciliationRow] = []) {
        self.data = data
        self.period = period
        self.summary = summary
        self.quality = quality
        self.reconciliation = reconciliation
    }

    var pipeline: Pipeline { data.pipeline }
    var currency: Currency { pipeline.organisation.currency }
    var symbol: String { currency.code == "GBP" ? "£" : currency.code == "EUR" ? "€" : currency.code == "USD" ? "$" : "" }

    func money(_ v: Int64) -> String { MoneyFormat.grouped(v, digits: currency.minorDigits, symbol: symbol) }
    func pounds(_ v: Int64) -> String {
        let whole = currency.minorDigits == 0 ? v : Rounding.divideHalfUp(v, Int64(pow10(currency.minorDigits)))
        return MoneyFormat.grouped(whole, digits: 0, symbol: symbol)
    }
    func percent(_ rate: String?) -> String {
        guard let rate, let basis = AmountParser(digits: 4).parse(rate) else { return "–" }
        return MoneyFormat.decimal(Rounding.divideHalfUp(basis, 10), digits: 1) + "%"
    }
    func pow10(_ n: Int) -> Int { (0..<n).reduce(1) { r, _ in r * 10 } }

    /// The quarter's name for people: "Q3 2023/24 (1 October to 31 December 2023)".
    func periodName(_ p: Period) -> String {
        let dates = "\(p.start.day) \(Day.monthNames[p.start.month - 1])\(p.start.year == p.end.year ? "" : " \(p.start.year)") to \(p.end.day) \(Day.monthNames[p.end.month - 1]) \(p.end.year)"
        if let q = pipeline.organisation.financialYear.quarterLabel(p) { return "\(q) (\(dates))" }
        return dates
    }

    func shortName(_ p: Period) -> String {
        pipeline.organisation.financialYear.quarterLabel(p) ?? p.label
    }

    public func viewModel() -> [String: Any] {
        let engine = MeasureEngine(data: data)
        let org = summary.first { $0.scope.kind == .organisation }!
        let ytd = engine.organisation(engine.yearToDate(period))
        let spent = org.redistributed + org.retained
        var headline: String
        if let pence = org.penceInThePound {
            headline = "Of every \(symbol.isEmpty ? "1 " + currency.code : symbol + "1") we spent this quarter, \(pence)p reached groups directly."
        } else {
            headline = "We recorded no spending this quarter."
        }
        if currency.code != "GBP", let pence = org.penceInThePound {
            headline = "Of all we spent this quarter, \(pence)% reached groups directly."
        }

        // Where the money went.
        let outCategories: [Category] = [.redistributedGrant, .redistributedSmallCosts, .redistributedHosted, .redistributedPayment,
                                         .retainedStaff, .retainedProgramme, .retainedOverhead]
        let categoryRows: [[String: Any]] = outCategories.map { c in
            let v = org.spent(c)
            return ["name": c.title, "kind": c.isRedistributed ? "Reached groups" : "Kept by us", "amount": money(v),
                    "share": spent == 0 ? "–" : percent(Rounding.ratio(v, spent, places: 4))]
        }
        let bars = outCategories.map { c in
            Charts.Bar(label: c.title, value: org.spent(c), valueLabel: pounds(org.spent(c)), solid: c.isRedistributed)
        }
        let whereChart = Charts.bars(bars, title: "Where the money went, \(shortName(period))",
                                     description: "Bars for each kind of spending. Solid bars reached groups; hatched bars were kept by us. " +
                                        outCategories.map { "\($0.title): \(pounds(org.spent($0)))" }.joined(separator: "; ") + ".",
                                     id: "where")

        // Trend over quarters.
        let quarters = engine.trendQuarters(endingWith: period)
        let trend = quarters.map { engine.organisation($0) }
        let trendRows: [[String: Any]] = trend.map { m in
            ["quarter": shortName(m.period), "dates": "\(m.period.start) to \(m.period.end)", "redistributed": money(m.redistributed),
             "retained": money(m.retained), "rate": percent(m.rate), "unclassified": money(m.unclassified)]
        }
        let points = trend.map { m in
            Charts.Point(label: shortName(m.period), value: m.rate.flatMap { AmountParser(digits: 4).parse($0) }, valueLabel: percent(m.rate))
        }
        let trendChart = Charts.rateLine(points, title: "Share of spending that reached groups, by quarter",
                                         description: "A line of the redistribution rate for each quarter: " +
                                            trend.map { "\(shortName($0.period)) \(percent($0.rate))" }.joined(separator: ", ") + ".",
                                         id: "trend")

        func scopeRow(_ m: ScopeMeasures) -> [String: Any] {
            ["name": m.scope.name, "id": m.scope.id, "income": money(m.income), "redistributed": money(m.redistributed),
             "retained": money(m.retained), "rate": percent(m.rate), "committed": money(m.committed), "held": money(m.held),
             "groups": String(m.groupsReached)]
        }
        let fundRows = summary.filter { $0.scope.kind == .fund }.map { m -> [String: Any] in
            var row = scopeRow(m)
            row["type"] = pipeline.fund(m.scope.id)?.type.rawValue ?? "not declared"
            return row
        }
        let funderRows = summary.filter { $0.scope.kind == .funder }.map(scopeRow)

        // Data quality.
        let rejects = data.files.reduce(0) { $0 + $1.rowsRejected }
        let errorRows = quality.filter { $0.severity == "error" }
        let unclassifiedRows = quality.filter { $0.check == "unclassified" }
        var qualitySentences: [String] = []
        if rejects == 0 && errorRows.isEmpty {
            qualitySentences.append("Every row of every export was read: none was rejected.")
        } else {
            qualitySentences.append("\(rejects) \(rejects == 1 ? "row was" : "rows were") rejected because a date or amount could not be read. They are not in these figures. Each is listed in quality.csv with its file, line and column: correct them in the accounting system, export again and re-run.")
        }
        if org.unclassifiedCount == 0 {
            qualitySentences.append("Every payment this quarter was matched to a kind of spending.")
        } else {
            qualitySentences.append("\(org.unclassifiedCount) \(org.unclassifiedCount == 1 ? "movement" : "movements") worth \(money(org.unclassified)) matched no rule, so \(org.unclassifiedCount == 1 ? "it is" : "they are") in neither the redistributed nor the retained figure. Staff should add a rule to the pipeline file for \(org.unclassifiedCount == 1 ? "it" : "them").")
        }
        if data.duplicatesDropped > 0 {
            qualitySentences.append("\(data.duplicatesDropped) rows appeared in more than one export (a quarter and a year-to-date) and were counted once.")
        }
        let files: [[String: Any]] = data.files.map { f in
            ["source": f.source, "path": f.path, "read": String(f.rowsRead), "loaded": String(f.rowsLoaded),
             "rejected": String(f.rowsRejected), "skipped": String(f.rowsSkipped), "sha": String(f.sha256.prefix(16)),
             "failure": f.failure ?? ""]
        }
        let issues: [[String: Any]] = (errorRows + unclassifiedRows).prefix(30).map { r in
            ["where": r.file + (r.location.isEmpty ? "" : ", " + r.location), "what": r.message, "amount": r.amount]
        }

        let held = org.held
        let hosted = org.heldHosted
        var model: [String: Any] = [
            "organisation": pipeline.organisation.name,
            "periodName": periodName(period),
            "periodShort": shortName(period),
            "periodLabel": period.label,
            "asAt": data.asAt.map { "\($0)" } ?? "no data",
            "headline": headline,
            "income": money(org.income),
            "redistributed": money(org.redistributed),
            "retained": money(org.retained),
            "rate": percent(org.rate),
            "unclassified": money(org.unclassified),
            "committed": money(org.committed),
            "held": money(held),
            "heldOwn": money(held - hosted),
            "heldHosted": money(hosted),
            "groups": String(org.groupsReached),
            "firstTime": String(org.firstTimeGroups),
            "individuals": String(org.individualsPaid),
            "ytdLabel": "the year to date (\(ytd.period.start) to \(ytd.period.end))",
            "ytdRedistributed": money(ytd.redistributed),
            "ytdRetained": money(ytd.retained),
            "ytdRate": percent(ytd.rate),
            "ytdIncome": money(ytd.income),
            "categories": categoryRows,
            "whereChart": whereChart,
            "trendRows": trendRows,
            "trendChart": trendChart,
            "funds": fundRows,
            "funders": funderRows,
            "qualitySentences": qualitySentences.map { ["text": $0] },
            "files": files,
            "issues": issues,
            "hasIssues": !issues.isEmpty,
        ]
        model["sentenceRedistributed"] = "We passed \(money(org.redistributed)) on to groups and members this quarter, and kept \(money(org.retained)) for our own staff, delivery and overheads."
        model["sentenceHeld"] = "At the end of the quarter we held \(money(held)). Of that, \(money(hosted)) belongs to the projects we host: it is their money, not our reserves."
        model["sentenceReach"] = "\(org.groupsReached) \(org.groupsReached == 1 ? "group" : "groups") received money this quarter, \(org.firstTimeGroups) of them for the first time; we also paid \(org.individualsPaid) \(org.individualsPaid == 1 ? "person" : "people") for their expertise."
        if let t = org.timeToMoney {
            model["sentenceTime"] = "Grants paid this quarter reached groups a median of \(t.median) days after they were awarded; nine in ten within \(t.p90) days (\(t.count) grants)."
        } else {
            model["sentenceTime"] = "No grant from our register was paid this quarter, so there is no time-to-money figure."
        }
        model["reconciliation"] = reconciliationModel()
        model["sentenceCommitted"] = "We have promised \(money(org.committed)) in grants that are not yet paid."
        return model
    }

    /// One line per kind of check, and every difference in a table.
    func reconciliationModel() -> [String: Any] {
        let names = ["funder-payments": "Funders' payments against what our ledger received",
                     "funder-grant-totals": "Funders' grant totals against what our ledger received",
                     "grants-payments": "Our grants register against the payments in our ledger",
                     "bank-statement": "The bank statement against our ledger"]
        var kinds: [[String: Any]] = []
        for kind in ["funder-payments", "funder-grant-totals", "grants-payments", "bank-statement"] {
            let rows = reconciliation.filter { $0.kind == kind }
            guard !rows.isEmpty else { continue }
            let matched = rows.filter { $0.status == .matched }.count
            kinds.append(["name": names[kind]!, "checked": String(rows.count), "matched": String(matched),
                          "differences": String(rows.count - matched)])
        }
        let differences: [[String: Any]] = reconciliation.filter { $0.status != .matched }.map { r in
            let what: String
            switch r.status {
            case .amountDiffers: what = "amounts differ"
            case .onlyLeft: what = "only in \(r.leftSource)"
            case .onlyRight: what = "only in \(r.rightSource)"
            case .matched: what = "matched"
            }
            return ["check": names[r.kind] ?? r.kind, "what": what,
                    "left": r.leftAmount.map(money) ?? "–", "leftRef": "\(r.leftSource) \(r.leftRef)".trimmingSpaces.description,
                    "right": r.rightAmount.map(money) ?? "–", "rightRef": "\(r.rightSource) \(r.rightRef)".trimmingSpaces.description,
                    "difference": money(r.difference), "date": (r.leftDate ?? r.rightDate).map { "\($0)" } ?? ""]
        }
        let sentence: String
        if reconciliation.isEmpty {
            sentence = "There was nothing to reconcile this quarter: no funder file, grants register or bank statement covers it."
        } else if differences.isEmpty {
            sentence = "Every payment we checked agrees between the sources: \(reconciliation.count) checked, none differ."
        } else {
            sentence = "We checked \(reconciliation.count) payments that two sources both record; \(differences.count) do not agree and are listed below for staff to look into. Until they are explained, treat the figures they touch with care."
        }
        return ["kinds": kinds, "differences": differences, "hasDifferences": !differences.isEmpty, "sentence": sentence,
                "hasKinds": !kinds.isEmpty]
    }

    public func render(_ templates: Templates) throws -> String {
        try templates.render(viewModel(), template: "trustees")
    }
}
