import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("QuickBooks reader")
struct QuickBooksReaderTests {
    typealias S = CSVTestSupport

    func quickbooks(_ columns: [String: String] = [:], options: [String: String] = [:]) throws -> QuickBooksReader {
        try QuickBooksReader(ReaderConfiguration(sourceName: "qb", role: .ledger, columns: columns, options: options))
    }

    func ledger() -> S.Outcome { S.read(try! quickbooks(), S.fixture("quickbooks-general-ledger.csv")) }

    @Test func amountsAreSignedByTheAccountsNature() {
        let m = ledger().movements
        // Income accounts: positive is money in. Others: positive is money out, (150.00) a refund in.
        #expect(m.map(\.amount.minorUnits) == [2_000_000, -50_000, -250_000, 15_000, 123])
        #expect(m.map(\.account) == ["4000", "4000", "5000", "5000", "Other Income"])
        #expect(m.map(\.accountName) == ["Grant income", "Grant income", "Grants to groups", "Grants to groups", "Other Income"])
    }

    @Test func readsEveryColumn() throws {
        let first = try #require(ledger().movements.first)
        #expect(first.date == Day(year: 2024, month: 1, day: 9))
        #expect(first.counterparty == "Tidewater Foundation")
        #expect(first.description == "Instalment 4 of 4")
        #expect(first.reference == "DEP-1")
        #expect(first.kind == "Deposit")
        #expect(first.fund == "TW-CC")
        #expect(first.location.line == 8)
    }

    @Test func titlesBalancesTotalsAndTheFooterAreSkipped() {
        let out = ledger()
        #expect(out.findings(.skipTitle).map(\.location.line) == [1, 2, 3])
        #expect(out.findings(.skipHeading).map(\.location.line) == [6, 11, 18])
        #expect(out.findings(.skipBalanceRow).map(\.location.line) == [7, 10, 12, 17, 20, 21])
        // The footer is not taken for an account heading.
        #expect(out.findings(.skipFooter).map(\.location.line) == [23])
        #expect(out.sink.rowsRead == 20)
        #expect(out.sink.rowsLoaded == 5)
        #expect(out.sink.rowsSkipped == 13)
        #expect(out.totalsBalance)
    }

    @Test func badRowsAreRejected() {
        let out = ledger()
        #expect(out.errors == [
            "quickbooks-general-ledger.csv:15:2: error: \"02/30/2024\" is not a date (expected a date as mm/dd/yyyy, e.g. 03/31/2024)",
            "quickbooks-general-ledger.csv:16:60: error: \"1.2.3\" is not an amount (\(AmountParser.expectation))",
        ])
        #expect(out.findings(.rejectDate).first?.amount == Money(minorUnits: -10_000, currency: .gbp))
    }

    @Test func incomeAccountsCanBeNamed() throws {
        let out = S.read(try quickbooks(options: ["income_accounts": "5000"]), S.fixture("quickbooks-general-ledger.csv"))
        // 5000 is now an income account; "4000 Grant income" still is one by its name.
        #expect(out.movements.map(\.amount.minorUnits) == [2_000_000, -50_000, 250_000, -15_000, 123])
    }

    @Test func aFileWithNoHeaderFails() throws {
        let out = try S.read(try quickbooks(), text: "Company\nGeneral Ledger\n,01/09/2024,Deposit,1,Ada,Memo,Bank,1.00,1.00\n")
        #expect(out.failure?.description == "input.csv:1: error: no header row found (expected ,Date,Transaction Type,Num,Name,Memo/Description,Split,Amount,Balance)")
    }

    @Test func aTransactionBeforeAnyAccountIsRejected() throws {
        let out = try S.read(try quickbooks(), text: ",Date,Transaction Type,Num,Name,Memo/Description,Split,Amount\n,01/09/2024,Deposit,1,Ada,Memo,Bank,1.00\n")
        #expect(out.errors == ["input.csv:2:1: error: a transaction before any account section (expected an account row above it)"])
    }

    @Test func aBadIncomeAccountsOptionIsAConfigurationError() {
        #expect(throws: ReaderConfigurationError.self) { try quickbooks(options: ["income_accounts": "4000, "]) }
        #expect(throws: ReaderConfigurationError.self) { try quickbooks(options: ["date_format": "dd.mm.yyyy"]) }
    }

    @Test func headingsSplitIntoCodeAndName() {
        #expect(QuickBooksReader.splitHeading("4000 Grant income") == ("4000", "Grant income"))
        #expect(QuickBooksReader.splitHeading("5000 - Grants to groups") == ("5000", "Grants to groups"))
        #expect(QuickBooksReader.splitHeading("Other Income") == ("Other Income", "Other Income"))
        #expect(QuickBooksReader.splitHeading("4000") == ("4000", "4000"))
    }

    /// One date that exists only day-first under mm/dd/yyyy fails the whole file: its other dates cannot be trusted.
    @Test func aDayFirstDateFailsTheFile() throws {
        var text = try String(contentsOfFile: S.fixture("quickbooks-general-ledger.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: ",02/30/2024,", with: ",13/01/2024,")
        let out = try S.read(try quickbooks(), text: text, name: "qb.csv")
        #expect(out.failure?.description == "qb.csv:15:2: error: \"13/01/2024\" is a date only as dd/mm/yyyy, but date_format is mm/dd/yyyy: the file's dates look like dd/mm/yyyy, so none of them can be trusted and nothing from this file is loaded (expected date_format = \"dd/mm/yyyy\" for this file, or dates as mm/dd/yyyy)")
    }

    /// Transaction rows keep the header's shape; the section, balance and total rows the preset knows are skipped first.
    @Test func aShiftedTransactionRowIsRejected() throws {
        var text = try String(contentsOfFile: S.fixture("quickbooks-general-ledger.csv"), encoding: .utf8)
        text = text.replacingOccurrences(of: ",02/01/2024,Deposit,DEP-3,Bank,Interest,1000 Bank,1.23,1.23,GEN", with: ",02/01/2024,Deposit,DEP-3,Bank,Interest,1000 Bank,1.23,GEN")
        let out = try S.read(try quickbooks(), text: text, name: "qb.csv")
        #expect(out.findings(.rejectFields).map(\.rendered) == ["qb.csv:19:59: error: the row has 9 fields but the header has 10 (expected 10: a value or a comma is missing, or a quote is out of place)"])
        #expect(out.sink.rowsSkipped == 13)
        #expect(out.totalsBalance)
    }
}

