import RedistCore
import RedistModel

/// The view model of `trustees.html`: every figure already formatted and
/// every sentence already written, so the template only places them. The
/// wording that needs no figures (headings, captions, notes) lives in
/// `reports/templates/trustees.mustache`, where staff can change it.
///
/// Each chart is built from the same rows as the table printed beside it,
/// and each comes with a sentence that says what it shows.
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
    var say: Wording { Wording(pipeline) }

    /// Kinds of spending in the order reports list them (hosting fees are a
    /// movement between the organisation's own funds org-wide, so not here).
    static let passedOn: [Category] = [.redistributedGrant, .redistributedSmallCosts, .redistributedHosted, .redistributedPayment]
    static let kept: [Category] = [.retainedStaff, .retainedProgramme, .retainedOverhead]

    public func viewModel() -> [String: Any] {
        let engine = MeasureEngine(data: data)
        let org = summary.first { $0.scope.kind == .organisation } ?? engine.organisation(period)
        let ytd = engine.organisation(engine.yearToDate(period))
        let trend = engine.trendQuarters(endingWith: period).map { engine.organisation($0) }
        let this = say.this(period)

        var model: [String: Any] = [
            "organisation": pipeline.organisation.name,
            "periodName": say.fullName(period),
            "periodShort": say.shortName(period),
            "periodLabel": period.label,
            "periodNoun": period.calendarQuarter != nil ? "quarter" : "period",
            "asAt": data.asAt.map(say.day) ?? "no data",
            "headline": headline(org),
            "income": say.money(org.income),
            "redistributed": say.money(org.redistributed),
            "retained": say.money(org.retained),
            "rate": say.percent(org.rate),
            "unclassified": say.money(org.unclassified),
            "committed": say.money(org.committed),
            "held": say.money(org.held),
            "heldOwn": say.money(org.held - org.heldHosted),
            "heldHosted": say.money(org.heldHosted),
            "groups": String(org.groupsReached),
            "firstTime": String(org.firstTimeGroups),
            "individuals": String(org.individualsPaid),
            "funds": summary.filter { $0.scope.kind == .fund }.map { m -> [String: Any] in
                var row = scopeRow(m)
                row["type"] = pipeline.fund(m.scope.id)?.type.rawValue ?? "not declared"
                return row
            },
            "funders": summary.filter { $0.scope.kind == .funder }.map(scopeRow),
        ]
        model["figureSentences"] = figureSentences(org)
        model["sentenceRedistributed"] = "We passed \(say.pounds(org.redistributed)) on to groups and members \(this), and kept \(say.pounds(org.retained)) for our own staff, delivery and overheads."
        model["sentenceHeld"] = "At the end of the \(model["periodNoun"]!) we held \(say.pounds(org.held)). Of that, \(say.pounds(org.heldHosted)) belongs to the projects we host: it is their money, not our reserves."
        model["sentenceReach"] = "\(capitalised(say.count(org.groupsReached, "group"))) received money \(this), \(newcomers(org.firstTimeGroups, of: org.groupsReached)); we also paid \(say.count(org.individualsPaid, "person", "people")) for their expertise."
        if let t = org.timeToMoney {
            model["sentenceTime"] = "Grants paid \(this) reached groups a median of \(t.median) days after they were awarded; nine in ten within \(t.p90) days (\(say.count(t.count, "grant")))."
        } else {
            model["sentenceTime"] = "No grant from our register was paid \(this), so there is no time-to-money figure."
        }
        model["sentenceCommitted"] = org.committed == 0
            ? "Every grant we have promised has been paid."
            : "We have promised \(say.pounds(org.committed)) in grants that are not yet paid."
        model.merge(yearToDate(org, ytd)) { $1 }
        model.merge(whereTheMoneyWent(org)) { $1 }
        model.merge(quarters(trend)) { $1 }
        model["reconciliation"] = reconciliationModel()
        model.merge(qualityModel(org, trend: trend)) { $1 }
        return model
    }

    func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// "3 of them for the first time", "none of them for the first time", "all for the first time".
    func newcomers(_ first: Int, of all: Int) -> String {
        if all == 0 { return "so none for the first time" }
        if first == 0 { return all == 1 ? "not for the first time" : "none of them for the first time" }
        if first == all { return all == 1 ? "for the first time" : "all of them for the first time" }
        return "\(first) of them for the first time"
    }

    /// "Of every £1 we spent this quarter, 41p reached groups directly."
    func headline(_ org: ScopeMeasures) -> String {
        let this = say.this(period)
        guard let pence = org.penceInThePound else { return "We recorded no classified spending \(this)." }
        if say.symbol == "£" || say.symbol == "€" || say.symbol == "$" {
            let unit = say.symbol == "£" ? "p" : say.symbol == "€" ? " cents" : "¢"
            return "Of every \(say.one) we spent \(this), \(pence)\(unit) reached groups directly."
        }
        return "Of all we spent \(this), \(say.percent(org.rate)) reached groups directly."
    }

    /// One sentence for each headline figure, to be read aloud.
    func figureSentences(_ org: ScopeMeasures) -> [[String: String]] {
        let this = say.this(period)
        var rows: [[String: String]] = [
            ["value": say.percent(org.rate), "text": "of the money we spent \(this) reached groups directly."],
            ["value": say.money(org.redistributed), "text": "passed on to groups and members."],
            ["value": say.money(org.retained), "text": "kept for our own staff, delivery and overheads."],
            ["value": say.money(org.income), "text": "came in from funders, donors and hosted projects."],
            ["value": String(org.groupsReached), "text": org.groupsReached == 1 ? "group received money from us, \(newcomers(org.firstTimeGroups, of: 1))." : "groups received money from us, \(newcomers(org.firstTimeGroups, of: org.groupsReached))."],
        ]
        rows.append(["value": say.money(org.unclassified),
                     "text": org.unclassified == 0 ? "left unclassified: every payment has a kind." : "not yet classified, so in neither figure above."])
        return rows
    }

    func scopeRow(_ m: ScopeMeasures) -> [String: Any] {
        ["name": m.scope.name, "id": m.scope.id, "income": say.money(m.income), "redistributed": say.money(m.redistributed),
         "retained": say.money(m.retained), "rate": say.percent(m.rate), "committed": say.money(m.committed), "held": say.money(m.held),
         "groups": String(m.groupsReached)]
    }

    // MARK: The year to date beside the quarter

    func yearToDate(_ org: ScopeMeasures, _ ytd: ScopeMeasures) -> [String: Any] {
        func row(_ name: String, _ q: String, _ y: String) -> [String: String] { ["name": name, "quarter": q, "ytd": y] }
        let rows = [
            row("Came in", say.money(org.income), say.money(ytd.income)),
            row("Passed on to groups and members", say.money(org.redistributed), say.money(ytd.redistributed)),
            row("Kept for our own work", say.money(org.retained), say.money(ytd.retained)),
            row("Share of spending that reached groups", say.percent(org.rate), say.percent(ytd.rate)),
            row("Not yet classified", say.money(org.unclassified), say.money(ytd.unclassified)),
            row("Groups that received money", String(org.groupsReached), String(ytd.groupsReached)),
            row("People paid for their expertise", String(org.individualsPaid), String(ytd.individualsPaid)),
        ]
        let fy = say.financialYear.name(containing: period.end)
        var sentence = "So far this financial year (\(say.dates(ytd.period))) \(say.pounds(ytd.income)) came in; we passed on \(say.pounds(ytd.redistributed)) to groups and kept \(say.pounds(ytd.retained))"
        if let pence = ytd.penceInThePound, say.symbol == "£" {
            sentence += ": \(pence)p of every £1 we spent."
        } else {
            sentence += ", a rate of \(say.percent(ytd.rate))."
        }
        return ["ytdHeading": "The year to date", "ytdYear": fy, "ytdDates": say.dates(ytd.period), "ytdRows": rows,
                "ytdSentence": sentence, "ytdRate": say.percent(ytd.rate)]
    }

    // MARK: Where the money went

    func whereTheMoneyWent(_ org: ScopeMeasures) -> [String: Any] {
        let spent = org.redistributed + org.retained
        let categories = Self.passedOn + Self.kept
        let rows: [[String: Any]] = categories.map { c in
            ["name": c.title, "kind": c.isRedistributed ? "Reached groups" : "Kept by us", "amount": say.money(org.spent(c)),
             "share": spent == 0 ? "–" : say.percent(Rounding.ratio(org.spent(c), spent, places: 4))]
        }
        func share(_ part: Int64) -> String {
            guard spent > 0 else { return "nothing spent" }
            let pence = Rounding.divideHalfUp(part * 100, spent)
            return say.symbol == "£" ? "\(pence)p of every £1" : "\(pence)% of spending"
        }
        let groups = [
            Charts.BarGroup(title: "Reached groups: \(say.pounds(org.redistributed)), \(share(org.redistributed))",
                            bars: Self.passedOn.map { Charts.Bar(label: $0.title, value: org.spent($0), valueLabel: say.pounds(org.spent($0))) },
                            hatched: false, colour: Palette.redistributed),
            Charts.BarGroup(title: "Kept by us: \(say.pounds(org.retained)), \(share(org.retained))",
                            bars: Self.kept.map { Charts.Bar(label: $0.title, value: org.spent($0), valueLabel: say.pounds(org.spent($0))) },
                            hatched: true, colour: Palette.retained),
        ]
        let description = "Horizontal bars, one for each kind of spending in \(say.shortName(period)). Solid bars reached groups: "
            + Self.passedOn.map { "\($0.title) \(say.pounds(org.spent($0)))" }.joined(separator: ", ")
            + ". Hatched bars were kept by us: " + Self.kept.map { "\($0.title) \(say.pounds(org.spent($0)))" }.joined(separator: ", ") + "."
        let chart = Charts.groupedBars(groups, title: "Where the money went, \(say.shortName(period))", description: description, id: "where")

        var sentence = headline(org)
        if let top = Self.passedOn.max(by: { org.spent($0) < org.spent($1) }), org.spent(top) > 0,
           let keep = Self.kept.max(by: { org.spent($0) < org.spent($1) }), org.spent(keep) > 0 {
            sentence += " The largest part of what reached groups was \(top.title.lowercased()) (\(say.pounds(org.spent(top)))); the largest part of what we kept paid for \(keep.title.lowercased()) (\(say.pounds(org.spent(keep))))."
        }
        if org.unclassified > 0 {
            sentence += " A further \(say.pounds(org.unclassified)) is not yet classified and is in neither group."
        }
        return ["categories": rows, "whereChart": chart, "whereSentence": sentence]
    }

    // MARK: Quarter by quarter

    func quarters(_ trend: [ScopeMeasures]) -> [String: Any] {
        let names = trend.map { say.shortName($0.period) }
        let ticks = trend.map { Charts.Tick(label: say.shortName($0.period), sublabel: say.shortMonths($0.period)) }
        let rows: [[String: Any]] = trend.map { m in
            ["quarter": say.shortName(m.period), "dates": say.months(m.period), "redistributed": say.money(m.redistributed),
             "retained": say.money(m.retained), "rate": say.percent(m.rate), "unclassified": say.money(m.unclassified),
             "groups": String(m.groupsReached), "firstTime": String(m.firstTimeGroups), "people": String(m.individualsPaid)]
        }
        let span = trend.count == 1 ? "the one quarter our data covers" : "the \(trend.count) quarters shown"

        // The redistribution rate.
        let rates = trend.map { say.basisPoints($0.rate) }
        let rateChart = Charts.lines(
            [Charts.Series(name: "Share that reached groups", values: rates, valueLabels: trend.map { say.percent($0.rate) },
                           colour: Palette.redistributed, style: .solid, marker: .circle, pointLabels: .above, missingLabel: "no rate")],
            ticks: ticks, axis: .percent, title: "Share of spending that reached groups",
            description: "A line of the share of spending that reached groups in each quarter, on a scale from 0 to 100%: "
                + zip(names, trend).map { "\($0) \($1.rate == nil ? "no rate" : say.percent($1.rate))" }.joined(separator: ", ") + ".",
            id: "rate", endLabels: false)

        // Money passed on and kept, on one axis in money (no second axis).
        let anyUnclassified = trend.contains { $0.unclassified > 0 }
        var series = [
            Charts.Series(name: "Reached groups", values: trend.map { $0.redistributed }, valueLabels: trend.map { say.pounds($0.redistributed) },
                          colour: Palette.redistributed, style: .solid, marker: .circle),
            Charts.Series(name: "Kept by us", values: trend.map { $0.retained }, valueLabels: trend.map { say.pounds($0.retained) },
                          colour: Palette.retained, style: .dashed, marker: .square),
        ]
        if anyUnclassified {
            series.append(Charts.Series(name: "Not yet classified", values: trend.map { $0.unclassified },
                                        valueLabels: trend.map { say.pounds($0.unclassified) },
                                        colour: Palette.unclassified, style: .dotted, marker: .triangle))
        }
        let amountsChart = Charts.lines(
            series, ticks: ticks, axis: .money(symbol: say.symbol, minorDigits: say.currency.minorDigits),
            title: "Money passed on and kept, by quarter",
            description: "Lines of the money that reached groups (solid line, circles) and the money we kept (dashed line, squares)"
                + (anyUnclassified ? " and the spending not yet classified (dotted line, triangles)" : "") + ", by quarter: "
                + zip(names, trend).map { "\($0): reached groups \(say.pounds($1.redistributed)), kept \(say.pounds($1.retained))"
                    + (anyUnclassified ? ", not yet classified \(say.pounds($1.unclassified))" : "") }.joined(separator: "; ") + ".",
            id: "amounts")

        // Reach: groups, and first-time groups, per quarter. Counts only:
        // never by region or characteristic, which the trustees' report leaves to suppressed tables.
        let reachChart = Charts.lines(
            [Charts.Series(name: "All groups", values: trend.map { Int64($0.groupsReached) }, valueLabels: trend.map { String($0.groupsReached) },
                           colour: Palette.redistributed, style: .solid, marker: .circle, pointLabels: .above),
             Charts.Series(name: "First time", values: trend.map { Int64($0.firstTimeGroups) }, valueLabels: trend.map { String($0.firstTimeGroups) },
                           colour: Palette.retained, style: .dashed, marker: .square, pointLabels: .below)],
            ticks: ticks, axis: .count, title: "Groups that received money, by quarter",
            description: "Two lines, by quarter: the number of groups that received money (solid line, circles) and how many of them received money from us for the first time (dashed line, squares). "
                + zip(names, trend).map { "\($0): \($1.groupsReached) groups, \($1.firstTimeGroups) for the first time" }.joined(separator: "; ") + ".",
            id: "reach", endValues: false)

        return ["trendRows": rows, "trendCount": String(trend.count), "rateChart": rateChart, "amountsChart": amountsChart,
                "reachChart": reachChart, "rateSentence": rateSentence(trend, span: span),
                "amountsSentence": amountsSentence(trend, span: span), "reachSentence": reachSentence(trend, span: span),
                "firstQuarterNote": firstQuarterNote(trend) ?? "", "hasFirstQuarterNote": firstQuarterNote(trend) != nil]
    }

    func rateSentence(_ trend: [ScopeMeasures], span: String) -> String {
        guard let current = trend.last else { return "There is no spending to show yet." }
        var parts: [String] = []
        let name = say.shortName(current.period)
        if let bp = say.basisPoints(current.rate) {
            var s = "In \(name), \(say.percent(current.rate)) of our spending reached groups"
            if let previous = trend.dropLast().last(where: { $0.rate != nil }), let pbp = say.basisPoints(previous.rate) {
                let now = Rounding.divideHalfUp(bp, 10), then = Rounding.divideHalfUp(pbp, 10)
                let direction = now > then ? "up from" : now < then ? "down from" : "the same as"
                s += ", \(direction) \(say.percent(previous.rate)) in \(say.shortName(previous.period))"
            }
            parts.append(s + ".")
        } else {
            parts.append("\(name) has no rate, because none of its spending has been classified yet.")
        }
        let known = trend.filter { $0.rate != nil }
        if known.count >= 3, let low = known.min(by: { say.basisPoints($0.rate)! < say.basisPoints($1.rate)! }),
           let high = known.max(by: { say.basisPoints($0.rate)! < say.basisPoints($1.rate)! }) {
            parts.append("Over \(span) it ranged from \(say.percent(low.rate)) (\(say.shortName(low.period))) to \(say.percent(high.rate)) (\(say.shortName(high.period))).")
        }
        for m in trend.dropLast() where m.rate == nil {
            parts.append(m.unclassified > 0
                ? "\(say.shortName(m.period)) has no rate: none of its \(say.pounds(m.unclassified)) of spending has been classified yet."
                : "\(say.shortName(m.period)) has no rate: we recorded no spending in it.")
        }
        for m in trend where m.rate != nil && m.unclassified * 10 > m.redistributed + m.retained + m.unclassified {
            parts.append("In \(say.shortName(m.period)) more than a tenth of spending (\(say.pounds(m.unclassified))) is not yet classified, so its rate may change.")
        }
        return parts.joined(separator: " ")
    }

    func amountsSentence(_ trend: [ScopeMeasures], span: String) -> String {
        guard let current = trend.last else { return "" }
        let redistributed = trend.reduce(0) { $0 + $1.redistributed }, retained = trend.reduce(0) { $0 + $1.retained }
        var s = "In \(say.shortName(current.period)) we passed on \(say.pounds(current.redistributed)) to groups and kept \(say.pounds(current.retained))."
        if trend.count > 1 {
            s += " Over \(span) we passed on \(say.pounds(redistributed)) and kept \(say.pounds(retained))."
        }
        let unclassified = trend.reduce(0) { $0 + $1.unclassified }
        if unclassified > 0, let most = trend.max(by: { $0.unclassified < $1.unclassified }) {
            s += " The dotted line is spending no rule has classified yet, \(say.pounds(unclassified)) in all"
            s += most.unclassified * 2 > unclassified ? ", most of it in \(say.shortName(most.period)) (\(say.pounds(most.unclassified)))." : "."
        }
        return s
    }

    func reachSentence(_ trend: [ScopeMeasures], span: String) -> String {
        guard let current = trend.last else { return "" }
        var s = "In \(say.shortName(current.period)), \(say.count(current.groupsReached, "group")) received money, \(newcomers(current.firstTimeGroups, of: current.groupsReached))."
        if trend.count > 1, let low = trend.map(\.groupsReached).min(), let high = trend.map(\.groupsReached).max() {
            s += low == high ? " Each of \(span) reached \(say.count(low, "group"))." : " Over \(span), between \(low) and \(high) groups received money each quarter."
        }
        // Money that reached groups without saying which: the count would mislead if we said nothing.
        for m in trend where m.redistributed > 0 && m.groupsReached == 0 {
            s += " In \(say.shortName(m.period)) \(say.pounds(m.redistributed)) reached groups, but the records it came from do not say who received it, so those groups are not counted."
        }
        return s
    }

    /// When the first quarter shown is the first the data holds, every group in it is "first time".
    func firstQuarterNote(_ trend: [ScopeMeasures]) -> String? {
        guard let first = trend.first, let earliest = data.ledger.map(\.date).min(), first.period.contains(earliest) else { return nil }
        return "Our records start in \(say.shortName(first.period)), so every group paid in that quarter counts as paid for the first time."
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
        // The differences, one table per kind of check; a side with nothing says what is missing.
        let unmatched = reconciliation.filter { $0.status != .matched }
        let differences: [[String: Any]] = ["funder-payments", "funder-grant-totals", "grants-payments", "bank-statement"].compactMap { kind in
            let rows = unmatched.filter { $0.kind == kind }
            guard !rows.isEmpty else { return nil }
            return ["name": names[kind]!, "id": "differences-\(kind)", "count": say.count(rows.count, "difference"),
                    "leftName": capitalised(rows.map(\.leftSource).first { !$0.isEmpty } ?? "One side"),
                    "rightName": capitalised(rows.map(\.rightSource).first { !$0.isEmpty } ?? "Other side"),
                    "rows": rows.map { r -> [String: Any] in
                        ["left": r.leftAmount.map(say.money) ?? "–",
                         "leftRef": r.leftAmount == nil && r.leftRef.isEmpty ? "not found" : shortReference("", r.leftRef),
                         "right": r.rightAmount.map(say.money) ?? "–",
                         "rightRef": r.rightAmount == nil && r.rightRef.isEmpty ? "not found" : shortReference("", r.rightRef),
                         "difference": say.money(r.difference), "date": (r.leftDate ?? r.rightDate).map { "\($0)" } ?? ""]
                    }]
        }
        let sentence: String
        if reconciliation.isEmpty {
            sentence = "There was nothing to reconcile \(say.this(period)): no funder file, grants register or bank statement covers it."
        } else if differences.isEmpty {
            sentence = "Every payment we checked agrees between the sources: \(reconciliation.count) checked, none differ."
        } else {
            sentence = "We checked \(reconciliation.count) payments that two sources both record; \(unmatched.count) do not agree and are listed below for staff to look into. Until they are explained, treat the figures they touch with care."
        }
        return ["kinds": kinds, "differences": differences, "hasDifferences": !differences.isEmpty, "sentence": sentence,
                "hasKinds": !kinds.isEmpty]
    }

    // MARK: How far to trust these figures

    func qualityModel(_ org: ScopeMeasures, trend: [ScopeMeasures]) -> [String: Any] {
        let this = say.this(period)
        let rejects = data.files.reduce(0) { $0 + $1.rowsRejected }
        let failed = data.files.filter { $0.failure != nil }
        var sentences: [String] = []
        if rejects == 0 && failed.isEmpty {
            sentences.append("Every row of every export was read: none was rejected.")
        }
        if !failed.isEmpty {
            sentences.append("\(say.count(failed.count, "file")) could not be read at all, so nothing in \(failed.count == 1 ? "it" : "them") is in these figures: \(failed.map(\.path).joined(separator: ", ")). Staff should export \(failed.count == 1 ? "it" : "them") again and re-run.")
        }
        if rejects > 0 {
            sentences.append("\(capitalised(say.count(rejects, "row"))) \(rejects == 1 ? "was" : "were") rejected because a date or amount could not be read, so \(rejects == 1 ? "it is" : "they are") not in these figures. What to do: correct \(rejects == 1 ? "it" : "each") in the accounting system at the file, line and column listed below, export again and re-run.")
        }
        if org.unclassifiedCount == 0 {
            sentences.append("Every payment \(this) was matched to a kind of spending by a rule.")
        } else {
            let n = org.unclassifiedCount
            sentences.append("\(capitalised(say.count(n, "payment"))) worth \(say.money(org.unclassified)) matched no rule, so \(n == 1 ? "it is" : "they are") in neither the passed-on nor the kept figure, and the rate does not count \(n == 1 ? "it" : "them"). What to do: staff add a [[rule]] to the pipeline file for \(n == 1 ? "it" : "them") (the account and fund are listed below) and re-run.")
        }
        let earlier = trend.dropLast().filter { $0.unclassified > 0 }
        if !earlier.isEmpty {
            sentences.append("Earlier quarters also hold unclassified spending: " + earlier.map { "\(say.pounds($0.unclassified)) in \(say.shortName($0.period))" }.joined(separator: ", ") + ". A new rule corrects those quarters too the next time the report is run.")
        }
        let differences = reconciliation.filter { $0.status != .matched }.count
        if differences > 0 {
            sentences.append("\(capitalised(say.count(differences, "payment"))) recorded in two places \(differences == 1 ? "does" : "do") not agree (see “Do the sources agree?”). What to do: staff check each against the bank statement and the funder's letter, correct whichever source is wrong, and re-run; until then the figures those payments touch may be out by the differences shown.")
        }
        if data.duplicatesDropped > 0 {
            sentences.append("\(capitalised(say.count(data.duplicatesDropped, "row"))) appeared in more than one export (a quarter and a year-to-date) and \(data.duplicatesDropped == 1 ? "was" : "were") counted once. Nothing needs doing.")
        }

        // Reconciliation differences have their own section above.
        let attention = quality.filter { ($0.severity == "error" || $0.severity == "warning") && !$0.check.hasPrefix("reconcile.") }
        let limit = 30
        let issues: [[String: Any]] = attention.prefix(limit).map { r in
            ["where": r.file.isEmpty ? "the pipeline" : r.file + (r.location.isEmpty ? "" : ", " + r.location), "what": r.message,
             "amount": r.amount.isEmpty ? "" : AmountParser(digits: say.currency.minorDigits).parse(r.amount).map(say.money) ?? r.amount]
        }
        let files: [[String: Any]] = data.files.map { f in
            ["source": f.source, "path": f.path, "read": String(f.rowsRead), "loaded": String(f.rowsLoaded),
             "rejected": String(f.rowsRejected), "skipped": String(f.rowsSkipped), "sha": String(f.sha256.prefix(16)),
             "failure": f.failure ?? "", "hasFailure": f.failure != nil]
        }
        return ["qualitySentences": sentences.map { ["text": $0] }, "issues": issues, "hasIssues": !issues.isEmpty,
                "issuesMore": "\(attention.count - limit) more are in quality.csv.", "hasMoreIssues": attention.count > limit,
                "files": files]
    }

    public func render(_ templates: Templates) throws -> String {
        try templates.render(viewModel(), template: "trustees")
    }
}
