import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("GnuCash reader")
struct GnuCashReaderTests {
    @Test func incomeAndExpenseSplitsBecomeMovements() throws {
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(), XMLTestSupport.fixture("book.gnucash"), display: "books/2022.gnucash")
        #expect(out.failure == nil)
        let m = out.movements
        #expect(m.count == 3)

        let grant = try #require(m.first)
        #expect(grant.date == Day(year: 2022, month: 9, day: 2))
        #expect(grant.amount == Money(minorUnits: -150_000, currency: .gbp))
        #expect(grant.account == "Expenses:Grants to groups")
        #expect(grant.accountName == "Grants to groups")
        #expect(grant.kind == "EXPENSE")
        #expect(grant.reference == "CHQ 101")
        #expect(grant.description == "Grant to Riverside Allotment Group — Seed grant, round 3")
        #expect(grant.counterparty == "")
        #expect(grant.nativeId == "000000000000000000000000000000s1")
        #expect(grant.location.file == "books/2022.gnucash")
        #expect(grant.location.line == 81)
        #expect(grant.location.path == "/gnc-v2/gnc:book/gnc:transaction[1]/trn:splits/trn:split[1]")

        #expect(m[1].amount == Money(minorUnits: 167_235, currency: .gbp))
        // An account with a nominal code: the code, and the path as its name.
        #expect(m[1].account == "4000")
        #expect(m[1].accountName == "Income:Grants & Donations")
        #expect(m[1].kind == "INCOME")
        #expect(m[1].description == "Tidewater Foundation instalment")
        #expect(m[1].reference == "")
        #expect(m[2].amount == Money(minorUnits: 32_765, currency: .gbp))
        #expect(m[2].description == "Tidewater Foundation instalment — Bank charge")
        #expect(m[2].location.path == "/gnc-v2/gnc:book/gnc:transaction[2]/trn:splits/trn:split[3]")
    }

    @Test func otherSplitsAndTemplatesAreSkippedAndCounted() throws {
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(), XMLTestSupport.fixture("book.gnucash"))
        #expect(out.sink.rowsRead == 6)
        #expect(out.sink.rowsLoaded == 3)
        #expect(out.sink.rowsSkipped == 3)
        #expect(out.sink.rowsRejected == 0)
        let bank = out.diagnostics(.skipOtherAccount)
        #expect(bank.count == 2)
        #expect(bank.first?.message.contains("BANK account \"Assets:Current Account\"") == true)
        #expect(bank.first?.amount == Money(minorUnits: -150_000, currency: .gbp))
        let template = try #require(out.diagnostics(.skipTemplate).first)
        #expect(out.diagnostics(.skipTemplate).count == 1)
        #expect(template.message.contains("Monthly rent"))
        #expect(template.location.line == 139)
        // Gross amounts: 1500 + 1500 (first transaction), 2000 + 1672.35 + 327.65 (second).
        #expect(out.sink.amountRead == 700_000)
        #expect(out.sink.amountLoaded == 350_000)
    }

    @Test func optionsChooseAccountPathsAndMemoAsCounterparty() throws {
        let reader = try GnuCashReader(ReaderConfiguration(sourceName: "books", role: .ledger,
                                                           options: ["account": "path", "memo": "counterparty"]))
        let m = XMLTestSupport.read(reader, XMLTestSupport.fixture("book.gnucash")).movements
        #expect(m.map { $0.account } == ["Expenses:Grants to groups", "Income:Grants & Donations", "Income:Grants & Donations"])
        #expect(m.map { $0.accountName } == ["Grants to groups", "Grants & Donations", "Grants & Donations"])
        #expect(m.map { $0.counterparty } == ["Seed grant, round 3", "", "Bank charge"])
        #expect(m.map { $0.description } == ["Grant to Riverside Allotment Group", "Tidewater Foundation instalment",
                                             "Tidewater Foundation instalment"])
        #expect(throws: ReaderConfigurationError.self) {
            _ = try GnuCashReader(ReaderConfiguration(sourceName: "books", role: .ledger, options: ["memo": "notes"]))
        }
        #expect(throws: ReaderConfigurationError.self) {
            _ = try GnuCashReader(ReaderConfiguration(sourceName: "books", role: .ledger, options: ["account": "name"]))
        }
    }

    @Test func gzipBooksAreReadTheSame() {
        let plain = XMLTestSupport.read(XMLTestSupport.gnucash(), XMLTestSupport.fixture("book.gnucash"), display: "b")
        let packed = XMLTestSupport.read(XMLTestSupport.gnucash(), XMLTestSupport.fixture("compressed-book.xml"), display: "b")
        #expect(packed.failure == nil)
        #expect(packed.movements == plain.movements)
        #expect(packed.sink.rowsRead == plain.sink.rowsRead)
    }

    @Test func theParseKeepsAccountsAndEverySplitField() throws {
        let stream = try XMLStream(path: XMLTestSupport.fixture("book.gnucash"), displayPath: "b")
        let handler = GnuCashHandler(stream, sink: RecordSink { _ in })
        var transactions: [GnuCashTransaction] = []
        handler.onTransaction = { transactions.append($0) }
        try stream.run(handler)
        #expect(handler.transactionCount == 2)
        #expect(handler.templateCount == 1)
        // The template's root account is not one of the book's accounts.
        #expect(handler.accounts.count == 7)
        #expect(handler.accounts["000000000000000000000000000000a4"]?.code == "4000")
        #expect(handler.fullPath("000000000000000000000000000000a2") == "Assets:Current Account")
        #expect(handler.fullPath("000000000000000000000000000000a0") == "")
        let first = try #require(transactions.first)
        #expect(first.id == "000000000000000000000000000000t1")
        #expect(first.currencySpace == "ISO4217")
        #expect(first.currencyId == "GBP")
        #expect(first.num == "CHQ 101")
        #expect(first.datePosted == "2022-09-02 10:59:00 +0100")
        #expect(first.splits.map { $0.reconciled } == ["c", "y"])
        #expect(first.splits.map { $0.value } == ["150000/100", "-150000/100"])
        #expect(first.splits.map { $0.quantity } == ["150000/100", "-150000/100"])
        #expect(first.splits[0].memo == "Seed grant, round 3")
        #expect(first.splits[1].account == "000000000000000000000000000000a2")
    }

    @Test func accountsDefinedAfterTheirTransactionsAreStillResolved() throws {
        let book = """
            <gnc-v2 xmlns:gnc="g" xmlns:act="a" xmlns:trn="t" xmlns:split="s" xmlns:ts="ts" xmlns:cmdty="c">
            <gnc:transaction>
              <trn:id>t</trn:id>
              <trn:currency><cmdty:space>CURRENCY</cmdty:space><cmdty:id>EUR</cmdty:id></trn:currency>
              <trn:date-posted><ts:date>2023-02-01 00:00:00 +0000</ts:date></trn:date-posted>
              <trn:description>Rent</trn:description>
              <trn:splits>
                <trn:split><split:id>s1</split:id><split:value>12000/100</split:value><split:account>e</split:account></trn:split>
                <trn:split><split:id>s2</split:id><split:value>-12000/100</split:value><split:account>ghost</split:account></trn:split>
                <trn:split><split:id>s3</split:id><split:value>12 euros</split:value><split:account>e</split:account></trn:split>
              </trn:splits>
            </gnc:transaction>
            <gnc:account><act:name>Root</act:name><act:id>r</act:id><act:type>ROOT</act:type></gnc:account>
            <gnc:account><act:name>Premises</act:name><act:id>e</act:id><act:type>EXPENSE</act:type><act:parent>r</act:parent></gnc:account>
            </gnc-v2>
            """
        let path = try XMLTestSupport.temporaryFile("late.gnucash", book)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(), path)
        #expect(out.failure == nil)
        #expect(out.movements.map { $0.account } == ["Premises"])
        #expect(out.movements.first?.amount == Money(minorUnits: -12_000, currency: Currency(code: "EUR")!))
        #expect(out.diagnostics(.rejectAccount).first?.message.contains("ghost") == true)
        #expect(out.diagnostics(.rejectAmount).first?.message.contains("12 euros") == true)
        #expect(out.sink.rowsRead == 3)
    }

    @Test func version1BooksAreRefusedWithWhatToDo() throws {
        let path = try XMLTestSupport.temporaryFile("old.xac", "<?xml version=\"1.0\"?>\n<gnc>\n  <version>1</version>\n</gnc>\n")
        defer { XMLTestSupport.remove(path) }
        let f = try #require(XMLTestSupport.read(XMLTestSupport.gnucash(), path, display: "old.xac").failure)
        #expect(f.location.file == "old.xac")
        #expect(f.location.line == 2)
        #expect(f.message == "GnuCash 1.x XML format is not supported; open the book in GnuCash 2 or later and save it again")
    }

    @Test func sqliteBooksAreRefusedWithWhatToDo() throws {
        var bytes = Array("SQLite format 3\0".utf8)
        bytes += [UInt8](repeating: 0, count: 100)
        let path = try XMLTestSupport.temporaryFile("book.gnucash", bytes)
        defer { XMLTestSupport.remove(path) }
        let f = try #require(XMLTestSupport.read(XMLTestSupport.gnucash(), path).failure)
        #expect(f.message.contains("SQLite"))
    }

    @Test func inspectRowsShowTheSplit() throws {
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(), XMLTestSupport.fixture("book.gnucash"))
        let row = inspectRows(try #require(out.records.first))
        #expect(row[0...4] == ["2022-09-02", "-1500.00", "GBP", "Expenses:Grants to groups", "Grants to groups"])
        #expect(row[11] == "EXPENSE")
    }
}
