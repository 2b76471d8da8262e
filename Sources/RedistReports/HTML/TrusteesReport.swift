import RedistCore
import RedistIngest
import RedistModel

/// The view model of `trustees.html`: every figure already formatted, and
/// the facts each sentence turns on (counts with their plural flags, which
/// way a rate moved, which case of a sentence applies). Every word a reader
/// sees is in `reports/templates/`, where staff can change it:
/// `trustees.mustache` for the page and its sentences, `phrase-*.mustache`
/// for phrases used in more than one sentence, and `chart-*.mustache` for
/// each chart's title, labels and text alternative.
///
/// Each chart is built from the same rows as the table printed beside it,
/// and each comes with a sentence that says what it shows.
public struct TrusteesReport {
    public let data: Dataset
    public let period: Period
    public let summary: [ScopeMeasures]
    public let quality: [QualityRow]
    public let reconciliation: [ReconciliationRow]
    /// Every reconciliation row over all the data, for the bank balance
    /// statement (which counts items from before the period too).
    public let allReconciliation: [ReconciliationRow]

    public init(data: Dataset, period: Period, summary: [ScopeMeasures], quality: [QualityRow], reconciliation: [ReconciliationRow] = [],
                allReconciliation: [ReconciliationRow]? = nil) {
        self.data = data
        self.period = period
        self.summary = summary
        self.quality = quality
        self.reconciliation = reconciliation
        self.allReconciliation = allReconciliation ?? reconciliation
    }

    var pipeline: Pipeline { data.pipeline }
    var say: Wording { Wording(pipeline) }

    /// Kinds of spending in the order reports list them (hosting fees are a
    /// movement between the organisation's own funds org-wide, so not here).
    static let passedOn: [Category] = [.redistributedGrant, .redistributedSmallCosts, .redistributedHosted, .redistributedPayment]
    static let kept: [Category] = [.retainedStaff, .retainedProgramme, .retainedOverhead]

    /// Figures and the facts the wording depends on; with the templates,
    /// the charts too, whose words come from `chart-*.mustache`.
    public func viewModel(_ templates: Templates) throws -> [String: Any] {
        let engine = MeasureEngine(data: data)
        let org = summary.first { $0.scope.kind == .organisation } ?? engine.organisation(period)
        let ytd = engine.organisation(engine.yearToDate(period))
        let trend = engine.trendQuarters(endingWith: period).map { engine.organisation($0) }

        var model: [String: Any] = [
            "organisation": pipeline.organisation.name,
            "periodName": say.fullName(period),
            "periodShort": say.shortName(period),
            "periodLabel": period.label,
            "periodNoun": period.calendarQuarter != nil ? "quarter" : "period",
            "this": say.this(period),
            "This": capitalised(say.this(period)),
            "emptyPeriod": data.hasNoLedgerMovements(in: period),
            "one": say.one,
            "asAt": data.asAt(period).map(say.day) ?? "no data",
            "income": say.money(org.income),
            "redistributed": say.money(org.redistributed),
            "retained": say.money(org.retained),
            "rate": say.percent(org.rate),
            "unclassified": say.money(org.unclassifiedOut),
            "committed": say.money(org.committed),
            "held": say.money(org.held),
            "heldOwn": say.money(org.held - org.heldHosted),
            "heldHosted": say.money(org.heldHosted),
            "groups": String(org.groupsReached),
            "firstTime": String(org.firstTimeGroups),
            "individuals": String(org.individualsPaid),
            // Rounded to whole pounds, for sentences read aloud.
            "pounds": ["income": say.pounds(org.income), "redistributed": say.pounds(org.redistributed), "retained": say.pounds(org.retained),
                       "held": say.pounds(org.held), "heldHosted": say.pounds(org.heldHosted), "committed": say.pounds(org.committed),
                       "unclassified": say.pounds(org.unclassifiedOut)],
            "headline": Words.headline(org, say),
            "groupsReached": Words.count(org.groupsReached),
            "newcomers": Words.newcomers(org.firstTimeGroups, of: org.groupsReached),
            "peoplePaid": Words.count(org.individualsPaid),
            "hasCommitted": org.committed != 0,
            "hasUnclassified": org.unclassifiedOut != 0 || org.unclassifiedIn != 0,
            "hasUnclassifiedOut": org.unclassifiedOut != 0, "hasUnclassifiedIn": org.unclassifiedIn != 0,
            "unclassifiedOut": say.money(org.unclassifiedOut), "unclassifiedIn": say.money(org.unclassifiedIn),
            "funds": summary.filter { $0.scope.kind == .fund }.map { m -> [String: Any] in
                var row = scopeRow(m)
                row["type"] = pipeline.fund(m.scope.id)?.type.rawValue ?? "not declared"
                return row
            },
            // What came in from each funder, as its evidence pack says it: grant income from it into any fund.
            "funders": summary.filter { $0.scope.kind == .funder }.map { m -> [String: Any] in
                var row = scopeRow(m)
                if let f = pipeline.funder(m.scope.id) {
                    row["given"] = say.money(engine.evidence(for: f, period: period, reconciliation: []).given)
                }
                return row
            },
        ]
        if let t = org.timeToMoney {
            model["time"] = TimeToMoneyView(median: Words.count(t.median), p90: Words.count(t.p90), grants: Words.count(t.count))
        }
        model["hasTime"] = org.timeToMoney != nil
        model["ytd"] = yearToDate(org, ytd)
        let movements = engine.fundMovements(period)
        model["movements"] = fundMovementsModel(movements, id: "movements")
        model["hasYearMovements"] = ytd.period.start != period.start
        model["yearMovements"] = fundMovementsModel(engine.fundMovements(ytd.period), id: "year-movements")
        model["reserves"] = reservesModel(movements)
        model["fits"] = fits(org, ytd)
        model.merge(whereTheMoneyWent(org)) { $1 }
        model.merge(quarters(trend)) { $1 }
        model["reconciliation"] = reconciliationModel()
        model["bank"] = bankModel()
        model["lastYear"] = sameQuarterLastYear(org, engine)
        model["quality"] = qualityModel(org, trend: trend)
        model["named"] = namedGroups(org)
        model["unread"] = data.unreadFlags
        model["whereChart"] = try whereChart(org, templates.chartWords("chart-where", model))
        model.merge(try trendCharts(trend, rate: templates.chartWords("chart-rate", model),
                                    amounts: templates.chartWords("chart-amounts", model),
                                    reach: templates.chartWords("chart-reach", model))) { $1 }
        return model
    }

    /// Days from award to payment: the median, nine in ten, and how many grants.
    struct TimeToMoneyView {
        let median: Words.Count, p90: Words.Count, grants: Words.Count
    }

    func scopeRow(_ m: ScopeMeasures) -> [String: Any] {
        ["name": m.scope.name, "id": m.scope.id, "income": say.money(m.income), "redistributed": say.money(m.redistributed),
         "retained": say.money(m.retained), "rate": say.percent(m.rate), "committed": say.money(m.committed), "held": say.money(m.held),
         "groups": String(m.groupsReached)]
    }

    // MARK: The year to date beside the quarter

    func yearToDate(_ org: ScopeMeasures, _ ytd: ScopeMeasures) -> [String: Any] {
        func row(_ q: String, _ y: String) -> [String: String] { ["quarter": q, "ytd": y] }
        return ["year": say.financialYear.name(containing: period.end), "dates": say.dates(ytd.period),
                "income": say.pounds(ytd.income), "redistributed": say.pounds(ytd.redistributed), "retained": say.pounds(ytd.retained),
                "share": Words.headline(ytd, say),
                // The table's rows, by name, so the template words each one.
                "rows": ["income": row(say.money(org.income), say.money(ytd.income)),
                         "redistributed": row(say.money(org.redistributed), say.money(ytd.redistributed)),
                         "retained": row(say.money(org.retained), say.money(ytd.retained)),
                         "rate": row(say.percent(org.rate), say.percent(ytd.rate)),
                         "unclassified": row(say.money(org.unclassifiedOut), say.money(ytd.unclassifiedOut)),
                         "groups": row(String(org.groupsReached), String(ytd.groupsReached)),
                         "people": row(String(org.individualsPaid), String(ytd.individualsPaid)),
                         // A row only where some money came in that no rule classified.
                         "unclassifiedIn": org.unclassifiedIn == 0 && ytd.unclassifiedIn == 0 ? false as Any
                             : row(say.money(org.unclassifiedIn), say.money(ytd.unclassifiedIn)) as Any] as [String: Any]]
    }

    // MARK: Words that fit the organisation

    /// Which kinds of work the organisation does, so the report leaves out
    /// sentences and rows about hosted projects, a small-costs pot or
    /// payments for expertise where it has none (money in any of them is
    /// always shown).
    struct Fits {
        let hosted: Bool, smallCosts: Bool, expertise: Bool, payments: Bool
    }

    func fits(_ org: ScopeMeasures, _ ytd: ScopeMeasures) -> Fits {
        let categories = Set(pipeline.rules.map(\.category))
        let hosted = pipeline.funds.contains { $0.type == .hosted } || categories.contains(.redistributedHosted)
            || org.spent(.redistributedHosted) != 0 || org.heldHosted != 0
        let smallCosts = categories.contains(.redistributedSmallCosts) || org.spent(.redistributedSmallCosts) != 0
        let expertise = pipeline.rules.contains { $0.counterpartyKind == .individual } || data.members.contains { $0.kind == .individual }
            || org.individualsPaid > 0 || ytd.individualsPaid > 0
        let payments = expertise || categories.contains(.redistributedPayment) || org.spent(.redistributedPayment) != 0
        return Fits(hosted: hosted, smallCosts: smallCosts, expertise: expertise, payments: payments)
    }

    /// The kinds of spending worth a row: those the organisation has, and any with money in it.
    func shownKinds(_ kinds: [Category], _ org: ScopeMeasures) -> [Category] {
        let f = fits(org, org)
        return kinds.filter { c in
            switch c {
            case .redistributedHosted: return f.hosted || org.spent(c) != 0
            case .redistributedSmallCosts: return f.smallCosts || org.spent(c) != 0
            case .redistributedPayment: return f.payments || org.spent(c) != 0
            default: return true
            }
        }
    }

    // MARK: Where the money went

    func whereTheMoneyWent(_ org: ScopeMeasures) -> [String: Any] {
        let spent = org.redistributed + org.retained
        let rows: [[String: Any]] = shownKinds(Self.passedOn + Self.kept, org).map { c in
            ["name": c.title, "reachedGroups": c.isRedistributed, "amount": say.money(org.spent(c)), "pounds": say.pounds(org.spent(c)),
             "share": spent == 0 ? "–" : say.percent(Rounding.ratio(org.spent(c), spent, places: 4))]
        }
        var facts: [String: Any] = [
            "passedOnKinds": Words.list(shownKinds(Self.passedOn, org).map { ["name": $0.title, "pounds": say.pounds(org.spent($0))] }),
            "keptKinds": Words.list(Self.kept.map { ["name": $0.title, "pounds": say.pounds(org.spent($0))] }),
            "passedOnShare": Words.share(org.redistributed, of: spent, say),
            "keptShare": Words.share(org.retained, of: spent, say),
            "hasLargest": false, "largestPassedOn": "", "largestPassedOnAmount": "", "largestKept": "", "largestKeptAmount": "",
        ]
        if let top = Self.passedOn.max(by: { org.spent($0) < org.spent($1) }), org.spent(top) > 0,
           let keep = Self.kept.max(by: { org.spent($0) < org.spent($1) }), org.spent(keep) > 0 {
            facts["hasLargest"] = true
            facts["largestPassedOn"] = top.title.lowercased()
            facts["largestPassedOnAmount"] = say.pounds(org.spent(top))
            facts["largestKept"] = keep.title.lowercased()
            facts["largestKeptAmount"] = say.pounds(org.spent(keep))
        }
        return ["categories": rows, "where": facts]
    }

    func whereChart(_ org: ScopeMeasures, _ words: ChartWords) throws -> String {
        let groups = [
            Charts.BarGroup(title: try words["passed-on"],
                            bars: shownKinds(Self.passedOn, org).map { Charts.Bar(label: $0.title, value: org.spent($0), valueLabel: say.pounds(org.spent($0))) },
                            hatched: false, colour: Palette.redistributed),
            Charts.BarGroup(title: try words["kept"],
                            bars: Self.kept.map { Charts.Bar(label: $0.title, value: org.spent($0), valueLabel: say.pounds(org.spent($0))) },
                            hatched: true, colour: Palette.retained),
        ]
        return Charts.groupedBars(groups, title: try words["title"], description: try words["description"], id: "where")
    }

    // MARK: Quarter by quarter

    func quarters(_ trend: [ScopeMeasures]) -> [String: Any] {
        let rows: [[String: Any]] = Words.list(trend.map { m in
            ["quarter": say.shortName(m.period), "dates": say.months(m.period), "redistributed": say.money(m.redistributed),
             "retained": say.money(m.retained), "rate": say.percent(m.rate), "hasRate": m.rate != nil, "unclassified": say.money(m.unclassifiedOut),
             "groups": String(m.groupsReached), "firstTime": String(m.firstTimeGroups), "people": String(m.individualsPaid),
             "poundsRedistributed": say.pounds(m.redistributed), "poundsRetained": say.pounds(m.retained),
             "poundsUnclassified": say.pounds(m.unclassifiedOut)]
        })
        var facts: [String: Any] = ["single": trend.count == 1, "n": String(trend.count), "hasCurrent": !trend.isEmpty,
                                    "anyUnclassified": trend.contains { $0.unclassifiedOut > 0 }]
        if let current = trend.last {
            facts["current"] = ["name": say.shortName(current.period), "hasRate": current.rate != nil, "rate": say.percent(current.rate),
                                "redistributed": say.pounds(current.redistributed), "retained": say.pounds(current.retained),
                                "groups": Words.count(current.groupsReached),
                                "newcomers": Words.newcomers(current.firstTimeGroups, of: current.groupsReached)]
        }
        facts.merge(rateFacts(trend)) { $1 }
        facts.merge(amountFacts(trend)) { $1 }
        facts.merge(reachFacts(trend)) { $1 }
        if let first = trend.first, let earliest = data.firstLedgerDate, first.period.contains(earliest) {
            facts["recordsStart"] = ["name": say.shortName(first.period)]
        }
        facts["hasRecordsStart"] = facts["recordsStart"] != nil
        return ["trendRows": rows, "trend": facts]
    }

    /// The rate this quarter against the last quarter that had one, its
    /// range, the quarters without one, and those it may yet move in.
    func rateFacts(_ trend: [ScopeMeasures]) -> [String: Any] {
        var facts: [String: Any] = ["hasChange": false, "hasRange": false]
        if let current = trend.last, let bp = say.basisPoints(current.rate),
           let previous = trend.dropLast().last(where: { $0.rate != nil }), let pbp = say.basisPoints(previous.rate) {
            let now = Rounding.divideHalfUp(bp, 10), then = Rounding.divideHalfUp(pbp, 10)
            facts["hasChange"] = true
            facts["change"] = ["up": now > then, "down": now < then, "same": now == then,
                               "rate": say.percent(previous.rate), "name": say.shortName(previous.period)]
        }
        let known = trend.filter { $0.rate != nil }
        if known.count >= 3, let low = known.min(by: { say.basisPoints($0.rate)! < say.basisPoints($1.rate)! }),
           let high = known.max(by: { say.basisPoints($0.rate)! < say.basisPoints($1.rate)! }) {
            facts["hasRange"] = true
            facts["range"] = ["low": say.percent(low.rate), "lowName": say.shortName(low.period),
                              "high": say.percent(high.rate), "highName": say.shortName(high.period)]
        }
        facts["unrated"] = trend.dropLast().filter { $0.rate == nil }.map { m -> [String: Any] in
            ["name": say.shortName(m.period), "hasUnclassified": m.unclassifiedOut > 0, "unclassified": say.pounds(m.unclassifiedOut)]
        }
        facts["uncertain"] = trend.filter { $0.rate != nil && $0.unclassifiedOut > ($0.redistributed + $0.retained + $0.unclassifiedOut) / 10 }
            .map { m -> [String: Any] in ["name": say.shortName(m.period), "unclassified": say.pounds(m.unclassifiedOut)] }
        return facts
    }

    /// Totals over the quarters shown, and where most unclassified spending sits.
    func amountFacts(_ trend: [ScopeMeasures]) -> [String: Any] {
        let unclassified = trend.reduce(0) { $0 + $1.unclassifiedOut }
        var facts: [String: Any] = [
            "totalRedistributed": say.pounds(trend.reduce(0) { $0 + $1.redistributed }),
            "totalRetained": say.pounds(trend.reduce(0) { $0 + $1.retained }),
            "totalUnclassified": say.pounds(unclassified), "hasMostUnclassified": false,
        ]
        if unclassified > 0, let most = trend.max(by: { $0.unclassifiedOut < $1.unclassifiedOut }), most.unclassifiedOut > unclassified / 2 {
            facts["hasMostUnclassified"] = true
            facts["mostUnclassified"] = ["name": say.shortName(most.period), "amount": say.pounds(most.unclassifiedOut)]
        }
        return facts
    }

    /// The fewest and most groups reached in a quarter, and any quarter whose
    /// money reached groups without the records saying which.
    func reachFacts(_ trend: [ScopeMeasures]) -> [String: Any] {
        let counts = trend.map(\.groupsReached)
        let low = counts.min() ?? 0, high = counts.max() ?? 0
        return ["groupsSteady": low == high, "groupsLow": String(low), "groupsHigh": String(high), "steadyGroups": Words.count(low),
                "unnamedReach": trend.filter { $0.redistributed > 0 && $0.groupsReached == 0 }.map { m -> [String: Any] in
                    ["name": say.shortName(m.period), "amount": say.pounds(m.redistributed)]
                }]
    }

    func trendCharts(_ trend: [ScopeMeasures], rate: ChartWords, amounts: ChartWords, reach: ChartWords) throws -> [String: Any] {
        let ticks = trend.map { Charts.Tick(label: say.shortName($0.period), sublabel: say.shortMonths($0.period)) }
        let rateChart = Charts.lines(
            [Charts.Series(name: try rate["line"], values: trend.map { say.basisPoints($0.rate) }, valueLabels: trend.map { say.percent($0.rate) },
                           colour: Palette.redistributed, style: .solid, marker: .circle, pointLabels: .above, missingLabel: try rate["missing"])],
            ticks: ticks, axis: .percent, title: try rate["title"], description: try rate["description"], id: "rate", endLabels: false)

        // Money passed on and kept, on one axis in money (no second axis).
        var series = [
            Charts.Series(name: try amounts["passed-on"], values: trend.map { $0.redistributed }, valueLabels: trend.map { say.pounds($0.redistributed) },
                          colour: Palette.redistributed, style: .solid, marker: .circle),
            Charts.Series(name: try amounts["kept"], values: trend.map { $0.retained }, valueLabels: trend.map { say.pounds($0.retained) },
                          colour: Palette.retained, style: .dashed, marker: .square),
        ]
        if trend.contains(where: { $0.unclassifiedOut > 0 }) {
            series.append(Charts.Series(name: try amounts["unclassified"], values: trend.map { $0.unclassifiedOut },
                                        valueLabels: trend.map { say.pounds($0.unclassifiedOut) },
                                        colour: Palette.unclassified, style: .dotted, marker: .triangle))
        }
        let amountsChart = Charts.lines(series, ticks: ticks, axis: .money(symbol: say.symbol, minorDigits: say.currency.minorDigits),
                                        title: try amounts["title"], description: try amounts["description"], id: "amounts")

        // Reach: groups, and first-time groups, per quarter. Counts only:
        // never by region or characteristic, which the trustees' report leaves to suppressed tables.
        let reachChart = Charts.lines(
            [Charts.Series(name: try reach["all"], values: trend.map { Int64($0.groupsReached) }, valueLabels: trend.map { String($0.groupsReached) },
                           colour: Palette.redistributed, style: .solid, marker: .circle, pointLabels: .above),
             Charts.Series(name: try reach["first-time"], values: trend.map { Int64($0.firstTimeGroups) }, valueLabels: trend.map { String($0.firstTimeGroups) },
                           colour: Palette.retained, style: .dashed, marker: .square, pointLabels: .below)],
            ticks: ticks, axis: .count, title: try reach["title"], description: try reach["description"], id: "reach", endValues: false)
        return ["rateChart": rateChart, "amountsChart": amountsChart, "reachChart": reachChart]
    }

    // MARK: Who may be named to the trustees

    /// The groups paid in the period whose consent names them to the
    /// trustees (any consent in force at the period's end: trustees only,
    /// named funders, or public), each with what it received and who else
    /// its consent names it to; the rest are counted.
    func namedGroups(_ org: ScopeMeasures) -> NamedGroupsView {
        let naming = NamingPolicy(.trustees, on: period.end)
        let named = data.groupsPaid(in: period).filter { naming.mayName($0.member) }
        return NamedGroupsView(
            has: !named.isEmpty,
            groups: named.map { NamedGroupsView.Group(name: $0.member.name, amount: say.money($0.amount), alsoTo: alsoNamedTo($0.member.consentScope)) },
            count: Words.count(named.count), others: Words.count(max(0, org.groupsReached - named.count)))
    }

    /// The groups named to the trustees, and how many others are counted only.
    struct NamedGroupsView {
        struct Group { let name: String, amount: String, alsoTo: String }
        let has: Bool
        let groups: [Group]
        let count: Words.Count, others: Words.Count
    }

    /// Who else a consent names a group to, in the trustees' words.
    func alsoNamedTo(_ scope: ConsentScope) -> String {
        switch scope {
        case .trustees: return "no one else (trustees only)"
        case .public: return "anyone: open data and every funder's pack"
        case .funders(let names):
            let shown = names.map { n in pipeline.funders.first { $0.id.lowercased() == n || $0.name.lowercased() == n }?.name ?? n }
            return (shown.count == 1 ? "the evidence pack of " : "the evidence packs of ") + shown.joined(separator: ", ")
        }
    }

    // MARK: Do the sources agree?

    /// "cashbook sample-data/exports/x.csv:73 sample-data/exports/x.csv:550" as
    /// "cashbook: x.csv lines 73, 550": the full paths are in reconciliation.csv.
    func shortReference(_ source: String, _ ref: String) -> String {
        var files: [(name: String, lines: [String])] = []
        var others: [String] = []
        for token in ref.split(separator: " ").map(String.init) {
            guard token.contains("/") else { others.append(token); continue }
            var name = token.split(separator: "/").last.map(String.init) ?? token
            var line = ""
            if let colon = name.lastIndex(of: ":"), Int(name[name.index(after: colon)...]) != nil {
                line = String(name[name.index(after: colon)...])
                name = String(name[..<colon])
            }
            if let i = files.firstIndex(where: { $0.name == name }) {
                if !line.isEmpty { files[i].lines.append(line) }
            } else {
                files.append((name, line.isEmpty ? [] : [line]))
            }
        }
        let parts = others + files.map { f in
            f.lines.isEmpty ? f.name : "\(f.name) line\(f.lines.count == 1 ? "" : "s") \(f.lines.joined(separator: ", "))"
        }
        let joined = parts.joined(separator: "; ")
        return source.isEmpty ? joined : joined.isEmpty ? source : "\(source): \(joined)"
    }

    /// The four kinds of check, as flags a template names them by.
    static let checks = ["funder-payments", "funder-grant-totals", "grants-payments", "bank-statement"]
    static func check(_ kind: String) -> [String: Any] {
        ["funderPayments": kind == "funder-payments", "funderGrantTotals": kind == "funder-grant-totals",
         "grantsPayments": kind == "grants-payments", "bankStatement": kind == "bank-statement"]
    }

    /// One line per kind of check, and every difference in a table.
    func reconciliationModel() -> [String: Any] {
        var kinds: [[String: Any]] = []
        for kind in Self.checks {
            let rows = reconciliation.filter { $0.kind == kind }
            guard !rows.isEmpty else { continue }
            let matched = rows.filter { $0.status == .matched }.count
            kinds.append(Self.check(kind).merging(["checked": String(rows.count), "matched": String(matched),
                                                   "differences": String(rows.count - matched)]) { $1 })
        }
        // The differences, one table per kind of check; a side with nothing says what is missing.
        let unmatched = reconciliation.filter { $0.status != .matched }
        let differences: [[String: Any]] = Self.checks.compactMap { kind in
            let rows = unmatched.filter { $0.kind == kind }
            guard !rows.isEmpty else { return nil }
            let left = rows.map(\.leftSource).first { !$0.isEmpty }, right = rows.map(\.rightSource).first { !$0.isEmpty }
            return Self.check(kind).merging([
                "id": "differences-\(kind)", "count": Words.count(rows.count),
                "hasLeftName": left != nil, "leftName": left.map(capitalised) ?? "",
                "hasRightName": right != nil, "rightName": right.map(capitalised) ?? "",
                "rows": rows.map { r -> [String: Any] in
                    ["left": r.leftAmount.map(say.money) ?? "–", "leftMissing": r.leftAmount == nil && r.leftRef.isEmpty,
                     "leftRef": shortReference("", r.leftRef),
                     "right": r.rightAmount.map(say.money) ?? "–", "rightMissing": r.rightAmount == nil && r.rightRef.isEmpty,
                     "rightRef": shortReference("", r.rightRef),
                     "difference": say.money(r.difference), "date": (r.leftDate ?? r.rightDate).map { "\($0)" } ?? ""]
                }]) { $1 }
        }
        return ["none": reconciliation.isEmpty, "allAgree": !reconciliation.isEmpty && differences.isEmpty,
                "someDiffer": !differences.isEmpty, "checked": Words.count(reconciliation.count), "differ": Words.count(unmatched.count),
                "kinds": kinds, "hasKinds": !kinds.isEmpty, "differences": differences, "hasDifferences": !differences.isEmpty]
    }

    func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    // MARK: How far to trust these figures

    func qualityModel(_ org: ScopeMeasures, trend: [ScopeMeasures]) -> [String: Any] {
        let rejects = data.files.reduce(0) { $0 + $1.rowsRejected }
        let failed = data.files.filter { $0.failure != nil }
        // Reconciliation differences have their own section above.
        let attention = quality.filter { ($0.severity == "error" || $0.severity == "warning") && !$0.check.isReconciliation }
        let limit = 30
        let issues: [[String: Any]] = attention.prefix(limit).map { r in
            ["inPipeline": r.file.isEmpty, "where": r.file + (r.location.isEmpty ? "" : ", " + r.location), "what": r.shared,
             "amount": r.amount.isEmpty ? "" : AmountParser(digits: say.currency.minorDigits).parse(r.amount).map(say.money) ?? r.amount]
        }
        let files: [[String: Any]] = data.files.map { f in
            ["source": f.source, "path": f.path, "read": String(f.rowsRead), "loaded": String(f.rowsLoaded),
             "rejected": String(f.rowsRejected), "skipped": String(f.rowsSkipped), "sha": String(f.sha256.prefix(16)),
             "hasFailure": f.failure != nil]
        }
        let missing = data.sourcesWithoutFiles.map { s -> [String: Any] in ["name": s.name, "path": s.path] }
        let engine = MeasureEngine(data: data)
        let packs = Set(engine.fundersWithFlows(period).map(\.id))
        let noPack: [[String: Any]] = pipeline.funders.filter { !packs.contains($0.id) }.map { ["name": $0.name, "id": $0.id] }
        let differ = reconciliation.filter { $0.status != .matched }.count
        return ["allRead": rejects == 0 && failed.isEmpty && data.sourcesWithoutFiles.isEmpty,
                "allClear": rejects == 0 && failed.isEmpty && data.sourcesWithoutFiles.isEmpty && org.unclassifiedCount == 0
                    && differ == 0 && noPack.isEmpty,
                "noPack": Words.count(noPack.count), "noPackFunders": Words.list(noPack),
                "failed": Words.count(failed.count), "failedPaths": failed.map(\.path).joined(separator: ", "),
                "rejected": Words.count(rejects),
                "unclassifiedPayments": Words.count(org.unclassifiedCount), "unclassified": say.money(org.unclassifiedOut),
                "hasUnclassifiedIn": org.unclassifiedIn != 0, "unclassifiedIn": say.money(org.unclassifiedIn),
                "earlier": Words.list(trend.dropLast().filter { $0.unclassifiedOut > 0 }.map {
                    ["name": say.shortName($0.period), "amount": say.pounds($0.unclassifiedOut)]
                }),
                "hasEarlier": trend.dropLast().contains { $0.unclassifiedOut > 0 },
                "differ": Words.count(reconciliation.filter { $0.status != .matched }.count),
                "duplicates": Words.count(data.duplicatesDropped),
                "issues": issues, "hasIssues": !issues.isEmpty,
                "more": String(max(0, attention.count - limit)), "hasMoreIssues": attention.count > limit,
                "files": files,
                "missingSources": Words.list(missing), "hasMissingSources": !missing.isEmpty, "missing": Words.count(missing.count)]
    }

    public func render(_ templates: Templates) throws -> String {
        try templates.render(viewModel(templates), template: "trustees")
    }
}
