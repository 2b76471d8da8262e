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

    /// Figures and the facts the wording depends on; with the templates,
    /// the chart too, whose words come from `chart-spending.mustache`.
    func viewModel(_ templates: Templates) throws -> [String: Any] {
        let m = evidence.measures
        let categories = Self.passedOn + Self.kept
        let spending: [[String: Any]] = categories.compactMap { c in
            let v = m.spent(c)
            guard v != 0 else { return nil }
            return ["name": c.title, "reachedGroups": c.isRedistributed, "amount": say.money(v), "pounds": say.pounds(v)]
        }
        let apportioned: [[String: Any]] = categories.compactMap { c in
            guard let v = evidence.apportioned[c], v != 0 else { return nil }
            return ["name": c.title, "reachedGroups": c.isRedistributed, "amount": say.money(v)]
        }
        let funds: [[String: Any]] = evidence.funds.map { f in
            let share = evidence.shares[f.code] ?? (1, 1)
            return ["code": f.code, "name": f.name, "all": share.0 == share.1, "part": say.money(share.0), "whole": say.money(share.1),
                    "percent": (share.1 == 0 ? "–" : MoneyFormat.decimal(Rounding.scaledHalfUp(share.0, by: 1000, share.1), digits: 1)) + "%"]
        }
        let reach: [[String: Any]] = evidence.reach.sorted { $0.key < $1.key }.enumerated().map { index, entry in
            let (category, table) = entry
            return ["category": category.title, "id": "reach-\(index + 1)",
                    "columns": table.columnNames.map { ["name": $0] },
                    "rows": table.rowNames.indices.map { r in
                        ["name": table.rowNames[r], "cells": table.cells[r].map { ["text": $0.text] }, "total": table.rowTotals[r].text] as [String: Any]
                    },
                    "columnTotals": table.columnTotals.map { ["text": $0.text] }, "total": table.total.text]
        }
        let recon: [[String: Any]] = evidence.reconciliation.map { r in
            ["matched": r.status == .matched, "amountDiffers": r.status == .amountDiffers,
             "onlyTheirs": r.status == .onlyLeft, "onlyOurs": r.status == .onlyRight,
             "theirs": r.leftAmount.map(say.money) ?? "–", "ours": r.rightAmount.map(say.money) ?? "–", "ref": r.leftRef.isEmpty ? r.rightRef : r.leftRef,
             "date": (r.leftDate ?? r.rightDate).map { "\($0)" } ?? "", "difference": say.money(r.difference), "rule": r.rule]
        }
        let spent = m.redistributed + m.retained
        let apportionedPassedOn = Self.passedOn.reduce(0) { $0 + (evidence.apportioned[$1] ?? 0) }
        let apportionedKept = Self.kept.reduce(0) { $0 + (evidence.apportioned[$1] ?? 0) }
        let unnamed = evidence.unnamedGroupCount
        var model: [String: Any] = [
            "organisation": data.pipeline.organisation.name,
            "funder": evidence.funder.name,
            "periodName": say.fullName(evidence.period),
            "periodShort": say.shortName(evidence.period),
            "periodNoun": evidence.period.calendarQuarter != nil ? "quarter" : "period",
            "this": say.this(evidence.period),
            "one": say.one,
            "asAt": data.asAt.map(say.day) ?? "",
            "given": say.money(evidence.given),
            "givenToDate": say.money(evidence.givenToDate),
            "redistributed": say.money(m.redistributed),
            "retained": say.money(m.retained),
            "rate": say.percent(m.rate),
            "committed": say.money(m.committed),
            "hasCommitted": m.committed != 0,
            "held": say.money(m.held),
            "groups": String(m.groupsReached),
            "people": String(m.individualsPaid),
            "groupsReached": Words.count(m.groupsReached),
            "peoplePaid": Words.count(m.individualsPaid),
            "spent": ["some": spent > 0, "pounds": say.pounds(spent), "redistributed": say.pounds(m.redistributed),
                      "retained": say.pounds(m.retained)],
            // The headline: pence in the pound of restricted spending, else of the apportioned share.
            "headline": ["restricted": spent > 0, "unrestricted": spent == 0 && apportionedPassedOn + apportionedKept > 0,
                         "nothing": spent == 0 && apportionedPassedOn + apportionedKept == 0,
                         "share": spent > 0 ? share(m.redistributed, of: spent) : share(apportionedPassedOn, of: apportionedPassedOn + apportionedKept)],
            "spending": Words.list(spending),
            "hasSpending": !spending.isEmpty,
            "funds": funds,
            "hasFunds": !funds.isEmpty,
            "apportioned": apportioned,
            "hasApportioned": !apportioned.isEmpty,
            "hasUnrestrictedShare": evidence.unrestrictedShare != nil,
            "unrestrictedShare": ["given": say.money(evidence.unrestrictedShare?.0 ?? 0), "income": say.money(evidence.unrestrictedShare?.1 ?? 0)],
            "reach": reach,
            "hasReach": !reach.isEmpty,
            "minimum": String(data.pipeline.privacy.minGroupCount),
            "named": evidence.namedGroups.map { ["name": $0.name, "region": $0.region] },
            "hasNamed": !evidence.namedGroups.isEmpty,
            "unnamed": Words.count(unnamed),
            "reconciliation": recon,
            "hasReconciliation": !recon.isEmpty,
            "burden": Words.count(m.grantsEvidenced),
            "unread": data.unreadFlags,
            "hasTime": m.timeToMoney != nil,
            "time": ["median": Words.count(m.timeToMoney?.median ?? 0), "p90": Words.count(m.timeToMoney?.p90 ?? 0)],
            "sources": data.files.map { ["source": $0.source, "path": $0.path, "sha": $0.sha256] },
            "hasLargestPassedOn": false, "largestPassedOn": "", "largestPassedOnAmount": "",
            "hasLargestKept": false, "largestKept": "", "largestKeptAmount": "",
        ]
        if let top = Self.passedOn.max(by: { m.spent($0) < m.spent($1) }), m.spent(top) > 0 {
            model["hasLargestPassedOn"] = true
            model["largestPassedOn"] = top.title.lowercased()
            model["largestPassedOnAmount"] = say.pounds(m.spent(top))
        }
        if let keep = Self.kept.max(by: { m.spent($0) < m.spent($1) }), m.spent(keep) > 0 {
            model["hasLargestKept"] = true
            model["largestKept"] = keep.title.lowercased()
            model["largestKeptAmount"] = say.pounds(m.spent(keep))
        }
        model["passedOnShare"] = share(m.redistributed, of: spent)
        model["keptShare"] = share(m.retained, of: spent)

        // How your money was spent: the same rows as the spending table.
        if spent > 0 {
            let words = try templates.chartWords("chart-spending", model)
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
            model["spendingChart"] = Charts.groupedBars(groups, title: try words["title"], description: try words["description"], id: "spending")
        }
        model["hasChart"] = spent > 0
        return model
    }

    /// "58p" of a pound, or "58%" where the currency has no pence.
    func share(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "–" }
        let hundredths = Rounding.scaledHalfUp(part, by: 100, whole)
        return say.hundredths(hundredths) ?? "\(hundredths)%"
    }
}
