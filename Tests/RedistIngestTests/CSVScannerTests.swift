import Foundation
import RedistModel
import Testing
@testable import RedistIngest

@Suite("CSV scanner")
struct CSVScannerTests {
    typealias S = CSVTestSupport

    @Test func splitsRecordsAndFields() throws {
        let rows = try S.scan("a,b,c\n1,2,3\n")
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(rows.map(\.line) == [1, 2])
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws {
        let rows = try S.scan("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\"\"\n5,\"\"\"\"\n")
        #expect(rows.map(\.fields) == [["id", "text"], ["1", "a, b"], ["2", "say \"hi\""], ["3", "two\nlines"], ["4", ""], ["5", "\""]])
    }

    /// A record's line is where it starts, counting the line breaks inside quotes before it.
    @Test func linesCountBreaksInsideQuotes() throws {
        let rows = try S.scan("h\n\"a\nb\nc\"\nnext\n\n\nlast")
        #expect(rows.map(\.line) == [1, 2, 5, 8])
        #expect(rows.map(\.fields) == [["h"], ["a\nb\nc"], ["next"], ["last"]])
    }

    @Test func crlfAndLoneCRAndNoFinalNewline() throws {
        #expect(try S.scan("a,b\r\n1,2\r\n").map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(try S.scan("a,b\r1,2").map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(try S.scan("a,b\n1,2").map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(try S.scan("a,b,\n1,2,").map(\.fields) == [["a", "b", ""], ["1", "2", ""]])
        #expect(try S.scan("\"x\"\r\n\"y\"\r\n").map(\.fields) == [["x"], ["y"]])
    }

    /// A lone CR inside quotes ends a line as one outside does, so the rows after it keep their own lines.
    @Test func aLoneCRInsideQuotesIsALineEnd() throws {
        for chunk in [1, 2, 3, 1 << 20] {
            let rows = try S.scan("\"a\rb\",c\nx,y\n\"p\r\nq\",r\nlast\n", chunkSize: chunk)
            #expect(rows.map(\.fields) == [["a\rb", "c"], ["x", "y"], ["p\r\nq", "r"], ["last"]], "chunk \(chunk)")
            #expect(rows.map(\.line) == [1, 3, 4, 6], "chunk \(chunk)")
        }
        // A field's column after a lone CR inside quotes is counted from that line's start.
        try CSVScanner(chunkSize: 4).scan(bytes: Array("\"a\r\"\"b\",c\n".utf8)) { record in
            #expect(record.position(of: 1).line == 2 && record.position(of: 1).column == 6)
            return true
        }
    }

    /// A byte-order mark is dropped even when the first read hands over fewer than its three bytes.
    @Test func aByteOrderMarkIsDroppedWhateverTheFirstReadHolds() throws {
        for chunk in [1, 2, 3, 1 << 20] {
            #expect(try S.scan([0xEF, 0xBB, 0xBF], chunkSize: chunk).map(\.fields) == [], "chunk \(chunk)")
            #expect(try S.scan([0xEF, 0xBB, 0xBF] + Array("\";\"\n1,2\n".utf8), chunkSize: chunk).map(\.fields) == [[";"], ["1", "2"]],
                    "chunk \(chunk)")
        }
    }

    /// A file whose last field is quoted and has no final newline is whole, not an unterminated quote.
    @Test func aClosingQuoteAtTheVeryEndClosesTheField() throws {
        #expect(try S.scan("a,\"b\"").map(\.fields) == [["a", "b"]])
        #expect(try S.scan("\"only\"").map(\.fields) == [["only"]])
        #expect(try S.scan("a,\"b \"\"q\"\"\"").map(\.fields) == [["a", "b \"q\""]])
        for chunk in [1, 2, 3, 5] {
            #expect(try S.scan("x,y\n1,\"two\"", chunkSize: chunk).map(\.fields) == [["x", "y"], ["1", "two"]], "chunk \(chunk)")
        }
    }

    @Test func blankLinesAreSkippedButRowsOfEmptyCellsAreNot() throws {
        let rows = try S.scan("a\n\n\r\n,,\nb\n")
        #expect(rows.map(\.fields) == [["a"], ["", "", ""], ["b"]])
        #expect(rows.map(\.line) == [1, 4, 5])
    }

    @Test func anUnterminatedQuoteNamesTheLineWhereItStarts() {
        #expect(throws: CSVScanner.Failure.self) { try S.scan("a,b\n1,2\n3,\"open\nstill open\n") }
        do {
            _ = try S.scan("a,b\n1,2\n3,\"open\nstill open\n")
        } catch let failure as CSVScanner.Failure {
            #expect(failure.description == "a quoted field that starts on line 3 is never closed (expected a closing \")")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func byteOrderMarkIsDropped() throws {
        let rows = try S.scan([0xEF, 0xBB, 0xBF] + Array("Date,Amount\n".utf8))
        #expect(rows.first?.fields == ["Date", "Amount"])
        let quoted = try S.scan([0xEF, 0xBB, 0xBF] + Array("\"Date\",\"Time\"\n".utf8))
        #expect(quoted.first?.fields == ["Date", "Time"])
    }

    @Test func windows1252IsDetectedAndConverted() throws {
        // "Histórico", "€5", "naïve" and a curly quote in Windows-1252.
        let bytes: [UInt8] = Array("Hist".utf8) + [0xF3] + Array("rico,".utf8) + [0x80] + Array("5,na".utf8) + [0xEF] + Array("ve ".utf8) + [0x93, 0x0A]
        let scanner = CSVScanner()
        var fields: [String] = []
        try scanner.scan(bytes: bytes) { record in
            for i in 0..<record.count { fields.append(record.string(i)) }
            return true
        }
        #expect(scanner.detectedWindows1252)
        #expect(fields == ["Histórico", "€5", "naïve \u{201C}"])
    }

    @Test func validUTF8IsLeftAlone() throws {
        let scanner = CSVScanner()
        var fields: [String] = []
        try scanner.scan(bytes: Array("£500.00,Größe,日本\n".utf8)) { record in
            for i in 0..<record.count { fields.append(record.string(i)) }
            return true
        }
        #expect(!scanner.detectedWindows1252)
        #expect(fields == ["£500.00", "Größe", "日本"])
    }

    @Test func anExplicitEncodingIsObeyed() throws {
        let latin = try S.scan([0x63, 0x61, 0x66, 0xE9, 0x0A], encoding: .windows1252)
        #expect(latin.first?.fields == ["café"])
        // Told UTF-8, the bytes are kept as they are (and read as replacement characters).
        let raw = try S.scan([0x63, 0x61, 0x66, 0xE9, 0x0A], encoding: .utf8)
        #expect(raw.first?.fields == ["caf\u{FFFD}"])
    }

    @Test func otherDelimiters() throws {
        let semi = try S.scan(Array("a;\"b;c\";d\n".utf8), delimiter: UInt8(ascii: ";"))
        #expect(semi.first?.fields == ["a", "b;c", "d"])
        let tab = try S.scan(Array("a\tb,c\n".utf8), delimiter: 0x09)
        #expect(tab.first?.fields == ["a", "b,c"])
    }

    @Test func stringTrimsSpacesAndBlankChecksThem() throws {
        let scanner = CSVScanner()
        var strings: [String] = []
        var blanks: [Bool] = []
        var allBlank = true
        try scanner.scan(bytes: Array("  padded  , \t ,\"  quoted \"\n".utf8)) { record in
            strings = [record.string(0), record.string(2), record.string(9)]
            blanks = [record.isBlank(0), record.isBlank(1), record.isBlank(7)]  // 7 is beyond the record: absent, so blank
            allBlank = record.allBlank
            return true
        }
        #expect(strings == ["padded", "quoted", ""])
        #expect(blanks == [false, true, true])
        #expect(!allBlank)
    }

    @Test func columnsPointAtTheFieldAndItsOpeningQuote() throws {
        let scanner = CSVScanner()
        var positions: [[Int]] = []
        try scanner.scan(bytes: Array("ab,\"cd\",ef\n\"x\ny\",z\n".utf8)) { record in
            var row: [Int] = []
            for i in 0..<record.count {
                let p = record.position(of: i)
                row.append(p.line * 100 + p.column)
            }
            positions.append(row)
            return true
        }
        // Line 1: ab at column 1, "cd" at 4 (its quote), ef at 9. Line 2: "x at 1, z on line 3 column 4.
        #expect(positions == [[101, 104, 109], [201, 304]])
    }

    @Test func returningFalseStopsTheScan() throws {
        let scanner = CSVScanner()
        var seen = 0
        try scanner.scan(bytes: Array("1\n2\n3\n".utf8)) { _ in
            seen += 1
            return seen < 2
        }
        #expect(seen == 2)
    }

    @Test func aMissingFileIsAClearFailure() {
        let scanner = CSVScanner()
        do {
            try scanner.scan(path: "/nonexistent/redist/nothing.csv") { _ in true }
            Issue.record("expected a failure")
        } catch let f as CSVScanner.Failure {
            #expect(f.description.hasPrefix("cannot open /nonexistent/redist/nothing.csv: "))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func readsFilesLargerThanItsBuffer() throws {
        var text = "n,text\n"
        for i in 0..<5_000 { text += "\(i),\"row \(i), with \"\"quotes\"\"\nand a break\"\n" }
        let rows = try S.scan(text, chunkSize: 1_000)
        #expect(rows.count == 5_001)
        #expect(rows.last?.fields == ["4999", "row 4999, with \"quotes\"\nand a break"])
        #expect(rows.last?.line == 1 + 2 * 4_999 + 1)
    }

    /// Random tables written the RFC 4180 way read back field for field, with
    /// the right lines, whatever the chunk size (so records across buffer
    /// refills are whole).
    @Test func randomTablesRoundTripAtEveryChunkSize() throws {
        let pieces = ["a", "b", "7", " ", ",", "\"", "\n", "\r\n", "é", "£1,234.56", "x y", ""]
        for seed in UInt64(1)...150 {
            var rng = SeededRandom(seed: seed)
            let rowCount = Int.random(in: 1...6, using: &rng)
            var table: [[String]] = []
            for _ in 0..<rowCount {
                let width = Int.random(in: 2...4, using: &rng)
                table.append((0..<width).map { _ in
                    (0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
                })
            }
            let lineEnd = Bool.random(using: &rng) ? "\r\n" : "\n"
            var text = ""
            var expectedLines: [Int] = []
            var line = 1
            for (r, row) in table.enumerated() {
                expectedLines.append(line)
                let fields = row.map { field -> String in
                    let needsQuotes = field.contains(",") || field.contains("\"") || field.contains("\n") || field.contains("\r")
                    return needsQuotes || Bool.random(using: &rng) && !field.isEmpty
                        ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
                }
                let record = fields.joined(separator: ",")
                text += record
                line += record.filter { $0 == "\n" || $0 == "\r\n" }.count
                if r < table.count - 1 || Bool.random(using: &rng) { text += lineEnd; line += 1 }
            }
            for chunk in [1, 2, 3, 7, 64, 1 << 20] {
                let rows = try S.scan(Array(text.utf8), encoding: .utf8, chunkSize: chunk)
                #expect(rows.map(\.fields) == table, "seed \(seed), chunk \(chunk): \(text.debugDescription)")
                #expect(rows.map(\.line) == expectedLines, "seed \(seed), chunk \(chunk): \(text.debugDescription)")
            }
        }
    }

    /// Malformed quoting is read as Python's csv module reads it (expected
    /// fields copied from `csv.reader(io.StringIO(s, newline=""))`), never
    /// dropping a byte; text after a closing quote is flagged with its place.
    @Test func malformedQuotingIsReadAsPythonReadsIt() throws {
        let cases: [(String, [[String]])] = [
            ("\"210\"000.00,x\n", [["210000.00", "x"]]),
            ("\"12\"34\n", [["1234"]]),
            ("ab\"c,d\"\n", [["ab\"c", "d\""]]),
            ("\"a\"b\"c,d\"\n", [["ab\"c", "d\""]]),
            ("\"a\" ,b\n", [["a ", "b"]]),
            (" \"a,b\"\n", [[" \"a", "b\""]]),
            ("\"a\"\"b\"x\"\"y\n", [["a\"bx\"\"y"]]),
            ("\"\"\n", [[""]]),
            ("\"a\nb\"c\n", [["a\nbc"]]),
        ]
        for (text, expected) in cases {
            for chunk in [1, 3, 1 << 20] {
                #expect(try S.scan(text, chunkSize: chunk).map(\.fields) == expected, "\(text.debugDescription) chunk \(chunk)")
            }
        }
        let scanner = CSVScanner()
        var strays: [String] = []
        try scanner.scan(bytes: Array("h1,h2\n\"x\"\"y\nz\",\"210\"000.00\n\"a\" ,\"b\"\n".utf8)) { record in
            if let s = record.strayText { strays.append("\(s.field)@\(s.line):\(s.column) \(record.string(s.field))") }
            return true
        }
        // The stray text's own place; spaces after a closing quote are harmless.
        #expect(strays == ["1@3:9 210000.00"])
    }

    /// Columns stay those of the file after doubled quotes and joined text are moved in place.
    @Test func columnsSurviveUnescaping() throws {
        let scanner = CSVScanner()
        var positions: [[Int]] = []
        try scanner.scan(bytes: Array("\"a\"\"\"\"b\nc\"\"\",d,\"e\"f,g\n".utf8)) { record in
            positions.append((0...record.count).map { let p = record.position(of: $0); return p.line * 100 + p.column })
            return true
        }
        // The four fields, then the record's end (where a short row's message points).
        #expect(positions == [[101, 206, 208, 213, 214]])
    }

    /// The encoding is decided on the whole file, not its first megabyte.
    @Test func theEncodingIsDecidedOnTheWholeFile() throws {
        let filler = Array(repeating: UInt8(ascii: "a"), count: 1_200_000) + [0x0A]
        func read(_ bytes: [UInt8]) throws -> (CSVScanner, [String]) {
            let path = try S.temporaryFile("enc.csv", bytes)
            defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
            let scanner = CSVScanner()
            var last: [String] = []
            try scanner.scan(path: path) { record in last = [record.string(0)]; return true }
            return (scanner, last)
        }
        // Plain ASCII for a megabyte, then a Windows-1252 byte and no UTF-8 anywhere: Windows-1252.
        let (a, lastA) = try read(filler + Array("Ren".utf8) + [0xE9, 0x0A])
        #expect(a.detectedWindows1252)
        #expect(lastA == ["René"])
        // One valid UTF-8 sequence anywhere makes the file UTF-8, and the stray byte stays an invalid byte.
        let (b, _) = try read(Array("£1\n".utf8) + filler + Array("Ren".utf8) + [0xE9, 0x0A])
        #expect(!b.detectedWindows1252)
        #expect(b.encoding == .utf8)
    }
}

