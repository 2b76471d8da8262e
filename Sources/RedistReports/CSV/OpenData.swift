import RedistCore
import RedistModel

/// `open-data/360giving.csv`: the organisation's own grants to groups in
/// the 360Giving Data Standard's column titles, awarded up to the period's
/// end, with consent applied. A group that has not agreed to be named
/// becomes an anonymised recipient: no name, no identifier of its own, a
/// neutral title and description, and its region only where at least
/// `min_group_count` groups of the register share it. `Related Activity`
/// links each grant to the funder's grant that paid for it, so the money
/// can be followed from funder to group.
public enum OpenData360Giving {
    public static let header = [
        "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Amount Disbursed", "Award Date",
        "Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name",
        "Grant Programme:Title", "Beneficiary Location:Name", "Related Activity", "Last Modified",
    ]

    public static func render(_ data: Dataset, period: Period) -> [UInt8] {
        let pipeline = data.pipeline
        let currency = pipeline.organisation.currency
        let members = Dictionary(data.members.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var regionCounts: [String: Int] = [:]
        for m in data.members where m.kind == .memberGroup || m.kind == .hostedProject { regionCounts[m.region, default: 0] += 1 }
        let k = pipeline.privacy.minGroupCount
        let modified = "\(data.asAt(period) ?? period.end)T00:00:00+00:00"
        var csv = CSVWriter(header: header)
        var anonymous = 0
        // Open data is public: only a public consent, in force at the period's end, names a group.
        let naming = NamingPolicy(.openData, on: period.end)
        let grants = data.grantsOut.map(\.grant).filter { $0.awardDate <= period.end }
            .sorted { ($0.awardDate, $0.identifier) < ($1.awardDate, $1.identifier) }
        for g in grants {
            let member = members[g.recipientId]
            let consent = naming.mayName(member)
            let disbursed: Int64 = {
                guard let p = g.paymentDate else { return g.amountDisbursed?.minorUnits ?? 0 }
                return p <= period.end ? (g.amountDisbursed?.minorUnits ?? g.amountAwarded.minorUnits) : 0
            }()
            let upstream = upstreamGrants(g, data)
            let programme = g.programme.isEmpty ? "Grants to groups" : g.programme
            let recipientId: String, recipientName: String, title: String, description: String, location: String
            if consent, let member {
                recipientId = g.recipientId
                recipientName = member.name
                title = g.title.isEmpty ? "\(programme) grant" : g.title
                description = g.description.isEmpty ? title : g.description
                location = member.region.isEmpty ? g.beneficiaryLocation : member.region
            } else {
                anonymous += 1
                recipientId = "360G-\(pipeline.organisation.id)-ANON-\(String(format4(anonymous)))"
                recipientName = NamingPolicy.anonymisedRecipient
                title = "\(programme) grant"
                description = "A grant to a user-led group that has not agreed to be named."
                let region = member?.region ?? ""
                location = (regionCounts[region] ?? 0) >= k ? region : ""
            }
            csv.row([g.identifier, title, description, currency.code, MoneyFormat.decimal(g.amountAwarded.minorUnits, digits: currency.minorDigits),
                     MoneyFormat.decimal(disbursed, digits: currency.minorDigits), g.awardDate.description, recipientId, recipientName,
                     pipeline.organisation.id, pipeline.organisation.name, programme, location, upstream.joined(separator: ";"), modified])
        }
        return csv.bytes
    }

    /// The funders' grants to the organisation that fund the grant's fund.
    static func upstreamGrants(_ g: GrantRecord, _ data: Dataset) -> [String] {
        guard let fund = data.pipeline.fund(g.fund) else { return [] }
        return data.distinctGrantsIn.filter { fund.funders.contains($0.grant.funderId) && $0.grant.recipientId == data.pipeline.organisation.id }
            .map(\.grant.identifier).uniqued().sorted()
    }

    static func format4(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
