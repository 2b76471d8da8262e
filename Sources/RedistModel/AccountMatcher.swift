/// Account codes named by a code, a range `7000-7099`, or a list of both.
public struct AccountMatcher: Sendable, Hashable {
    /// A code, or a range of codes of one length (digits only).
    public enum Part: Sendable, Hashable { case code(String), range(String, String) }
    public let parts: [Part]

    public init?(_ specs: [String]) {
        var parts: [Part] = []
        for spec in specs {
            let s = String(spec.trimmingSpaces)
            guard !s.isEmpty else { return nil }
            let bounds = s.split(separator: "-", omittingEmptySubsequences: false)
            if bounds.count == 2, !bounds[0].isEmpty, !bounds[1].isEmpty, bounds[0].count == bounds[1].count,
               bounds[0].allSatisfy(\.isASCIIDigit), bounds[1].allSatisfy(\.isASCIIDigit) {
                parts.append(.range(String(bounds[0]), String(bounds[1])))
            } else {
                parts.append(.code(s))
            }
        }
        self.parts = parts
    }

    /// The first range whose lower bound is above its upper one
    /// (`7099-7000`): it holds no code, so it is surely a mistake.
    public var reversedRange: (String, String)? {
        for case .range(let lo, let hi) in parts where lo > hi { return (lo, hi) }
        return nil
    }

    /// True when the code is one of the codes or inside a range (ranges
    /// compare codes of the same length, so `7000-7099` holds `7050`).
    public func matches(_ account: String) -> Bool {
        for part in parts {
            switch part {
            case .code(let c): if c == account { return true }
            case .range(let lo, let hi):
                if account.count == lo.count, account.allSatisfy(\.isASCIIDigit), account >= lo, account <= hi { return true }
            }
        }
        return false
    }
}
