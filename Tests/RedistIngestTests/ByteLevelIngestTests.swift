import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// The byte-level CSV path: the word-at-a-time scanner against a byte-at-a-
/// time reference, and rows handed over as bytes against `Movement`s.
@Suite("CSV byte-level ingest")
struct ByteLevelIngestTests {
    typealias S = CSVTestSupport

    /// The scanner's rules, one byte at a time and the whole input at once
    /// (as the scanner before the word-at-a-time search read them).
    static func reference(_ input: [UInt8], delimiter: UInt8 = UInt8(ascii: ",")) -> [(line: Int, fields: [String])]? {
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let b = input
        var position = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let n = b.count
        var line = 1
        var out: [(Int, [String])] = []
        // A quoted field is its unescaped quoted text followed by any text
        // after its closing quote, as Python's csv module reads it.
        func field(_ start: Int, _ end: Int, _ closeAt: Int) -> [UInt8] {
            guard closeAt >= 0 else { return Array(b[start..<end]) }
            var w: [UInt8] = []
            var r = start + 1
            while r < closeAt {
                w.append(b[r])
                r += (b[r] == quote && r + 1 < closeAt && b[r + 1] == quote) ? 2 : 1
            }
            return w + Array(b[(closeAt + 1)..<end])
        }
        while position < n {
            var fields: [[UInt8]] = []
            var i = position, newlines = 0, fieldStart = i, quoted = false, closeAt = -1, complete = false
            var recordEnd = n
            if i < n && b[i] == quote { quoted = true; i += 1 }
            while i < n {
                let c = b[i]
                if quoted {
                    if c == quote {
                        if i + 1 < n && b[i + 1] == quote { i += 2; continue }
                        quoted = false; closeAt = i; i += 1; continue
                    }
                    // LF, CR LF and a lone CR each end one line, inside quotes as outside.
                    if c == lf || c == cr && !(i + 1 < n && b[i + 1] == lf) { newlines += 1 }
                    i += 1; continue
                }
                if c == delimiter {
                    fields.append(field(fieldStart, i, closeAt)); closeAt = -1
                    i += 1; fieldStart = i
                    if i < n && b[i] == quote { quoted = true; i += 1 }
                    continue
                }
                if c == lf || c == cr {
                    fields.append(field(fieldStart, i, closeAt))
                    recordEnd = i
                    i += (c == cr && i + 1 < n && b[i + 1] == lf) ? 2 : 1
                    newlines += 1; complete = true
                    break
                }
                i += 1
            }
            if !complete {
                if quoted { return nil }
                fields.append(field(fieldStart, n, closeAt)); i = n
            }
            // A line with no bytes is no record; `""` is a record of one empty field.
            if recordEnd > position { out.append((line, fields.map { String(decoding: $0, as: UTF8.self) })) }
            line += newlines
            position = i
        }
        return out
    }

    /// Random inputs built from the bytes that matter (delimiters, quotes,
    /// line breaks, multi-byte text), read in chunks small and large so that
    /// records cross the reads: the same records, fields and lines as the reference.
    @Test func scannerAgreesWithByteAtATimeReference() throws {
        var rng = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [Array("a".utf8), Array("bc".utf8), Array("12345678901".utf8), Array(",".utf8),
                                 Array(",".utf8), Array("\"".utf8), Array("\"\"".utf8), Array("\n".utf8),
                                 Array("\r\n".utf8), Array("\r".utf8), Array(" ".utf8), Array("Café".utf8),
                                 Array("\"x, y\"".utf8), Array("\"two\nlines\"".utf8)]
        for round in 0..<400 {
            var input: [UInt8] = round % 7 == 0 ? [0xEF, 0xBB, 0xBF] : []
            for _ in 0..<Int.random(in: 0...60, using: &rng) { input += pieces.randomElement(using: &rng)! }
            let expected = Self.reference(input)
            // (A byte-order mark is looked for in the first read only, so not with tiny reads.)
            for chunk in round % 7 == 0 ? [8, 17, 1 << 20] : [1, 3, 8, 17, 1 << 20] {
                var got: [(line: Int, fields: [String])]? = nil
                do { got = try S.scan(input, chunkSize: chunk) } catch { got = nil }
                let same = got.map { g in expected.map { e in
                    g.count == e.count && zip(g, e).allSatisfy { $0.line == $1.line && $0.fields == $1.fields } } ?? false } ?? (expected == nil)
                #expect(same, "chunk \(chunk): \(String(decoding: input, as: UTF8.self).debugDescription)")
                if !same { return }
            }
        }
    }

    static let columns = ["date": "Date", "account": "Code", "account_name": "Name", "fund": "Fund", "counterparty": "Contact",
                          "description": "Details", "reference": "Ref", "amount": "Amount", "currency": "Cur"]

    /// Reads `bytes` once into `Movement`s and once as rows made into
    /// `Movement`s; returns both outcomes.
    static func bothWays(_ bytes: [UInt8], options: [String: String] = [:]) throws -> (records: ReaderOutcome, rows: ReaderOutcome) {
        let reader = try S.mapped(columns, options: options)
        let path = try S.temporaryFile("rows.csv", bytes)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let validate: (inout SourceRecord) -> String? = { record in
            guard case .movement(let m) = record, m.amount.currency != .gbp else { return nil }
            return "not GBP"
        }
        var plainRecords: [SourceRecord] = []
        let plainSink = RecordSink { plainRecords.append($0) }
        plainSink.validate = validate
        try reader.read(path: path, displayPath: "rows.csv", into: plainSink)
        var records: [SourceRecord] = []
        var rowsSeen = 0
        let sink = RecordSink({ records.append($0) }, rows: { row in rowsSeen += 1; records.append(.movement(row.movement())) })
        sink.validate = validate
        try reader.read(path: path, displayPath: "rows.csv", into: sink)
        #expect(rowsSeen > 0)
        return (ReaderOutcome(records: plainRecords, sink: plainSink, failure: nil), ReaderOutcome(records: records, sink: sink, failure: nil))
    }

    /// Rows handed over as bytes carry exactly what a `Movement` would:
    /// trimmed text, quotes unescaped, repaired text, rejects and totals.
    @Test func rowsCarryWhatMovementsCarry() throws {
        var text = Array(#"""
            Date,Code,Name,Fund,Contact,Details,Ref,Amount,Cur
            01/04/2023, 5010 ,Small costs,GEN,Kent Café Club,"Tea, coffee and ""milk""",R-1,-54.43,
            02/04/2023,4100,Donations,TW-CC,"Humber, Dove","two
            lines",R-2,"1,103.74",GBP
            03/04/2023,4100,Donations,TW-CC,Someone,x,R-3,12.3.4,
            04/04/2023,4100,Donations,TW-CC,Someone,x,R-4,5.00,EUR
            05/04/2023,4100,Donations,TW-CC,Someone,x,R-5,(7.25),

            """#.utf8)
        // A byte that is not UTF-8, well past the first megabyte: the row is refused, never repaired.
        text += Array(repeating: UInt8(ascii: "\n"), count: 1 << 20)
        text += Array("06/04/2023,4100,Donations,TW-CC,Bad ".utf8) + [0xFF] + Array(" byte,x,R-6,1.00,\n".utf8)
        let (a, b) = try Self.bothWays(text, options: ["date_format": "dd/mm/yyyy", "encoding": "utf-8"])
        #expect(a.movements.count == 3)
        #expect(a.movements == b.movements)
        #expect(a.sink.diagnostics.map(\.rendered) == b.sink.diagnostics.map(\.rendered))
        #expect(a.sink.diagnostics.map(\.check).sorted() == [.rejectAmount, .rejectCurrency, .rejectEncoding])
        #expect(a.sink.diagnostics.last?.rendered == "rows.csv:1048584:33: error: the value holds bytes that are not UTF-8, in a file that is UTF-8 elsewhere (expected the whole file in one encoding: save it again as UTF-8, or, if all of it is Windows-1252, set encoding = \"windows-1252\" in [source.options])")
        #expect(a.sink.rowsRejected == 3 && b.sink.rowsRejected == 3)
        #expect(a.sink.amountRead == b.sink.amountRead && a.sink.amountLoaded == b.sink.amountLoaded)
        #expect(b.totalsBalance)
        #expect(a.movements[1].description == "two\nlines")
        #expect(a.movements[0].account == "5010")
        #expect(!a.movements.contains { $0.counterparty.contains("\u{FFFD}") })
    }

    /// Windows-1252 files are converted before scanning, so their rows go as bytes too.
    @Test func windows1252RowsGoAsBytes() throws {
        let text = Array("Date,Code,Name,Fund,Contact,Details,Ref,Amount,Cur\n01/04/2023,5010,Caf".utf8) + [0xE9]
            + Array(",GEN,x,y,R-1,1.00,\n".utf8)
        let (a, b) = try Self.bothWays(text, options: ["date_format": "dd/mm/yyyy"])
        #expect(a.movements == b.movements)
        #expect(a.movements.first?.accountName == "Café")
    }

    /// Interned bytes come back as the same number and text.
    @Test func internerNumbersEachValueOnce() {
        let interner = ByteInterner()
        var numbers: [Int] = []
        for i in 0..<5000 { numbers.append(interner.intern("value \(i % 1234)").index) }
        #expect(interner.count == 1234)
        #expect(numbers[1234] == numbers[0])
        #expect(interner.string(numbers[77]) == "value 77")
        let pair = interner.intern("a", "bc")
        #expect(pair.isNew)
        #expect(interner.intern("ab", "c").isNew)
        #expect(!interner.intern("a", "bc").isNew)
        #expect(interner.pair(pair.index) == ("a", "bc"))
        #expect(interner.intern("").index == interner.intern(UnsafeRawBufferPointer(start: nil, count: 0)).index)
    }
}
