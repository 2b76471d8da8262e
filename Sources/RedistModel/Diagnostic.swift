/// A finding about the data: a rejected row, a skipped row, a check that
/// failed. Readers report findings instead of throwing, so one bad row never
/// stops a file and every row is accounted for.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Sendable, Comparable {
        case error, warning, note
        var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public var severity: Severity
    public var location: SourceLocation
    /// What kind of finding it is (`.rejectAmount`, `.skipBalanceRow`, …).
    public var check: Check
    public var message: String
    /// The amount involved, when the finding concerns money.
    public var amount: Money?

    public init(_ severity: Severity, _ location: SourceLocation, check: Check, _ message: String, amount: Money? = nil) {
        self.severity = severity
        self.location = location
        self.check = check
        self.message = message
        self.amount = amount
    }

    /// Compiler style: `exports/ledger.csv:17:9: error: … (expected …)`.
    public var rendered: String { "\(location): \(severity.rawValue): \(message)" }
}
