import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// The XML path on awkward and damaged input: many distinct sibling names,
/// old Mac line ends, a spreadsheet saved as `.xml`, camt.053 entries
/// without an amount or with amounts past 64 bits, and files cut short,
/// with bytes flipped or bytes inserted. None may crash or hang; each
/// failure names the file, the line and the element path.
@Suite struct XMLRobustnessTests {
    // MARK: Sibling counters

    /// Distinct fake name pointers (the counters compare pointers only).
    final class FakeNames {
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: 100_000)
        init() { base.initialize(repeating: 0, count: 100_000) }
        deinit { base.deallocate() }
        func name(_ i: Int) -> XMLName { UnsafePointer(base + i) }
    }

    @Test func siblingCountsStayLinearWithManyDistinctNames() {
        let names = FakeNames()
        for n in [1_000, 4_000, 16_000] {
            var s = XMLSiblings(maxDepth: 8)
            defer { s.deallocate() }
            // The root, then n distinct children under it, each with one child of its own.
            #expect(s.push(names.name(0), depth: 0) == 1)
            for i in 1...n {
                #expect(s.push(names.name(i), depth: 1) == 1)
                #expect(s.push(names.name(99_999), depth: 2) == 1)
                s.pop(depth: 3)
                s.pop(depth: 2)
            }
            // A second round: every name now has its second ordinal.
            for i in 1...n {
                #expect(s.push(names.name(i), depth: 1) == 2)
                s.pop(depth: 2)
            }
            // A linear search would make about n² / 2 comparisons (8 million for 4,000 names).
            #expect(s.probes < 40 * n, "\(s.probes) probes for \(n) names")
        }
    }

    @Test func siblingOrdinalsRestartUnderEachParent() {
        let names = FakeNames()
        var s = XMLSiblings(maxDepth: 8)
        defer { s.deallocate() }
        _ = s.push(names.name(0), depth: 0)
        for parent in 1...3 {
            #expect(s.push(names.name(1), depth: 1) == Int32(parent))
            // 30 names (past the linear limit), each three times.
            for round in 1...3 {
                for i in 0..<30 { #expect(s.push(names.name(100 + i), depth: 2) == Int32(round)); s.pop(depth: 3) }
            }
            s.pop(depth: 2)
        }
        // A sibling of the parents, named like their children: counted on its own level.
        #expect(s.push(names.name(100), depth: 1) == 1)
    }

    @Test func aFileWithManyDistinctSiblingNamesReadsInLinearSteps() throws {
        for n in [2_000, 8_000] {
            var text = "<?xml version=\"1.0\"?>\n<root>\n"
            for i in 0..<n { text += "<field\(i) a=\"1\">x</field\(i)>\n" }
            text += "<field7>again</field7>\n</root>\n"
            let path = try XMLTestSupport.temporaryFile("wide.xml", text)
            defer { XMLTestSupport.remove(path) }
            let stream = try XMLStream(path: path, displayPath: "wide.xml")
            let recorder = XMLEventRecorder(stream)
            try stream.run(recorder)
            #expect(stream.siblingProbes < 40 * n, "\(stream.siblingProbes) probes for \(n) names")
            #expect(recorder.starts.last?.path == "/root/field7[2]")
            #expect(recorder.starts.last?.line == n + 3)
        }
    }

    // MARK: Line ends

    /// The same IATI file with LF, CR LF and lone CR line ends: the same
    /// lines everywhere, the bad amount's line and the failure's line included.
    @Test func loneCRLineEndsAreCountedAsXMLSays() throws {
        func lines(_ end: String, broken: Bool) throws -> (records: [Int], errors: [String], failure: String?) {
            var text = XMLCases.file(text: "two\nlines")
            if broken { text = text.replacingOccurrences(of: "</transaction>\n </iati-activity>", with: "</transactio>\n </iati-activity>") }
            let path = try XMLTestSupport.temporaryFile("cr.xml", text.replacingOccurrences(of: "\n", with: end))
            defer { XMLTestSupport.remove(path) }
            let out = XMLTestSupport.read(XMLTestSupport.iati(), path, display: "cr.xml")
            return (out.movements.map(\.location.line), out.errors, out.failure?.description)
        }
        let lf = try lines("\n", broken: false)
        #expect(lf.records.count == 1 && lf.errors.count == 1 && lf.errors[0].hasPrefix("cr.xml:18 (/iati-activities/iati-activity[1]/transaction[2]/value): error:"), "\(lf)")
        for end in ["\r\n", "\r"] {
            let other = try lines(end, broken: false)
            #expect(other.records == lf.records && other.errors == lf.errors, "\(end.debugDescription): \(other)")
        }
        let lfBroken = try lines("\n", broken: true)
        #expect(lfBroken.failure?.hasPrefix("cr.xml:19 (/iati-activities/iati-activity[1]/transaction[2]): error:") == true, "\(String(describing: lfBroken.failure))")
        for end in ["\r\n", "\r"] {
            #expect(try lines(end, broken: true).failure == lfBroken.failure, "\(end.debugDescription)")
        }
    }

    /// A lone CR and a CR LF each where one 64 KB chunk ends and the next begins.
    @Test func lineEndsAcrossChunksAreCountedOnce() throws {
        for end in ["\r", "\r\n"] {
            var bytes = Array("<?xml version=\"1.0\"?>\n<root>\n<a>".utf8)
            bytes += Array(repeating: UInt8(ascii: "x"), count: XMLStream.chunkSize - bytes.count - 1)
            bytes += Array(end.utf8)  // its CR is the chunk's last byte
            bytes += Array("<b>y</b>\n</a>\n<c>\n</root>\n".utf8)
            let path = try XMLTestSupport.temporaryFile("chunks.xml", bytes)
            defer { XMLTestSupport.remove(path) }
            let stream = try XMLStream(path: path, displayPath: "chunks.xml")
            let recorder = XMLEventRecorder(stream)
            #expect(throws: FileFailure.self) { try stream.run(recorder) }
            #expect(recorder.starts.first { $0.path == "/root/a/b" }?.line == 4, "\(end.debugDescription)")
            #expect(recorder.starts.first { $0.path == "/root/c" }?.line == 6, "\(end.debugDescription)")
            #expect(stream.failure?.location.line == 7, "\(end.debugDescription): \(String(describing: stream.failure))")
        }
    }

    // MARK: Not XML at all

    @Test func aSpreadsheetSavedAsXMLIsNamedForWhatItIs() throws {
        // The first bytes of an .xlsx: a zip's local file header.
        let bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + Array("[Content_Types].xml".utf8) + [0x00, 0xFF, 0x13]
        let path = try XMLTestSupport.temporaryFile("grants.xml", bytes)
        defer { XMLTestSupport.remove(path) }
        for (_, reader) in XMLCases.readers {
            let f = try #require(XMLTestSupport.read(reader, path, display: "grants.xml").failure)
            #expect(f.description.hasPrefix("grants.xml:1:"))
            #expect(f.message.contains("zip archive") && f.message.contains(".xlsx") && f.message.contains("CSV"), "\(f.message)")
            #expect(!f.message.contains("Document is empty"))
        }
    }

    // MARK: camt.053

    static func statement(_ entries: String, opening: String = "1.00", closing: String = "3.00") -> String {
        """
        <Document><BkToCstmrStmt><Stmt><Id>X</Id>
        <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">\(opening)</Amt><Dt><Dt>2024-01-01</Dt></Dt></Bal>
        <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">\(closing)</Amt><Dt><Dt>2024-01-02</Dt></Dt></Bal>
        \(entries)
        </Stmt></BkToCstmrStmt></Document>
        """
    }

    @Test func aCamtEntryWithoutAnAmountSaysTheAmountIsMissing() throws {
        let path = try XMLTestSupport.temporaryFile("s.xml", Self.statement("""
            <Ntry><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
            <Ntry><Amt>2.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>
            """))
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.camt(), path, display: "s.xml")
        let missing = try #require(out.diagnostics(.rejectAmount).first)
        #expect(missing.message.contains("the amount is missing"), "\(missing.message)")
        #expect(!missing.message.contains("no Ccy attribute"))
        #expect(missing.rendered.hasPrefix("s.xml:4 (/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]): error:"), "\(missing.rendered)")
        // An <Amt> without its currency is still named as such.
        #expect(out.diagnostics(.rejectCurrency).first?.message.contains("no Ccy attribute") == true)
        #expect(out.sink.rowsRejected == 2 && out.totalsBalance)
    }

    @Test func aCamtBalanceWithoutAnAmountSaysTheAmountIsMissing() throws {
        let path = try XMLTestSupport.temporaryFile("s.xml", Self.statement("").replacingOccurrences(of: "<Amt Ccy=\"EUR\">3.00</Amt>", with: ""))
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.camt(), path, display: "s.xml")
        #expect(out.diagnostics(.rejectAmount).first?.message == "CLBD balance: the amount is missing (expected <Amt Ccy=\"EUR\">123.45</Amt>)")
    }

    /// An IATI value with more decimals than its currency is rounded, as published files need, and the file's findings say so.
    @Test func roundedXMLValuesAreStated() throws {
        let text = """
        <iati-activities version="2.03"><iati-activity default-currency="GBP"><iati-identifier>GB-1-A</iati-identifier>
        <transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-02"/><value>12.345</value></transaction>
        <transaction><transaction-type code="3"/><transaction-date iso-date="2024-01-03"/><value>1.00</value></transaction>
        </iati-activity></iati-activities>
        """
        let path = try XMLTestSupport.temporaryFile("r.xml", text)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.iati(), path, display: "r.xml")
        #expect(out.sink.rowsLoaded == 2)
        #expect(out.diagnostics(.rounded).map(\.message) == ["1 value has more decimal places than its currency and was rounded half away from zero"])
    }

    @Test func amountsPast64BitsAreRefusedWithoutACrash() throws {
        // One amount past the parser's bound: refused where it stands, and the balance is not claimed checked.
        let huge = "92233720368547758.07"
        let entry = "<Ntry><Amt Ccy=\"EUR\">\(huge)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>\n"
        let text = Self.statement(entry, opening: huge, closing: "3.00")
        let path = try XMLTestSupport.temporaryFile("s.xml", text)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.camt(), path, display: "s.xml")
        #expect(out.failure == nil)
        let refused = out.diagnostics(.rejectAmount)
        #expect(refused.count == 2 && refused.allSatisfy { $0.severity == .error && $0.message.contains("is larger than redist accepts") })
        #expect(out.diagnostics(.bankBalance).allSatisfy { $0.severity != .note })  // never "closing balance = opening + entries"
        #expect(out.totalsBalance)

        // Many amounts each under the bound whose sum passes 64 bits: the file fails at the line it happened, no trap.
        let near = "9999999999999.99"
        let many = String(repeating: "<Ntry><Amt Ccy=\"EUR\">\(near)</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-01-02</Dt></BookgDt></Ntry>\n", count: 9300)
        let path2 = try XMLTestSupport.temporaryFile("s2.xml", Self.statement(many, opening: near, closing: "3.00"))
        defer { XMLTestSupport.remove(path2) }
        let out2 = XMLTestSupport.read(XMLTestSupport.camt(), path2, display: "s2.xml")
        #expect(out2.failure == nil)
        let failure = try #require(out2.sink.totalsFailure, "expected the file to fail on its totals")
        #expect("\(failure)".hasPrefix("s2.xml:"), "\(failure)")
    }

    // MARK: Damaged input

    /// A small deterministic generator (SplitMix64), so that a failure can be replayed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static func mutated(_ bytes: [UInt8], _ rng: inout Random) -> [UInt8] {
        var out = bytes
        switch rng.below(3) {
        case 0: out = Array(out.prefix(rng.below(out.count)))
        case 1: for _ in 0...rng.below(4) where !out.isEmpty { out[rng.below(out.count)] ^= UInt8(1 << rng.below(8)) }
        default:
            let pieces: [[UInt8]] = [[0x3C], [0x3E], [0x26], [0x00], [0xFF], [0x0D], Array("</".utf8), Array("<Ntry>".utf8),
                                     Array("<![CDATA[".utf8), Array("&#0;".utf8), Array("<!DOCTYPE x>".utf8), Array("9999999999999999999".utf8)]
            for _ in 0...rng.below(3) { out.insert(contentsOf: pieces[rng.below(pieces.count)], at: rng.below(out.count + 1)) }
        }
        return out
    }

    /// Every fixture and a corpus-shaped IATI file, each damaged 60 ways, read
    /// by every XML reader: no crash, the control totals hold, and a failure
    /// names the file and a line, and the element path once inside the root.
    @Test func damagedFilesFailClearlyAndNeverCrash() throws {
        let fixtures = XMLTestSupport.testsDirectory.appendingPathComponent("Fixtures/xml").path
        var inputs: [(String, [UInt8])] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures).sorted() {
            inputs.append((name, try XMLTestSupport.contents(fixtures + "/" + name)))
        }
        inputs.append(("awkward", XMLCases.awkwardFile(activities: 30)))
        var rng = Random(state: 20261201)
        var failures = 0
        for (name, bytes) in inputs {
            for round in 0..<60 {
                let damaged = Self.mutated(bytes, &rng)
                let path = try XMLTestSupport.temporaryFile("damaged.xml", damaged)
                defer { XMLTestSupport.remove(path) }
                for (label, reader) in XMLCases.readers {
                    let out = XMLTestSupport.read(reader, path, display: "damaged.xml")
                    let what = "\(name) round \(round) as \(label)"
                    #expect(out.totalsBalance, "\(what): control totals")
                    for d in out.sink.diagnostics {
                        #expect(d.location.file == "damaged.xml" && d.location.line >= 1, "\(what): \(d.rendered)")
                    }
                    guard let f = out.failure else { continue }
                    failures += 1
                    #expect(f.location.file == "damaged.xml" && f.location.line >= 1, "\(what): \(f)")
                    #expect(f.location.path != nil || f.location.line == 1, "\(what): no element path in \(f)")
                    #expect(!f.message.isEmpty && !f.message.contains("\n"), "\(what): \(f.message)")
                }
            }
        }
        #expect(failures > 100, "only \(failures) damaged reads failed")
    }
}
