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

    /// The whole page: the period, the organisation's figures, and a view
    /// for each section (the names are the templates' names).
    struct TrusteesView {
        let organisation: String
        let periodName: String, periodShort: String, periodLabel: String, periodNoun: String
        let this: String, This: String
        let emptyPeriod: Bool
        let one: String, asAt: String
        let income: String, redistributed: String, retained: String, rate: String, unclassified: String
        let committed: String, held: String, heldOwn: String, heldHosted: String
        let groups: String, firstTime: String, individuals: String
        let pounds: Pounds
        let headline: Words.Share
        let groupsReached: Words.Count
        let newcomers: Words.Newcomers
        let peoplePaid: Words.Count
        let hasCommitted: Bool, hasUnclassified: Bool, hasUnclassifiedOut: Bool, hasUnclassifiedIn: Bool
        let unclassifiedOut: String, unclassifiedIn: String
        let funds: [ScopeRow], funders: [ScopeRow]
        /// Nil where no grant from the register was paid (`hasTime` false).
        let time: TimeToMoneyView?
        let hasTime: Bool
        let ytd: YearToDateView
        let movements: FundMovementsView
        let hasYearMovements: Bool
        let yearMovements: FundMovementsView
        let reserves: ReservesView
        let fits: Fits
        let categories: [CategoryRow]
        let `where`: WhereView
        let trendRows: [TrendRow]
        let trend: TrendView
        let reconciliation: ReconciliationView
        let bank: BankView
        let lastYear: LastYearView
        let quality: QualityView
        let named: NamedGroupsView
        let unread: UnreadFlags
        /// The charts, drawn once their words are rendered from the rest of the view.
        var whereChart = "", rateChart = "", amountsChart = "", reachChart = ""
    }

    /// The organisation's money rounded to whole pounds, for sentences read aloud.
    struct Pounds {
        let income: String, redistributed: String, retained: String, held: String, heldHosted: String, committed: String, unclassified: String
    }

    /// Days from award to payment: the median, nine in ten, and how many grants.
    struct TimeToMoneyView {
        let median: Words.Count, p90: Words.Count, grants: Words.Count
    }

    /// Figures and the facts the wording depends on; with the templates,
    /// the charts too, whose words come from `chart-*.mustache`.
    func viewModel(_ templates: Templates) throws -> TrusteesView {
        let engine = MeasureEngine(data: data)
        let org = summary.first { $0.scope.kind == .organisation } ?? engine.organisation(period)
        let ytd = engine.organisation(engine.yearToDate(period))
        let trend = engine.trendQuarters(endingWith: period).map { engine.organisation($0) }
        let movements = engine.fundMovements(period)

        var view = TrusteesView(
            organisation: pipeline.organisation.name,
            periodName: say.fullName(period), periodShort: say.shortName(period), periodLabel: period.label,
            periodNoun: period.calendarQuarter != nil ? "quarter" : "period",
            this: say.this(period), This: capitalised(say.this(period)),
            emptyPeriod: data.hasNoLedgerMovements(in: period),
            one: say.one,
            asAt: data.asAt(period).map(say.day) ?? "no data",
            income: say.money(org.income), redistributed: say.money(org.redistributed), retained: say.money(org.retained),
            rate: say.percent(org.rate), unclassified: say.money(org.unclassifiedOut),
            committed: say.money(org.committed), held: say.money(org.held),
            heldOwn: say.money(org.held - org.heldHosted), heldHosted: say.money(org.heldHosted),
            groups: String(org.groupsReached), firstTime: String(org.firstTimeGroups), individuals: String(org.individualsPaid),
            pounds: Pounds(income: say.pounds(org.income), redistributed: say.pounds(org.redistributed), retained: say.pounds(org.retained),
                           held: say.pounds(org.held), heldHosted: say.pounds(org.heldHosted), committed: say.pounds(org.committed),
                           unclassified: say.pounds(org.unclassifiedOut)),
            headline: Words.headline(org, say),
            groupsReached: Words.count(org.groupsReached),
            newcomers: Words.newcomers(org.firstTimeGroups, of: org.groupsReached),
            peoplePaid: Words.count(org.individualsPaid),
            hasCommitted: org.committed != 0,
            hasUnclassified: org.unclassifiedOut != 0 || org.unclassifiedIn != 0,
            hasUnclassifiedOut: org.unclassifiedOut != 0, hasUnclassifiedIn: org.unclassifiedIn != 0,
            unclassifiedOut: say.money(org.unclassifiedOut), unclassifiedIn: say.money(org.unclassifiedIn),
            funds: summary.filter { $0.scope.kind == .fund }.map { m in
                scopeRow(m, type: pipeline.fund(m.scope.id)?.type.rawValue ?? "not declared")
            },
            // What came in from each funder, as its evidence pack says it: grant income from it into any fund.
            funders: summary.filter { $0.scope.kind == .funder }.map { m in
                scopeRow(m, given: pipeline.funder(m.scope.id).map { say.money(engine.evidence(for: $0, period: period, reconciliation: []).given) })
            },
            time: org.timeToMoney.map { TimeToMoneyView(median: Words.count($0.median), p90: Words.count($0.p90), grants: Words.count($0.count)) },
            hasTime: org.timeToMoney != nil,
            ytd: yearToDate(org, ytd),
            movements: fundMovementsModel(movements, id: "movements"),
            hasYearMovements: ytd.period.start != period.start,
            yearMovements: fundMovementsModel(engine.fundMovements(ytd.period), id: "year-movements"),
            reserves: reservesModel(movements),
            fits: fits(org, ytd),
            categories: categories(org),
            where: whereTheMoneyWent(org),
            trendRows: trendRows(trend),
            trend: trendView(trend),
            reconciliation: reconciliationModel(),
            bank: bankModel(),
            lastYear: sameQuarterLastYear(org, engine),
            quality: qualityModel(org, trend: trend),
            named: namedGroups(org),
            unread: data.unreadFlags)
        view.whereChart = try whereChart(org, templates.chartWords("chart-where", view))
        let charts = try trendCharts(trend, rate: templates.chartWords("chart-rate", view), amounts: templates.chartWords("chart-amounts", view),
                                     reach: templates.chartWords("chart-reach", view))
        (view.rateChart, view.amountsChart, view.reachChart) = (charts.rate, charts.amounts, charts.reach)
        return view
    }

    /// A fund's row (with its `type`) or a funder's (with what it `given`, where the pipeline declares it).
    struct ScopeRow {
        let name: String, id: String
        let income: String, redistributed: String, retained: String, rate: String, committed: String, held: String, groups: String
        var type: String? = nil
        var given: String? = nil
    }

    func scopeRow(_ m: ScopeMeasures, type: String? = nil, given: String? = nil) -> ScopeRow {
        ScopeRow(name: m.scope.name, id: m.scope.id, income: say.money(m.income), redistributed: say.money(m.redistributed),
                 retained: say.money(m.retained), rate: say.percent(m.rate), committed: say.money(m.committed), held: say.money(m.held),
                 groups: String(m.groupsReached), type: type, given: given)
    }

    // MARK: The year to date beside the quarter

    /// A figure for the quarter and for the year to date.
    struct QuarterAndYear {
        let quarter: String, ytd: String
    }

    /// The year to date: its sentence's figures and the table's rows, by name, so the template words each one.
    struct YearToDateView {
        struct Rows {
            let income: QuarterAndYear, redistributed: QuarterAndYear, retained: QuarterAndYear, rate: QuarterAndYear
            let unclassified: QuarterAndYear, groups: QuarterAndYear, people: QuarterAndYear
            /// A row only where some money came in that no rule classified: empty or one row, never
            /// missing, so the template does not find the page's own `unclassifiedIn` instead.
            let unclassifiedIn: [QuarterAndYear]
        }
        let year: String, dates: String
        let income: String, redistributed: String, retained: String
        let share: Words.Share
        let rows: Rows
    }

    func yearToDate(_ org: ScopeMeasures, _ ytd: ScopeMeasures) -> YearToDateView {
        YearToDateView(
            year: say.financialYear.name(containing: period.end), dates: say.dates(ytd.period),
            income: say.pounds(ytd.income), redistributed: say.pounds(ytd.redistributed), retained: say.pounds(ytd.retained),
            share: Words.headline(ytd, say),
            rows: .init(income: QuarterAndYear(quarter: say.money(org.income), ytd: say.money(ytd.income)),
                        redistributed: QuarterAndYear(quarter: say.money(org.redistributed), ytd: say.money(ytd.redistributed)),
                        retained: QuarterAndYear(quarter: say.money(org.retained), ytd: say.money(ytd.retained)),
                        rate: QuarterAndYear(quarter: say.percent(org.rate), ytd: say.percent(ytd.rate)),
                        unclassified: QuarterAndYear(quarter: say.money(org.unclassifiedOut), ytd: say.money(ytd.unclassifiedOut)),
                        groups: QuarterAndYear(quarter: String(org.groupsReached), ytd: String(ytd.groupsReached)),
                        people: QuarterAndYear(quarter: String(org.individualsPaid), ytd: String(ytd.individualsPaid)),
                        unclassifiedIn: org.unclassifiedIn == 0 && ytd.unclassifiedIn == 0 ? []
                            : [QuarterAndYear(quarter: say.money(org.unclassifiedIn), ytd: say.money(ytd.unclassifiedIn))]))
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

    /// A row of the spending table.
    struct CategoryRow {
        let name: String, reachedGroups: Bool, amount: String, pounds: String, share: String
    }

    func categories(_ org: ScopeMeasures) -> [CategoryRow] {
        let spent = org.redistributed + org.retained
        return shownKinds(Self.passedOn + Self.kept, org).map { c in
            CategoryRow(name: c.title, reachedGroups: c.isRedistributed, amount: say.money(org.spent(c)), pounds: say.pounds(org.spent(c)),
                        share: spent == 0 ? "–" : say.percent(Rounding.ratio(org.spent(c), spent, places: 4)))
        }
    }

    /// A kind of spending in a sentence's list, in whole pounds.
    struct KindPounds: ListItem {
        let name: String, pounds: String
        var first = false, last = false
    }

    /// The sentences about where the money went: the kinds in each group,
    /// each group's share, and the largest kind in each (`hasLargest` where both have one).
    struct WhereView {
        let passedOnKinds: [KindPounds], keptKinds: [KindPounds]
        let passedOnShare: Words.Share, keptShare: Words.Share
        var hasLargest = false
        var largestPassedOn = "", largestPassedOnAmount = "", largestKept = "", largestKeptAmount = ""
    }

    func whereTheMoneyWent(_ org: ScopeMeasures) -> WhereView {
        let spent = org.redistributed + org.retained
        var view = WhereView(passedOnKinds: Words.list(shownKinds(Self.passedOn, org).map { KindPounds(name: $0.title, pounds: say.pounds(org.spent($0))) }),
                             keptKinds: Words.list(Self.kept.map { KindPounds(name: $0.title, pounds: say.pounds(org.spent($0))) }),
                             passedOnShare: Words.share(org.redistributed, of: spent, say),
                             keptShare: Words.share(org.retained, of: spent, say))
        if let top = Self.passedOn.max(by: { org.spent($0) < org.spent($1) }), org.spent(top) > 0,
           let keep = Self.kept.max(by: { org.spent($0) < org.spent($1) }), org.spent(keep) > 0 {
            view.hasLargest = true
            view.largestPassedOn = top.title.lowercased()
            view.largestPassedOnAmount = say.pounds(org.spent(top))
            view.largestKept = keep.title.lowercased()
            view.largestKeptAmount = say.pounds(org.spent(keep))
        }
        return view
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

    /// A quarter's row in the tables and the charts' descriptions.
    struct TrendRow: ListItem {
        let quarter: String, dates: String
        let redistributed: String, retained: String, rate: String, hasRate: Bool, unclassified: String
        let groups: String, firstTime: String, people: String
        let poundsRedistributed: String, poundsRetained: String, poundsUnclassified: String
        var first = false, last = false
    }

    func trendRows(_ trend: [ScopeMeasures]) -> [TrendRow] {
        Words.list(trend.map { m in
            TrendRow(quarter: say.shortName(m.period), dates: say.months(m.period), redistributed: say.money(m.redistributed),
                     retained: say.money(m.retained), rate: say.percent(m.rate), hasRate: m.rate != nil, unclassified: say.money(m.unclassifiedOut),
                     groups: String(m.groupsReached), firstTime: String(m.firstTimeGroups), people: String(m.individualsPaid),
                     poundsRedistributed: say.pounds(m.redistributed), poundsRetained: say.pounds(m.retained),
                     poundsUnclassified: say.pounds(m.unclassifiedOut))
        })
    }

    /// The quarter of the report, in the sentences about the trend.
    struct CurrentQuarter {
        let name: String, hasRate: Bool, rate: String, redistributed: String, retained: String
        let groups: Words.Count
        let newcomers: Words.Newcomers
    }

    /// The rate this quarter against the last quarter that had one.
    struct RateChange {
        let up: Bool, down: Bool, same: Bool
        let rate: String, name: String
    }

    /// The lowest and highest rate, and the quarters they were in.
    struct RateRange {
        let low: String, lowName: String, high: String, highName: String
    }

    /// An earlier quarter without a rate.
    struct Unrated {
        let name: String, hasUnclassified: Bool, unclassified: String
    }

    /// A quarter whose rate may move: more than a tenth of its spending is not yet classified.
    struct Uncertain {
        let name: String, unclassified: String
    }

    /// A quarter and an amount in whole pounds (`first` and `last` where a sentence lists them).
    struct QuarterAmount: ListItem {
        let name: String, amount: String
        var first = false, last = false
    }

    struct QuarterName {
        let name: String
    }

    /// The facts of the sentences about the quarters shown. Where a fact is
    /// nil (`current`, `change`, `range`, `mostUnclassified`, `recordsStart`)
    /// its flag beside it is false.
    struct TrendView {
        let single: Bool, n: String, hasCurrent: Bool, anyUnclassified: Bool
        let current: CurrentQuarter?
        let hasChange: Bool, change: RateChange?
        let hasRange: Bool, range: RateRange?
        let unrated: [Unrated], uncertain: [Uncertain]
        let totalRedistributed: String, totalRetained: String, totalUnclassified: String
        let hasMostUnclassified: Bool, mostUnclassified: QuarterAmount?
        let groupsSteady: Bool, groupsLow: String, groupsHigh: String, steadyGroups: Words.Count
        let unnamedReach: [QuarterAmount]
        let recordsStart: QuarterName?, hasRecordsStart: Bool
    }

    func trendView(_ trend: [ScopeMeasures]) -> TrendView {
        let current = trend.last.map { m in
            CurrentQuarter(name: say.shortName(m.period), hasRate: m.rate != nil, rate: say.percent(m.rate),
                           redistributed: say.pounds(m.redistributed), retained: say.pounds(m.retained),
                           groups: Words.count(m.groupsReached), newcomers: Words.newcomers(m.firstTimeGroups, of: m.groupsReached))
        }
        let change = rateChange(trend), range = rateRange(trend), most = mostUnclassified(trend)
        // The fewest and most groups reached in a quarter.
        let counts = trend.map(\.groupsReached)
        let low = counts.min() ?? 0, high = counts.max() ?? 0
        var recordsStart: QuarterName? = nil
        if let first = trend.first, let earliest = data.firstLedgerDate, first.period.contains(earliest) {
            recordsStart = QuarterName(name: say.shortName(first.period))
        }
        return TrendView(
            single: trend.count == 1, n: String(trend.count), hasCurrent: !trend.isEmpty,
            anyUnclassified: trend.contains { $0.unclassifiedOut > 0 },
            current: current,
            hasChange: change != nil, change: change,
            hasRange: range != nil, range: range,
            unrated: trend.dropLast().filter { $0.rate == nil }.map { m in
                Unrated(name: say.shortName(m.period), hasUnclassified: m.unclassifiedOut > 0, unclassified: say.pounds(m.unclassifiedOut))
            },
            uncertain: trend.filter { $0.rate != nil && $0.unclassifiedOut > ($0.redistributed + $0.retained + $0.unclassifiedOut) / 10 }
                .map { m in Uncertain(name: say.shortName(m.period), unclassified: say.pounds(m.unclassifiedOut)) },
            totalRedistributed: say.pounds(trend.reduce(0) { $0 + $1.redistributed }),
            totalRetained: say.pounds(trend.reduce(0) { $0 + $1.retained }),
            totalUnclassified: say.pounds(trend.reduce(0) { $0 + $1.unclassifiedOut }),
            hasMostUnclassified: most != nil, mostUnclassified: most,
            groupsSteady: low == high, groupsLow: String(low), groupsHigh: String(high), steadyGroups: Words.count(low),
            // Any quarter whose money reached groups without the records saying which.
            unnamedReach: trend.filter { $0.redistributed > 0 && $0.groupsReached == 0 }.map { m in
                QuarterAmount(name: say.shortName(m.period), amount: say.pounds(m.redistributed))
            },
            recordsStart: recordsStart, hasRecordsStart: recordsStart != nil)
    }

    /// The rate this quarter against the last quarter that had one.
    func rateChange(_ trend: [ScopeMeasures]) -> RateChange? {
        guard let current = trend.last, let bp = say.basisPoints(current.rate),
              let previous = trend.dropLast().last(where: { $0.rate != nil }), let pbp = say.basisPoints(previous.rate) else { return nil }
        let now = Rounding.divideHalfUp(bp, 10), then = Rounding.divideHalfUp(pbp, 10)
        return RateChange(up: now > then, down: now < then, same: now == then, rate: say.percent(previous.rate), name: say.shortName(previous.period))
    }

    /// The rate's range, where at least three quarters have one.
    func rateRange(_ trend: [ScopeMeasures]) -> RateRange? {
        let known = trend.filter { $0.rate != nil }
        guard known.count >= 3, let low = known.min(by: { say.basisPoints($0.rate)! < say.basisPoints($1.rate)! }),
              let high = known.max(by: { say.basisPoints($0.rate)! < say.basisPoints($1.rate)! }) else { return nil }
        return RateRange(low: say.percent(low.rate), lowName: say.shortName(low.period), high: say.percent(high.rate), highName: say.shortName(high.period))
    }

    /// The quarter holding more than half of the unclassified spending shown, if one does.
    func mostUnclassified(_ trend: [ScopeMeasures]) -> QuarterAmount? {
        let unclassified = trend.reduce(0) { $0 + $1.unclassifiedOut }
        guard unclassified > 0, let most = trend.max(by: { $0.unclassifiedOut < $1.unclassifiedOut }),
              most.unclassifiedOut > unclassified / 2 else { return nil }
        return QuarterAmount(name: say.shortName(most.period), amount: say.pounds(most.unclassifiedOut))
    }

    func trendCharts(_ trend: [ScopeMeasures], rate: ChartWords, amounts: ChartWords, reach: ChartWords) throws
        -> (rate: String, amounts: String, reach: String) {
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
        return (rateChart, amountsChart, reachChart)
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

    /// The four kinds of check, in the order the report gives them.
    static let checks = ["funder-payments", "funder-grant-totals", "grants-payments", "bank-statement"]

    /// A kind of check's line: how many it checked, how many agree and how
    /// many differ. Exactly one of the four flags is true, for `phrase-check.mustache`.
    struct CheckCount {
        let funderPayments: Bool, funderGrantTotals: Bool, grantsPayments: Bool, bankStatement: Bool
        let checked: String, matched: String, differences: String

        init(kind: String, checked: String, matched: String, differences: String) {
            funderPayments = kind == "funder-payments"; funderGrantTotals = kind == "funder-grant-totals"
            grantsPayments = kind == "grants-payments"; bankStatement = kind == "bank-statement"
            self.checked = checked; self.matched = matched; self.differences = differences
        }
    }

    /// One difference: each side's amount and where it is (`leftMissing`
    /// or `rightMissing` where a side has nothing).
    struct DifferenceRow {
        let left: String, leftMissing: Bool, leftRef: String
        let right: String, rightMissing: Bool, rightRef: String
        let difference: String, date: String
    }

    /// The differences of one kind of check, with the names of its two sides where known.
    struct DifferenceTable {
        let funderPayments: Bool, funderGrantTotals: Bool, grantsPayments: Bool, bankStatement: Bool
        let id: String, count: Words.Count
        let hasLeftName: Bool, leftName: String, hasRightName: Bool, rightName: String
        let rows: [DifferenceRow]

        init(kind: String, count: Words.Count, leftName: String?, rightName: String?, rows: [DifferenceRow]) {
            funderPayments = kind == "funder-payments"; funderGrantTotals = kind == "funder-grant-totals"
            grantsPayments = kind == "grants-payments"; bankStatement = kind == "bank-statement"
            id = "differences-\(kind)"; self.count = count
            hasLeftName = leftName != nil; self.leftName = leftName ?? ""
            hasRightName = rightName != nil; self.rightName = rightName ?? ""
            self.rows = rows
        }
    }

    /// Whether the sources agree: a line per kind of check, and every difference in a table.
    struct ReconciliationView {
        let none: Bool, allAgree: Bool, someDiffer: Bool
        let checked: Words.Count, differ: Words.Count
        let kinds: [CheckCount], hasKinds: Bool
        let differences: [DifferenceTable], hasDifferences: Bool
    }

    /// One line per kind of check, and every difference in a table.
    func reconciliationModel() -> ReconciliationView {
        let kinds: [CheckCount] = Self.checks.compactMap { kind in
            let rows = reconciliation.filter { $0.kind == kind }
            guard !rows.isEmpty else { return nil }
            let matched = rows.filter { $0.status == .matched }.count
            return CheckCount(kind: kind, checked: String(rows.count), matched: String(matched), differences: String(rows.count - matched))
        }
        // The differences, one table per kind of check; a side with nothing says what is missing.
        let unmatched = reconciliation.filter { $0.status != .matched }
        let differences: [DifferenceTable] = Self.checks.compactMap { kind in
            let rows = unmatched.filter { $0.kind == kind }
            guard !rows.isEmpty else { return nil }
            let left = rows.map(\.leftSource).first { !$0.isEmpty }, right = rows.map(\.rightSource).first { !$0.isEmpty }
            return DifferenceTable(
                kind: kind, count: Words.count(rows.count), leftName: left.map(capitalised), rightName: right.map(capitalised),
                rows: rows.map { r in
                    DifferenceRow(left: r.leftAmount.map(say.money) ?? "–", leftMissing: r.leftAmount == nil && r.leftRef.isEmpty,
                                  leftRef: shortReference("", r.leftRef),
                                  right: r.rightAmount.map(say.money) ?? "–", rightMissing: r.rightAmount == nil && r.rightRef.isEmpty,
                                  rightRef: shortReference("", r.rightRef),
                                  difference: say.money(r.difference), date: (r.leftDate ?? r.rightDate).map { "\($0)" } ?? "")
                })
        }
        return ReconciliationView(none: reconciliation.isEmpty, allAgree: !reconciliation.isEmpty && differences.isEmpty,
                                  someDiffer: !differences.isEmpty, checked: Words.count(reconciliation.count), differ: Words.count(unmatched.count),
                                  kinds: kinds, hasKinds: !kinds.isEmpty, differences: differences, hasDifferences: !differences.isEmpty)
    }

    func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    // MARK: How far to trust these figures

    /// A row of the table of what needs attention.
    struct Issue {
        let inPipeline: Bool, `where`: String, what: String, amount: String
    }

    /// A file read, with its control totals.
    struct FileRow {
        let source: String, path: String, read: String, loaded: String, rejected: String, skipped: String, sha: String
        let hasFailure: Bool
    }

    /// A funder that gets no evidence pack, in a sentence's list.
    struct FunderName: ListItem {
        let name: String, id: String
        var first = false, last = false
    }

    /// A source of records with no file to read, in a sentence's list.
    struct MissingSource: ListItem {
        let name: String, path: String
        var first = false, last = false
    }

    /// What is wrong with the data and what to do about it.
    struct QualityView {
        let allRead: Bool, allClear: Bool
        let noPack: Words.Count, noPackFunders: [FunderName]
        let failed: Words.Count, failedPaths: String
        let rejected: Words.Count
        let unclassifiedPayments: Words.Count, unclassified: String
        let hasUnclassifiedIn: Bool, unclassifiedIn: String
        /// Earlier quarters with unclassified spending.
        let earlier: [QuarterAmount], hasEarlier: Bool
        let differ: Words.Count
        let duplicates: Words.Count
        let issues: [Issue], hasIssues: Bool
        let more: String, hasMoreIssues: Bool
        let files: [FileRow]
        let missingSources: [MissingSource], hasMissingSources: Bool, missing: Words.Count
    }

    func qualityModel(_ org: ScopeMeasures, trend: [ScopeMeasures]) -> QualityView {
        let rejects = data.files.reduce(0) { $0 + $1.rowsRejected }
        let failed = data.files.filter { $0.failure != nil }
        // Reconciliation differences have their own section above.
        let attention = quality.filter { ($0.severity == "error" || $0.severity == "warning") && !$0.check.isReconciliation }
        let limit = 30
        let issues: [Issue] = attention.prefix(limit).map { r in
            Issue(inPipeline: r.file.isEmpty, where: r.file + (r.location.isEmpty ? "" : ", " + r.location), what: r.shared,
                  amount: r.amount.isEmpty ? "" : AmountParser(digits: say.currency.minorDigits).parse(r.amount).map(say.money) ?? r.amount)
        }
        let files: [FileRow] = data.files.map { f in
            FileRow(source: f.source, path: f.path, read: String(f.rowsRead), loaded: String(f.rowsLoaded),
                    rejected: String(f.rowsRejected), skipped: String(f.rowsSkipped), sha: String(f.sha256.prefix(16)),
                    hasFailure: f.failure != nil)
        }
        let missing = data.sourcesWithoutFiles.map { MissingSource(name: $0.name, path: $0.path) }
        let engine = MeasureEngine(data: data)
        let packs = Set(engine.fundersWithFlows(period).map(\.id))
        let noPack = pipeline.funders.filter { !packs.contains($0.id) }.map { FunderName(name: $0.name, id: $0.id) }
        let differ = reconciliation.filter { $0.status != .matched }.count
        return QualityView(
            allRead: rejects == 0 && failed.isEmpty && data.sourcesWithoutFiles.isEmpty,
            allClear: rejects == 0 && failed.isEmpty && data.sourcesWithoutFiles.isEmpty && org.unclassifiedCount == 0
                && differ == 0 && noPack.isEmpty,
            noPack: Words.count(noPack.count), noPackFunders: Words.list(noPack),
            failed: Words.count(failed.count), failedPaths: failed.map(\.path).joined(separator: ", "),
            rejected: Words.count(rejects),
            unclassifiedPayments: Words.count(org.unclassifiedCount), unclassified: say.money(org.unclassifiedOut),
            hasUnclassifiedIn: org.unclassifiedIn != 0, unclassifiedIn: say.money(org.unclassifiedIn),
            earlier: Words.list(trend.dropLast().filter { $0.unclassifiedOut > 0 }.map {
                QuarterAmount(name: say.shortName($0.period), amount: say.pounds($0.unclassifiedOut))
            }),
            hasEarlier: trend.dropLast().contains { $0.unclassifiedOut > 0 },
            differ: Words.count(differ),
            duplicates: Words.count(data.duplicatesDropped),
            issues: issues, hasIssues: !issues.isEmpty,
            more: String(max(0, attention.count - limit)), hasMoreIssues: attention.count > limit,
            files: files,
            missingSources: Words.list(missing), hasMissingSources: !missing.isEmpty, missing: Words.count(missing.count))
    }

    public func render(_ templates: Templates) throws -> String {
        try templates.render(viewModel(templates), template: "trustees")
    }
}
