/// Parses the amount spellings found in accounting and bank exports into
/// exact minor units, and refuses everything else.
///
/// Accepted: `1234.56`, `1,234.56`, `£1,234.56`, `-12.00`, `(12.00)`,
/// `12.00-`, `- $220.00`, `+ $1,150.00`, GnuCash fractions `123456/100`, and,
/// with `decimalComma`, `1.234,56`. A currency symbol is accepted only when it
/// is the currency's own (`£` for GBP, `$` for the dollars, `€` for EUR, `¥`
/// for JPY and CNY; with `init(digits:)`, any of them). Digits beyond the
/// currency's minor unit are refused unless they are zeros (`18.150` is
/// exact), or unless `rounding` is set (the default of `init(digits:)`),
/// when they are rounded half away from zero (HMRC's rule) and the reading
/// says so. Amounts of `maximum` minor units or more are refused, so that no
/// single amount can make a file's sums overflow.
public struct AmountParser: Sendable {
    public var digits: Int
    public var decimalComma: Bool
    /// The currency symbols accepted before the number.
    public var symbols: Symbols
    /// Round digits beyond the minor unit instead of refusing the amount.
    public var rounding: Bool

    /// Currency symbols an amount may carry.
    public struct Symbols: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let pound = Symbols(rawValue: 1)
        public static let dollar = Symbols(rawValue: 2)
        public static let euro = Symbols(rawValue: 4)
        public static let yen = Symbols(rawValue: 8)
        public static let all: Symbols = [.pound, .dollar, .euro, .yen]

        /// The symbols that stand for `currency`: none for a currency without one here.
        public init(for currency: Currency) {
            switch currency.code {
            case "GBP": self = .pound
            case "EUR": self = .euro
            case "JPY", "CNY": self = .yen
            case let code where Self.dollarCurrencies.contains(code): self = .dollar
            default: self = []
            }
        }

        /// Currencies called dollars, whose exports write `$`.
        static let dollarCurrencies: Set<String> = [
            "USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "JMD", "BSD", "BBD", "BZD", "BMD", "KYD", "TTD", "XCD",
            "FJD", "SBD", "LRD", "NAD", "GYD", "SRD", "BND", "ZWL",
        ]

        /// The symbols as written, for messages (`£`, `£ or $`).
        public var written: String {
            var out: [String] = []
            if contains(.pound) { out.append("£") }
            if contains(.dollar) { out.append("$") }
            if contains(.euro) { out.append("€") }
            if contains(.yen) { out.append("¥") }
            return out.joined(separator: " or ")
        }
    }

    /// What a text turned out to be.
    public enum Reading: Equatable, Sendable {
        /// An exact amount in minor units.
        case amount(Int64)
        /// An amount rounded to the minor unit (only with `rounding`).
        case rounded(Int64)
        /// Not an amount spelling at all.
        case notAnAmount
        /// An amount with a currency symbol that is not the currency's.
        case wrongSymbol(String)
        /// An amount with more decimal places than the currency has (nil: a fraction such as `1/3` that is not a whole number of minor units).
        case tooManyDecimals(Int?)
        /// An amount of `maximum` minor units or more.
        case tooLarge

        public var value: Int64? {
            switch self {
            case .amount(let v), .rounded(let v): return v
            default: return nil
            }
        }
    }

    /// Amounts must be smaller than this many minor units (10^15: ten
    /// trillion pounds), so a file would need over nine thousand of the
    /// largest before its sums could overflow 64 bits (and those are checked).
    public static let maximum: Int64 = 1_000_000_000_000_000

    /// A parser that knows only the number of decimals, for values already
    /// known to be in their currency (XML values, figures redist printed):
    /// any of the symbols is accepted and, unless told otherwise, extra
    /// digits are rounded, as published IATI values need.
    public init(digits: Int = 2, decimalComma: Bool = false, rounding: Bool = true) {
        self.digits = digits
        self.decimalComma = decimalComma
        self.symbols = .all
        self.rounding = rounding
    }

    /// A parser for amounts in `currency`: its decimals, and its own symbol only.
    public init(currency: Currency, decimalComma: Bool = false, rounding: Bool = false) {
        self.digits = currency.minorDigits
        self.decimalComma = decimalComma
        self.symbols = Symbols(for: currency)
        self.rounding = rounding
    }

    public static let expectation = "expected an amount such as 1234.56, 1,234.56, £1,234.56, -12.00 or (12.00)"

    /// What is wrong with a reading that is not an amount, in words, for `currency`
    /// (`text` is the value as written); nil for an amount.
    public func problem(_ reading: Reading, text: String, currency: String) -> String? {
        switch reading {
        case .amount, .rounded:
            return nil
        case .notAnAmount:
            return "\"\(text)\" is not an amount (\(Self.expectation))"
        case .wrongSymbol(let symbol):
            let allowed = symbols.isEmpty ? "no symbol" : "\(symbols.written) or no symbol"
            return "\"\(text)\" has the symbol \(symbol) but the amounts of this source are in \(currency) (expected \(allowed))"
        case .tooManyDecimals(let places):
            let written = places.map { "\($0) decimal places" } ?? "a fraction that is not a whole number of minor units"
            return "\"\(text)\" has \(written) but \(currency) has \(digits) (expected at most \(digits), or round_amounts = \"true\" in [source.options] to round them)"
        case .tooLarge:
            return "\"\(text)\" is larger than redist accepts (expected less than \(MoneyFormat.grouped(Self.maximum, digits: digits)))"
        }
    }

    /// Parses UTF-8 bytes. Returns nil when the text is not an amount.
    public func parse<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        Array(bytes).withUnsafeBytes { parse($0) }
    }

    /// Parses UTF-8 bytes in place. Returns nil when the text is not an
    /// amount this parser accepts (`read` says why).
    @inline(__always)
    public func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        read(bytes).value
    }

    /// Reads UTF-8 bytes in place: what the readers call, once per amount
    /// field, so it indexes the bytes directly rather than through a
    /// generic iterator.
    public func read(_ bytes: UnsafeRawBufferPointer) -> Reading {
        if let v = plain(bytes) { return .amount(v) }
        return general(bytes)
    }

    public func read(_ text: String) -> Reading {
        var copy = text
        return copy.withUTF8 { read(UnsafeRawBufferPointer($0)) }
    }

    /// The spelling almost every export uses, `-1,234.56`, `1234.56` or
    /// `£1,234.56` (the currency's own `£` or `$`) with exactly the
    /// currency's decimals, in one pass; nil for anything else, which
    /// `general` then reads (or refuses) as always.
    @inline(__always)
    private func plain(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0, digits > 0, let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let decimalMark: UInt8 = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let groupMark: UInt8 = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        if i + 1 < n && p[i] == 0xC2 && p[i + 1] == 0xA3 && symbols.contains(.pound) {
            i += 2
        } else if i < n && p[i] == UInt8(ascii: "$") && symbols.contains(.dollar) {
            i += 1
        }
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
        guard units < Self.maximum else { return nil }
        return negative ? -units : units
    }

    /// Every accepted spelling, a byte at a time (internal for the tests that compare it with `plain`).
    func general(_ bytes: UnsafeRawBufferPointer) -> Reading {
        var negative = false
        var sawSign = false
        var parenOpen = false
        var parenClosed = false
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var roundUp = false
        var droppedDigits = false
        var inFraction = false
        var sawDigit = false
        var trailingMinus = false
        var denominator: Int64 = 0
        var inDenominator = false
        var finishedNumber = false
        let decimalMark: UInt8 = decimalComma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        let groupMark: UInt8 = decimalComma ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var lastGroupDigits = -1  // digits since the last group mark, -1 when none seen
        var wrongSymbol: String? = nil

        let n = bytes.count
        guard n > 0, let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return .notAnAmount }
        var at = 0
        while at < n {
            let byte = p[at]
            at += 1
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if finishedNumber || parenClosed { return .notAnAmount }
                let digit = Int64(byte &- 48)
                sawDigit = true
                if inDenominator {
                    let (m, o1) = denominator.multipliedReportingOverflow(by: 10)
                    if o1 { return .notAnAmount }
                    denominator = m + digit
                } else if inFraction {
                    if fractionDigits < digits {
                        fraction = fraction * 10 + digit
                        fractionDigits += 1
                    } else if fractionDigits == digits {
                        roundUp = digit >= 5
                        if digit != 0 { droppedDigits = true }
                        fractionDigits += 1
                    } else {
                        if digit != 0 { droppedDigits = true }
                        fractionDigits += 1
                    }
                } else {
                    let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                    let (s, o2) = m.addingReportingOverflow(digit)
                    if o1 || o2 { return .notAnAmount }
                    whole = s
                    if lastGroupDigits >= 0 { lastGroupDigits += 1 }
                }
            case decimalMark:
                if inFraction || inDenominator || finishedNumber { return .notAnAmount }
                if lastGroupDigits >= 0 && lastGroupDigits != 3 { return .notAnAmount }
                inFraction = true
            case groupMark:
                if inFraction || inDenominator || !sawDigit || finishedNumber { return .notAnAmount }
                if lastGroupDigits >= 0 && lastGroupDigits != 3 { return .notAnAmount }
                lastGroupDigits = 0
            case UInt8(ascii: "/"):
                if inFraction || inDenominator || !sawDigit || lastGroupDigits >= 0 { return .notAnAmount }
                inDenominator = true
            case UInt8(ascii: "-"):
                // `(-12.00)` and `(12.00)-` say "negative" twice: ambiguous, so refused.
                if parenOpen { return .notAnAmount }
                if sawDigit {
                    if trailingMinus || negative { return .notAnAmount }
                    trailingMinus = true
                    finishedNumber = true
                } else {
                    if sawSign { return .notAnAmount }
                    negative = true
                    sawSign = true
                }
            case UInt8(ascii: "+"):
                if sawDigit || sawSign { return .notAnAmount }
                sawSign = true
            case UInt8(ascii: "("):
                if sawDigit || parenOpen || sawSign { return .notAnAmount }
                parenOpen = true
            case UInt8(ascii: ")"):
                if !parenOpen || parenClosed || !sawDigit { return .notAnAmount }
                parenClosed = true
            case UInt8(ascii: " "), 0x09:
                if sawDigit { finishedNumber = true }
            case UInt8(ascii: "$"):
                if sawDigit { return .notAnAmount }
                if !symbols.contains(.dollar) { wrongSymbol = "$" }
            case 0xC2:  // £ is C2 A3, ¥ C2 A5, non-breaking space C2 A0
                guard at < n, p[at] == 0xA3 || p[at] == 0xA5 || p[at] == 0xA0 else { return .notAnAmount }
                let next = p[at]
                if next != 0xA0 && sawDigit { return .notAnAmount }
                if next == 0xA0 && sawDigit { finishedNumber = true }
                if next == 0xA3 && !symbols.contains(.pound) { wrongSymbol = "£" }
                if next == 0xA5 && !symbols.contains(.yen) { wrongSymbol = "¥" }
                at += 1
            case 0xE2:  // € is E2 82 AC
                guard at < n, p[at] == 0x82 else { return .notAnAmount }
                guard at + 1 < n, p[at + 1] == 0xAC, !sawDigit else { return .notAnAmount }
                if !symbols.contains(.euro) { wrongSymbol = "€" }
                at += 2
            default:
                return .notAnAmount
            }
        }
        guard sawDigit else { return .notAnAmount }
        if let wrongSymbol { return .wrongSymbol(wrongSymbol) }
        if parenOpen != parenClosed { return .notAnAmount }
        if lastGroupDigits >= 0 && lastGroupDigits != 3 && !inFraction { return .notAnAmount }
        if inDenominator {
            guard let (units, exact) = Self.fromFraction(numerator: whole, denominator: denominator,
                                                         negative: negative || parenOpen || trailingMinus, digits: digits)
            else { return .notAnAmount }
            if units.magnitude >= Self.maximum.magnitude { return .tooLarge }
            if !exact && !rounding { return .tooManyDecimals(nil) }
            return exact ? .amount(units) : .rounded(units)
        }
        if inFraction && fractionDigits == 0 { return .notAnAmount }
        while fractionDigits < digits {
            fraction *= 10
            fractionDigits += 1
        }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        if droppedDigits && !rounding { return .tooManyDecimals(fractionDigits) }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        if o1 { return .tooLarge }
        let (withFraction, o2) = m.addingReportingOverflow(fraction + (roundUp ? 1 : 0))
        if o2 || withFraction >= Self.maximum { return .tooLarge }
        var units = withFraction
        if negative || parenOpen || trailingMinus { units = -units }
        return droppedDigits ? .rounded(units) : .amount(units)
    }

    public func parse(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// `numerator/denominator` in minor units, rounded half away from zero,
    /// and whether that was exact.
    static func fromFraction(numerator: Int64, denominator: Int64, negative: Bool, digits: Int) -> (Int64, Bool)? {
        guard denominator > 0 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (scaled, overflow) = numerator.multipliedReportingOverflow(by: scale)
        if overflow { return (Int64.max, false) }
        var units = scaled / denominator
        let remainder = scaled % denominator
        if remainder != 0 && remainder >= denominator - remainder { units += 1 }  // remainder × 2 ≥ denominator, without overflow
        return (negative ? -units : units, remainder == 0)
    }
}
