import PropertyBased
import RedistModel
import Testing

/// The amount and date parsers as the fuzz harness (fuzz/README.md) sees
/// them: any bytes are parsed or refused, never a trap, and every amount
/// or date printed in a spelling the parser promises reads back to the
/// same value, over the whole range a 64-bit amount or a four-digit year
/// allows.
@Suite("Amount and date parsers under fuzzing")
struct ParserFuzzTests {
    /// Bytes weighted towards the ones amounts and dates are made of, with any byte possible.
    static let bytes = Gen.int(in: 0...63).map { pick -> UInt8 in
        let common = Array("0123456789.,-+()$/ :T".utf8) + [0xC2, 0xA3, 0xA0, 0xE2, 0x82, 0xAC]
        return pick < common.count ? common[pick] : UInt8(truncatingIfNeeded: pick &* 37 &+ pick >> 2)
    }.array(of: 0...32)

    @Test func anyBytesAreAnAmountOrRefusedNeverATrap() async {
        await propertyCheck(count: 3000, input: Self.bytes, Gen.int(in: 0...3), Gen.bool) { input, digits, comma in
            let value = AmountParser(digits: digits, decimalComma: comma).parse(input)
            if let value { #expect(value != Int64.min, "\(input) gave Int64.min, which has no positive counterpart") }
        }
    }

    @Test func anyBytesAreADateOrRefusedNeverATrap() async {
        await propertyCheck(count: 3000, input: Self.bytes) { input in
            let text = Substring(String(decoding: input, as: UTF8.self))
            for format in DateFormat.allCases { _ = format.parse(text) }
            _ = Day(iso: String(text))
        }
    }

    /// Amounts below `AmountParser.maximum` minor units: the parser refuses
    /// larger ones, so that no single amount can make a file's sums overflow.
    static let largest: Int64 = AmountParser.maximum

    /// Every accepted spelling of a random amount, over the range of minor units.
    static func spellings(_ units: Int64, digits: Int, decimalComma: Bool) -> [String] {
        let magnitude = units.magnitude
        let plain = MoneyFormat.decimal(Int64(magnitude), digits: digits)
        var grouped = MoneyFormat.grouped(Int64(magnitude), digits: digits)
        var unsigned = plain
        if decimalComma {
            let swap: (Character) -> Character = { $0 == "." ? "," : $0 == "," ? "." : $0 }
            grouped = String(grouped.map(swap))
            unsigned = String(unsigned.map(swap))
        }
        var out = [unsigned, grouped]
        if digits == 2 && !decimalComma { out.append("£" + grouped) }
        if units < 0 {
            out = out.map { "-" + $0 } + [unsigned, grouped].flatMap { ["(\($0))", "\($0)-"] }
        }
        return out
    }

    @Test func amountsReadBackInEverySpelling() async {
        // Shifted right by a random count, sizes spread over every number of digits, not clustered near Int64.max.
        await propertyCheck(count: 3000, input: Gen.int64(), Gen.int(in: 0...63), Gen.element(of: [0, 2, 3]), Gen.bool) {
            random, shift, digits, comma in
            let units = (random >> shift) % Self.largest
            guard let digits else { return }
            let parser = AmountParser(digits: digits, decimalComma: comma)
            for text in Self.spellings(units, digits: digits, decimalComma: comma) {
                #expect(parser.parse(text) == units, "\(text) with \(digits) digits\(comma ? ", decimal comma" : "")")
            }
        }
    }

    @Test func theExtremesReadBack() {
        let parser = AmountParser(digits: 2)
        for units in [Self.largest - 1, -(Self.largest - 1), 0, 1, -1, 99, 100, 999, 1000] {
            for text in Self.spellings(units, digits: 2, decimalComma: false) {
                #expect(parser.parse(text) == units, "\(text)")
            }
        }
    }

    /// A day printed in each date_format's spellings (padded or not, each separator it allows).
    static func spellings(_ day: Day, _ format: DateFormat) -> [String] {
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        let y = pad(day.year, 4), m = pad(day.month, 2), d = pad(day.day, 2)
        switch format {
        case .iso: return ["\(y)-\(m)-\(d)", "\(y)-\(m)-\(d)T12:34:56", "\(y)-\(m)-\(d) 00:00:00"]
        case .yearMonthDaySlashes: return ["\(y)/\(m)/\(d)", "\(y)/\(day.month)/\(day.day)"]
        case .dayMonthYear, .monthDayYear:
            let (a, b) = format == .dayMonthYear ? (d, m) : (m, d)
            let (ua, ub) = format == .dayMonthYear ? (day.day, day.month) : (day.month, day.day)
            var out = ["/", "-", "."].flatMap { s in ["\(a)\(s)\(b)\(s)\(y)", "\(ua)\(s)\(ub)\(s)\(y)"] }
            if (2000...2099).contains(day.year) { out.append("\(a)/\(b)/\(pad(day.year - 2000, 2))") }
            return out
        case .dayMonthNameYear:
            let abbreviation = Day.monthAbbreviations[day.month - 1]
            let name = Day.monthNames[day.month - 1]
            return ["\(day.day) \(abbreviation.capitalized) \(y)", "\(d) \(name) \(y)", "\(day.day)-\(abbreviation)-\(y)",
                    "\(day.day) \(name.uppercased()) \(y)"]
        }
    }

    @Test func datesReadBackInEveryFormat() async {
        let first = Day(year: 1, month: 1, day: 1)!.ordinal, last = Day(year: 9999, month: 12, day: 31)!.ordinal
        await propertyCheck(count: 2000, input: Gen.int(in: first...last)) { ordinal in
            let day = Day(ordinal: ordinal)
            for format in DateFormat.allCases {
                for text in Self.spellings(day, format) {
                    #expect(format.parse(Substring(text)) == day, "\(text) as \(format.rawValue)")
                }
            }
        }
    }
}
