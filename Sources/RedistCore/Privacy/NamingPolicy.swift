import RedistModel

/// Who may be named in an output, and what is written instead: the one
/// privacy rule every output follows.
///
/// - A person (a member register entry of kind `individual`, or a payment
///   a rule marks as to an individual) is never named in any output: the
///   staff's own `transactions.csv` shows a pseudonym (`Pseudonymiser`), every
///   other output "a person (not named)".
/// - A group is named only where its consent, in force at the period's
///   end, takes in the output's readers (`MemberRecord.mayBeNamed`): the
///   trustees' report for any consent (trustees, funders or public), a
///   funder's pack for a consent naming that funder or public, open data
///   for a public consent only. Default: not named.
/// - Counts of groups by region or description are protected separately
///   (`ReachProtection`, then `Suppression`), whatever the consent.
public struct NamingPolicy: Sendable {
    /// The outputs groups can be named in.
    public enum Output: Hashable, Sendable {
        case trustees
        case funderPack(Pipeline.Funder)
        case openData
    }

    public let output: Output
    /// The day the output speaks as of: the end of its period.
    public let day: Day

    public init(_ output: Output, on day: Day) {
        self.output = output
        self.day = day
    }

    /// Who reads the output, as a consent's scope names them.
    public var audience: ConsentScope.Audience {
        switch output {
        case .trustees: return .trustees
        case .funderPack(let f): return .funder(id: f.id, name: f.name)
        case .openData: return .public
        }
    }

    /// May this group be named here? Never a person; never a group with no
    /// register entry (nothing says it agreed).
    public func mayName(_ member: MemberRecord?) -> Bool {
        guard let member, member.kind != .individual else { return false }
        return member.mayBeNamed(to: audience, on: day)
    }

    /// What stands in for a person.
    public static let person = "a person (not named)"
    /// What stands in for a group of the register that may not be named here.
    public static let memberGroup = "a member group (not named)"
    /// What stands in for a group the register does not know.
    public static let group = "a group (not named)"
    /// Open data's recipient name for a group that may not be named there (360Giving's anonymised recipient).
    public static let anonymisedRecipient = "Anonymised recipient: a user-led group"

    /// The name to write for a member group: its own, or what stands in for it.
    public func name(_ member: MemberRecord) -> String {
        mayName(member) ? member.name : Self.memberGroup
    }
}

/// A group the organisation's money reached in a period, with what it received.
public struct GroupPaid: Sendable {
    public var member: MemberRecord
    public var amount: Int64
}

extension Dataset {
    /// The register's groups (never people) paid money out in a
    /// `redistributed.*` category in the period, by name, with what each
    /// received. Groups the register does not know are counted elsewhere, never listed.
    public func groupsPaid(in period: Period) -> [GroupPaid] {
        // The period's movements are one run of ledger positions (`LedgerQueries.positions`).
        let byMember = rows.run([SQLRow]()) { w in
            guard let (first, last) = try rows.positions(period, w) else { return [] }
            return try w.query("""
                SELECT p.member_index, CAST(sum(-e.amount) AS {int}) FROM ledger_entry e
                  JOIN run_party p ON p.counterparty_id = e.counterparty_id
                WHERE e.role = 'ledger' AND e.position >= ? AND e.position <= ? AND e.amount < 0
                  AND e.category LIKE 'redistributed.%' AND e.is_individual = 0 AND p.member_index >= 0
                GROUP BY p.member_index
                """, [.int(first), .int(last)])
        }
        var paid: [String: GroupPaid] = [:]
        for r in byMember {
            let i = Int(r.int(0))
            guard i < members.count, members[i].kind != .individual else { continue }
            let m = members[i]
            paid[m.id, default: GroupPaid(member: m, amount: 0)].amount += r.int(1)
        }
        return paid.values.sorted { ($0.member.name, $0.member.id) < ($1.member.name, $1.member.id) }
    }
}
