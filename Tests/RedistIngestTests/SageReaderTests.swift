import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("Sage reader")
struct SageReaderTests {
    static func read(_ text: String) throws -> ReaderOutcome {
        let reader = try SageReader(ReaderConfiguration(sourceName: "sage", role: .ledger))
        let path = try ReaderOutcome.temporaryFile(prefix: "redist-sage", "audit.csv", Array(text.utf8))
        return ReaderOutcome.read(reader, path, display: "audit.csv")
    }

    @Test func receiptsAndPaymentsAreSignedByTypeAndTheRestSkipped() throws {
        let out = try Self.read("""
        Audit Trail
        No,Type,Account,Nominal,Dept,Details,Date,Ref,Net,Tax
        1,SI,C1,4000,3,Invoice,02/01/2024,I1,100.00,20.00
        2,BR,1200,4100,0,Donation,03/01/2024,D1,50.00,0.00
        3,BP,1200,7000,3,Rent,04/01/2024,R1,100.00,20.00
        4,JC,,4000,0,Journal,05/01/2024,J1,10.00,0.00

        """)
        #expect(out.failure == nil && out.errors.isEmpty && out.totalsBalance)
        #expect(out.movements.map(\.amount.minorUnits) == [5_000, -12_000])
        #expect(out.movements.map(\.account) == ["4100", "7000"])
        #expect(out.movements.map(\.fund) == ["", "3"])
        #expect(out.movements.map(\.nativeId) == ["2", "3"])
        #expect(out.findings(.skipNoMoney).count == 2 && out.findings(.skipTitle).count == 1)
        #expect(out.sink.amountSkipped == 13_000)
    }

    @Test func aFileWithoutTheColumnsIsRefusedNamingThem() throws {
        let out = try Self.read("Date,Amount\n01/01/2024,1.00\n")
        #expect(out.failure?.message == "no header row with the columns \"Type\", \"Nominal\", \"Date\", \"Net\" (expected Sage 50's audit trail exported as CSV)")
        #expect(SageReader.claims(FileHead(bytes: Array("No,Type,Account,Nominal,Dept,Details,Date,Ref,Net,Tax\n".utf8))))
        #expect(!SageReader.claims(FileHead(bytes: Array("Date,Amount\n".utf8))))
    }
}
