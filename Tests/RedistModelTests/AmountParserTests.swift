import PropertyBased
import RedistModel
import Testing

@Suite("Amount parser")
struct AmountParserTests {
    let pence = AmountParser(digits: 2)

    /// Every spelling the design promises, and the ones found in the real exports of the corpus.
    @Test(arguments: [
        ("1234.56", Int64(123_456)), ("1,234.56", 123_456), ("£1,234.56", 123_456), ("-12.00", -1_200), ("(12.00)", -1_200),
        ("12.00-", -1_200), ("123456/100", 123_456), ("0", 0), ("7", 700), ("7.5", 750), (".23", 23), ("$.23", 23),
        ("- $220.00", -22_000), ("+ $1,150.00", 115_000), ("$20,053.01", 2_005_301), ("($85.00)", -8_500), ("$3520.00", 352_000),
        ("€12.50", 1_250), ("£ 12", 1_200), ("  42.10  ", 4_210), ("\t3.00", 300), ("1,234,567.89", 123_456_789),
        ("-0.00", 0), ("+5", 500), ("$-5", -500), ("12 -", -1_200), ("-1/3", -33), ("2/3", 67),
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

    @Test func roundsExtraDigitsHalfAwayFromZero() {
        #expect(pence.parse("12.345") == 1_235)
        #expect(pence.parse("12.3449") == 1_234)
        #expect(pence.parse("-12.345") == -1_235)
        #expect(pence.parse("(12.345)") == -1_235)
        #expect(pence.parse("0.995") == 100)
        #expect(pence.parse("18.150") == 1_815)  // camt.053 amounts with three decimals are exact
        #expect(pence.parse("1/8") == 13)
        #expect(pence.parse("-1/8") == -13)
        #expect(AmountParser(digits: 0).parse("1234.5") == 1_235)
        #expect(AmountParser(digits: 0).parse("1234.49") == 1_234)
        #expect(AmountParser(digits: 3).parse("4.75") == 4_750)
        #expect(AmountParser(digits: 3).parse("4.7505") == 4_751)
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
        #expect(pence.parse("90000000000000000/9100000000000000000") == 1)
        #expect(pence.parse("-90000000000000000/9100000000000000000") == -1)
        #expect(pence.parse("92233720368547758/1") == 9_223_372_036_854_775_800)
    }

    @Test func theLargestAmountStillFits() {
        #expect(pence.parse("92233720368547758.07") == Int64.max)
        #expect(pence.parse("-92233720368547758.07") == -Int64.max)
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
