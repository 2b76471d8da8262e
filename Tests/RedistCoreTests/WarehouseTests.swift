import Foundation
@testable import RedistCore
import RedistIngest
import RedistModel
import Testing

/// The warehouse and the ingest stage: what is stored, de-duplicated and read again.
@Suite("Warehouse")
struct WarehouseTests {
    let header = "Date,Details,Amount\n"
    let a = "2024-01-10,Room hire,-50.00\n"
    let b = "2024-01-11,Peer support session,-50.00\n"
    let c = "2024-01-12,Travel,-12.40\n"

    func descriptions(_ w: Workspace) throws -> [String] { try w.dataset().ledger.map(\.movement.description).sorted() }

    @Test func identicalRowsInOneFileAreDistinctTransactions() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a + a + b)
        try w.ingest()
        let ledger = try w.dataset().ledger
        #expect(ledger.count == 3)
        #expect(Set(ledger.map(\.id)).count == 3)
        #expect(ledger.map(\.movement.amount.minorUnits).reduce(0, +) == -15_000)
    }

    @Test func overlappingExportsKeepTheLargestCountSeenInAnyOneFile() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/cashbook-q1.csv", header + a + b + b)
        try w.write("exports/cashbook-ytd.csv", header + a + b + c)
        try w.write("exports/cashbook-jan.csv", header + c + c + c)
        try w.ingest()
        let data = try w.dataset()
        #expect(try descriptions(w) == ["Peer support session", "Peer support session", "Room hire",
                                        "Travel", "Travel", "Travel"])
        // Kept rows come from the first file, by path, that has them.
        let room = try #require(try data.ledger.first { $0.movement.description == "Room hire" })
        #expect(room.movement.location.file.hasSuffix("exports/cashbook-q1.csv"))
        #expect(room.movement.location.line == 2)
    }

    @Test func aQuarterThenAYearToDateCountsEachTransactionOnce() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/2024-Q1.csv", header + a + b)
        try w.ingest()
        try w.write("exports/2024-ytd.csv", header + a + b + c)
        let second = try w.ingest()
        #expect(second.report.filesRead == 1)
        #expect(second.report.filesUnchanged == 1)
        #expect(try w.dataset().ledger.count == 3)
    }

    @Test func theSameRowInTwoSourcesIsTwoTransactions() throws {
        let w = try Workspace()
        let second = Workspace.cashbook.replacingOccurrences(of: "[[rule]]", with: """
        [[source]]
        name = "petty-cash"
        role = "ledger"
        format = "csv"
        path = "petty/*.csv"
        [source.columns]
        date = "Date"
        description = "Details"
        amount = "Amount"
        [[rule]]
        """)
        try w.write("pipeline.toml", second)
        try w.write("exports/q1.csv", header + a)
        try w.write("petty/q1.csv", header + a)
        try w.ingest()
        #expect(try w.dataset().ledger.map(\.source).sorted() == ["cashbook", "petty-cash"])
    }

    @Test func reIngestingUnchangedFilesReadsNothing() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a + b)
        try w.write("exports/q2.csv", header + c)
        let first = try w.ingest()
        #expect(first.report.filesRead == 2)
        #expect(first.log.filter { $0.hasPrefix("reading ") }.count == 2)
        let before = try w.dataset().ledger.map(\.id)
        let again = try w.ingest()
        #expect(again.report.filesRead == 0)
        #expect(again.report.filesUnchanged == 2)
        #expect(again.log.isEmpty)
        #expect(try w.dataset().ledger.map(\.id) == before)
    }

    @Test func aChangedFileIsReadAgainAndARemovedOneForgotten() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a)
        try w.write("exports/q2.csv", header + b)
        try w.ingest()
        try w.write("exports/q1.csv", header + a + c)
        let changed = try w.ingest()
        #expect(changed.report.filesRead == 1 && changed.report.filesUnchanged == 1)
        #expect(changed.log.count == 1 && changed.log[0].hasSuffix("exports/q1.csv"))
        #expect(try descriptions(w) == ["Peer support session", "Room hire", "Travel"])
        try w.remove("exports/q2.csv")
        let removed = try w.ingest()
        #expect(removed.report.filesRemoved == 1)
        #expect(try descriptions(w) == ["Room hire", "Travel"])
        #expect(try w.files().count == 1)
    }

    @Test func changingHowASourceIsReadReadsItAgain() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a)
        try w.ingest()
        try w.write("pipeline.toml", Workspace.cashbook.replacingOccurrences(of: "description = \"Details\"\n", with: ""))
        let again = try w.ingest()
        #expect(again.report.filesRead == 1)
        #expect(try w.dataset().ledger.first?.movement.description == "")
        // A rule change needs no re-read: classification happens when the dataset is loaded.
        try w.write("pipeline.toml", Workspace.cashbook.replacingOccurrences(of: "description = \"Details\"\n", with: "")
            .replacingOccurrences(of: "retained.programme", with: "retained.overhead"))
        #expect(try w.ingest().report.filesRead == 0)
        #expect(try w.dataset().ledger.first?.category == .retainedOverhead)
    }

    @Test func controlTotalsAndFindingsAreStoredWithTheirLocation() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a + "2024-01-11,Typo,-5O.00\n" + "2024-02-30,Bad date,-7.00\n" + c)
        try w.ingest()
        let file = try #require(w.files().first)
        #expect(file.rowsRead == 4 && file.rowsLoaded == 2 && file.rowsRejected == 2 && file.rowsSkipped == 0)
        #expect(file.amountLoaded == 5_000 + 1_240)
        #expect(file.amountRejected == 700)
        #expect(file.amountRead == file.amountLoaded + file.amountRejected + file.amountSkipped)
        #expect(file.sha256.count == 64)
        #expect(file.failure == nil)
        let findings = try w.findings()
        #expect(findings.map(\.check) == [.rejectAmount, .rejectDate])
        #expect(findings.map(\.location.line) == [3, 4])
        #expect(findings.map(\.location.column) == [17, 1])
        #expect(findings[0].message == "\"-5O.00\" is not an amount (\(AmountParser.expectation))")
        #expect(findings[1].amount == Money(minorUnits: -700, currency: .gbp))
    }

    /// A finding a newer redist stored under a check this one does not know
    /// reads back as unrecognised, its stored name kept in the message.
    @Test func aFindingUnderAnUnknownCheckReadsBackUnrecognised() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a + "2024-01-11,Typo,-5O.00\n" + c)
        try w.ingest()
        #expect(try w.findings().map(\.check) == [.rejectAmount])
        try Warehouse(path: w.warehousePath).transaction { try $0.execute("UPDATE finding SET check_name = 'reject.from-the-future'") }
        let finding = try #require(try w.findings().first)
        #expect(finding.check == .unrecognised)
        #expect(finding.message == "reject.from-the-future: \"-5O.00\" is not an amount (\(AmountParser.expectation))")
        #expect(finding.location.line == 3 && finding.severity == .error)
    }

    @Test func moneyInAnotherCurrencyIsRejectedNotMixed() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook.replacingOccurrences(of: "amount = \"Amount\"", with: "amount = \"Amount\"\ncurrency = \"Currency\""))
        try w.write("exports/q1.csv", "Date,Details,Amount,Currency\n2024-01-10,Room hire,-50.00,GBP\n2024-01-11,Conference,-20.00,EUR\n")
        try w.ingest()
        #expect(try w.dataset().ledger.count == 1)
        let finding = try #require(w.findings().first)
        #expect(finding.check == .rejectCurrency)
        #expect(finding.message == "the amount is in EUR but the organisation reports in GBP, and no rate for EUR is dated on or before 2024-01-11; redist never mixes currencies (expected a [[rate]] with currency = \"EUR\" and a date on or before 2024-01-11)")
        #expect(finding.location.line == 3)
        #expect(try w.files().first?.rowsRejected == 1)
    }

    /// With a rate, the same row is loaded in the reporting currency, and the
    /// control totals count it as loaded, in pence.
    @Test func moneyInAnotherCurrencyIsConvertedAtItsRate() throws {
        let w = try Workspace()
        let rate = "\n[[rate]]\ndate = \"2024-01-01\"\ncurrency = \"EUR\"\nrate = \"0.8556\"\nsource = \"Bank of England XUDLERS\"\n"
        try w.write("pipeline.toml", Workspace.cashbook.replacingOccurrences(of: "amount = \"Amount\"", with: "amount = \"Amount\"\ncurrency = \"Currency\"") + rate)
        try w.write("exports/q1.csv", "Date,Details,Amount,Currency\n2024-01-10,Room hire,-50.00,GBP\n2024-01-11,Conference,-20.00,EUR\n")
        try w.ingest()
        let ledger = try w.dataset().ledger
        #expect(ledger.count == 2)
        let file = try #require(try w.files().first)
        #expect(file.rowsRejected == 0)
        #expect(file.amountLoaded == 5_000 + 1_711)  // 20.00 EUR at 0.8556 = 17.112 GBP
        let notes = try w.findings().filter { $0.check == .converted }
        #expect(notes.map(\.message) == ["1 amount was in EUR, converted to GBP at the rate dated on or before each one's day (rates from: Bank of England XUDLERS)"])
    }

    @Test func aFileThatCannotBeReadIsRecordedAndReportedOnEveryRun() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        try w.write("exports/q1.csv", header + a)
        try w.write("exports/q2.csv", "Date,Narrative,Amount\n2024-04-01,x,-1.00\n")
        let first = try w.ingest()
        let failure = try #require(first.report.filesFailed.first)
        #expect(failure.location.line == 1)
        #expect(failure.message.hasPrefix("the header has no column \"Details\""))
        #expect(try w.files().first { $0.path.hasSuffix("q2.csv") }?.failure == failure.message)
        #expect(try w.dataset().ledger.count == 1)
        // Unchanged, the file is not read again, but its failure is still reported, the same way.
        let again = try w.ingest()
        #expect(again.report.filesRead == 0)
        #expect(again.report.filesFailed.map(\.description) == [failure.description])
    }

    @Test func sourceIdentifiersDeduplicateAcrossFiles() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook.replacingOccurrences(of: "amount = \"Amount\"", with: "amount = \"Amount\"\nid = \"ID\""))
        // The same transaction, its description edited between exports: one transaction.
        try w.write("exports/a.csv", "ID,Date,Details,Amount\nT-1,2024-01-10,Room hire,-50.00\n")
        try w.write("exports/b.csv", "ID,Date,Details,Amount\nT-1,2024-01-10,Room hire (March),-50.00\nT-2,2024-01-10,Room hire,-50.00\n")
        try w.ingest()
        let ledger = try w.dataset().ledger
        #expect(ledger.count == 2)
        #expect(ledger.map(\.movement.nativeId).sorted() == ["T-1", "T-2"])
    }

    @Test func aSourceWhosePathMatchesNothingIsReported() throws {
        let w = try Workspace()
        try w.write("pipeline.toml", Workspace.cashbook)
        let run = try w.ingest()
        #expect(run.report.emptySources.map(\.name) == ["cashbook"])
        #expect(run.report.filesRead == 0)
    }
}
