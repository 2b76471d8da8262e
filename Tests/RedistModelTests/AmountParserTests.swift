import PropertyBased
import RedistModel
import Testing

@Suite("Amount parser")
struct AmountParserTests {
    let pence = AmountParser(digits: 2, rounding: false)

    /// Every spelling the design promises, and the ones found in the real exports of the corpus.
    @Test(arguments: [
        ("1234.56", Int64(123_456)), ("1,234.56", 123_456), ("£1,234.56", 123_456), ("-12.00", -1_200), ("(12.00)", -1_200),
        ("12.00-", -1_200), ("123456/100", 123_456), ("0", 0), ("7", 700), ("7.5", 750), (".23", 23), ("$.23", 23),
        ("- $220.00", -22_000), ("+ $1,150.00", 115_000), ("$20,053.01", 2_005_301), ("($85.00)", -8_500), ("$3520.00", 352_000),
        ("€12.50", 1_250), ("£ 12", 1_200), ("  42.10  ", 4_210), ("\t3.00", 300), ("1,234,567.89", 123_456_789),
        ("-0.00", 0), ("+5", 500), ("$-5", -500), ("12 -", -1_200), ("18.150", 1_815), ("-50000/1000", -5_000),
    ])
    func acceptsTheSpellingsOfRealExports(text: String, units: Int64) {
        #expect(pence.parse(text) == units, "\(text)")
    }

    @Test(arguments: [
        "", " ", "-", "+", "()", "(12.00", "12.00)", "12.", "12.3.4", "1,23.45", "12,34", "1,2345", ",123", "1e5", "abc",
        "12abc", "12 34", "£12£", "12£", "12€", "--12", "-12-", "+-12", "(12)-", "1 234.56", "1/0", "1/", "1.5/2",
        "1,000/2", "12..0", "0x1F", "١٢", "د.ا.\u{200F}4.750", "12\u{00A0}34", "(-12.00)", "-(12.00)",
    ])
    func refusesEverythingElse(text: String) {
        #expect(pence.parse(text) == nil, "\(text) should not be an amount")
    }

    /// More decimals than the currency has would be a silent rounding: refused, unless the extra digits are zeros.
    @Test func refusesExtraDigitsUnlessTheyAreZeros() {
        for text in ["12.345", "12.3449", "-12.345", "(12.345)", "0.995", "1/8", "-1/3", "2/3", "12.001"] {
            #expect(pence.parse(text) == nil, "\(text)")
        }
        #expect(pence.read("12.345") == .tooManyDecimals(3))
        #expect(pence.read("1/3") == .tooManyDecimals(nil))
        #expect(pence.read("18.150") == .amount(1_815))  // camt.053 amounts with three decimals are exact
        #expect(pence.read("18.1500000") == .amount(1_815))
        #expect(pence.read("123456/100") == .amount(123_456))
        #expect(AmountParser(digits: 0, rounding: false).read("1234.5") == .tooManyDecimals(1))
        #expect(AmountParser(digits: 0, rounding: false).read("1234.0") == .amount(1_234))
        #expect(AmountParser(digits: 3, rounding: false).parse("4.75") == 4_750)
        // A parser for a currency refuses them; one that knows only the digits rounds, as XML values need.
        #expect(AmountParser(currency: .gbp).read("12.345") == .tooManyDecimals(3))
        #expect(AmountParser(digits: 2).read("12.345") == .rounded(1_235))
        #expect(pence.problem(pence.read("12.345"), text: "12.345", currency: "GBP")
                == "\"12.345\" has 3 decimal places but GBP has 2 (expected at most 2, or round_amounts = \"true\" in [source.options] to round them)")
    }

    @Test func roundsExtraDigitsHalfAwayFromZeroWhenAskedTo() {
        let rounding = AmountParser(currency: .gbp, rounding: true)
        #expect(rounding.read("12.345") == .rounded(1_235))
        #expect(rounding.read("12.34") == .amount(1_234))
        #expect(rounding.parse("12.3449") == 1_234)
        #expect(rounding.parse("-12.345") == -1_235)
        #expect(rounding.parse("(12.345)") == -1_235)
        #expect(rounding.parse("0.995") == 100)
        #expect(rounding.read("18.150") == .amount(1_815))
        #expect(rounding.read("1/8") == .rounded(13))
        #expect(rounding.parse("-1/8") == -13)
        #expect(rounding.parse("-1/3") == -33)
        #expect(rounding.parse("2/3") == 67)
        #expect(AmountParser(digits: 0, rounding: true).parse("1234.5") == 1_235)
        #expect(AmountParser(digits: 0, rounding: true).parse("1234.49") == 1_234)
        #expect(AmountParser(digits: 3, rounding: true).parse("4.7505") == 4_751)
    }

    /// Each currency accepts its own symbol only: `$10.00` is not ten pounds.
    @Test func aSymbolMustBeTheCurrencys() {
        let gbp = AmountParser(currency: .gbp)
        let usd = AmountParser(currency: Currency(code: "USD")!)
        let cad = AmountParser(currency: Currency(code: "CAD")!)
        let eur = AmountParser(currency: Currency(code: "EUR")!)
        let chf = AmountParser(currency: Currency(code: "CHF")!)
        #expect(gbp.read("£10.00") == .amount(1_000))
        #expect(gbp.read("$10.00") == .wrongSymbol("$"))
        #expect(gbp.read("€20.00") == .wrongSymbol("€"))
        #expect(gbp.read("(¥20)") == .wrongSymbol("¥"))
        #expect(usd.read("- $220.00") == .amount(-22_000))
        #expect(cad.read("$1.00") == .amount(100))
        #expect(usd.read("£1.00") == .wrongSymbol("£"))
        #expect(eur.read("€20.00") == .amount(2_000))
        #expect(eur.read("$20.00") == .wrongSymbol("$"))
        #expect(chf.read("€20.00") == .wrongSymbol("€"))
        #expect(chf.read("20.00") == .amount(2_000))
        #expect(gbp.problem(gbp.read("$10.00"), text: "$10.00", currency: "GBP")
                == "\"$10.00\" has the symbol $ but the amounts of this source are in GBP (expected £ or no symbol)")
        // A wrong symbol on something that is not an amount anyway is just not an amount.
        #expect(gbp.read("$1.2.3") == .notAnAmount)
    }

    @Test func decimalCommaSwapsTheMarks() {
        let euro = AmountParser(digits: 2, decimalComma: true)
        #expect(euro.parse("-18,00") == -1_800)
        #expect(euro.parse("+120,00") == 12_000)
        #expect(euro.parse("1.234,56") == 123_456)
        #expect(euro.parse("1,5") == 150)
        #expect(euro.parse("1.234") == 123_400)
        #expect(euro.parse("1.23,4") == nil)
        #expect(euro.parse("1,234.56") == nil)
        // Without the option the same text means something else, or nothing.
        #expect(pence.parse("1.234,56") == nil)
    }

    /// A number too large for 64 bits is not an amount; it must never crash the run.
    @Test(arguments: [
        "92233720368547758.08", "92233720368547758.075", "92233720368547759", "-92233720368547758.09",
        "99999999999999999999", "(92233720368547758.08)", "92233720368547758079/1", "1/99999999999999999999",
    ])
    func overflowIsRefusedNotATrap(text: String) {
        #expect(pence.parse(text) == nil, "\(text)")
    }

    /// A fraction whose remainder is more than half of Int64 still rounds, rather than trapping.
    @Test func hugeFractionsRoundWithoutOverflow() {
        // 9e16 / 9.1e18 of a pound is 0.989p: one penny.
        let rounding = AmountParser(digits: 2, rounding: true)
        #expect(rounding.parse("90000000000000000/9100000000000000000") == 1)
        #expect(rounding.parse("-90000000000000000/9100000000000000000") == -1)
        #expect(pence.read("92233720368547758/1") == .tooLarge)
    }

    /// No single amount may be so large that a file's sums could overflow: ten trillion pounds and more are refused.
    @Test func amountsAboveTheBoundAreRefused() {
        #expect(pence.read("92233720368547758.07") == .tooLarge)
        #expect(pence.read("-92,233,720,368,547,758.07") == .tooLarge)
        #expect(pence.read("10000000000000.00") == .tooLarge)
        #expect(pence.read("9999999999999.99") == .amount(999_999_999_999_999))
        #expect(pence.read("-9,999,999,999,999.99") == .amount(-999_999_999_999_999))
        #expect(AmountParser(digits: 0).read("1000000000000000") == .tooLarge)
        #expect(pence.problem(.tooLarge, text: "92,233,720,368,547,758.07", currency: "GBP")
                == "\"92,233,720,368,547,758.07\" is larger than redist accepts (expected less than 10,000,000,000,000.00)")
    }

    @Test func parsesBytesAsWellAsStrings() {
        #expect(pence.parse(Array("£1,234.56".utf8)) == 123_456)
        #expect(pence.parse(Array("12.3.4".utf8)) == nil)
        // A lone lead byte of £ at the end is not an amount.
        #expect(pence.parse([0x31, 0xC2]) == nil)
        #expect(pence.parse([0xE2, 0x82]) == nil)
    }

    /// Amounts printed the way accounting systems print them read back to the same units.
    @Test func accountingSpellingsRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.int64(in: 0...9_999_999_999), Gen.int(in: 0...3)) { magnitude, style in
            let plain = MoneyFormat.decimal(magnitude, digits: 2)
            let grouped = MoneyFormat.grouped(magnitude, digits: 2)
            let spelled: String
            switch style {
            case 0: spelled = "(\(grouped))"
            case 1: spelled = "\(plain)-"
            case 2: spelled = "- $\(grouped)"
            default: spelled = "-£\(grouped)"
            }
            #expect(pence.parse(spelled) == -magnitude, "\(spelled)")
            #expect(pence.parse("£" + grouped) == magnitude)
        }
    }

    /// Any string of the characters amounts are made of either parses or is refused: never a trap.
    @Test func arbitraryInputNeverTraps() async {
        let alphabet: [Character] = Array("0123456789.,-+()$£€/ 9")
        await propertyCheck(count: 1000, input: Gen.int(in: 0..<alphabet.count).array(of: 0...24)) { picks in
            let text = String(picks.map { alphabet[$0] })
            _ = pence.parse(text)
            _ = AmountParser(digits: 2, decimalComma: true).parse(text)
        }
    }
}
