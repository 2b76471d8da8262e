import RedistCore
import RedistModel

/// The view model of a funder's `index.html`: figures formatted and
/// sentences written here, the layout and fixed wording in
/// `reports/templates/evidence.mustache`.
struct EvidenceReport {
    let evidence: FunderEvidence
    let data: Dataset

    var say: Wording { Wording(data.pipeline) }

    static let passedOn: [Category] = [.redistributedGrant, .redistributedSmallCosts, .redistributedHosted, .redistributedPayment]
    static let kept: [Category] = [.retainedStaff, .retainedProgramme, .retainedOverhead, .retainedHostingFee]

    func viewModel() -> [String: Any] {
        let m = evidence.measures
        let this = say.this(evidence.period)
        let categories = Self.passedOn + Self.kept
        let spending: [[String: Any]] = categories.compactMap { c in
            let v = m.spent(c)
            guard v != 0 else { return nil }
            return ["name": c.title, "kind": c.isRedistributed ? "Reached groups" : "Kept by us", "amount": say.money(v)]
        }
        let apportioned: [[String: Any]] = categories.compactMap { c in
            guard let v = evidence.apportioned[c], v != 0 else { return nil }
            return ["name": c.title, "kind": c.isRedistributed ? "Reached groups" : "Kept by us", "amount": say.money(v)]
        }
        let funds: [[String: Any]] = evidence.funds.map { f in
            let share = evidence.shares[f.code] ?? (1, 1)
            return ["code": f.code, "name": f.name,
                    "share": share.0 == share.1 ? "all of it" : "\(say.money(share.0)) of the \(say.money(share.1)) paid in (\(Rounding.ratio(share.0 * 100, share.1, places: 1) ?? "–")%)"]
        }
        let reach: [[String: Any]] = evidence.reach.sorted { $0.key < $1.key }.enumerated().map { index, entry in
            let (category, table) = entry
            return ["title": "\(category.title): groups by region and how they describe themselves", "id": "reach-\(index + 1)",
                    "columns": table.columnNames.map { ["name": $0] },
                    "rows": table.rowNames.indices.map { r in
                        ["name": table.rowNames[r], "cells": table.cells[r].map { ["text": $0.text] }, "total": table.rowTotals[r].text] as [String: Any]
                    },
                    "columnTotals": table.columnTotals.map { ["text": $0.text] }, "total": table.total.text]
        }
        let recon: [[String: Any]] = evidence.reconciliation.map { r in
            ["what": r.status == .matched ? "agrees" : r.status.rawValue.replacingOccurrences(of: "-", with: " "),
             "theirs": r.leftAmount.map(say.money) ?? "–", "ours": r.rightAmount.map(say.money) ?? "–", "ref": r.leftRef.isEmpty ? r.rightRef : r.leftRef,
             "date": (r.leftDate ?? r.rightDate).map { "\($0)" } ?? "", "difference": say.money(r.difference), "rule": r.rule]
        }
        let burden = m.grantsEvidenced
        let spent = m.redistributed + m.retained
        var model: [String: Any] = [
            "organisation": data.pipeline.organisation.name,
            "funder": evidence.funder.name,
            "periodName": say.fullName(evidence.period),
            "periodShort": say.shortName(evidence.period),
            "periodNoun": evidence.period.calendarQuarter != nil ? "quarter" : "period",
            "asAt": data.asAt.map(say.day) ?? "",
            "given": say.money(evidence.given),
            "givenToDate": say.money(evidence.givenToDate),
            "redistributed": say.money(m.redistributed),
            "retained": say.money(m.retained),
            "rate": say.percent(m.rate),
            "committed": say.money(m.committed),
            "held": say.money(m.held),
            "groups": String(m.groupsReached),
            "people": String(m.individualsPaid),
            "spending": spending,
            "hasSpending": !spending.isEmpty,
            "funds": funds,
            "hasFunds": !funds.isEmpty,
            "apportioned": apportioned,
            "hasApportioned": !apportioned.isEmpty,
            "reach": reach,
            "hasReach": !reach.isEmpty,
            "minimum": String(data.pipeline.privacy.minGroupCount),
            "named": evidence.namedGroups.map { ["name": $0.name, "region": $0.region] },
            "hasNamed": !evidence.namedGroups.isEmpty,
            "unnamed": String(evidence.unnamedGroupCount),
            "reconciliation": recon,
            "hasReconciliation": !recon.isEmpty,
            "burden": String(burden),
            "sources": data.files.map { ["source": $0.source, "path": $0.path, "sha": $0.sha256] },
        ]

        // The headline: pence in the pound of restricted spending, else of the apportioned share.
        let apportionedPassedOn = Self.passedOn.reduce(0) { $0 + (evidence.apportioned[$1] ?? 0) }
        let apportionedKept = Self.kept.reduce(0) { $0 + (evidence.apportioned[$1] ?? 0) }
        if spent > 0 {
            model["headline"] = "Of every \(say.one) spent from your funds \(this), \(share(m.redistributed, of: spent)) reached groups directly."
        } else if apportionedPassedOn + apportionedKept > 0 {
            model["headline"] = "Your money \(this) was unrestricted: of every \(say.one) of our unrestricted spending, \(share(apportionedPassedOn, of: apportionedPassedOn + apportionedKept)) reached groups directly."
        } else {
            model["headline"] = "Nothing was spent from your funds \(this)."
        }

        var summary = "You paid us \(say.money(evidence.given)) \(this) (\(say.money(evidence.givenToDate)) so far)."
        if spent > 0 {
            summary += " From your funds, \(say.money(m.redistributed)) went to groups and members, and we kept \(say.money(m.retained)) for our own staff, delivery and overheads."
        }
        if m.groupsReached > 0 || m.individualsPaid > 0 {
            summary += " \(capitalised(say.count(m.groupsReached, "group"))) received money from your funds"
            summary += m.individualsPaid > 0
                ? "; we also paid \(say.count(m.individualsPaid, "person", "people")) for their lived-experience expertise (people are counted, never named)."
                : "."
        }
        model["summarySentence"] = summary
        var position = m.committed == 0 ? "Nothing we have promised from your funds is waiting to be paid" : "We have promised \(say.money(m.committed)) more from your funds that is not yet paid"
        position += ", and at the \(model["periodNoun"]!)'s end your funds held \(say.money(m.held))."
        model["positionSentence"] = position
        if let share = evidence.unrestrictedShare {
            model["apportionedSentence"] = "You also gave unrestricted money: \(say.money(share.0)) of the \(say.money(share.1)) unrestricted income we received \(this). The table shows that share of our unrestricted spending. It is apportioned: a proportion, not particular payments."
        }
        if let t = m.timeToMoney {
            model["timeSentence"] = "Grants paid from your funds \(this) reached groups a median of \(t.median) days after award; nine in ten within \(t.p90) days."
        } else {
            model["timeSentence"] = "No grant from your funds was paid \(this)."
        }
        model["burdenSentence"] = burden == 0
            ? "No grant from your funds was paid \(this), so no group was spared a report this time."
            : "This pack is the evidence for \(say.count(burden, "grant")) paid to groups from your funds \(this). None of those groups was asked to write a report."
        let unnamed = evidence.unnamedGroupCount
        model["unnamedSentence"] = unnamed == 0
            ? (evidence.namedGroups.isEmpty ? "No group received money from your restricted funds \(this)." : "Every group that received your money has agreed to be named.")
            : "\(capitalised(say.count(unnamed, "other group", "other groups"))) received your money and \(unnamed == 1 ? "is" : "are") not named, because \(unnamed == 1 ? "it has" : "they have") not agreed to be. \(unnamed == 1 ? "It is" : "They are") described below only by where \(unnamed == 1 ? "it is" : "they are") and how \(unnamed == 1 ? "it describes itself" : "they describe themselves"). Any count below \(data.pipeline.privacy.minGroupCount) is shown as [c], and so is any count that could be worked out from the others, so that no group can be singled out."

        // Where your money went: the same rows as the spending table.
        if spent > 0 {
            func bars(_ cs: [Category]) -> [Charts.Bar] {
                cs.filter { m.spent($0) != 0 }.map { Charts.Bar(label: $0.title, value: m.spent($0), valueLabel: say.pounds(m.spent($0))) }
            }
            var groups: [Charts.BarGroup] = []
            let passed = bars(Self.passedOn), kept = bars(Self.kept)
            if !passed.isEmpty {
                groups.append(Charts.BarGroup(title: "Reached groups: \(say.pounds(m.redistributed)), \(share(m.redistributed, of: spent)) of every \(say.one)",
                                              bars: passed, hatched: false, colour: Palette.redistributed))
            }
            if !kept.isEmpty {
                groups.append(Charts.BarGroup(title: "Kept by us: \(say.pounds(m.retained)), \(share(m.retained, of: spent)) of every \(say.one)",
                                              bars: kept, hatched: true, colour: Palette.retained))
            }
            let description = "Horizontal bars, one for each kind of spending from your restricted funds. Solid bars reached groups; hatched bars were kept by us. "
                + (passed + kept).map { "\($0.label) \($0.valueLabel)" }.joined(separator: ", ") + "."
            model["spendingChart"] = Charts.groupedBars(groups, title: "How your money was spent, \(say.shortName(evidence.period))",
                                                        description: description, id: "spending")
            var sentence = "Of the \(say.pounds(spent)) spent from your funds, \(say.pounds(m.redistributed)) reached groups"
            if let top = Self.passedOn.max(by: { m.spent($0) < m.spent($1) }), m.spent(top) > 0 {
                sentence += ", most of it as \(top.title.lowercased()) (\(say.pounds(m.spent(top))))"
            }
            sentence += ", and we kept \(say.pounds(m.retained))"
            if let keep = Self.kept.max(by: { m.spent($0) < m.spent($1) }), m.spent(keep) > 0 {
                sentence += ", the largest part for \(keep.title.lowercased()) (\(say.pounds(m.spent(keep))))"
            }
            sentence += "."
            model["spendingSentence"] = sentence
        }
        model["hasChart"] = spent > 0
        return model
    }

    /// "58p" of a pound, or "58%" where the currency has no pence.
    func share(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "–" }
        let hundredths = Rounding.divideHalfUp(part * 100, whole)
        switch say.symbol {
        case "£": return "\(hundredths)p"
        case "$": return "\(hundredths)¢"
        case "€": return "\(hundredths) cents"
        default: return "\(hundredths)%"
        }
    }

    func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
}
