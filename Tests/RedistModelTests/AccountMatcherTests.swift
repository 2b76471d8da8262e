import RedistModel
import Testing

@Suite("Account matcher")
struct AccountMatcherTests {
    @Test func codesMatchExactly() throws {
        let m = try #require(AccountMatcher(["5000"]))
        #expect(m.matches("5000"))
        #expect(!m.matches("50000"))
        #expect(!m.matches("500"))
        #expect(!m.matches(" 5000"))
    }

    @Test func rangesHoldCodesOfTheSameLength() throws {
        let m = try #require(AccountMatcher(["7000-7099"]))
        #expect(m.matches("7000"))
        #expect(m.matches("7050"))
        #expect(m.matches("7099"))
        #expect(!m.matches("6999"))
        #expect(!m.matches("7100"))
        #expect(!m.matches("70500"))  // longer codes sort between but are not in the range
        #expect(!m.matches("705"))
        #expect(!m.matches("70A0"))
    }

    @Test func listsMixCodesAndRanges() throws {
        let m = try #require(AccountMatcher(["4000", " 7000-7099 ", "BANK"]))
        #expect(m.matches("4000"))
        #expect(m.matches("7010"))
        #expect(m.matches("BANK"))
        #expect(!m.matches("4001"))
        #expect(!m.matches("bank"))
    }

    @Test func textThatIsNotARangeIsACode() throws {
        // Bounds of different lengths, or not digits, are a code with a hyphen in it.
        let m = try #require(AccountMatcher(["700-7099", "A-B", "GB-CHC"]))
        #expect(m.matches("700-7099"))
        #expect(m.matches("GB-CHC"))
        #expect(!m.matches("7000"))
        let reversed = try #require(AccountMatcher(["7099-7000"]))
        #expect(!reversed.matches("7050"))
    }

    @Test func anEmptySpecIsNotAMatcher() {
        #expect(AccountMatcher([""]) == nil)
        #expect(AccountMatcher(["5000", "  "]) == nil)
    }
}
