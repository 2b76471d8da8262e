import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("OFX reader")
struct OFXReaderTests {
    static var reader: OFXReader { try! OFXReader(ReaderConfiguration(sourceName: "bank", role: .bank)) }

    static func read(_ text: String, name: String = "s.ofx", latin1: Bool = false) throws -> ReaderOutcome {
        let bytes = latin1 ? Array(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }) : Array(text.utf8)
        let path = try ReaderOutcome.temporaryFile(prefix: "redist-ofx", name, bytes)
        return ReaderOutcome.read(reader, path, display: name)
    }

    static let header = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"

    static func statement(_ transactions: String, balance: String = "100.00", account: String = "111", end: String = "20240131") -> String {
        "<STMTTRNRS><TRNUID>1<STMTRS><CURDEF>GBP<BANKACCTFROM><BANKID>309634<ACCTID>\(account)<ACCTTYPE>CHECKING</BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20240101<DTEND>\(end)\n\(transactions)</BANKTRANLIST>\n<LEDGERBAL><BALAMT>\(balance)<DTASOF>\(end)</LEDGERBAL></STMTRS></STMTTRNRS>\n"
    }

    static func sgml(_ body: String) -> String { header + "<OFX>\n<BANKMSGSRSV1>\n" + body + "</BANKMSGSRSV1>\n</OFX>\n" }

    @Test func unclosedLeavesAreValuesAndEveryFieldIsMapped() throws {
        let out = try Self.read(Self.sgml(Self.statement("""
        <STMTTRN>
        <TRNTYPE>DEBIT
        <DTPOSTED>20230105120000.000[-5:EST]
        <TRNAMT>-1,234.50
        <FITID>F-1
        <REFNUM>R-9
        <NAME>HOLLOWAY &amp; REED
        <MEMO>Caf\u{E9} \u{A3}5
        </STMTTRN>

        """)), latin1: true)
        #expect(out.failure == nil)
        let m = try #require(out.movements.first)
        #expect(m.date == Day(year: 2023, month: 1, day: 5))
        #expect(m.amount == Money(minorUnits: -123_450, currency: .gbp))
        #expect(m.nativeId == "F-1" && m.reference == "R-9" && m.kind == "DEBIT")
        #expect(m.counterparty == "HOLLOWAY & REED")
        #expect(m.description == "Café £5")
        #expect(m.account == "111" && m.accountName == "309634")
        #expect(m.location.description.hasPrefix("s.ofx:15 (/OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN[1])"))
        #expect(out.balances.map(\.amount) == [Money(minorUnits: 10_000, currency: .gbp)])
        #expect(out.totalsBalance)
    }

    @Test func consecutiveStatementsOfOneAccountAreCheckedAgainstEachOther() throws {
        let t = "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240210<TRNAMT>25.00<FITID>A</STMTTRN>\n"
        let good = try Self.read(Self.sgml(Self.statement("", balance: "100.00") + Self.statement(t, balance: "125.00", end: "20240229")))
        #expect(good.findings(.bankBalance).map(\.severity) == [.note, .note])
        #expect(good.findings(.bankBalance)[1].message.contains("closing balance 125.00 GBP = the previous statement's 100.00 GBP + transactions 25.00"))
        let bad = try Self.read(Self.sgml(Self.statement("", balance: "100.00") + Self.statement(t, balance: "130.00", end: "20240229")))
        #expect(bad.errors == ["s.ofx:21 (/OFX/BANKMSGSRSV1/STMTTRNRS[2]/STMTRS/LEDGERBAL/BALAMT): error: the statement of account 111 to 2024-02-29: closing balance 130.00 GBP does not equal the previous statement's closing balance 100.00 GBP + transactions 25.00 = 125.00 GBP (difference 5.00)"])
    }

    @Test func aStatementCutShortFailsTheFileWithItsLine() throws {
        let text = Self.header + "<OFX>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<STMTRS>\n<CURDEF>GBP\n<BANKTRANLIST>\n<STMTTRN>\n<TRNAMT>1.00\n"
        let out = try Self.read(text)
        #expect(out.failure?.description == "s.ofx:19: error: the file ends before <STMTTRN> (opened on line 17) is closed: it is cut short (expected </STMTTRN>)")
    }

    @Test func badValuesAreRejectedWithFileAndLine() throws {
        let out = try Self.read(Self.sgml(Self.statement("""
        <STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240105<TRNAMT>12.3.4<FITID>A</STMTTRN>
        <STMTTRN><TRNTYPE>DEBIT<DTPOSTED>2024-01-05<TRNAMT>-1.00<FITID>B</STMTTRN>

        """)))
        #expect(out.errors == [
            "s.ofx:15 (/OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN[1]/TRNAMT): error: \"12.3.4\" is not an amount (expected an amount such as 1234.56, 1,234.56, £1,234.56, -12.00 or (12.00))",
            "s.ofx:16 (/OFX/BANKMSGSRSV1/STMTTRNRS/STMTRS/BANKTRANLIST/STMTTRN[2]/DTPOSTED): error: \"2024-01-05\" is not a date (expected an OFX date such as 20230105 or 20230105120000.000[-5:EST])",
        ])
        #expect(out.sink.rowsRejected == 2 && out.totalsBalance)
    }

    @Test func anInvestmentStatementIsRefusedWithTheReason() throws {
        let out = try Self.read(Self.header + "<OFX>\n<INVSTMTMSGSRSV1><INVSTMTTRNRS><INVSTMTRS><DTASOF>20240101<CURDEF>GBP</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1>\n</OFX>\n")
        #expect(out.failure?.message.hasPrefix("an investment statement (<INVSTMTRS>): it lists holdings and trades") == true)
        #expect(out.failure?.location.line == 12)
    }

    @Test func hostileInputIsBounded() throws {
        let long = try Self.read(Self.header + "<OFX><" + String(repeating: "A", count: 100) + ">\n</OFX>")
        #expect(long.failure?.message.hasPrefix("a tag longer than 64 characters") == true)
        let deep = try Self.read(Self.header + "<OFX>" + String(repeating: "<A>\n", count: 100))
        #expect(deep.failure?.message.hasPrefix("elements are nested more than 64 deep") == true)
        let notOFX = try Self.read("hello, world\n")
        #expect(notOFX.failure != nil)
    }

    @Test func ofx2IsReadThroughLibxml2() throws {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <?OFX OFXHEADER="200" VERSION="211"?>
        <OFX><CREDITCARDMSGSRSV1><CCSTMTTRNRS><CCSTMTRS><CURDEF>GBP</CURDEF><CCACCTFROM><ACCTID>4929</ACCTID></CCACCTFROM>
        <BANKTRANLIST><STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240304</DTPOSTED><TRNAMT>-9.99</TRNAMT><FITID>X1</FITID>
        <PAYEE><NAME>BRIGHTLINE</NAME></PAYEE><MEMO>a &amp; b</MEMO></STMTTRN></BANKTRANLIST>
        <LEDGERBAL><BALAMT>-9.99</BALAMT><DTASOF>20240331</DTASOF></LEDGERBAL></CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1></OFX>
        """
        let out = try Self.read(text)
        #expect(out.failure == nil)
        let m = try #require(out.movements.first)
        #expect(m.counterparty == "BRIGHTLINE" && m.description == "a & b" && m.account == "4929" && m.amount.minorUnits == -999)
        #expect(m.location.line == 4)
        let broken = try Self.read(text.replacingOccurrences(of: "</MEMO>", with: ""))
        #expect(broken.failure != nil)
    }

    @Test func identifiedByContent() {
        #expect(OFXReader.claims(FileHead(bytes: Array(Self.header.utf8))))
        #expect(OFXReader.claims(FileHead(bytes: Array("<OFX>\n<SIGNONMSGSRSV1>".utf8))))
        #expect(OFXReader.claims(FileHead(bytes: Array("<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"211\"?>\n<OFX>".utf8))))
        #expect(!OFXReader.claims(FileHead(bytes: Array("Date,Amount\n".utf8))))
    }
}

/// The real OFX files in `../shared/corpus/ofx/`, read in place.
@Suite("OFX corpus", .enabled(if: CSVCorpus.available, "../shared/corpus is absent: corpus tests skipped"))
struct OFXCorpusTests {
    static var reader: OFXReader { try! OFXReader(ReaderConfiguration(sourceName: "bank", role: .bank)) }

    @Test func amexSGMLWithNoHeaderAndOddlyClosedLeaves() throws {
        let out = ReaderOutcome.read(Self.reader, CSVCorpus.path("ofx/jbms__beancount-import__amex.ofx"), display: "amex.ofx")
        #expect(out.failure == nil)
        #expect(out.movements.map(\.amount.minorUnits) == [-14_394, -2_805, -1_876])
        #expect(out.movements.allSatisfy { $0.amount.currency.code == "USD" && $0.account == "379700001111222" })
        #expect(out.movements.map(\.date) == [Day(year: 2013, month: 11, day: 24)!, Day(year: 2013, month: 11, day: 25)!, Day(year: 2013, month: 11, day: 26)!])
        #expect(out.movements[0].counterparty == "PRUNE NEW YORK" && out.movements[0].description == "7101466 RESTAURANT")
        #expect(out.movements[0].nativeId == "320133280255184014" && out.movements[0].reference == "320133280255184014")
        #expect(out.balances.map(\.amount.minorUnits) == [-235_638])
        #expect(out.errors.isEmpty && out.totalsBalance)
        #expect(Readers.identify(FileHead(path: CSVCorpus.path("ofx/jbms__beancount-import__amex.ofx"))).map { $0.format } == ["ofx"])
    }

    @Test func suncorpOFX2() throws {
        let out = ReaderOutcome.read(Self.reader, CSVCorpus.path("ofx/jbms__beancount-import__suncorp.ofx"), display: "suncorp.ofx")
        #expect(out.failure == nil)
        let m = try #require(out.movements.first)
        #expect(out.movements.count == 1)
        #expect(m.amount == Money(minorUnits: -1_685, currency: Currency(code: "AUD")!))
        #expect(m.date == Day(year: 2013, month: 12, day: 15))
        #expect(m.counterparty == "EFTPOS WDL HANDYWAY ALDI STORE")
        #expect(m.description == "EFTPOS WDL HANDYWAY ALDI STORE GEELONG WEST VICAU")
        #expect(m.nativeId == "1" && m.reference == "" && m.account == "123456789")
        #expect(out.balances.map(\.amount.minorUnits) == [123_412])
        #expect(Readers.identify(FileHead(path: CSVCorpus.path("ofx/jbms__beancount-import__suncorp.ofx"))).map { $0.format } == ["ofx"])
    }
}
