import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("camt.053 reader")
struct Camt053ReaderTests {
    let gbpAccount = "GB33BUKB20201555555555"

    @Test func bookedEntriesBecomeSignedMovements() throws {
        let out = XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("camt053-v02.xml"), display: "bank/oct.xml")
        #expect(out.failure == nil)
        let m = out.movements
        #expect(m.count == 2)

        let credit = try #require(m.first)
        #expect(credit.amount == Money(minorUnits: 2_000_000, currency: .gbp))
        #expect(credit.date == Day(year: 2022, month: 10, day: 3))
        #expect(credit.kind == "PMNT-RCDT-ESCT")
        // The payer's end-to-end id is the reference the ledger quotes; the bank's own is the identity.
        #expect(credit.reference == "TW-CC-2022-1")
        #expect(credit.nativeId == "BANKREF-0001")
        #expect(credit.counterparty == "Tidewater Foundation")
        #expect(credit.counterpartyId == "GB94BARC10201530093459")
        #expect(credit.description == "TW-CC instalment 1 Community Constellations")
        #expect(credit.account == gbpAccount)
        #expect(credit.accountName == "Northfield Peer Support Network")
        #expect(credit.location.file == "bank/oct.xml")
        #expect(credit.location.line == 36)
        #expect(credit.location.path == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]")

        // A debit batch: the creditors, no single IBAN, the booking date of a DtTm.
        let batch = m[1]
        #expect(batch.amount == Money(minorUnits: -250_000, currency: .gbp))
        #expect(batch.date == Day(year: 2022, month: 10, day: 10))
        #expect(batch.kind == "FPO")
        #expect(batch.reference == "E2")  // two end-to-end ids: the entry's own reference
        #expect(batch.nativeId == "E2")
        #expect(batch.counterparty == "Riverside Allotment Group; Eastgate Men's Shed")
        #expect(batch.counterpartyId == "")
        #expect(batch.description == "Seed grant")
    }

    @Test func pendingEntriesAreSkippedAndBalancesAreRecords() throws {
        let out = XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("camt053-v02.xml"))
        let pending = try #require(out.diagnostics(.skipPending).first)
        #expect(pending.severity == .note)
        #expect(pending.amount == Money(minorUnits: -7_500, currency: .gbp))
        #expect(pending.location.path == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]")
        let balances = out.balances
        #expect(balances.count == 2)  // CLAV is not an opening or closing booked balance
        #expect(balances[0].kind == .opening)
        #expect(balances[0].amount == Money(minorUnits: 100_000, currency: .gbp))
        #expect(balances[0].date == Day(year: 2022, month: 9, day: 30))
        #expect(balances[0].account == gbpAccount)
        #expect(balances[0].statementId == "STMT-2022-10")
        #expect(balances[1].kind == .closing)
        #expect(balances[1].location.path == "/Document/BkToCstmrStmt/Stmt[1]/Bal[3]")
        // 3 entries and 2 balances; the balances count no money.
        #expect(out.sink.rowsRead == 5)
        #expect(out.sink.rowsLoaded == 4)
        #expect(out.sink.rowsSkipped == 1)
        #expect(out.sink.amountLoaded == 2_250_000)
    }

    @Test func aBalanceThatHoldsIsANote() throws {
        let out = XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("camt053-v02.xml"))
        let check = try #require(out.diagnostics(.bankBalance).first)
        #expect(out.diagnostics(.bankBalance).count == 1)
        #expect(check.severity == .note)
        #expect(check.message.contains("18500.00 GBP"))
        #expect(check.location.line == 30)
    }

    @Test func laterVersionsNestStatusAndParty() throws {
        let out = XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("camt053-v08.xml"))
        #expect(out.failure == nil)
        let m = out.movements
        #expect(m.count == 3)
        let eur = Currency(code: "EUR")!
        #expect(m[0].amount == Money(minorUnits: 6_050, currency: eur))
        #expect(m[0].counterparty == "Société Générale & Cie")
        #expect(m[0].counterpartyId == "FR7630006000011234567890189")
        #expect(m[0].account == "LT625883379695428516")
        #expect(m[0].kind == "BOOK")
        #expect(m[0].location.line == 10)
        #expect(m[0].location.path == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]")
        #expect(m[1].amount == Money(minorUnits: -1_050, currency: eur))
        #expect(m[1].description == "Account fee")
        #expect(m[1].reference == "N2")  // NOTPROVIDED is no reference
        #expect(m[1].counterparty == "")
        #expect(m[2].nativeId == "AS-9")
        #expect(m[2].account == "LT601010012345678901")
        #expect(m[2].location.path == "/Document/BkToCstmrStmt/Stmt[2]/Ntry[1]")

        let balances = out.balances
        #expect(balances.map { $0.kind } == [.opening, .closing, .opening, .closing])
        // No CdtDbtInd: a credit. A DtTm date: its day.
        #expect(balances[0].amount == Money(minorUnits: 10_000, currency: eur))
        #expect(balances[1].date == Day(year: 2024, month: 4, day: 11))
        #expect(balances[2].amount == Money(minorUnits: -500, currency: eur))
    }

    @Test func aBalanceThatFailsIsAnErrorWithTheDifference() throws {
        let out = XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("camt053-v08.xml"), display: "s.xml")
        let checks = out.diagnostics(.bankBalance)
        #expect(checks.map { $0.severity } == [.note, .error])
        let failed = checks[1]
        #expect(failed.amount == Money(minorUnits: 100, currency: Currency(code: "EUR")!))
        #expect(failed.message.contains("S8-2"))
        #expect(failed.message.contains("20.00 EUR"))
        #expect(failed.message.contains("19.00 EUR"))
        #expect(failed.location.path == "/Document/BkToCstmrStmt/Stmt[2]/Bal[2]")
        #expect(failed.location.file == "s.xml")
        // A data error: an error finding, naming the file, the line and the element path.
        #expect(failed.rendered.hasPrefix("s.xml:17 (/Document/BkToCstmrStmt/Stmt[2]/Bal[2]): error: statement S8-2: closing balance"), "\(failed.rendered)")
    }

    @Test func otherMessagesAreRefusedWithTheReason() throws {
        let path = try XMLTestSupport.temporaryFile("report.xml", """
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">
              <BkToCstmrAcctRpt><GrpHdr/></BkToCstmrAcctRpt>
            </Document>
            """)
        defer { XMLTestSupport.remove(path) }
        let f = try #require(XMLTestSupport.read(XMLTestSupport.camt(), path).failure)
        #expect(f.location.line == 2)
        #expect(f.location.path == "/Document/BkToCstmrAcctRpt")
        #expect(f.message.contains("camt.052"))
        let gnucash = try #require(XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("book.gnucash")).failure)
        #expect(gnucash.message.contains("<gnc-v2>"))
    }

    @Test func unreadableEntriesAreRejectedAndTheBalanceIsNotChecked() throws {
        let path = try XMLTestSupport.temporaryFile("bad.xml", """
            <Document><BkToCstmrStmt><Stmt><Id>X</Id>
            <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1.00</Amt><Dt><Dt>2024-01-01</Dt></Dt></Bal>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">3.00</Amt><Dt><Dt>2024-01-02</Dt></Dt></Bal>
            <Ntry><Amt Ccy="EUR">1,0.0</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
            <Ntry><Amt>2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
            <Ntry><Amt Ccy="EUR">2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-02-30</Dt></BookgDt></Ntry>
            </Stmt></BkToCstmrStmt></Document>
            """)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.camt(), path)
        #expect(out.failure == nil)
        #expect(out.movements.isEmpty)
        #expect(out.diagnostics(.rejectAmount).first?.location.path == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]/Amt")
        #expect(out.diagnostics(.rejectAmount).first?.location.line == 4)
        #expect(out.diagnostics(.rejectCurrency).first?.message.contains("Ccy") == true)
        #expect(out.diagnostics(.rejectDate).first?.location.line == 6)
        #expect(out.diagnostics(.bankBalance).first?.severity == .warning)
        #expect(out.sink.rowsRejected == 3)
    }

    @Test func namesAndCodesAreReadAsTextNotAsBytes() throws {
        // The same name in composed and decomposed Unicode is one party; an
        // empty name is none; codes are read in any case; a ref of spaces is empty.
        let composed = "Caf\u{E9} Crew", decomposed = "Cafe\u{301} Crew"
        let path = try XMLTestSupport.temporaryFile("forms.xml", """
            <Document><BkToCstmrStmt><Stmt><Id>F</Id>
            <Ntry><NtryRef>R1</NtryRef><AcctSvcrRef>  </AcctSvcrRef><Amt Ccy="gbp">5.00</Amt><CdtDbtInd>crdt</CdtDbtInd><Sts>book</Sts>
            <BookgDt><Dt>2024-01-02</Dt></BookgDt><NtryDtls>
            <TxDtls><Refs><EndToEndId>notprovided</EndToEndId></Refs><RltdPties><Dbtr><Nm>\(composed)</Nm></Dbtr></RltdPties>
            <RmtInf><Ustrd>Room  hire</Ustrd><Ustrd>Room hire</Ustrd></RmtInf></TxDtls>
            <TxDtls><RltdPties><Dbtr><Nm>\(decomposed)</Nm></Dbtr></RltdPties></TxDtls>
            <TxDtls><RltdPties><Dbtr><Nm> </Nm></Dbtr></RltdPties></TxDtls>
            </NtryDtls></Ntry>
            </Stmt></BkToCstmrStmt></Document>
            """)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.camt(), path)
        #expect(out.failure == nil)
        let m = try #require(out.movements.first)
        #expect(m.counterparty == composed)
        #expect(m.amount == Money(minorUnits: 500, currency: .gbp))
        #expect(m.kind == "BOOK")
        #expect(m.description == "Room hire")
        #expect(m.reference == "R1")
        #expect(m.nativeId == "R1")
    }

    @Test func entriesWithoutDatesTakeTheStatementsDate() throws {
        // Clearing-system statements (the CENTROlink sample in the corpus) date only the balances.
        let path = try XMLTestSupport.temporaryFile("undated.xml", """
            <Document><BkToCstmrStmt><Stmt><Id>U</Id><Acct><Id><Othr><Id>LT1</Id></Othr></Id></Acct>
            <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10</Amt><Dt><Dt>2024-04-10</Dt></Dt></Bal>
            <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">7.5</Amt><Dt><Dt>2024-04-11</Dt></Dt></Bal>
            <Ntry><NtryRef>R1</NtryRef><Amt Ccy="EUR">2.5</Amt><CdtDbtInd>DBIT</CdtDbtInd><BkTxCd><Prtry><Cd>KLIRNG</Cd></Prtry></BkTxCd></Ntry>
            </Stmt></BkToCstmrStmt></Document>
            """)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.camt(), path)
        let m = try #require(out.movements.first)
        #expect(m.date == Day(year: 2024, month: 4, day: 11))
        #expect(m.amount == Money(minorUnits: -250, currency: Currency(code: "EUR")!))
        #expect(m.kind == "KLIRNG")
        #expect(m.account == "LT1")
        let warning = try #require(out.diagnostics(.bankEntryDate).first)
        #expect(warning.severity == .warning)
        #expect(warning.message.contains("1 booked entry has no booking or value date; dated 2024-04-11"))
        #expect(out.diagnostics(.bankBalance).first?.severity == .note)
    }

    @Test func inspectShowsMovementsNotBalances() throws {
        let out = XMLTestSupport.read(XMLTestSupport.camt(), XMLTestSupport.fixture("camt053-v02.xml"))
        let rows = out.records.map(inspectRows).filter { !$0.isEmpty }
        #expect(rows.count == 2)
        #expect(rows[1][1] == "-2500.00")
        #expect(rows[1][6] == "Riverside Allotment Group; Eastgate Men's Shed")
    }
}
