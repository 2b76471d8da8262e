import Foundation
import PropertyBased
import RedistModel
import Testing

@Suite("Money")
struct MoneyTests {
    let usd = Currency(code: "USD")!
    let jpy = Currency(code: "JPY")!
    let jod = Currency(code: "JOD")!

    @Test(arguments: [
        (Int64(0), 2, "0.00"), (5, 2, "0.05"), (-5, 2, "-0.05"), (123_450, 2, "1234.50"), (-123_450, 2, "-1234.50"),
        (100, 0, "100"), (-7, 0, "-7"), (4_750, 3, "4.750"), (-1, 3, "-0.001"),
        (Int64.max, 2, "92233720368547758.07"), (Int64.min, 2, "-92233720368547758.08"),
    ])
    func decimalHasTheCurrencysDigitsAndNoSeparators(units: Int64, digits: Int, text: String) {
        #expect(MoneyFormat.decimal(units, digits: digits) == text)
    }

    @Test func groupedIsForPeopleToRead() {
        #expect(MoneyFormat.grouped(123_456_789, digits: 2) == "1,234,567.89")
        #expect(MoneyFormat.grouped(99_999, digits: 2, symbol: "£") == "£999.99")
        #expect(MoneyFormat.grouped(100_000, digits: 2, symbol: "£") == "£1,000.00")
        #expect(MoneyFormat.grouped(-150_000, digits: 2, symbol: "£") == "−£1,500.00")
        #expect(MoneyFormat.grouped(1_000_000, digits: 0) == "1,000,000")
        #expect(MoneyFormat.grouped(0, digits: 2) == "0.00")
    }

    @Test func decimalStringUsesTheCurrencysMinorUnit() {
        #expect(Money(minorUnits: 1_234, currency: .gbp).decimalString == "12.34")
        #expect(Money(minorUnits: 1_234, currency: jpy).decimalString == "1234")
        #expect(Money(minorUnits: 1_234, currency: jod).decimalString == "1.234")
        #expect(Money(minorUnits: -1_234, currency: usd).description == "-12.34 USD")
    }

    @Test func arithmeticKeepsTheCurrency() {
        let a = Money(minorUnits: 1_000, currency: .gbp)
        let b = Money(minorUnits: 250, currency: .gbp)
        #expect(a + b == Money(minorUnits: 1_250, currency: .gbp))
        #expect(a - b == Money(minorUnits: 750, currency: .gbp))
        #expect(-a == Money(minorUnits: -1_000, currency: .gbp))
        #expect(b < a)
        #expect(Money.zero(usd) == Money(minorUnits: 0, currency: usd))
        // The same number of units in another currency is other money.
        #expect(Money(minorUnits: 1_000, currency: usd) != a)
    }

    @Test func currencyCodesAreUpperCasedAndCheckedForShape() {
        #expect(Currency(code: "usd")?.code == "USD")
        #expect(Currency(code: "GBP")?.minorDigits == 2)
        #expect(Currency(code: "JPY")?.minorDigits == 0)
        #expect(Currency(code: "KWD")?.minorDigits == 3)
        #expect(Currency(code: "GB") == nil)
        #expect(Currency(code: "GBPX") == nil)
        #expect(Currency(code: "G8P") == nil)
        #expect(Currency(code: "") == nil)
        #expect(Currency(code: "£") == nil)
    }

    /// Whatever a report prints, the amount parser reads back to the same pence.
    @Test func printedAmountsParseBackExactly() async {
        await propertyCheck(count: 500, input: Gen.int64(in: -999_999_999_999...999_999_999_999), Gen.int(in: 0...3)) { units, digits in
            let printed = MoneyFormat.decimal(units, digits: digits)
            #expect(AmountParser(digits: digits).parse(printed) == units, "\(printed)")
            let grouped = MoneyFormat.grouped(units, digits: digits).replacingOccurrences(of: "−", with: "-")
            #expect(AmountParser(digits: digits).parse(grouped) == units, "\(grouped)")
        }
    }
}
