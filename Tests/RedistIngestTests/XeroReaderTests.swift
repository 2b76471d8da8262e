import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("Xero reader")
struct XeroReaderTests {
    typealias S = CSVTestSupport

    func xero(_ columns: [String: String] = [:], options: [String: String] = [:]) -> XeroReader {
        try! XeroReader(ReaderConfiguration(sourceName: "xero", role: .ledger, columns: columns, options: options))
    }

    func accountTransactions() -> S.Outcome { S.read(xero(), S.fixture("xero-account-transactions.csv")) }

    @Test func transactionsTakeTheirAccountFromTheHeadingAbove() throws {
        let m = accountTransactions().movements
        #expect(m.map(\.account) == ["4000", "5000", "5000", "5000", "Bank"])
        #expect(m.map(\.accountName) == ["Grant income (restricted)", "Grants to groups", "Grants to groups", "Grants to groups", "Bank"])
        let grant = try #require(m.first)
        #expect(grant.date == Day(year: 2024, month: 1, day: 9))
        #expect(grant.counterparty == "Tidewater Foundation")
        #expect(grant.description == "Tidewater Foundation restricted grant, instalment 4 of 4")
        #expect(grant.reference == "360G-TIDEWATER-2023-014")
        #expect(grant.fund == "TW-CC")
        #expect(grant.kind == "Receive Money")
        #expect(grant.location == SourceLocation(file: "xero-account-transactions.csv", line: 8, column: 1))
    }

    @Test func creditIsMoneyInAndDebitMoneyOut() {
        #expect(accountTransactions().movements.map(\.amount.minorUnits) == [2_000_000, -250_000, -250_000, 15_000, -100_000])
    }

    @Test func titleBalanceTotalAndHeadingRowsAreSkippedAndCounted() {
        let out = accountTransactions()
        #expect(out.findings(.skipTitle).map(\.location.line) == [1, 2, 3])
        #expect(out.findings(.skipHeading).map(\.location.line) == [6, 11, 20])
        #expect(out.findings(.skipBalanceRow).map(\.location.line) == [7, 9, 10, 12, 18, 19, 22])
        #expect(out.findings(.skipBalanceRow).first?.message == "\"Opening Balance\" row skipped (not a transaction)")
        #expect(out.sink.rowsSkipped == 13)
        #expect(out.sink.rowsLoaded == 5)
        #expect(out.sink.rowsRejected == 2)
        #expect(out.sink.rowsRead == 20)
        #expect(out.totalsBalance)
    }

    @Test func badRowsAreRejectedWithTheirColumn() {
        let out = accountTransactions()
        #expect(out.errors == [
            "xero-account-transactions.csv:16:73: error: \"12.3.4\" is not an amount (\(AmountParser.expectation))",
            "xero-account-transactions.csv:17:1: error: \"30 Feb 2024\" is not a date (expected a date as d MMM yyyy, e.g. 2 Sep 2022)",
        ])
        #expect(out.sink.amountRejected == 10_000)
    }

    @Test func aTransactionBeforeAnyHeadingIsRejected() {
        let out = S.read(xero(), S.fixture("xero-before-heading.csv"))
        #expect(out.errors == [
            "xero-before-heading.csv:2:1: error: a transaction before any account heading (expected a row such as \"5000 - Grants\" above it)",
        ])
        #expect(out.movements.map(\.account) == ["5000"])
        #expect(out.movements.first?.counterparty == "")  // no Contact column in this export
    }

    @Test func aFileWithoutItsHeaderFailsAsAWhole() {
        let out = S.read(xero(), S.fixture("xero-no-header.csv"))
        #expect(out.failure?.description == "xero-no-header.csv:1: error: no header row found (expected Date,Source,Description,Reference,Debit,Credit,… after the title lines)")
    }

    @Test func aHeaderWithoutDebitAndCreditNamesWhatIsMissing() throws {
        let out = try S.read(xero(), text: "Account Transactions\nDate,Source,Description,Reference,Amount\n02 Sep 2022,x,y,z,1.00\n")
        #expect(out.failure?.description == "input.csv:2:1: error: the header has no column \"Debit\", \"Credit\" (found: \"Date\", \"Source\", \"Description\", \"Reference\", \"Amount\")")
    }

    @Test func contactAndFundColumnsCanBeRenamed() throws {
        let text = "Date,Source,Description,Reference,Debit,Credit,Payee,Project\n200 - Sales,,,,,,,\n02 Sep 2022,Receive,Sale,R1,,10.00,Ada,P-1\n"
        let out = try S.read(xero(["counterparty": "Payee", "fund": "Project"]), text: text)
        #expect(out.movements.first?.counterparty == "Ada")
        #expect(out.movements.first?.fund == "P-1")
        #expect(out.movements.first?.account == "200")
    }

    @Test func headingsSplitIntoCodeAndName() {
        #expect(XeroReader.splitHeading("5000 - Grants to groups") == ("5000", "Grants to groups"))
        #expect(XeroReader.splitHeading("Bank - Current - Main") == ("Bank", "Current - Main"))
        #expect(XeroReader.splitHeading("Bank") == ("Bank", "Bank"))
    }

    /// A row with both a debit and a credit is refused, not netted; shifted rows are refused too.
    @Test func bothSidesAndShiftedRowsAreRefused() throws {
        var text = try String(contentsOfFile: S.fixture("xero-account-transactions.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: "Refund of unspent grant,360G-NPSN-GO-0003,,150.00,", with: "Refund of unspent grant,360G-NPSN-GO-0003,5.00,150.00,")
        text = text.replacingOccurrences(of: "02 Feb 2024,Transfer,,Transfer to savings,,\"1,000.00\",,,,0.00,GEN", with: "02 Feb 2024,Transfer,,Transfer to savings,,1,000.00,,,,0.00,GEN")
        let out = try S.read(xero(), text: text, name: "xero.csv")
        #expect(out.findings(.rejectAmount).first?.rendered == "xero.csv:15:97: error: both debit (5.00) and credit (150.00) hold an amount (expected one of them, the other empty or 0.00)")
        #expect(out.findings(.rejectFields).map(\.location.line) == [21])
        #expect(out.sink.rowsSkipped == 13)
        #expect(out.totalsBalance)
    }
}

