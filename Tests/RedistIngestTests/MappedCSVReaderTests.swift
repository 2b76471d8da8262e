import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("Mapped CSV reader")
struct MappedCSVReaderTests {
    typealias S = CSVTestSupport

    static let cashbookColumns = [
        "date": "Date", "account": "Nominal Code", "account_name": "Nominal Name", "fund": "Fund", "counterparty": "Contact",
        "description": "Details", "reference": "Reference", "paid_in": "Paid In", "paid_out": "Paid Out",
    ]

    func cashbook() -> S.Outcome {
        S.read(try! S.mapped(Self.cashbookColumns, options: ["date_format": "dd/mm/yyyy"]), S.fixture("cashbook.csv"),
               display: "exports/cashbook.csv")
    }

    @Test func readsEveryMappedField() throws {
        let out = cashbook()
        #expect(out.failure == nil)
        let rent = try #require(out.movements.first)
        #expect(rent.date == Day(year: 2023, month: 4, day: 3))
        #expect(rent.amount == Money(minorUnits: -135_000, currency: .gbp))
        #expect(rent.account == "7000")
        #expect(rent.accountName == "Rent and premises")
        #expect(rent.fund == "GEN")
        #expect(rent.counterparty == "Ashgrove Property Lettings")
        #expect(rent.description == "Office rent April 2023, Unit 4")
        #expect(rent.reference == "RENT-2304")
        #expect(rent.location == SourceLocation(file: "exports/cashbook.csv", line: 2, column: 1))
        let donation = out.movements[1]
        #expect(donation.amount.minorUnits == 115_000)
        #expect(donation.description == "Charity of the year, \"quarterly\" payment")
    }

    @Test func paidInIsPositiveAndPaidOutNegative() {
        let amounts = cashbook().movements.map(\.amount.minorUnits)
        #expect(amounts == [-135_000, 115_000, -25_000, -2_000])
    }

    @Test func recordsKeepTheLineTheyStartOn() {
        let out = cashbook()
        #expect(out.movements.map(\.location.line) == [2, 3, 5, 10])
        #expect(out.movements[2].description == "Weekly meetings\r\nsecond line")
    }

    @Test func badRowsAreRejectedWithLineAndColumnAndTheRestLoaded() {
        let out = cashbook()
        #expect(out.errors == [
            "exports/cashbook.csv:7:102: error: \"12.3.4\" is not an amount (\(AmountParser.expectation))",
            "exports/cashbook.csv:8:1: error: \"31/02/2023\" is not a date (expected a date as dd/mm/yyyy, e.g. 31/03/2024)",
            "exports/cashbook.csv:9:78: error: both paid in and paid out are empty (expected an amount in one of them)",
        ])
        #expect(out.sink.rowsRead == 7)
        #expect(out.sink.rowsLoaded == 4)
        #expect(out.sink.rowsRejected == 3)
        // The impossible date's row still counts its money as read and rejected.
        #expect(out.sink.amountRejected == 18_500)
        #expect(out.sink.amountLoaded == 135_000 + 115_000 + 25_000 + 2_000)
        #expect(out.totalsBalance)
        #expect(out.findings(.rejectDate).first?.amount == Money(minorUnits: -18_500, currency: .gbp))
    }

    @Test func aSignedAmountColumn() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount", "description": "Memo"])
        let out = try S.read(reader, text: "Date,Amount,Memo\n2024-01-02,(12.50),fee\n2024-01-03,£1,\"£1,000.00\"\n2024-01-04,,empty\n")
        #expect(out.movements.map(\.amount.minorUnits) == [-1_250, 100])
        #expect(out.errors == ["input.csv:4:12: error: the amount is empty (\(AmountParser.expectation))"])
    }

    @Test func debitIsMoneyOutUnlessTheOptionSaysIn() throws {
        let text = "Date,Debit,Credit\n2024-01-02,10.00,\n2024-01-03,,4.00\n2024-01-04,,\n"
        let out = try S.read(try S.mapped(["date": "Date", "debit": "Debit", "credit": "Credit"]), text: text)
        #expect(out.movements.map(\.amount.minorUnits) == [-1_000, 400])
        #expect(out.errors == ["input.csv:4:12: error: both debit and credit are empty (expected an amount in one of them)"])
        let bankView = try S.read(try S.mapped(["date": "Date", "debit": "Debit", "credit": "Credit"], options: ["debit_means": "in"]), text: text)
        #expect(bankView.movements.map(\.amount.minorUnits) == [1_000, -400])
    }

    @Test func optionsForDelimiterDecimalCommaSkipLinesAndCurrency() throws {
        let text = "Kontoauszug\nExport vom 22.01.2014\nDatum;Betrag;Währung\n22.01.2014;-18,00;EUR\n15.01.2014;+1.120,00;\n"
        let reader = try S.mapped(["date": "Datum", "amount": "Betrag", "currency": "Währung"],
                                  options: ["delimiter": ";", "decimal_comma": "true", "skip_lines": "2", "date_format": "dd/mm/yyyy",
                                            "currency": "CHF"])
        let out = try S.read(reader, text: text)
        #expect(out.failure == nil)
        #expect(out.movements.map(\.amount) == [Money(minorUnits: -1_800, currency: Currency(code: "EUR")!),
                                                Money(minorUnits: 112_000, currency: Currency(code: "CHF")!)])
        #expect(out.movements.map(\.location.line) == [4, 5])
    }

    @Test func aCurrencyColumnGivesEachRowItsOwnDigits() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount", "currency": "Currency"])
        let out = try S.read(reader, text: "Date,Amount,Currency\n2024-01-02,1500,jpy\n2024-01-02,4.750,JOD\n2024-01-02,1.00,pounds\n")
        // The parser uses the file's currency digits; the row's currency labels the amount.
        #expect(out.movements.map(\.amount.currency.code) == ["JPY", "JOD"])
        #expect(out.errors == ["input.csv:4:17: error: \"pounds\" is not a currency (expected an ISO 4217 code such as GBP)"])
    }

    @Test func aMissingMappedColumnNamesItAndListsWhatWasFound() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount", "fund": "Fund"])
        let out = try S.read(reader, text: "Date,Amount,Details\n2024-01-02,1.00,x\n")
        #expect(out.failure?.description == "input.csv:1: error: the header has no column \"Fund\" (found: \"Date\", \"Amount\", \"Details\"); change fund = \"Fund\" in [source.columns] to the header the file uses")
        #expect(out.records.isEmpty)
    }

    /// `£1,234.00` written without quotes splits into two fields: the row is rejected, not read as £1.00.
    @Test func aRowWithMoreValuesThanTitlesIsRejected() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount", "description": "Details"])
        let out = try S.read(reader, text: "Date,Details,Amount\n2024-01-02,Printing,£1,234.00\n2024-01-03,Paper,-2.00,\n")
        #expect(out.errors == ["input.csv:2:25: error: the row has 4 fields but the header has 3 (expected a comma inside a value to be quoted, as in \"1,234.00\")"])
        // A trailing comma adds only a blank field: the row is fine.
        #expect(out.movements.map(\.amount.minorUnits) == [-200])
    }

    @Test func headersMatchIgnoringCaseAndSpaces() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount", "reference": "ID"])
        let out = try S.read(reader, text: "\" ID\",DATE,amount \n7,2024-01-02,3.00\n")
        #expect(out.movements.first?.reference == "7")
        #expect(out.movements.first?.amount.minorUnits == 300)
    }

    @Test func anEmptyFileIsAFailure() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount"])
        #expect(try S.read(reader, text: "").failure?.description == "input.csv:1: error: the file is empty (expected a header row)")
        #expect(try S.read(reader, text: "\n\n").failure != nil)
        // Skipping every line leaves no header either.
        let skipping = try S.mapped(["date": "Date", "amount": "Amount"], options: ["skip_lines": "5"])
        #expect(try S.read(skipping, text: "Date,Amount\n2024-01-02,1.00\n").failure != nil)
    }

    @Test func anUnterminatedQuoteFailsTheFileWithItsLine() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount"])
        let out = try S.read(reader, text: "Date,Amount\n2024-01-02,1.00\n2024-01-03,\"2.00\n")
        #expect(out.failure?.description == "input.csv:3: error: a quoted field that starts on line 3 is never closed (expected a closing \")")
    }

    @Test func windows1252IsReadAndNoted() throws {
        let reader = try S.mapped(["date": "Date", "amount": "Amount", "description": "Details"])
        let bytes = Array("Date,Amount,Details\n2024-01-02,5.00,Caf".utf8) + [0xE9] + Array(" ".utf8) + [0xA3] + Array("5\n".utf8)
        let out = try S.read(reader, bytes: bytes)
        #expect(out.movements.first?.description == "Café £5")
        let note = try #require(out.findings(.encoding).first)
        #expect(note.severity == .note)
        #expect(note.rendered == "input.csv:1: note: not UTF-8: read as Windows-1252")
    }

    @Test func theMemberRegister() throws {
        let reader = try S.mapped(["id": "Identifier", "name": "Name", "kind": "Kind", "region": "Region",
                                   "characteristics": "Characteristics", "consent": "Consent to be named", "consent_date": "Consent date"],
                                  role: .members)
        let out = S.read(reader, S.fixture("members.csv"))
        #expect(out.members.map(\.id) == ["360G-NPSN-G001", "360G-NPSN-G002", "360G-NPSN-P001"])
        let first = out.members[0]
        #expect(first.characteristics == ["user-led", "hearing voices"])
        #expect(first.consentToBeNamed)
        #expect(first.consentDate == Day(year: 2023, month: 2, day: 14))
        #expect(out.members[1].kind == .memberGroup)
        #expect(!out.members[1].consentToBeNamed)
        #expect(out.members[2].kind == .individual)
        #expect(out.members[2].consentDate == Day(year: 2023, month: 3, day: 14))
        #expect(out.errors == [
            "members.csv:5:1: error: the identifier is empty (expected an org-id such as 360G-ABC-G001)",
            "members.csv:6:38: error: \"club\" is not a kind (expected member-group, hosted-project, individual, supplier or funder)",
            "members.csv:7:67: error: \"maybe\" is not a consent answer (expected yes or no)",
            "members.csv:8:69: error: \"March 2023\" is not a date (expected yyyy-mm-dd)",
        ])
        #expect(out.totalsBalance)
    }

    @Test(arguments: [
        ([String: String](), [String: String](), "source \"ledger\": [source.columns] needs date = \"<column header>\""),
        (["date": "D"], [:], "source \"ledger\": [source.columns] needs amount, or paid_in and paid_out, or debit and credit"),
        (["date": "D", "paid_in": "In"], [:], "source \"ledger\": [source.columns] needs amount, or paid_in and paid_out, or debit and credit"),
        (["date": "D", "amount": "A"], ["delimiter": ":"], "source \"ledger\": delimiter \":\" is not one of \",\", \";\", \"tab\", \"|\""),
        (["date": "D", "amount": "A"], ["date_format": "yyyy.mm.dd"], "source \"ledger\": date_format \"yyyy.mm.dd\" is not one of dd/mm/yyyy, mm/dd/yyyy, yyyy-mm-dd, yyyy/mm/dd, d MMM yyyy"),
        (["date": "D", "amount": "A"], ["encoding": "latin1"], "source \"ledger\": encoding \"latin1\" is not one of auto, utf-8, windows-1252"),
        (["date": "D", "amount": "A"], ["decimal_comma": "si"], "source \"ledger\": decimal_comma must be true or false, not \"si\""),
        (["date": "D", "amount": "A"], ["skip_lines": "two"], "source \"ledger\": skip_lines must be a whole number"),
        (["date": "D", "amount": "A"], ["skip_lines": "-1"], "source \"ledger\": skip_lines must be a whole number"),
        (["date": "D", "amount": "A"], ["debit_means": "up"], "source \"ledger\": debit_means must be \"out\" or \"in\", not \"up\""),
        (["date": "D", "amount": "A"], ["currency": "pounds"], "source \"ledger\": currency \"pounds\" is not an ISO 4217 code such as GBP"),
    ])
    func configurationMistakesAreExplained(columns: [String: String], options: [String: String], message: String) {
        do {
            _ = try S.mapped(columns, options: options)
            Issue.record("expected \(message)")
        } catch {
            #expect("\(error)" == message)
        }
    }

    @Test func aMembersSourceNeedsIdAndName() {
        #expect(throws: ReaderConfigurationError.self) { try S.mapped(["name": "Name"], role: .members) }
        #expect(throws: ReaderConfigurationError.self) { try S.mapped(["id": "Identifier"], role: .members) }
    }

    /// With `round_amounts`, extra digits are rounded and the file's findings say how many were.
    @Test func roundingIsAskedForAndStated() throws {
        let text = "Date,Amount\n2024-04-01,12.345\n2024-04-02,1.005\n2024-04-03,2.50\n"
        let strict = try S.read(try S.mapped(["date": "Date", "amount": "Amount"]), text: text)
        #expect(strict.movements.map(\.amount.minorUnits) == [250])
        #expect(strict.sink.rowsRejected == 2)
        let rounding = try S.read(try S.mapped(["date": "Date", "amount": "Amount"], options: ["round_amounts": "true"]), text: text)
        #expect(rounding.movements.map(\.amount.minorUnits) == [1_235, 101, 250])
        #expect(rounding.findings(.rounded).map(\.message) == ["2 amounts were rounded to 2 decimal places (round_amounts = \"true\")"])
    }

    /// A Windows-1252 byte past the first megabyte of a UTF-8 file: its row is refused, never repaired to U+FFFD.
    @Test func aStrayByteFarIntoAUTF8FileRejectsItsRow() throws {
        var bytes = Array("Date,Details,Amount\n2024-04-01,Caf\u{E9},-1.00\n".utf8)
        for _ in 0..<40_000 { bytes += Array("2024-04-02,Filler row,-1.00\n".utf8) }
        bytes += Array("2024-04-03,Ren".utf8) + [0xE9] + Array("e,-2.00\n".utf8)
        let out = try S.read(try S.mapped(["date": "Date", "description": "Details", "amount": "Amount"]), bytes: bytes)
        #expect(out.findings(.encoding).isEmpty)
        #expect(out.movements.count == 40_001)
        #expect(out.findings(.rejectEncoding).map(\.location.line) == [40_003])
        #expect(!out.movements.contains { $0.description.contains("\u{FFFD}") })
        #expect(out.totalsBalance)
    }

    /// Debit and credit both filled is refused like paid in and paid out; a zero beside an amount is fine.
    @Test func debitAndCreditBothFilledIsRefused() throws {
        let text = "Date,Debit,Credit\n2024-04-01,5.00,7.00\n2024-04-02,5.00,0.00\n"
        let out = try S.read(try S.mapped(["date": "Date", "debit": "Debit", "credit": "Credit"]), text: text)
        #expect(out.errors == ["input.csv:2:17: error: both debit (5.00) and credit (7.00) hold an amount (expected one of them, the other empty or 0.00)"])
        #expect(out.movements.map(\.amount.minorUnits) == [-500])
    }

    /// A file without a header row is held to its first row's shape.
    @Test func headerlessRowsKeepTheFirstRowsShape() throws {
        let out = try S.read(try S.mapped(["date": "1", "amount": "2"], options: ["header": "none"]),
                             text: "2024-04-01,-1.00,x\n2024-04-02,-2.00\n2024-04-03,-3.00,y,z\n")
        #expect(out.movements.map(\.amount.minorUnits) == [-100])
        #expect(out.errors == [
            "input.csv:2:17: error: the row has 2 fields but the first row has 3 (expected 3: a value or a comma is missing, or a quote is out of place)",
            "input.csv:3:20: error: the row has 4 fields but the first row has 3 (expected a comma inside a value to be quoted, as in \"1,234.00\")",
        ])
    }
}

