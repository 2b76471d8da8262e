/// Splits a total across parts in proportion to weights with the
/// largest-remainder method, so the parts always sum to the total exactly.
public enum Apportion {
    /// Each part gets `total × weight ÷ Σweights` rounded down; the units left
    /// over go one each to the parts with the largest remainders (ties to the
    /// earlier part). Negative totals are split as their magnitude and negated.
    /// With no positive weight every part is zero except that the total cannot
    /// be placed, so the result is nil.
    public static func largestRemainder(total: Int64, weights: [Int64]) -> [Int64]? {
        let sum = weights.reduce(Int64(0)) { $0 + max($1, 0) }
        guard sum > 0 else { return total == 0 ? weights.map { _ in 0 } : nil }
        let magnitude = total.magnitude
        var parts: [Int64] = []
        var remainders: [(index: Int, remainder: UInt64)] = []
        var allotted: UInt64 = 0
        for (index, weight) in weights.enumerated() {
            let w = UInt64(max(weight, 0))
            let (high, low) = magnitude.multipliedFullWidth(by: w)
            let (quotient, remainder) = UInt64(sum).dividingFullWidth((high, low))
            parts.append(Int64(quotient))
            remainders.append((index, remainder))
            allotted += quotient
        }
        var left = magnitude - allotted
        let order = remainders.sorted { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        var i = 0
        while left > 0 {
            parts[order[i % order.count].index] += 1
            left -= 1
            i += 1
        }
        return total < 0 ? parts.map { -$0 } : parts
    }
}

/// Rounding of exact ratios, half away from zero (HMRC's rule).
public enum Rounding {
    /// `numerator ÷ denominator` as a decimal string with `places` places.
    public static func ratio(_ numerator: Int64, _ denominator: Int64, places: Int) -> String? {
        guard denominator != 0 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        let negative = (numerator < 0) != (denominator < 0)
        let n = numerator.magnitude, d = denominator.magnitude
        let (high, low) = n.multipliedFullWidth(by: UInt64(scale))
        var (q, r) = d.dividingFullWidth((high, low))
        if r >= d - r { q += 1 }
        return MoneyFormat.decimal(negative ? -Int64(q) : Int64(q), digits: places)
    }

    /// `numerator × factor ÷ denominator`, half away from zero, the product
    /// taken full width so it never overflows (pence in the pound of sums
    /// near the 64-bit limit). The quotient must fit: |numerator × factor| ÷
    /// |denominator| ≤ Int64.max, as for any share of a whole.
    public static func scaledHalfUp(_ numerator: Int64, by factor: Int64, _ denominator: Int64) -> Int64 {
        precondition(denominator != 0)
        let negative = (numerator < 0) != (denominator < 0) && numerator != 0
        let d = denominator.magnitude
        let product = numerator.magnitude.multipliedFullWidth(by: factor.magnitude)
        var (q, r) = d.dividingFullWidth(product)
        if r >= d - r { q += 1 }
        return negative ? -Int64(q) : Int64(q)
    }

    /// Whole-number half-up division, for pence per pound and the like.
    public static func divideHalfUp(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        precondition(denominator != 0)
        let negative = (numerator < 0) != (denominator < 0)
        let n = numerator.magnitude, d = denominator.magnitude
        var q = n / d
        if (n % d) >= d - (n % d) { q += 1 }
        return negative ? -Int64(q) : Int64(q)
    }
}
