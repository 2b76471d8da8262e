import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("QIF reader")
struct QIFReaderTests {
    static func read(_ text: String, options: [String: String] = [:]) throws -> ReaderOutcome {
        let reader = try QIFReader(ReaderConfiguration(sourceName: "bank", role: .bank, options: options))
        let path = try ReaderOutcome.temporaryFile(prefix: "redist-qif", "s.qif", Array(text.utf8))
        return ReaderOutcome.read(reader, path, display: "s.qif")
    }

    @Test func recordsAndSplitsBecomeMovements() throws {
        let out = try Self.read("""
        !Type:Bank
        D25/12/2023
        T-1,234.56
        PAshgrove
        MRent
        NCHQ-1
        L7000 Rent
        ^
        D26/12/2023
        T-300.00
        PHarbour Voices
        S5000 Grants
        EGrant
        $-250.00
        S5010 Small costs
        $-50.00
        ^

        """)
        #expect(out.failure == nil && out.errors.isEmpty && out.totalsBalance)
        #expect(out.movements.map(\.amount.minorUnits) == [-123_456, -25_000, -5_000])
        #expect(out.movements.map(\.account) == ["7000 Rent", "5000 Grants", "5010 Small costs"])
        #expect(out.movements.map(\.description) == ["Rent", "Grant", ""])
        #expect(out.movements.allSatisfy { $0.kind == "Bank" })
        #expect(out.movements[0].reference == "CHQ-1" && out.movements[1].counterparty == "Harbour Voices")
        #expect(out.movements[0].date == Day(year: 2023, month: 12, day: 25))
        #expect(out.movements.map(\.location.line) == [2, 12, 15])
    }

    @Test(arguments: [
        ("01/05/2023", "dd/mm/yyyy", Day(year: 2023, month: 5, day: 1)!),
        ("01/05/2023", "mm/dd/yyyy", Day(year: 2023, month: 1, day: 5)!),
        ("1/5'23", "mm/dd/yyyy", Day(year: 2023, month: 1, day: 5)!),
        ("8/ 1/97", "mm/dd/yyyy", Day(year: 1997, month: 8, day: 1)!),
        ("2023-01-05", "dd/mm/yyyy", Day(year: 2023, month: 1, day: 5)!),
    ])
    func datesAsBanksWriteThem(_ text: String, _ format: String, _ day: Day) throws {
        let out = try Self.read("!Type:CCard\nD\(text)\nT-1.00\n^\n", options: ["date_format": format])
        #expect(out.movements.map(\.date) == [day])
        #expect(out.movements.first?.kind == "CCard")
    }

    @Test func theDateOrderIsInferredOrRefused() throws {
        let dayFirst = try Self.read("!Type:Bank\nD01/05/2023\nT1.00\n^\nD25/05/2023\nT2.00\n^\n")
        #expect(dayFirst.movements.map(\.date) == [Day(year: 2023, month: 5, day: 1)!, Day(year: 2023, month: 5, day: 25)!])
        let ambiguous = try Self.read("!Type:Bank\nD01/05/2023\nT1.00\n^\nD02/05/2023\nT2.00\n^\n")
        #expect(ambiguous.failure?.description == "s.qif:1: error: every date in the file could be day first or month first (as \"01/05/2023\"), so redist cannot tell which (expected date_format = \"dd/mm/yyyy\" or \"mm/dd/yyyy\" in [source.options])")
        let mixed = try Self.read("!Type:Bank\nD13/05/2023\nT1.00\n^\nD05/13/2023\nT2.00\n^\n")
        #expect(mixed.failure?.message.hasPrefix("the dates are in both orders") == true)
    }

    @Test func badRecordsAreRejectedWithLineAndColumn() throws {
        let out = try Self.read("!Type:Bank\nD01/13/2023\nT12.3.4\n^\nD31/02/2023\nT1.00\n^\nD01/01/2023\nT-10.00\nS a\n$-4.00\n^\nD01/01/2023\nT1.00\n", options: ["date_format": "dd/mm/yyyy"])
        #expect(out.errors == [
            "s.qif:3:2: error: \"12.3.4\" is not an amount (expected an amount such as 1234.56, 1,234.56, £1,234.56, -12.00 or (12.00))",
            "s.qif:5:2: error: \"31/02/2023\" is not a date (expected dd/mm/yyyy, as in 05/01/2023 or 5/1'23)",
            "s.qif:8:1: error: the splits add up to -4.00 but the record's amount is -10.00 (expected the $ lines to add up to T)",
            "s.qif:13:1: error: the last record is not ended by ^ (the file may be cut short: expected ^ after each record)",
        ])
        #expect(out.totalsBalance)
    }

    @Test func otherSectionsAreSkippedAndCounted() throws {
        let out = try Self.read("!Type:Cat\nNGroceries\nE\n^\n!Type:Bank\nD2023-01-05\nT5.00\n^\n")
        #expect(out.movements.count == 1 && out.sink.rowsSkipped == 1 && out.totalsBalance)
        let notQIF = try Self.read("Date,Amount\n")
        #expect(notQIF.failure?.message.hasPrefix("\"Date,Amount\" before any !Type line") == true)
    }

    @Test func identifiedByContent() {
        #expect(QIFReader.claims(FileHead(bytes: Array("!Type:Bank\nD01/01/2023\n".utf8))))
        #expect(QIFReader.claims(FileHead(bytes: Array("\u{FEFF}!Account\nNCurrent\n^\n".utf8))))
        #expect(!QIFReader.claims(FileHead(bytes: Array("Date,Amount\n".utf8))))
    }
}
