/// A calendar date without time or zone, as accounts record them.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (31 February is nil).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for day arithmetic.
    public var ordinal: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(ordinal z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    public func adding(days: Int) -> Day { Day(ordinal: ordinal + days) }

    public static func - (lhs: Day, rhs: Day) -> Int { lhs.ordinal - rhs.ordinal }

    public static func < (lhs: Day, rhs: Day) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }

    /// ISO 8601: `2023-04-01`.
    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Parses `yyyy-mm-dd`, also when a time of day follows
    /// (`2020-11-03T00:00:00+00:00`, `2000-09-08 21:18:41 +0200`; see
    /// `Day.isTimeOfDay`). The day is the date as written: no zone is applied.
    public init?(iso text: String) {
        var text = text
        guard let day = text.withUTF8({ Day(iso: $0) }) else { return nil }
        self = day
    }

    /// `init(iso:)` read from the text's UTF-8 bytes.
    public init?(iso bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = Day.number(bytes[0..<4]), let m = Day.number(bytes[5..<7]), let d = Day.number(bytes[8..<10]) else { return nil }
        if bytes.count > 10 {
            guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
                  Day.isTimeOfDay(UnsafeBufferPointer(rebasing: bytes[11...])) else { return nil }
        }
        self.init(year: y, month: m, day: d)
    }

    /// True when the bytes are a time of day as exports write one after a
    /// date: `14:05`, `9:05:30`, `14:05:30.478733084`, then optionally `AM`/`PM`
    /// (hours 1–12) and a zone `Z`, `+01:00`, `+0100` or `-05`, each
    /// optionally after a space. Hours 0–23, minutes 0–59, seconds 0–60.
    public static func isTimeOfDay(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        @inline(__always) func digits(_ most: Int) -> Int? {
            var v = 0, k = 0
            while k < most && i < n && b[i] >= 48 && b[i] <= 57 { v = v * 10 + Int(b[i] - 48); i += 1; k += 1 }
            return k == 0 ? nil : v
        }
        @inline(__always) func twoDigits() -> Int? {
            let start = i
            guard let v = digits(2), i - start == 2 else { return nil }
            return v
        }
        guard let hour = digits(2), i < n, b[i] == UInt8(ascii: ":") else { return false }
        i += 1
        guard let minute = twoDigits(), minute <= 59 else { return false }
        if i < n && b[i] == UInt8(ascii: ":") {
            i += 1
            guard let second = twoDigits(), second <= 60 else { return false }
            if i < n && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                guard digits(12) != nil else { return false }
            }
        }
        if i < n && b[i] == 0x20 { i += 1 }
        var twelveHour = false
        if i + 1 < n, b[i] | 0x20 == UInt8(ascii: "a") || b[i] | 0x20 == UInt8(ascii: "p"), b[i + 1] | 0x20 == UInt8(ascii: "m") {
            twelveHour = true
            i += 2
            if i < n && b[i] == 0x20 { i += 1 }
        }
        if twelveHour ? !(1...12).contains(hour) : hour > 23 { return false }
        if i == n { return true }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == n }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard let zoneHours = twoDigits(), zoneHours <= 14 else { return false }
        if i == n { return true }
        if b[i] == UInt8(ascii: ":") { i += 1 }
        guard let zoneMinutes = twoDigits(), zoneMinutes <= 59 else { return false }
        return i == n
    }

    static func number(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var value = 0
        for b in bytes {
            guard b >= 48 && b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return bytes.isEmpty ? nil : value
    }

    public static let monthAbbreviations = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    public static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
}
