import Foundation
import RedistModel
import Testing

/// Converting money at a rate is exact: the rate is the decimal written, the
/// product is rounded once, half away from zero, and it agrees with
/// Foundation's decimal arithmetic (an independent 38-digit implementation)
/// on every amount and rate tried.
struct ExchangeRateTests {
    /// Foundation's answer: units × rate × 10^(to − from), rounded half away from zero.
    static func oracle(_ units: Int64, _ rate: ExchangeRate, from: Int, to: Int) -> Int64? {
        var product = Decimal(string: String(units))! * Decimal(string: rate.description)!
        product = product * Decimal(sign: .plus, exponent: to - from, significand: 1)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &product, 0, .plain)
        return Int64(NSDecimalNumber(decimal: rounded).stringValue)
    }

    @Test func agreesWithDecimalArithmeticOnRandomAmountsAndRates() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let units = Int64.random(in: -999_999_999_999_99...999_999_999_999_99, using: &rng) >> Int64.random(in: 0...40, using: &rng)
            let scale = Int.random(in: 0...8, using: &rng)
            let rate = ExchangeRate(numerator: Int64.random(in: 1...9_999_999_999, using: &rng), scale: scale)!
            let from = [0, 2, 3].randomElement(using: &rng)!, to = [0, 2, 3].randomElement(using: &rng)!
            let converted = rate.convert(units, fromDigits: from, toDigits: to)
            // Beyond 64 bits there is nothing to compare: convert says nil, tested below.
            if let expected = Self.oracle(units, rate, from: from, to: to), expected.magnitude <= UInt64(Int64.max) / 2 {
                #expect(converted == expected, "\(units) at \(rate), \(from) → \(to) digits")
            }
        }
    }

    @Test func halfwayRoundsAwayFromZeroAndNothingElseDoes() {
        let half = ExchangeRate("0.5")!
        #expect(half.convert(1, fromDigits: 2, toDigits: 2) == 1)     // 0.005 → 0.01
        #expect(half.convert(-1, fromDigits: 2, toDigits: 2) == -1)
        #expect(half.convert(3, fromDigits: 2, toDigits: 2) == 2)     // 1.5 → 2
        let rate = ExchangeRate("0.7913")!
        #expect(rate.convert(158_000, fromDigits: 2, toDigits: 2) == 125_025)  // 1250.254
        #expect(rate.convert(158_006, fromDigits: 2, toDigits: 2) == 125_030)  // 1250.30148
        #expect(ExchangeRate("158.42")!.convert(1_000, fromDigits: 2, toDigits: 0) == 1_584)  // 10.00 at 158.42 → ¥1584.2
    }

    @Test func convertingIsSymmetricInSignAndMonotone() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let rate = ExchangeRate(numerator: Int64.random(in: 1...99_999_999, using: &rng), scale: Int.random(in: 0...8, using: &rng))!
            let a = Int64.random(in: -10_000_000_000...10_000_000_000, using: &rng)
            let b = a + Int64.random(in: 0...1_000_000, using: &rng)
            let ca = rate.convert(a, fromDigits: 2, toDigits: 2)!, cb = rate.convert(b, fromDigits: 2, toDigits: 2)!
            #expect(rate.convert(-a, fromDigits: 2, toDigits: 2) == -ca)
            #expect(ca <= cb)
        }
        #expect(ExchangeRate("1")!.convert(-12_345, fromDigits: 2, toDigits: 2) == -12_345)
    }

    @Test func aResultTooLargeIsNilNotATrap() {
        #expect(ExchangeRate("1000")!.convert(Int64.max, fromDigits: 2, toDigits: 2) == nil)
        #expect(ExchangeRate("1000")!.convert(Int64.min, fromDigits: 2, toDigits: 2) == nil)
    }

    @Test func onlyAPlainPositiveDecimalIsARate() {
        for text in ["0.7913", "1", "158.42", "0.000000000001"] { #expect(ExchangeRate(text)?.description == text) }
        #expect(ExchangeRate("00.50")?.description == "0.50")
        for text in ["", "0", "0.000", "-1.2", "1e3", "0,85", ".5", "5.", "1.2.3", " 1", "0.0000000000001", "١٢"] {
            #expect(ExchangeRate(text) == nil, "\"\(text)\"")
        }
    }

    @Test func theRateOfADayIsTheLatestOnOrBeforeIt() throws {
        let usd = try #require(Currency(code: "USD")), eur = try #require(Currency(code: "EUR"))
        func entry(_ d: String, _ c: Currency, _ r: String) -> RateTable.Entry {
            RateTable.Entry(date: Day(iso: d)!, currency: c, rate: ExchangeRate(r)!, source: r, location: SourceLocation(file: "p", line: 1))
        }
        let table = RateTable([entry("2024-02-01", usd, "0.80"), entry("2024-01-01", usd, "0.79"), entry("2023-12-01", eur, "0.86")])
        #expect(table.rate(usd, on: Day(iso: "2023-12-31")!) == nil)
        #expect(table.rate(usd, on: Day(iso: "2024-01-01")!)?.source == "0.79")
        #expect(table.rate(usd, on: Day(iso: "2024-01-31")!)?.source == "0.79")
        #expect(table.rate(usd, on: Day(iso: "2024-02-01")!)?.source == "0.80")
        #expect(table.rate(usd, on: Day(iso: "2030-01-01")!)?.source == "0.80")
        #expect(table.rate(eur, on: Day(iso: "2024-01-15")!)?.source == "0.86")
        #expect(table.rate(.gbp, on: Day(iso: "2024-01-15")!) == nil)
    }
}
