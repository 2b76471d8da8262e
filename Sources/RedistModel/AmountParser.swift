/// Parses the amount spellings found in accounting and bank exports into
/// exact minor units, and refuses everything else.
///
/// Accepted: `1234.56`, `1,234.56`, `£1,234.56`, `-12.00`, `(12.00)`,
/// `12.00-`, `- $220.00`, `+ $1,150.00`, GnuCash fractions `123456/100`, and,
/// with `decimalComma`, `1.234,56`. Digits beyond the currency's minor unit
/// are rounded half away from zero (HMRC's rule), `18.150` being exact.
public struct AmountParser: Sendable {
    public var digits: Int
    public var decimalComma: Bool

    public init(digits: Int = 2, decimalComma: Bool = false) {
        self.digits = digits
        self.decimalComma = decimalComma
    }

    public static let expectation = "expected an amount such as 1234.56, 1,234.56, £1,234.56, -12.00 or (12.00)"

    /// Parses UTF-8 bytes. Returns nil when the text is not an amount.
    public func parse<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        Array(bytes).withUnsafeBytes { parse($0) }
    }

    /// Parses UTF-8 bytes in place: what the readers call, once per amount
    /// field, so it indexes the bytes directly rather than through a
    /// generic iterator. Returns nil when the text is not an amount.
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        if let v = plain(bytes) { return v }
        return general(bytes)
    }

    /// The spelling almost every export uses, `-1,234.56` or `1234.56` with
    /// exactly the currency's decimals, in one pass; nil for anything else,
    /// which `general` then reads (or refuses) as always.
    @inline(__always)
    private func plain(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0, digits > 0, let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let decimalMark: UInt8 = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let groupMark: UInt8 = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var whole: Int64 = 0
        var wholeDigits = 0
        var sinceGroup = -1  // digits since the last group mark, -1 when none seen
        while i < n {
            let d = p[i] &- 48
            if d < 10 {
                whole = whole &* 10 &+ Int64(d)
                wholeDigits += 1
                if sinceGroup >= 0 { sinceGroup += 1 }
            } else if p[i] == groupMark {
                if wholeDigits == 0 || wholeDigits > 3 && sinceGroup < 0 || sinceGroup >= 0 && sinceGroup != 3 { return nil }
                sinceGroup = 0
            } else {
                break
            }
            i += 1
        }
        guard wholeDigits > 0, wholeDigits + digits <= 18, sinceGroup < 0 || sinceGroup == 3 else { return nil }
        var units = whole
        if i < n {
            guard p[i] == decimalMark, n - i - 1 == digits else { return nil }
            i += 1
            while i < n {
                let d = p[i] &- 48
                guard d < 10 else { return nil }
                units = units &* 10 &+ Int64(d)
                i += 1
            }
        } else {
            for _ in 0..<digits { units = units &* 10 }
        }
        return negative ? -units : units
    }

    /// Every accepted spelling, a byte at a time (internal for the tests that compare it with `plain`).
    func general(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var negative = false
        var sawSign = false
        var parenOpen = false
        var parenClosed = false
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var roundUp = false
        var inFraction = false
        var sawDigit = false
        var trailingMinus = false
        var denominator: Int64 = 0
        var inDenominator = false
        var finishedNumber = false
        let decimalMark: UInt8 = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let groupMark: UInt8 = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var lastGroupDigits = -1  // digits since the last group mark, -1 when none seen

        let n = bytes.count
        guard n > 0, let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var at = 0
        while at < n {
            let byte = p[at]
            at += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if finishedNumber || parenClosed { return nil }
                let digit = Int64(byte &- 48)
                sawDigit = true
                if inDenominator {
                    let (m, o1) = denominator.multipliedReportingOverflow(by: 10)
                    if o1 { return nil }
                    denominator = m + digit
                } else if inFraction {
                    if fractionDigits < digits {
                        fraction = fraction * 10 + digit
                        fractionDigits += 1
                    } else if fractionDigits == digits {
                        roundUp = digit >= 5
                        fractionDigits += 1
                    } else {
                        fractionDigits += 1
                    }
                } else {
                    let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(digit)
                    if o1 || o2 { return nil }
                    whole = s
                    if lastGroupDigits >= 0 { lastGroupDigits += 1 }
                }
            case decimalMark:
                if inFraction || inDenominator || finishedNumber { return nil }
                if lastGroupDigits >= 0 && lastGroupDigits != 3 { return nil }
                inFraction = true
            case groupMark:
                if inFraction || inDenominator || !sawDigit || finishedNumber { return nil }
                if lastGroupDigits >= 0 && lastGroupDigits != 3 { return nil }
                lastGroupDigits = 0
            case UInt8(ascii: "/"):
                if inFraction || inDenominator || !sawDigit || lastGroupDigits >= 0 { return nil }
                inDenominator = true
            case UInt8(ascii: "-"):
                // `(-12.00)` and `(12.00)-` say "negative" twice: ambiguous, so refused.
                if parenOpen { return nil }
                if sawDigit {
                    if trailingMinus || negative { return nil }
                    trailingMinus = true
                    finishedNumber = true
                } else {
                    if sawSign { return nil }
                    negative = true
                    sawSign = true
                }
            case UInt8(ascii: "+"):
                if sawDigit || sawSign { return nil }
                sawSign = true
            case UInt8(ascii: "("):
                if sawDigit || parenOpen || sawSign { return nil }
                parenOpen = true
            case UInt8(ascii: ")"):
                if !parenOpen || parenClosed || !sawDigit { return nil }
                parenClosed = true
            case UInt8(ascii: " "), 0x09:
                if sawDigit { finishedNumber = true }
            case UInt8(ascii: "$"):
                if sawDigit { return nil }
            case 0xC2:  // £ is C2 A3, non-breaking space C2 A0
                guard at < n, p[at] == 0xA3 || p[at] == 0xA0 else { return nil }
                let next = p[at]
                if next == 0xA3 && sawDigit { return nil }
                if next == 0xA0 && sawDigit { finishedNumber = true }
                at += 1
            case 0xE2:  // € is E2 82 AC
                guard at < n, p[at] == 0x82 else { return nil }
                guard at + 1 < n, p[at + 1] == 0xAC, !sawDigit else { return nil }
                at += 2
            default:
                return nil
            }
        }
        guard sawDigit else { return nil }
        if parenOpen != parenClosed { return nil }
        if lastGroupDigits >= 0 && lastGroupDigits != 3 && !inFraction { return nil }
        if inDenominator {
            return Self.fromFraction(numerator: whole, denominator: denominator,
                                     negative: negative || parenOpen || trailingMinus, digits: digits)
        }
        if inFraction && fractionDigits == 0 { return nil }
        while fractionDigits < digits {
            fraction *= 10
            fractionDigits += 1
        }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        if o1 { return nil }
        let (withFraction, o2) = m.addingReportingOverflow(fraction + (roundUp ? 1 : 0))
        if o2 { return nil }
        var units = withFraction
        if negative || parenOpen || trailingMinus { units = -units }
        return units
    }

    public func parse(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// `numerator/denominator` in minor units, rounded half away from zero.
    static func fromFraction(numerator: Int64, denominator: Int64, negative: Bool, digits: Int) -> Int64? {
        guard denominator > 0 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (scaled, overflow) = numerator.multipliedReportingOverflow(by: scale)
        if overflow { return nil }
        var units = scaled / denominator
        let remainder = scaled % denominator
        if remainder >= denominator - remainder { units += 1 }  // remainder × 2 ≥ denominator, without overflow
        return negative ? -units : units
    }
}
