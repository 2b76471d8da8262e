import RedistModel

/// Which way round a file's numeric dates are (`01/05/2023`: 1 May or
/// January 5?), decided from all of them, as `redist init` and the QIF
/// reader do: a first number above 12 says day first, a second above 12 says
/// month first; dates with both numbers 12 or under say nothing, unless the
/// two are equal (then the order does not matter).
public enum DateOrder {
    public enum Finding: Equatable, Sendable {
        /// The order the dates show (or every date reads the same both ways).
        case order(DateFormat)
        /// Every date with day and month different could be either.
        case ambiguous(example: String)
        /// Some dates are day first and others month first.
        case mixed(dayFirst: String, monthFirst: String)
        /// No date looks like a numeric date with day and month.
        case none
    }

    /// The two numbers before the year of `01/05/2023`, `1/5'23`, `8/ 1/97`
    /// or `01-05-23`; nil for ISO dates and anything else.
    public static func dayAndMonth(_ text: String) -> (Int, Int)? {
        let parts = normalised(text).split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3, parts[0].count <= 2, parts[1].count <= 2,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        return (a, b)
    }

    /// The date without the spaces Quicken pads with (`8/ 1/97`) and with its
    /// `'` before a two-digit year of the 2000s (`1/5'23`) made a slash.
    static func normalised(_ text: String) -> String {
        String(text.trimmingSpaces.filter { $0 != " " }.map { $0 == "'" ? "/" : $0 })
    }

    public static func infer<S: Sequence>(_ dates: S) -> Finding where S.Element == String {
        var dayFirst: String? = nil, monthFirst: String? = nil, ambiguous: String? = nil
        var any = false
        for text in dates {
            guard let (a, b) = dayAndMonth(text) else { continue }
            any = true
            if a > 12 && b <= 12 { dayFirst = dayFirst ?? text }
            else if b > 12 && a <= 12 { monthFirst = monthFirst ?? text }
            else if a != b && a <= 12 && b <= 12 { ambiguous = ambiguous ?? text }
        }
        if let d = dayFirst, let m = monthFirst { return .mixed(dayFirst: d, monthFirst: m) }
        if dayFirst != nil { return .order(.dayMonthYear) }
        if monthFirst != nil { return .order(.monthDayYear) }
        if let a = ambiguous { return .ambiguous(example: a) }
        return any ? .order(.dayMonthYear) : .none
    }

    /// A date as banks write it in QIF and CSV exports, in the given order:
    /// `01/05/2023`, `1/5/23`, `1/5'23` (Quicken's `'` marks 2000 and later),
    /// `8/ 1/97`, `01.05.2023`, and ISO `2023-01-05` whatever the order. A
    /// two-digit year without `'` is 2000–2069 up to 69, else 1970–1999.
    public static func parse(_ text: String, _ format: DateFormat) -> Day? {
        let t = normalised(text)
        if let d = Day(iso: t) { return d }
        if format == .iso || format == .yearMonthDaySlashes {
            let parts = t.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
            guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            return Day(year: y, month: m, day: d)
        }
        if format == .dayMonthNameYear { return format.parse(Substring(text)) }
        let apostrophe = text.contains("'")
        let parts = t.split(whereSeparator: { $0 == "/" || $0 == "-" || $0 == "." })
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
              parts[0].count <= 2, parts[1].count <= 2, parts[2].count == 2 || parts[2].count == 4,
              let a = Int(parts[0]), let b = Int(parts[1]), var y = Int(parts[2]) else { return nil }
        if parts[2].count == 2 { y += apostrophe || y <= 69 ? 2000 : 1900 }
        return format == .monthDayYear ? Day(year: y, month: a, day: b) : Day(year: y, month: b, day: a)
    }
}
