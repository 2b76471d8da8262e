/// The date spellings a pipeline file can name for a source.
public enum DateFormat: String, Sendable, CaseIterable {
    case dayMonthYear = "dd/mm/yyyy"
    case monthDayYear = "mm/dd/yyyy"
    case iso = "yyyy-mm-dd"
    case yearMonthDaySlashes = "yyyy/mm/dd"
    case dayMonthNameYear = "d MMM yyyy"

    public var expectation: String {
        switch self {
        case .dayMonthYear: return "expected a date as dd/mm/yyyy, e.g. 31/03/2024"
        case .monthDayYear: return "expected a date as mm/dd/yyyy, e.g. 03/31/2024"
        case .iso: return "expected a date as yyyy-mm-dd, e.g. 2024-03-31"
        case .yearMonthDaySlashes: return "expected a date as yyyy/mm/dd, e.g. 2024/03/31"
        case .dayMonthNameYear: return "expected a date as d MMM yyyy, e.g. 2 Sep 2022"
        }
    }

    /// The format with day and month the other way round, for the two that have one.
    public var swapped: DateFormat? {
        switch self {
        case .dayMonthYear: return .monthDayYear
        case .monthDayYear: return .dayMonthYear
        default: return nil
        }
    }

    /// Parses a date; separators `/`, `-` and `.` are accepted in the numeric
    /// forms. A time of day may follow, after a space (or `T`): `31/03/2024
    /// 14:05`, `2024-03-31T14:05:00Z` (see `Day.isTimeOfDay`); it is checked
    /// and dropped.
    public func parse(_ text: Substring) -> Day? {
        var t = text.trimmingSpaces
        if self != .iso, let date = Self.withoutTime(t) { t = date }
        switch self {
        case .iso:
            return Day(iso: String(t))
        case .yearMonthDaySlashes:
            let parts = t.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, (1...2).contains(parts[1].count), (1...2).contains(parts[2].count),
                  parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            return Day(year: y, month: m, day: d)
        case .dayMonthYear, .monthDayYear:
            let parts = t.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCIIDigit) }),
                  let a = Int(parts[0]), let b = Int(parts[1]), var y = Int(parts[2]) else { return nil }
            if parts[2].count == 2 { y += 2000 } else if parts[2].count != 4 { return nil }
            return self == .dayMonthYear ? Day(year: y, month: b, day: a) : Day(year: y, month: a, day: b)
        case .dayMonthNameYear:
            let parts = t.split(whereSeparator: { $0 == " " || $0 == "-" })
            guard parts.count == 3, let d = Int(parts[0]), let y = Int(parts[2]), parts[2].count == 4 else { return nil }
            let name = parts[1].lowercased()
            guard name.count >= 3, let m = Day.monthAbbreviations.firstIndex(of: String(name.prefix(3))) else { return nil }
            if name.count > 3 && !Day.monthNames[m].lowercased().hasPrefix(name) { return nil }
            return Day(year: y, month: m + 1, day: d)
        }
    }
}

extension DateFormat {
    /// The date before a time of day (`31/03/2024 14:05` is `31/03/2024`),
    /// or nil when the text has no time after a space or `T`.
    static func withoutTime(_ t: Substring) -> Substring? {
        var copy = String(t)
        let cut: Int? = copy.withUTF8 { b in
            var k = 1
            while k < b.count - 1 {
                if b[k] == 0x20 || b[k] == UInt8(ascii: "T") && b[k - 1] >= 48 && b[k - 1] <= 57,
                   Day.isTimeOfDay(UnsafeBufferPointer(rebasing: b[(k + 1)...])) {
                    return k
                }
                k += 1
            }
            return nil
        }
        guard let cut else { return nil }
        return t.prefix(cut).trimmingSpaces
    }
}

extension Character {
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    public var trimmingSpaces: Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        let last = s.lastIndex(where: { !$0.isWhitespace })!
        return s[first...last]
    }
}
