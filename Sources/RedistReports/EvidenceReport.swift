import RedistCore
import RedistModel

/// The view model of a funder's `index.html`.
struct EvidenceReport {
    let evidence: FunderEvidence
    let data: Dataset

    var currency: Currency { data.pipeline.organisation.currency }
    var symbol: String { currency.code == "GBP" ? "£" : "" }
    func money(_ v: Int64) -> String { MoneyFormat.grouped(v, digits: currency.minorDigits, symbol: symbol) }

    func viewModel() -> [String: Any] {
        let m = evidence.measures
        let fy = data.pipeline.organisation.financialYear
        let periodName = fy.quarterLabel(evidence.period).map { "\($0) (\(evidence.period.start) to \(evidence.period.end))" }
            ?? "\(evidence.period.start) to \(evidence.period.end)"
        let categories: [Category] = [.redistributedGrant, .redistributedSmallCosts, .redistributedHosted, .redistributedPayment,
                                      .retainedStaff, .retainedProgramme, .retainedOverhead, .retainedHostingFee]
        let spending: [[String: Any]] = categories.compactMap { c in
            let v = m.spent(c)
            guard v != 0 else { return nil }
            return ["name": c.title, "kind": c.isRedistributed ? "Reached groups" : "Kept by us", "amount": money(v)]
        }
        let apportioned: [[String: Any]] = categories.compactMap { c in
            guard let v = evidence.apportioned[c], v != 0 else { return nil }
            return ["name": c.title, "kind": c.isRedistributed ? "Reached groups" : "Kept by us", "amount": money(v)]
        }
        let funds: [[String: Any]] = evidence.funds.map { f in
            let share = evidence.shares[f.code] ?? (1, 1)
            return ["code": f.code, "name": f.name,
                    "share": share.0 == share.1 ? "all of it" : "\(money(share.0)) of the \(money(share.1)) paid in (\(Rounding.ratio(share.0 * 100, share.1, places: 1) ?? "–")%)"]
        }
        let reach: [[String: Any]] = evidence.reach.sorted { $0.key < $1.key }.map { category, table in
            ["title": "\(category.title): groups by region and how they describe themselves",
             "columns": table.columnNames.map { ["name": $0] },
             "rows": table.rowNames.indices.map { r in
                 ["name": table.rowNames[r], "cells": table.cells[r].map { ["text": $0.text] }, "total": table.rowTotals[r].text] as [String: Any]
             },
             "columnTotals": table.columnTotals.map { ["text": $0.text] }, "total": table.total.text]
        }
        let recon: [[String: Any]] = evidence.reconciliation.map { r in
            ["what": r.status == .matched ? "agrees" : r.status.rawValue.replacingOccurrences(of: "-", with: " "),
             "theirs": r.leftAmount.map(money) ?? "–", "ours": r.rightAmount.map(money) ?? "–", "ref": r.leftRef.isEmpty ? r.rightRef : r.leftRef,
             "date": (r.leftDate ?? r.rightDate).map { "\($0)" } ?? "", "difference": money(r.difference), "rule": r.rule]
        }
        let burden = m.grantsEvidenced
        var model: [String: Any] = [
            "organisation": data.pipeline.organisation.name,
            "funder": evidence.funder.name,
            "periodName": periodName,
            "asAt": data.asAt.map { "\($0)" } ?? "",
            "given": money(evidence.given),
            "givenToDate": money(evidence.givenToDate),
            "redistributed": money(m.redistributed),
            "retained": money(m.retained),
            "rate": m.rate.flatMap { AmountParser(digits: 4).parse($0) }.map { MoneyFormat.decimal(Rounding.divideHalfUp($0, 10), digits: 1) + "%" } ?? "–",
            "committed": money(m.committed),
            "held": money(m.held),
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
        if let share = evidence.unrestrictedShare {
            model["apportionedSentence"] = "You also gave unrestricted money: \(money(share.0)) of the \(money(share.1)) unrestricted income we received this quarter. The table shows that share of our unrestricted spending. It is apportioned: a proportion, not particular payments."
        }
        if let t = m.timeToMoney {
            model["timeSentence"] = "Grants paid from your funds this quarter reached groups a median of \(t.median) days after award; nine in ten within \(t.p90) days."
        } else {
            model["timeSentence"] = "No grant from your funds was paid this quarter."
        }
        model["burdenSentence"] = burden == 0
            ? "No grant from your funds was paid this quarter, so no group was spared a report this time."
            : "This pack is the evidence for \(burden) grant\(burden == 1 ? "" : "s") paid to groups from your funds this quarter. None of those groups was asked to write a report."
        return model
    }
}
