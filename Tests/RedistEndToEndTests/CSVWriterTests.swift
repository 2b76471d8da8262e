@testable import RedistCore
import RedistModel
@testable import RedistReports
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
    func text(_ writer: CSVWriter) -> String { String(decoding: writer.bytes.dropFirst(3), as: UTF8.self) }

    @Test func startsWithAByteOrderMarkAndEndsRowsWithCRLF() {
        var csv = CSVWriter(header: ["a", "b"])
        csv.row(["1", "2"])
        #expect(Array(csv.bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(text(csv) == "a,b\r\n1,2\r\n")
    }

    /// `redist inspect` writes to a pipe: no byte-order mark, LF line ends,
    /// but the same quoting and formula neutralising, since its output is
    /// often saved and opened in a spreadsheet. `take()` hands the bytes
    /// over as it goes.
    @Test func streamingForAPipeKeepsQuotingAndNeutralising() {
        var w = CSVWriter(streamingHeader: ["a", "b"])
        w.row(["=HYPERLINK(\"x\")", "-12.50"])
        let first = w.take()
        w.row(["x,y", "plain"])
        #expect(String(decoding: first, as: UTF8.self) == "a,b\n\"'=HYPERLINK(\"\"x\"\")\",-12.50\n")
        #expect(String(decoding: w.take(), as: UTF8.self) == "\"x,y\",plain\n")
        #expect(w.take().isEmpty)
    }

    @Test func quotesOnlyWhatNeedsQuoting() {
        var csv = CSVWriter(header: ["text"])
        csv.row(["plain"])
        csv.row(["a, b"])
        csv.row(["say \"hi\""])
        csv.row(["two\nlines"])
        csv.row(["cr\rhere"])
        csv.row([""])
        csv.row(["Café £5 — ok"])
        #expect(text(csv) == "text\r\nplain\r\n\"a, b\"\r\n\"say \"\"hi\"\"\"\r\n\"two\nlines\"\r\n\"cr\rhere\"\r\n\r\nCafé £5 — ok\r\n")
    }

    @Test(arguments: [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+44 20 7946 0000", "'+44 20 7946 0000"), ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
        ("@SUM(1)", "'@SUM(1)"), ("\tTab", "'\tTab"), ("\rReturn", "'\rReturn"), ("\nNewline", "'\nNewline"), ("-", "'-"),
        ("+", "'+"), ("-1e5", "'-1e5"), ("--1", "'--1"), ("-1.2.3", "'-1.2.3"), ("- 5", "'- 5"),
    ])
    func formulasAreNeutralised(cell: String, safe: String) {
        #expect(CSVWriter.neutralised(cell) == safe)
    }

    @Test(arguments: ["-12.50", "+3", "-0.5", "-.5", "1234", "0.3944", "", "plain", "a=b", "2024-01-02", "'=already"])
    func numbersAndOrdinaryTextAreLeftAlone(cell: String) {
        #expect(CSVWriter.neutralised(cell) == cell)
    }

    @Test func aNeutralisedCellIsStillQuotedWhenItNeedsTo() {
        var csv = CSVWriter(header: ["x"])
        csv.row(["=HYPERLINK(\"http://x\",\"y\")"])
        csv.row(["-1,000.00"])
        #expect(text(csv) == "x\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\r\n\"'-1,000.00\"\r\n")
    }

    @Test func headerCellsAreNeutralisedToo() {
        let csv = CSVWriter(header: ["=cmd", "ok"])
        #expect(text(csv) == "'=cmd,ok\r\n")
    }

    @Test func summaryRowsArePlainDecimalsAndFourPlaceRates() throws {
        let q = Period("2024-Q1")!
        var m = ScopeMeasures(period: q, scope: Scope(kind: .fund, id: "TW-CC", name: "Community, \"Constellations\""), currency: .gbp)
        m.incomeByCategory = [.incomeGrant: 2_000_000]
        m.spending = [.redistributedGrant: 394_400, .retainedStaff: 605_600]
        m.unclassified = 1_234
        m.committed = 50_000
        m.held = -1_999
        m.groupsReached = 7
        let rows = String(decoding: SummaryCSV.render([m]).dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(rows[0] == SummaryCSV.header.joined(separator: ","))
        #expect(rows[1] == "2024-Q1,fund,TW-CC,\"Community, \"\"Constellations\"\"\",GBP,20000.00,3944.00,3944.00,0.00,0.00,0.00,6056.00,6056.00,0.00,0.00,0.00,12.34,0.3944,500.00,-19.99,7")
        #expect(rows.count == 3 && rows[2] == "")
    }
}
