/// What a money movement was for. Every movement gets exactly one.
public enum Category: String, Sendable, CaseIterable, Hashable, Comparable {
    case redistributedGrant = "redistributed.grant"
    case redistributedSmallCosts = "redistributed.small-costs"
    case redistributedHosted = "redistributed.hosted"
    case redistributedPayment = "redistributed.payment"
    case retainedStaff = "retained.staff"
    case retainedProgramme = "retained.programme"
    case retainedOverhead = "retained.overhead"
    case retainedHostingFee = "retained.hosting-fee"
    case incomeGrant = "income.grant"
    case incomeDonation = "income.donation"
    case incomeHosted = "income.hosted"
    case incomeOther = "income.other"
    case transfer = "transfer"
    case unclassified = "unclassified"

    public var isRedistributed: Bool { rawValue.hasPrefix("redistributed.") }
    public var isRetained: Bool { rawValue.hasPrefix("retained.") }
    public var isIncome: Bool { rawValue.hasPrefix("income.") }

    /// Plain-English name for reports.
    public var title: String {
        switch self {
        case .redistributedGrant: return "Grants to groups"
        case .redistributedSmallCosts: return "Small-costs pot"
        case .redistributedHosted: return "Hosted projects' own spending"
        case .redistributedPayment: return "Payments to members for their work"
        case .retainedStaff: return "Our staff"
        case .retainedProgramme: return "Our own delivery"
        case .retainedOverhead: return "Overheads"
        case .retainedHostingFee: return "Hosting fees"
        case .incomeGrant: return "Grants received"
        case .incomeDonation: return "Donations"
        case .incomeHosted: return "Hosted projects' income"
        case .incomeOther: return "Other income"
        case .transfer: return "Transfers between our own funds"
        case .unclassified: return "Not yet classified"
        }
    }

    public static func < (a: Category, b: Category) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
