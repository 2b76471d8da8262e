import RedistCore
import RedistModel

/// The view model of a funder's `index.html`: figures formatted and the
/// facts the sentences turn on; the words are in
/// `reports/templates/evidence.mustache` and `chart-spending.mustache`.
struct EvidenceReport {
    let evidence: FunderEvidence
    let data: Dataset

    var say: Wording { Wording(data.pipeline) }

    static let passedOn: [Category] = [.redistributedGrant, .redistributedSmallCosts, .redistributedHosted, .redistributedPayment]
    static let kept: [Category] = [.retainedStaff, .retainedProgramme, .retainedOverhead, .retainedHostingFee]

    /// A funder's page: the period, what its money did, and a view for
    /// each part of `evidence.mustache` (the names are the template's names).
    struct EvidenceView {
        let organisation: String, funder: String
        let periodName: String, periodShort: String, periodNoun: String
        let this: String, one: String, asAt: String
        /// What came in from the funder in the period, and so far this
        /// financial year; `hasGiven` is false when nothing came in this
        /// period (the pack says so in words, not as £0.00).
        let given: String, givenToDate: String, hasGiven: Bool, hasGivenToDate: Bool
        let redistributed: String, retained: String, rate: String
        let committed: String, hasCommitted: Bool
        let held: String, groups: String, people: String
        let groupsReached: Words.Count, peoplePaid: Words.Count
        let spent: Spent
        let headline: Headline
        let spending: [SpendingRow], hasSpending: Bool
        let funds: [FundShare], hasFunds: Bool
        let apportioned: [ApportionedRow], hasApportioned: Bool
        let apportionedTotal: String, apportionedPassedOn: String, apportionedKept: String
        /// What the pack holds decides its wording: a funder with no
        /// restricted fund is never told what its restricted funds did.
        let hasRestricted: Bool
        let hasFile: Bool, funderFiles: [FunderFile]
        let grantsAgainst: [GrantAgainst], hasGrantsAgainst: Bool
        let hasUnrestrictedShare: Bool, unrestrictedShare: UnrestrictedShare
        let reach: [ReachTable], hasReach: Bool
        let minimum: String
        let named: [NamedGroup], hasNamed: Bool
        let unnamed: Words.Count
        let reconciliation: [PaymentCheck], hasReconciliation: Bool
        let burden: Words.Count
        let unread: UnreadFlags
        let hasTime: Bool, time: DaysToMoney
        let sources: [SourceFile]
        var hasLargestPassedOn = false, largestPassedOn = "", largestPassedOnAmount = ""
        var hasLargestKept = false, largestKept = "", largestKeptAmount = ""
        let passedOnShare: String, keptShare: String
        /// Drawn once its words are rendered from the rest of the view; nil where nothing was spent (`hasChart` false).
        var spendingChart: String? = nil
        let hasChart: Bool
    }

    /// What was spent from the funder's restricted funds, in whole pounds.
    struct Spent {
        let some: Bool, pounds: String, redistributed: String, retained: String
    }

    /// The headline: pence in the pound of restricted spending, else of the apportioned share.
    struct Headline {
        let restricted: Bool, unrestricted: Bool, nothing: Bool
        let share: String
    }

    /// A kind of spending from the funder's restricted funds (`first` and `last` for the chart's description).
    struct SpendingRow: ListItem {
        let name: String, reachedGroups: Bool, amount: String, pounds: String
        var first = false, last = false
    }

    /// A kind of the funder's apportioned share of unrestricted spending.
    struct ApportionedRow {
        let name: String, reachedGroups: Bool, amount: String
    }

    /// A fund of the funder's, and its share of a pooled one (`all` where the fund is the funder's alone).
    struct FundShare {
        let code: String, name: String, all: Bool, part: String, whole: String, percent: String
    }

    /// A file of the funder's that its grants were read from.
    struct FunderFile: ListItem {
        let path: String
        var first = false, last = false
    }

    /// The funder's unrestricted money beside all the unrestricted income.
    struct UnrestrictedShare {
        let given: String, income: String
    }

    struct ReachCell {
        let text: String
    }

    struct ReachColumn {
        let name: String
    }

    struct ReachRow {
        let name: String, cells: [ReachCell], total: String
    }

    /// A table of the groups reached by region and characteristic, small numbers suppressed
    /// (`allHidden` where it would show nothing but suppressed cells).
    struct ReachTable {
        let category: String, id: String, allHidden: Bool, totalShown: Bool
        let columns: [ReachColumn], rows: [ReachRow], columnTotals: [ReachCell], total: String
    }

    /// A group whose consent names it to this funder.
    struct NamedGroup {
        let name: String, region: String
    }

    /// A payment of the funder's against what our ledger received.
    struct PaymentCheck {
        let matched: Bool, amountDiffers: Bool, onlyTheirs: Bool, onlyOurs: Bool
        let theirs: String, ours: String, ref: String, date: String, difference: String, rule: String
    }

    /// Days from award to payment: the median and nine in ten.
    struct DaysToMoney {
        let median: Words.Count, p90: Words.Count
    }

    /// A file the pack's figures draw on.
    struct SourceFile {
        let source: String, path: String, sha: String
    }

    /// Figures and the facts the wording depends on; with the templates,
    /// the chart too, whose words come from `chart-spending.mustache`.
    func viewModel(_ templates: Templates) throws -> EvidenceView {
        let m = evidence.measures
        let categories = Self.passedOn + Self.kept
        let spending: [SpendingRow] = categories.compactMap { c in
            let v = m.spent(c)
            guard v != 0 else { return nil }
            return SpendingRow(name: c.title, reachedGroups: c.isRedistributed, amount: say.money(v), pounds: say.pounds(v))
        }
        let apportioned: [ApportionedRow] = categories.compactMap { c in
            guard let v = evidence.apportioned[c], v != 0 else { return nil }
            return ApportionedRow(name: c.title, reachedGroups: c.isRedistributed, amount: say.money(v))
        }
        let funds: [FundShare] = evidence.funds.map { f in
            let share = evidence.shares[f.code] ?? (1, 1)
            return FundShare(code: f.code, name: f.name, all: share.0 == share.1, part: say.money(share.0), whole: say.money(share.1),
                             percent: (share.1 == 0 ? "–" : MoneyFormat.decimal(Rounding.scaledHalfUp(share.0, by: 1000, share.1), digits: 1)) + "%")
        }
        var tables = evidence.reach.sorted { $0.key < $1.key }.map { (title: $0.key.title, table: $0.value) }
        if let merged = evidence.reachAllKinds { tables = [(title: "All payments to groups", table: merged)] }
        let reach: [ReachTable] = tables.enumerated().map { index, entry in
            let (category, table) = entry
            // A table that would show nothing but [c] is one sentence instead.
            let hidden = (table.cells.flatMap { $0 } + table.rowTotals + table.columnTotals).allSatisfy { $0 == .suppressed || $0 == .count(0) }
            return ReachTable(category: category, id: "reach-\(index + 1)", allHidden: hidden, totalShown: table.total != .suppressed,
                              columns: table.columnNames.map { ReachColumn(name: $0) },
                              rows: table.rowNames.indices.map { r in
                                  ReachRow(name: table.rowNames[r], cells: table.cells[r].map { ReachCell(text: $0.text) }, total: table.rowTotals[r].text)
                              },
                              columnTotals: table.columnTotals.map { ReachCell(text: $0.text) }, total: table.total.text)
        }
        let recon: [PaymentCheck] = evidence.reconciliation.map { r in
            PaymentCheck(matched: r.status == .matched, amountDiffers: r.status == .amountDiffers,
                              onlyTheirs: r.status == .onlyLeft, onlyOurs: r.status == .onlyRight,
                              theirs: r.leftAmount.map(say.money) ?? "–", ours: r.rightAmount.map(say.money) ?? "–",
                              ref: PackPath.shownReference(r.leftRef.isEmpty ? r.rightRef : r.leftRef),
                              date: (r.leftDate ?? r.rightDate).map { "\($0)" } ?? "", difference: say.money(r.difference), rule: r.rule)
        }
        let spent = m.redistributed + m.retained
        let apportionedPassedOn = Self.passedOn.reduce(0) { $0 + (evidence.apportioned[$1] ?? 0) }
        let apportionedKept = Self.kept.reduce(0) { $0 + (evidence.apportioned[$1] ?? 0) }
        let funderFiles = Self.funderFiles(evidence, data)
        let grantsAgainst = self.grantsAgainst()
        var view = EvidenceView(
            organisation: data.pipeline.organisation.name,
            funder: evidence.funder.name,
            periodName: say.fullName(evidence.period), periodShort: say.shortName(evidence.period),
            periodNoun: evidence.period.calendarQuarter != nil ? "quarter" : "period",
            this: say.this(evidence.period), one: say.one,
            asAt: data.asAt(evidence.period).map(say.day) ?? "",
            given: say.money(evidence.given), givenToDate: say.money(evidence.givenToDate),
            hasGiven: evidence.given != 0, hasGivenToDate: evidence.givenToDate != 0,
            redistributed: say.money(m.redistributed), retained: say.money(m.retained), rate: say.percent(m.rate),
            committed: say.money(m.committed), hasCommitted: m.committed != 0,
            held: say.money(m.held), groups: String(m.groupsReached), people: String(m.individualsPaid),
            groupsReached: Words.count(m.groupsReached), peoplePaid: Words.count(m.individualsPaid),
            spent: Spent(some: spent > 0, pounds: say.pounds(spent), redistributed: say.pounds(m.redistributed), retained: say.pounds(m.retained)),
            headline: Headline(restricted: spent > 0, unrestricted: spent == 0 && apportionedPassedOn + apportionedKept > 0,
                               nothing: spent == 0 && apportionedPassedOn + apportionedKept == 0,
                               share: spent > 0 ? share(m.redistributed, of: spent)
                                   : share(apportionedPassedOn, of: apportionedPassedOn + apportionedKept)),
            spending: Words.list(spending), hasSpending: !spending.isEmpty,
            funds: funds, hasFunds: !funds.isEmpty,
            apportioned: apportioned, hasApportioned: !apportioned.isEmpty,
            apportionedTotal: say.money(apportionedPassedOn + apportionedKept),
            apportionedPassedOn: say.money(apportionedPassedOn), apportionedKept: say.money(apportionedKept),
            hasRestricted: !evidence.funds.isEmpty,
            hasFile: !funderFiles.isEmpty, funderFiles: Words.list(funderFiles.map { FunderFile(path: PackPath.shown($0)) }),
            grantsAgainst: grantsAgainst, hasGrantsAgainst: !grantsAgainst.isEmpty,
            hasUnrestrictedShare: evidence.unrestrictedShare != nil,
            unrestrictedShare: UnrestrictedShare(given: say.money(evidence.unrestrictedShare?.0 ?? 0), income: say.money(evidence.unrestrictedShare?.1 ?? 0)),
            reach: reach, hasReach: !reach.isEmpty,
            minimum: String(data.pipeline.privacy.minGroupCount),
            named: evidence.namedGroups.map { NamedGroup(name: $0.name, region: $0.region) }, hasNamed: !evidence.namedGroups.isEmpty,
            unnamed: Words.count(evidence.unnamedGroupCount),
            reconciliation: recon, hasReconciliation: !recon.isEmpty,
            burden: Words.count(m.grantsEvidenced),
            unread: data.unreadFlags,
            hasTime: m.timeToMoney != nil,
            time: DaysToMoney(median: Words.count(m.timeToMoney?.median ?? 0), p90: Words.count(m.timeToMoney?.p90 ?? 0)),
            sources: Self.inputs(evidence, data).map { SourceFile(source: $0.source, path: PackPath.shown($0.path), sha: $0.sha256) },
            passedOnShare: share(m.redistributed, of: spent), keptShare: share(m.retained, of: spent),
            hasChart: spent > 0)
        if let top = Self.passedOn.max(by: { m.spent($0) < m.spent($1) }), m.spent(top) > 0 {
            view.hasLargestPassedOn = true
            view.largestPassedOn = top.title.lowercased()
            view.largestPassedOnAmount = say.pounds(m.spent(top))
        }
        if let keep = Self.kept.max(by: { m.spent($0) < m.spent($1) }), m.spent(keep) > 0 {
            view.hasLargestKept = true
            view.largestKept = keep.title.lowercased()
            view.largestKeptAmount = say.pounds(m.spent(keep))
        }

        // How your money was spent: the same rows as the spending table.
        if spent > 0 {
            let words = try templates.chartWords("chart-spending", view)
            func bars(_ cs: [Category]) -> [Charts.Bar] {
                cs.filter { m.spent($0) != 0 }.map { Charts.Bar(label: $0.title, value: m.spent($0), valueLabel: say.pounds(m.spent($0))) }
            }
            var groups: [Charts.BarGroup] = []
            let passed = bars(Self.passedOn), kept = bars(Self.kept)
            if !passed.isEmpty {
                groups.append(Charts.BarGroup(title: try words["passed-on"], bars: passed, hatched: false, colour: Palette.redistributed))
            }
            if !kept.isEmpty {
                groups.append(Charts.BarGroup(title: try words["kept"], bars: kept, hatched: true, colour: Palette.retained))
            }
            view.spendingChart = Charts.groupedBars(groups, title: try words["title"], description: try words["description"], id: "spending")
        }
        return view
    }

    /// The funder's own files: those its grants to us were read from (a
    /// grant two of its files give counts for both).
    static func funderFiles(_ evidence: FunderEvidence, _ data: Dataset) -> [String] {
        var seen = Set<String>(), files: [String] = []
        for g in data.grantsIn where g.grant.funderId == evidence.funder.id && seen.insert(g.grant.location.file).inserted {
            files.append(g.grant.location.file)
        }
        return files
    }

    /// The files this pack's figures draw on: the ledger, the bank
    /// statements, the funder's own files, and the grants register when the
    /// pack lists grants from it; never another funder's file or the member register.
    static func inputs(_ evidence: FunderEvidence, _ data: Dataset) -> [Warehouse.LoadedFile] {
        let own = Set(funderFiles(evidence, data))
        return data.files.filter { f in
            switch f.role {
            case "ledger", "bank": return true
            case "grants-out": return !evidence.grants.isEmpty
            case "grants-in": return own.contains(f.path)
            default: return false
            }
        }
    }

    /// A grant the funder's files record to us, and what its fund did where one of the funder's is known (`hasFund`).
    struct GrantAgainst {
        let identifier: String, title: String, hasTitle: Bool
        let awarded: String, awardDate: String
        var hasFund = false
        var fund = "", paid = "", spent = "", remaining = ""
        let hasRuns: Bool, runs: String
    }

    /// Each grant the funder's files record to us: awarded, paid to date
    /// (what our ledger received from the funder into the grant's fund, or
    /// into any fund when the file names none), spent to date from that
    /// fund (the funder's share of a pooled one), and what remains.
    func grantsAgainst() -> [GrantAgainst] {
        let engine = MeasureEngine(data: data)
        let end = evidence.period.end
        guard let first = data.firstLedgerDate, first <= end else { return [] }
        let toDate = Period(start: first, end: end, label: "\(first)..\(end)")
        let byFund = Dictionary(evidence.funds.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        return evidence.grantsIn.sorted { ($0.grant.awardDate, $0.grant.identifier) < ($1.grant.awardDate, $1.grant.identifier) }.map { stored in
            let g = stored.grant
            var row = GrantAgainst(identifier: g.identifier, title: g.title, hasTitle: !g.title.isEmpty,
                                   awarded: say.money(g.amountAwarded.minorUnits), awardDate: say.day(g.awardDate),
                                   hasRuns: g.plannedStart != nil || g.plannedEnd != nil || g.durationMonths != nil, runs: runs(g))
            // Only a fund of this funder's tells what the grant's money did.
            if let fund = byFund[g.fund] ?? (evidence.funds.count == 1 ? evidence.funds.first : nil) {
                let share = evidence.shares[fund.code] ?? (1, 1)
                func part(_ v: Int64) -> Int64 {
                    share.0 == share.1 ? v : Apportion.largestRemainder(total: v, weights: [share.0, share.1 - share.0])?[0] ?? 0
                }
                let m = engine.fund(fund.code, toDate)
                let paid = engine.grantIncome(from: evidence.funder, intoFund: fund.code, toDate)
                let spent = part(m.redistributed + m.retained + m.unclassifiedOut)
                row.hasFund = true
                row.fund = fund.name
                row.paid = say.money(paid)
                row.spent = say.money(spent)
                row.remaining = say.money(part(m.held))
            }
            return row
        }
    }

    /// When a grant's work runs, as its funder's file gives it: "1 Apr 2023 to
    /// 31 Mar 2024 (12 months)", or as much of that as the file says.
    func runs(_ g: GrantRecord) -> String {
        var text: String
        switch (g.plannedStart, g.plannedEnd) {
        case let (s?, e?): text = "\(say.day(s)) to \(say.day(e))"
        case let (s?, nil): text = "from \(say.day(s))"
        case let (nil, e?): text = "until \(say.day(e))"
        case (nil, nil): text = ""
        }
        if let m = g.durationMonths {
            let months = m == 1 ? "1 month" : "\(m) months"
            text = text.isEmpty ? "for \(months)" : "\(text) (\(months))"
        }
        return text
    }

    /// "58p" of a pound, or "58%" where the currency has no pence.
    func share(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "–" }
        let hundredths = Rounding.scaledHalfUp(part, by: 100, whole)
        return say.hundredths(hundredths) ?? "\(hundredths)%"
    }
}
