import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("FreeAgent account transactions reader")
struct FreeAgentTransactionsReaderTests {
    static func read(_ text: String, options: [String: String] = [:]) throws -> ReaderOutcome {
        let reader = try FreeAgentTransactionsReader(ReaderConfiguration(sourceName: "books", role: .ledger, options: options))
        let path = try ReaderOutcome.temporaryFile(prefix: "redist-freeagent", "transactions.csv", Array(text.utf8))
        return ReaderOutcome.read(reader, path, display: "transactions.csv")
    }

    @Test func creditsAreMoneyInDebitsMoneyOutAndTheBankSideIsSkipped() throws {
        let out = try Self.read("""
        Date,Nominal Code,Category,Description,Debit Value
        05/01/2024,001,Sales,Donation,-250.00
        05/01/2024,750-1,Business Current Account,Donation,250.00
        12/01/2024,363,Rent,Hall hire,120.00
        12/01/2024,750,Bank Account,Hall hire,-120.00

        """)
        #expect(out.failure == nil && out.errors.isEmpty && out.totalsBalance)
        #expect(out.movements.map(\.amount.minorUnits) == [25_000, -12_000])
        #expect(out.movements.map(\.account) == ["001", "363"])
        #expect(out.movements.map(\.accountName) == ["Sales", "Rent"])
        #expect(out.movements.map(\.date.description) == ["2024-01-05", "2024-01-12"])
        #expect(out.findings(.skipBankSide).count == 2)
        #expect(out.sink.amountSkipped == 37_000)
    }

    /// The API's own names, its yyyy-mm-dd dates, and a row in another currency.
    @Test func theAPIsNamesAndAnotherCurrencyAreRead() throws {
        let out = try Self.read("""
        dated_on,nominal_code,category_name,description,debit_value,currency
        2024-02-01,285,Accountancy Fees,Examination,"1,080.00",
        2024-02-03,001,Sales,Grant from abroad,-500.00,EUR

        """)
        #expect(out.failure == nil && out.errors.isEmpty, "\(out.errors)")
        #expect(out.movements.map(\.amount) == [Money(minorUnits: -108_000, currency: .gbp),
                                                Money(minorUnits: 50_000, currency: Currency(code: "EUR")!)])
    }

    @Test func aBadValueIsRejectedWithItsLineAndColumn() throws {
        let out = try Self.read("Date,Nominal Code,Description,Debit Value\n05/01/2024,001,Donation,12.3.4\n")
        #expect(out.sink.rowsRejected == 1 && out.totalsBalance)
        let e = try #require(out.errors.first)
        #expect(e.hasPrefix("transactions.csv:2:25: error: \"12.3.4\" is not an amount"), "\(e)")
    }

    @Test func aFileWithoutTheColumnsIsRefusedNamingThem() throws {
        let out = try Self.read("Date,Amount\n01/01/2024,1.00\n")
        #expect(out.failure?.message == "no header row with a date (\"Date\" or \"dated_on\"), \"Nominal Code\", \"Description\" and \"Debit Value\" (expected FreeAgent's account transactions exported as CSV)")
        #expect(FreeAgentTransactionsReader.claims(FileHead(bytes: Array("Title\n\nDate,Nominal Code,Category,Description,Debit Value\n".utf8))))
        #expect(FreeAgentTransactionsReader.claims(FileHead(bytes: Array("dated_on,nominal_code,description,debit_value\n".utf8))))
        // Sage's audit trail and a plain ledger are not FreeAgent's.
        #expect(!FreeAgentTransactionsReader.claims(FileHead(bytes: Array("No,Type,Account,Nominal,Dept,Details,Date,Ref,Net,Tax\n".utf8))))
        #expect(!FreeAgentTransactionsReader.claims(FileHead(bytes: Array("Date,Nominal Code,Description,Amount\n".utf8))))
    }
}
