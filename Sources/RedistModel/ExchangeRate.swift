/// An exchange rate as an exact decimal: reporting-currency units for one
/// unit of the other currency, kept as an integer numerator over a power of
/// ten (`1.2345` is 12345 over 10^4), so a conversion never goes through a
/// floating-point number.
public struct ExchangeRate: Hashable, Sendable, CustomStringConvertible {
    public let numerator: Int64
    /// The number of decimal places: the rate is `numerator / 10^scale`.
    public let scale: Int

    /// The most decimal places a rate may have.
    public static let maximumScale = 12

    public init?(numerator: Int64, scale: Int) {
        guard numerator > 0, (0...Self.maximumScale).contains(scale) else { return nil }
        self.numerator = numerator
        self.scale = scale
    }

    /// A rate written as a plain positive decimal (`0.7850`, `1.17`, `158`); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || (!fraction.isEmpty && fraction.allSatisfy(\.isASCIIDigit)) else { return nil }
        guard fraction.count <= Self.maximumScale, let n = Int64(whole + fraction) else { return nil }
        self.init(numerator: n, scale: fraction.count)
    }

    /// The rate as written back: `0.785`.
    public var description: String {
        guard scale > 0 else { return String(numerator) }
        let digits = String(numerator)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        return "\(padded.dropLast(scale)).\(padded.suffix(scale))"
    }

    /// `units` minor units of a currency with `fromDigits` decimals, in minor
    /// units of one with `toDigits` decimals, rounded once, half away from
    /// zero; nil when the result does not fit in 64 bits.
    public func convert(_ units: Int64, fromDigits: Int, toDigits: Int) -> Int64? {
        // |units| × numerator × 10^toDigits / 10^(scale + fromDigits), exactly,
        // in 128 bits as two 64-bit halves (UInt128 needs macOS 15).
        let (high, low) = units.magnitude.multipliedFullWidth(by: UInt64(numerator))
        let shift = toDigits - scale - fromDigits
        guard shift.magnitude <= 19 else { return nil }
        var power: UInt64 = 1
        for _ in 0..<shift.magnitude { power *= 10 }
        let quotient: UInt64
        if shift >= 0 {
            let (carry, newLow) = low.multipliedFullWidth(by: power)
            let (overflowHigh, scaledHigh) = high.multipliedFullWidth(by: power)
            let (newHigh, overflow) = scaledHigh.addingReportingOverflow(carry)
            guard overflowHigh == 0, !overflow, newHigh == 0 else { return nil }
            quotient = newLow
        } else {
            guard high < power else { return nil }
            let (q, r) = power.dividingFullWidth((high, low))
            // Half away from zero: up when the remainder is at least half the divisor.
            guard q < UInt64.max else { return nil }
            quotient = q + (r >= power - r ? 1 : 0)
        }
        guard quotient <= UInt64(Int64.max) else { return nil }
        return units < 0 ? -Int64(quotient) : Int64(quotient)
    }
}

/// An amount as its source gave it in another currency than the reporting
/// one, with the rate that converted it: kept beside the converted amount
/// so anyone can check the conversion (`amount × rate`, rounded once).
public struct OriginalAmount: Hashable, Sendable {
    /// The source's amount, in its currency, signed as the converted one.
    public var amount: Money
    /// Reporting-currency units for one unit of `amount`'s currency.
    public var rate: ExchangeRate
    /// The rate's own date (on or before the movement's day).
    public var rateDate: Day
    /// Where the rate came from, as the rates table says (`HMRC monthly rate`).
    public var rateSource: String

    public init(amount: Money, rate: ExchangeRate, rateDate: Day, rateSource: String) {
        self.amount = amount
        self.rate = rate
        self.rateDate = rateDate
        self.rateSource = rateSource
    }
}

/// The pipeline's rates: for each currency, its rates by date, each with
/// where it came from. A movement's rate is the one dated on or before its day.
public struct RateTable: Sendable {
    /// One rate from the table.
    public struct Entry: Hashable, Sendable {
        public var date: Day
        public var currency: Currency
        public var rate: ExchangeRate
        public var source: String
        /// Where the rate was written (the pipeline file or the rates CSV).
        public var location: SourceLocation

        public init(date: Day, currency: Currency, rate: ExchangeRate, source: String, location: SourceLocation) {
            self.date = date
            self.currency = currency
            self.rate = rate
            self.source = source
            self.location = location
        }
    }

    /// Each currency's entries, by date.
    private var byCurrency: [Currency: [Entry]] = [:]

    public init(_ entries: [Entry] = []) {
        for e in entries { byCurrency[e.currency, default: []].append(e) }
        for k in byCurrency.keys { byCurrency[k]!.sort { $0.date < $1.date } }
    }

    public var isEmpty: Bool { byCurrency.isEmpty }

    /// Every entry, by currency and date.
    public var entries: [Entry] { byCurrency.keys.sorted().flatMap { byCurrency[$0]! } }

    /// The rate for `currency` on `day`: the latest dated on or before it.
    public func rate(_ currency: Currency, on day: Day) -> Entry? {
        guard let list = byCurrency[currency] else { return nil }
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].date <= day { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : list[lo - 1]
    }
}
