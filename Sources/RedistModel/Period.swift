import Foundation

/// A reporting period: a calendar quarter (`2023-Q2`), a calendar year
/// (`2023`) or an inclusive date range (`2023-04-01..2023-06-30`).
public struct Period: Hashable, Sendable, CustomStringConvertible {
    public let start: Day
    public let end: Day
    /// How the user wrote it, used as the `period` column.
    public let label: String

    public init(start: Day, end: Day, label: String) {
        self.start = start
        self.end = end
        self.label = label
    }

    public static let expectation =
        "expected a period such as 2023-Q2, 2023, 2023-05, 2023-04-01..2023-06-30, or by the financial year 2023/24 or 2023/24-Q1"

    /// A calendar period: `2023-Q2` (or `2023-q2`), `2023`, a month
    /// `2023-05`, or a date range. Financial-year labels need the year's
    /// start: `init(_:financialYear:)`.
    public init?(_ text: String) {
        let t = String(text.trimmingSpaces)
        if t.contains("..") {
            guard let r = t.range(of: "..") else { return nil }
            let parts = [String(t[..<r.lowerBound]), String(t[r.upperBound...])]
            guard parts.count == 2, let s = Day(iso: parts[0]), let e = Day(iso: parts[1]), s <= e,
                  parts[0].count == 10, parts[1].count == 10 else { return nil }
            self.init(start: s, end: e, label: t)
        } else if t.count == 7, t.dropFirst(4).uppercased().hasPrefix("-Q"), let y = Int(t.prefix(4)), y > 0, let q = Int(t.suffix(1)),
                  (1...4).contains(q) {
            self = Period.quarter(year: y, quarter: q)
        } else if t.count == 7, t.dropFirst(4).hasPrefix("-"), t.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }),
                  let y = Int(t.prefix(4)), y > 0, let m = Int(t.suffix(2)), (1...12).contains(m) {
            self.init(start: Day(year: y, month: m, day: 1)!, end: Day(year: y, month: m, day: Day.daysIn(month: m, year: y))!, label: t)
        } else if t.count == 4, t.allSatisfy({ $0.isASCII && $0.isNumber }), let y = Int(t), y > 0 {
            self.init(start: Day(year: y, month: 1, day: 1)!, end: Day(year: y, month: 12, day: 31)!, label: t)
        } else {
            return nil
        }
    }

    /// Any calendar period, or one named by the organisation's financial
    /// year: `2023/24` (the year starting in 2023), `2023/24-Q1` (its first
    /// quarter), and the reports' own names for a period: `Q1 2023/24`, and
    /// dates as `1 April to 30 June 2023` or `1 April 2023 to 31 March 2024`.
    /// Each gets its one name as its label (`2023/24-Q1`), so the output
    /// folder, the CSV files and the report call it the same.
    public init?(_ text: String, financialYear fy: FinancialYear) {
        if let p = Period(text) { self = p; return }
        let t = String(text.trimmingSpaces)
        let upper = t.uppercased()
        // "Q1 2023/24", the reports' name for a quarter of the financial year.
        if upper.hasPrefix("Q"), let space = upper.firstIndex(of: " "), let q = Int(upper[upper.index(after: upper.startIndex)..<space]),
           let p = Period(String(String(upper[upper.index(after: space)...]).trimmingSpaces) + "-Q\(q)", financialYear: fy) {
            self = p
            return
        }
        if let p = Period(reportDates: t) { self = p; return }
        var yearPart = Substring(upper), quarter: Int? = nil
        if let dash = upper.firstIndex(of: "-") {
            let rest = upper[upper.index(after: dash)...]
            guard rest.count == 2, rest.hasPrefix("Q"), let q = Int(rest.dropFirst()), (1...4).contains(q) else { return nil }
            quarter = q
            yearPart = upper[..<dash]
        }
        let halves = yearPart.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, halves[0].count == 4, halves[1].count == 2, halves.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let y = Int(halves[0]), y > 0, let next = Int(halves[1]), next == (y + 1) % 100,
              let yearStart = Day(year: y, month: fy.startMonth, day: min(fy.startDay, Day.daysIn(month: fy.startMonth, year: y))) else { return nil }
        let name = fy.name(containing: yearStart)
        guard name.contains("/") else { return nil }  // a year starting on 1 January is named 2023, not 2023/24
        func monthsAfter(_ n: Int) -> Day {
            let months = fy.startMonth - 1 + n
            let year = y + months / 12, month = months % 12 + 1
            return Day(year: year, month: month, day: min(fy.startDay, Day.daysIn(month: month, year: year)))!
        }
        if let q = quarter {
            self.init(start: monthsAfter(3 * (q - 1)), end: monthsAfter(3 * q).adding(days: -1), label: "\(name)-Q\(q)")
        } else {
            self.init(start: yearStart, end: monthsAfter(12).adding(days: -1), label: name)
        }
    }

    /// "1 April to 30 June 2023" or "1 April 2023 to 31 March 2024", as the
    /// reports write a period that is not a quarter of the financial year.
    init?(reportDates text: String) {
        let words = text.split(separator: " ").map(String.init)
        guard let to = words.firstIndex(of: "to") else { return nil }
        let left = Array(words[..<to]), right = Array(words[(to + 1)...])
        guard right.count == 3, let ey = Int(right[2]), left.count == 2 || left.count == 3,
              let sy = left.count == 3 ? Int(left[2]) : ey else { return nil }
        func day(_ d: String, _ month: String, _ year: Int) -> Day? {
            guard let n = Int(d), let m = Day.monthNames.firstIndex(where: { $0.lowercased() == month.lowercased() }) else { return nil }
            return Day(year: year, month: m + 1, day: n)
        }
        guard let s = day(left[0], left[1], sy), let e = day(right[0], right[1], ey), s <= e else { return nil }
        self.init(start: s, end: e, label: "\(s)..\(e)")
    }

    public static func quarter(year: Int, quarter q: Int) -> Period {
        let startMonth = (q - 1) * 3 + 1
        let endMonth = startMonth + 2
        return Period(start: Day(year: year, month: startMonth, day: 1)!,
                      end: Day(year: year, month: endMonth, day: Day.daysIn(month: endMonth, year: year))!,
                      label: "\(year)-Q\(q)")
    }

    /// True when this period is exactly one calendar quarter.
    public var calendarQuarter: (year: Int, quarter: Int)? {
        guard start.day == 1, (start.month - 1) % 3 == 0 else { return nil }
        let q = Period.quarter(year: start.year, quarter: (start.month - 1) / 3 + 1)
        return q.end == end ? (start.year, (start.month - 1) / 3 + 1) : nil
    }

    /// The `n` calendar quarters ending with the one that holds this period's end.
    public func quartersEnding(count n: Int) -> [Period] {
        var year = end.year
        var q = (end.month - 1) / 3 + 1
        var result: [Period] = []
        for _ in 0..<n {
            result.append(Period.quarter(year: year, quarter: q))
            q -= 1
            if q == 0 { q = 4; year -= 1 }
        }
        return result.reversed()
    }

    public func contains(_ day: Day) -> Bool { day >= start && day <= end }

    public var description: String { label }
}

/// The organisation's financial year, which starts on a month and day.
public struct FinancialYear: Hashable, Sendable {
    public let startMonth: Int
    public let startDay: Int

    public init(startMonth: Int, startDay: Int) {
        self.startMonth = startMonth
        self.startDay = startDay
    }

    /// Parses `MM-DD`.
    public init?(monthDay text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let m = Int(parts[0]), let d = Int(parts[1]),
              Day(year: 2001, month: m, day: d) != nil else { return nil }
        self.init(startMonth: m, startDay: d)
    }

    /// The first day of the financial year that holds `day`.
    public func yearStart(containing day: Day) -> Day {
        let thisYear = Day(year: day.year, month: startMonth, day: startDay)!
        return day >= thisYear ? thisYear : Day(year: day.year - 1, month: startMonth, day: startDay)!
    }

    /// "2023/24" for the year starting in April 2023; "2023" when it starts on 1 January.
    public func name(containing day: Day) -> String {
        let s = yearStart(containing: day)
        if startMonth == 1 && startDay == 1 { return String(s.year) }
        let next = String(s.year + 1).suffix(2)
        return "\(s.year)/\(next)"
    }

    /// "Q1 2023/24" for a quarter that starts a financial-year quarter, else nil.
    public func quarterLabel(_ period: Period) -> String? {
        let s = yearStart(containing: period.start)
        guard startDay == 1 else { return nil }
        let monthsIn = (period.start.year - s.year) * 12 + period.start.month - s.month
        guard period.start.day == 1, monthsIn % 3 == 0, period.calendarQuarter != nil else { return nil }
        return "Q\(monthsIn / 3 + 1) \(name(containing: period.start))"
    }
}
