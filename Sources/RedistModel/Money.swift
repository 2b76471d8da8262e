/// An exact amount of money: a signed count of the currency's minor units
/// (pence for GBP) and the currency. Never a floating-point number.
public struct Money: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var minorUnits: Int64
    public var currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing \(lhs.currency) with \(rhs.currency)")
        return lhs.minorUnits < rhs.minorUnits
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding \(lhs.currency) to \(rhs.currency)")
        return Money(minorUnits: lhs.minorUnits + rhs.minorUnits, currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "subtracting \(rhs.currency) from \(lhs.currency)")
        return Money(minorUnits: lhs.minorUnits - rhs.minorUnits, currency: lhs.currency)
    }

    public static prefix func - (value: Money) -> Money {
        Money(minorUnits: -value.minorUnits, currency: value.currency)
    }

    /// The amount as a plain decimal with the currency's minor digits: `-1234.50`.
    public var decimalString: String { MoneyFormat.decimal(minorUnits, digits: currency.minorDigits) }

    public var description: String { "\(decimalString) \(currency.code)" }
}

/// Formatting of minor units as plain decimals, shared by every output.
public enum MoneyFormat {
    /// `decimal(-123450, digits: 2)` is `-1234.50`; no symbol, no separators.
    public static func decimal(_ minorUnits: Int64, digits: Int) -> String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard digits > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = magnitude / scale
        var fraction = String(magnitude % scale)
        while fraction.count < digits { fraction = "0" + fraction }
        return (negative ? "-" : "") + String(whole) + "." + fraction
    }

    /// `grouped(123456789, digits: 2)` is `1,234,567.89`, for people to read.
    public static func grouped(_ minorUnits: Int64, digits: Int, symbol: String = "") -> String {
        let plain = decimal(minorUnits.magnitude > UInt64(Int64.max) ? Int64.max : Int64(minorUnits.magnitude), digits: digits)
        let parts = plain.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var groups: [Substring] = []
        while whole.count > 3 {
            groups.insert(whole.suffix(3), at: 0)
            whole.removeLast(3)
        }
        groups.insert(Substring(whole), at: 0)
        var text = groups.joined(separator: ",")
        if parts.count > 1 { text += "." + parts[1] }
        return (minorUnits < 0 ? "−" : "") + symbol + text
    }
}
