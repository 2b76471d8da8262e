/// One money movement as a source saw it: a ledger line, a bank entry, a
/// funder's transaction. Signed: positive into the organisation, negative out.
public struct Movement: Hashable, Sendable {
    public var date: Day
    public var amount: Money
    public var account: String
    public var accountName: String
    public var fund: String
    public var counterparty: String
    /// The counterparty's identifier where the source gives one (org-id, IBAN).
    public var counterpartyId: String
    public var description: String
    public var reference: String
    /// The source system's own id (GnuCash guid, camt.053 entry reference), or "".
    public var nativeId: String
    /// A source-specific kind (IATI transaction-type code, camt.053 bank code), or "".
    public var kind: String
    public var location: SourceLocation
    /// For an amount converted from another currency: what the source said
    /// and the rate that converted it (nil for money in the reporting currency).
    public var original: OriginalAmount?

    public init(date: Day, amount: Money, account: String = "", accountName: String = "", fund: String = "",
                counterparty: String = "", counterpartyId: String = "", description: String = "", reference: String = "",
                nativeId: String = "", kind: String = "", location: SourceLocation, original: OriginalAmount? = nil) {
        self.date = date
        self.amount = amount
        self.account = account
        self.accountName = accountName
        self.fund = fund
        self.counterparty = counterparty
        self.counterpartyId = counterpartyId
        self.description = description
        self.reference = reference
        self.nativeId = nativeId
        self.kind = kind
        self.location = location
        self.original = original
    }
}

/// A grant award: from a funder to the organisation (grants in) or from the
/// organisation to a group (grants out).
public struct GrantRecord: Hashable, Sendable {
    public var identifier: String
    public var title: String
    public var description: String
    public var amountAwarded: Money
    public var amountDisbursed: Money?
    public var awardDate: Day
    public var paymentDate: Day?
    public var recipientId: String
    public var recipientName: String
    public var funderId: String
    public var funderName: String
    public var programme: String
    public var fund: String
    public var beneficiaryLocation: String
    /// When the funded work is planned to start and end, and how many months
    /// it runs, where the file says (360Giving's `Planned Dates:*`).
    public var plannedStart: Day?
    public var plannedEnd: Day?
    public var durationMonths: Int?
    /// The grant's other identifiers where the file gives them (an IATI
    /// activity's `other-identifier`s, such as the funder's 360Giving id for it).
    public var otherIdentifiers: [String]
    /// True for a grant a file gives as the sum of transactions it also
    /// gives as movements (an IATI activity): those rows are counted in the
    /// file's control totals, so the grant is not counted again.
    public var summarisesMovements: Bool
    public var location: SourceLocation

    public init(identifier: String, title: String = "", description: String = "", amountAwarded: Money,
                amountDisbursed: Money? = nil, awardDate: Day, paymentDate: Day? = nil, recipientId: String,
                recipientName: String, funderId: String, funderName: String, programme: String = "",
                fund: String = "", beneficiaryLocation: String = "", plannedStart: Day? = nil, plannedEnd: Day? = nil,
                durationMonths: Int? = nil, otherIdentifiers: [String] = [], summarisesMovements: Bool = false,
                location: SourceLocation) {
        self.identifier = identifier
        self.title = title
        self.description = description
        self.amountAwarded = amountAwarded
        self.amountDisbursed = amountDisbursed
        self.awardDate = awardDate
        self.paymentDate = paymentDate
        self.recipientId = recipientId
        self.recipientName = recipientName
        self.funderId = funderId
        self.funderName = funderName
        self.programme = programme
        self.fund = fund
        self.beneficiaryLocation = beneficiaryLocation
        self.plannedStart = plannedStart
        self.plannedEnd = plannedEnd
        self.durationMonths = durationMonths
        self.otherIdentifiers = otherIdentifiers
        self.summarisesMovements = summarisesMovements
        self.location = location
    }
}

/// The role an organisation or person plays for the organisation.
public enum OrganisationRole: String, Sendable, CaseIterable {
    case funder, `self`, memberGroup = "member-group", hostedProject = "hosted-project", supplier, individual
}

/// An entry of the member register: a group (or person) the organisation
/// works with, in its own words, and whether it agreed to be named.
public struct MemberRecord: Hashable, Sendable {
    public var id: String
    public var name: String
    public var kind: OrganisationRole
    public var region: String
    public var characteristics: [String]
    public var consentToBeNamed: Bool
    public var consentDate: Day?
    /// Who the consent names the group to (`public` when the register gives no scope).
    public var consentScope: ConsentScope
    /// The last day the consent holds, when the register gives one.
    public var consentExpires: Day?
    public var location: SourceLocation

    public init(id: String, name: String, kind: OrganisationRole, region: String, characteristics: [String],
                consentToBeNamed: Bool, consentDate: Day? = nil, consentScope: ConsentScope = .public, consentExpires: Day? = nil,
                location: SourceLocation) {
        self.id = id
        self.name = name
        self.kind = kind
        self.region = region
        self.characteristics = characteristics
        self.consentToBeNamed = consentToBeNamed
        self.consentDate = consentDate
        self.consentScope = consentScope
        self.consentExpires = consentExpires
        self.location = location
    }

    /// Whether the group may be named to `audience` in an output about a
    /// period ending on `day`. Fails closed: only a consent that was given,
    /// is dated on or before that day, has not expired by it, and whose
    /// scope takes in the audience names anyone.
    public func mayBeNamed(to audience: ConsentScope.Audience, on day: Day) -> Bool {
        guard consentToBeNamed, let given = consentDate, given <= day else { return false }
        if let expires = consentExpires, day > expires { return false }
        switch (consentScope, audience) {
        case (.public, _): return true
        case (.funders, .trustees), (.trustees, .trustees): return true
        case (.funders(let named), .funder(let id, let name)):
            return named.contains { $0 == id.lowercased() || (!name.isEmpty && $0 == name.lowercased()) }
        default: return false
        }
    }
}

/// Who a group agreed to be named to, as the member register's
/// `consent_scope` says: `trustees` (the trustees' own papers only),
/// `funders: <id or name>; …` (those funders' evidence packs, and the
/// trustees), or `public` (open data, every pack, the trustees).
public enum ConsentScope: Hashable, Sendable {
    case trustees
    /// Funder ids or names, lower-cased.
    case funders([String])
    case `public`

    /// Who an output is for.
    public enum Audience: Hashable, Sendable {
        case trustees
        case funder(id: String, name: String)
        case `public`
    }

    public static let expectation = "expected public, trustees, or funders: followed by funder ids or names separated by ;"

    /// Parses the register's text; nil when it is none of the three forms.
    public init?(text: String) {
        let t = String(text.trimmingSpaces)
        switch t.lowercased() {
        case "public", "open data": self = .public
        case "trustees": self = .trustees
        default:
            guard t.lowercased().hasPrefix("funders:") else { return nil }
            let names = t.dropFirst("funders:".count).split(separator: ";").map { String($0.trimmingSpaces).lowercased() }.filter { !$0.isEmpty }
            guard !names.isEmpty else { return nil }
            self = .funders(names)
        }
    }

    /// The form it is stored in, which `init(text:)` reads back.
    public var text: String {
        switch self {
        case .public: return "public"
        case .trustees: return "trustees"
        case .funders(let names): return "funders: " + names.joined(separator: "; ")
        }
    }
}

/// A statement balance (camt.053 opening or closing balance).
public struct StatementBalance: Hashable, Sendable {
    public enum Kind: String, Sendable { case opening, closing }
    public var kind: Kind
    public var date: Day
    public var amount: Money
    public var account: String
    public var statementId: String
    public var location: SourceLocation

    public init(kind: Kind, date: Day, amount: Money, account: String, statementId: String, location: SourceLocation) {
        self.kind = kind
        self.date = date
        self.amount = amount
        self.account = account
        self.statementId = statementId
        self.location = location
    }
}

/// What a reader hands on for each record it understood.
public enum SourceRecord: Hashable, Sendable {
    case movement(Movement)
    case grant(GrantRecord)
    case member(MemberRecord)
    case balance(StatementBalance)
}
