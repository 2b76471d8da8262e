import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// The scanner never changes what is read: every file gives the same
/// records (with the same lines and element paths), the same findings and
/// the same failure whether libxml2 or the scanner reads it; what the
/// scanner does not read itself it declines, and libxml2 reads.
@Suite struct XMLScannerTests {
    final class Ignore: XMLStreamHandler {
        func startElement(_ stream: XMLStream, _ tag: XMLStartTag) {}
        func endElement(_ stream: XMLStream, _ name: XMLName) {}
    }

    /// Reads `path` with each engine; the scanner through a window of
    /// `window` bytes when given (so that it moves along the file).
    static func bothWays(_ reader: some SourceReader, _ path: String, window: Int? = nil) -> (libxml2: ReaderOutcome, scanner: ReaderOutcome) {
        let a = XMLStream.$engineChosen.withValue(.libxml2) { ReaderOutcome.read(reader, path, display: "f.xml") }
        let b = XMLStream.$windowChosen.withValue(window) {
            XMLStream.$engineChosen.withValue(.scanner) { ReaderOutcome.read(reader, path, display: "f.xml") }
        }
        return (a, b)
    }

    /// True when the scanner reads the file to its end itself (a handler's
    /// failure included), false when it declines it.
    static func scannerReads(_ path: String) -> Bool {
        do {
            let stream = try XMLStream(path: path, displayPath: "f.xml", engine: .scanner)
            try stream.run(Ignore())
            return true
        } catch is XMLScanner.Declined {
            return false
        } catch {
            return true
        }
    }

    static func expectSame(_ a: ReaderOutcome, _ b: ReaderOutcome, _ name: String) {
        ReaderOutcome.expectSame(a, b, name, ways: ("with libxml2", "scanned"))
    }

    static var readers: [(String, any SourceReader)] { [
        ("iati ledger", XMLTestSupport.iati()),
        ("iati grants-in", XMLTestSupport.iati(.grantsIn, organisation: "GB-CHC-9990012")),
        ("gnucash", XMLTestSupport.gnucash()),
        ("camt053", XMLTestSupport.camt()),
    ] }

    /// Through a 4 KB window (a token over 1 KB is declined there, and
    /// libxml2 reads the file again), every corpus file and fixture still
    /// reads the same.
    @Test func throughASmallWindowEverythingReadsTheSame() throws {
        var files: [(String, any SourceReader)] = []
        if let corpus = XMLTestSupport.corpus {
            for (folder, reader) in [("iati-xml", XMLTestSupport.iati() as any SourceReader), ("gnucash-xml", XMLTestSupport.gnucash()),
                                     ("camt053-xml", XMLTestSupport.camt())] {
                for name in try FileManager.default.contentsOfDirectory(atPath: corpus + "/" + folder).sorted() {
                    files.append((corpus + "/" + folder + "/" + name, reader))
                }
            }
        }
        let fixtures = XMLTestSupport.testsDirectory.appendingPathComponent("Fixtures/xml").path
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures).sorted() {
            for (_, reader) in Self.readers { files.append((fixtures + "/" + name, reader)) }
        }
        for (path, reader) in files {
            let (a, b) = Self.bothWays(reader, path, window: 4096)
            Self.expectSame(a, b, (path as NSString).lastPathComponent + " through 4 KB")
        }
    }

    /// The scanner declines a file after it has handed on records: libxml2
    /// reads it again, the sink ignores the calls it has had already, and
    /// the outcome is libxml2's, record for record.
    @Test func aLateDeclineGivesLibxml2sOutcome() throws {
        for (window, text) in [(nil as Int?, "Activity 150 &nbsp"), (4096, "Activity 150 " + String(repeating: "long ", count: 400))] {
            var bytes = XMLPiecesTests.awkwardFile(activities: 200, broken: 120)
            let at = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("Activity 150 &amp;".utf8)) })
            bytes.replaceSubrange(at..<(at + 18), with: Array(text.utf8))
            let path = try XMLTestSupport.temporaryFile("late.xml", bytes)
            defer { XMLTestSupport.remove(path) }
            let (a, b) = Self.bothWays(XMLTestSupport.iati(), path, window: window)
            Self.expectSame(a, b, "declined at activity 150, window \(String(describing: window))")
            #expect(a.movements.count > 300 || a.failure != nil, "\(a.movements.count) movements")
        }
    }

    @Test func aSinkIgnoresTheCallsItIsToldTo() {
        var loaded: [SourceRecord] = []
        let sink = RecordSink { loaded.append($0) }
        func movement(_ n: Int) -> SourceRecord {
            .movement(Movement(date: Day(year: 2024, month: 1, day: 1)!, amount: Money(minorUnits: Int64(n), currency: .gbp),
                               account: "A", location: SourceLocation(file: "f", line: n)))
        }
        for n in 1...3 { sink.load(movement(n), amount: Int64(n)) }
        sink.skip(SourceLocation(file: "f", line: 4), check: "skip.x", "skipped")
        #expect(sink.calls == 4)
        sink.ignoreNext(4)
        for n in 1...3 { sink.load(movement(n), amount: Int64(n)) }
        sink.skip(SourceLocation(file: "f", line: 4), check: "skip.x", "skipped")
        sink.load(movement(5), amount: 5)
        #expect(loaded.count == 4 && sink.rowsRead == 5 && sink.rowsSkipped == 1 && sink.calls == 5)
        #expect(sink.diagnostics.count == 1)
    }

    @Test func corpusFilesReadTheSameEitherWay() throws {
        let corpus = try #require(XMLTestSupport.corpus, "../shared/corpus is absent")
        var scanned = 0, files = 0
        for (folder, reader) in [("iati-xml", XMLTestSupport.iati() as any SourceReader), ("gnucash-xml", XMLTestSupport.gnucash()),
                                 ("camt053-xml", XMLTestSupport.camt())] {
            for name in try FileManager.default.contentsOfDirectory(atPath: corpus + "/" + folder).sorted() {
                let path = corpus + "/" + folder + "/" + name
                let (a, b) = Self.bothWays(reader, path)
                Self.expectSame(a, b, name)
                files += 1
                if Self.scannerReads(path) { scanned += 1 }
            }
        }
        // Published files are the scanner's subset: it must read nearly all of them itself.
        #expect(files >= 20 && scanned * 10 >= files * 8, "the scanner read \(scanned) of \(files) corpus files itself")
    }

    /// Every hand-written fixture (hostile ones included) with every XML
    /// reader, the wrong ones too: the same outcome either way.
    @Test func fixturesReadTheSameWithEveryReader() throws {
        let folder = XMLTestSupport.testsDirectory.appendingPathComponent("Fixtures/xml").path
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            for (label, reader) in Self.readers {
                let (a, b) = Self.bothWays(reader, folder + "/" + name)
                Self.expectSame(a, b, "\(name) as \(label)")
            }
        }
    }

    /// An IATI file with two transactions (the second with a bad amount, so
    /// its line shows in a finding), changed by each case below.
    static let base = """
        <?xml version="1.0" encoding="UTF-8"?>
        <iati-activities version="2.03" ROOT>
         <!-- a comment -->
         <iati-activity default-currency="GBP" xml:lang="en">
          <iati-identifier>GB-1</iati-identifier>
          <title><narrative>Fund &amp; friends</narrative></title>
          <transaction ref="T1">
           <transaction-type code="3"/>
           <transaction-date iso-date="2024-01-02"/>
           <value value-date="2024-01-02">10.00</value>
           <description><narrative>TEXT</narrative></description>
           <provider-org ref="GB-P" ATTR><narrative>Payer</narrative></provider-org>
          </transaction>
          <transaction ref="T2">
           <transaction-type code="3"/>
           <transaction-date iso-date="2024-01-03"/>
           <value>1.2.3</value>
          </transaction>
         </iati-activity>
        </iati-activities>

        """

    static func file(root: String = "", text: String = "Grant", attr: String = "") -> String {
        base.replacingOccurrences(of: "ROOT", with: root).replacingOccurrences(of: "TEXT", with: text)
            .replacingOccurrences(of: "ATTR", with: attr)
    }

    /// Cases the scanner reads itself.
    static let scanned: [(String, [UInt8])] = [
        ("plain", Array(file().utf8)),
        ("references", Array(file(text: "A &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#233;&#xE9;&#x1F600; e", attr: "name=\"x &amp; y &#38; &lt;z&gt; &#x41;\"").utf8)),
        ("CDATA", Array(file(text: "<![CDATA[ <b> & ]] > ]]>after").utf8)),
        ("comment and processing instruction in text", Array(file(text: "a<!-- - -->b<?mark here?>c").utf8)),
        ("CRLF line ends", Array(file(text: "two\r\nlines").replacingOccurrences(of: "\n", with: "\r\n").utf8)),
        ("lone CR", Array(file(text: "a\rb").utf8)),
        ("byte-order mark", [0xEF, 0xBB, 0xBF] + Array(file().utf8)),
        ("white space in attribute values", Array(file(attr: "name=\"a\tb\nc  d\"").utf8)),
        ("namespaces", Array(file(root: "xmlns:x=\"http://example.org/x\" xmlns=\"http://example.org/default\" x:flag=\"1\"", attr: "x:kind='q'").utf8)),
        ("single quotes and spaced end tag", Array(file(attr: "role = 'p' ").replacingOccurrences(of: "</value>", with: "</value  >").utf8)),
        ("non-ASCII text", Array(file(text: "Café — “quoted” 𝄞").utf8)),
        ("nested too deep", Array(file(text: String(repeating: "<b>", count: 300) + String(repeating: "</b>", count: 300)).utf8)),
        ("no declaration", Array(file().split(separator: "\n", maxSplits: 1)[1].utf8)),
        ("standalone declaration", Array(file().replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding='utf-8' standalone='yes'").utf8)),
    ]

    /// Cases the scanner declines: libxml2 reads them (most are errors).
    static let declined: [(String, [UInt8])] = [
        ("undefined entity", Array(file(text: "a&nbsp;b").utf8)),
        ("DOCTYPE", Array(file().replacingOccurrences(of: "<iati-activities ", with: "<!DOCTYPE iati-activities>\n<iati-activities ").utf8)),
        ("Latin-1", Array(file().replacingOccurrences(of: "UTF-8", with: "ISO-8859-1").utf8).map { $0 == 0x7E ? 0xE9 : $0 } + Array("<!-- \u{7E} -->".utf8).map { $0 == 0x7E ? 0xE9 : $0 }),
        ("mismatched end tag", Array(file(text: "<b>x</i>").utf8)),
        ("]]> in text", Array(file(text: "a]]>b").utf8)),
        ("-- in a comment", Array(file(text: "<!-- a -- b -->").utf8)),
        ("repeated attribute", Array(file(attr: "ref=\"again\"").utf8)),
        ("undeclared prefix", Array(file(attr: "y:kind=\"q\"").utf8)),
        ("relative namespace URI", Array(file(root: "xmlns:r=\"relative\"").utf8)),
        ("non-ASCII name", Array(file(text: "<ñame/>").utf8)),
        ("invalid UTF-8", Array(file(text: "~").utf8).map { $0 == 0x7E ? 0xFF : $0 }),
        ("control character", Array(file(text: "~").utf8).map { $0 == 0x7E ? 0x01 : $0 }),
        ("text after the root", Array((file() + "tail\n").utf8)),
        ("cut short", Array(file().prefix(600).utf8)),
        ("attributes not separated", Array(file(attr: "a=\"1\"b=\"2\"").utf8)),
        ("< in an attribute value", Array(file(attr: "a=\"1<2\"").utf8)),
        ("reference to character 0", Array(file(text: "&#0;").utf8)),
        ("second root", Array((file() + "<again/>\n").utf8)),
        ("XML 1.1", Array(file().replacingOccurrences(of: "version=\"1.0\"", with: "version=\"1.1\"").utf8)),
        ("U+FFFE", Array(file(text: "\u{FFFE}").utf8)),
    ]

    @Test(arguments: scanned.map(\.0)) func readItselfAndTheSame(_ name: String) throws {
        let bytes = Self.scanned.first { $0.0 == name }!.1
        let path = try XMLTestSupport.temporaryFile("case.xml", bytes)
        defer { XMLTestSupport.remove(path) }
        #expect(Self.scannerReads(path), "\(name): declined")
        for (label, reader) in Self.readers {
            let (a, b) = Self.bothWays(reader, path)
            Self.expectSame(a, b, "\(name) as \(label)")
        }
    }

    @Test(arguments: declined.map(\.0)) func declinedAndReadByLibxml2(_ name: String) throws {
        let bytes = Self.declined.first { $0.0 == name }!.1
        let path = try XMLTestSupport.temporaryFile("case.xml", bytes)
        defer { XMLTestSupport.remove(path) }
        #expect(!Self.scannerReads(path), "\(name): the scanner read it")
        let (a, b) = Self.bothWays(XMLTestSupport.iati(), path)
        Self.expectSame(a, b, name)
    }

    @Test func theSecondAmountIsRejectedAtItsLine() throws {
        let path = try XMLTestSupport.temporaryFile("case.xml", Array(Self.file().replacingOccurrences(of: "\n", with: "\r\n").utf8))
        defer { XMLTestSupport.remove(path) }
        let outcome = XMLStream.$engineChosen.withValue(.scanner) { ReaderOutcome.read(XMLTestSupport.iati(), path, display: "f.xml") }
        #expect(outcome.movements.count == 1)
        #expect(outcome.errors.count == 1 && outcome.errors[0].hasPrefix("f.xml:17"), "\(outcome.errors)")
    }

    // MARK: Pieces

    @Test func piecesAreScannedAndReadTheSame() throws {
        let saved = (XMLPieces.pieceBytes, XMLPieces.minimumFileBytes)
        defer { (XMLPieces.pieceBytes, XMLPieces.minimumFileBytes) = saved }
        XMLPieces.minimumFileBytes = 0
        XMLPieces.pieceBytes = 2000
        // One activity has an undefined entity: its piece is declined and read by libxml2, which fails the file there.
        for broken in [false, true] {
            var bytes = XMLPiecesTests.awkwardFile(activities: 200, broken: 120)
            if broken, let at = bytes.indices.first(where: { bytes[$0...].starts(with: Array("Activity 150 &amp;".utf8)) }) {
                bytes.replaceSubrange(at..<(at + 18), with: Array("Activity 150 &nbsp".utf8))
            }
            let path = try XMLTestSupport.temporaryFile("pieces.xml", bytes)
            defer { XMLTestSupport.remove(path) }
            let (a, b) = Self.bothWays(XMLTestSupport.iati(), path)
            Self.expectSame(a, b, broken ? "pieces, one broken" : "pieces")
            #expect(broken ? a.failure != nil : a.movements.count == 599)
        }
    }

    // MARK: Parts

    @Test func lineBreaksAreCounted() {
        var bytes = [UInt8](repeating: 0x41, count: 1000)
        for i in stride(from: 3, to: 1000, by: 7) { bytes[i] = 0x0A }
        bytes.withUnsafeBufferPointer { b in
            for (from, to) in [(0, 1000), (5, 6), (3, 4), (0, 0), (17, 990), (100, 131)] {
                let expected = b[from..<to].filter { $0 == 0x0A }.count
                #expect(XMLScanner.lineBreaks(from: b.baseAddress! + from, to: b.baseAddress! + to) == expected)
            }
        }
    }

    @Test func namesAreStoredOnce() {
        let table = XMLNameTable()
        let names = (0..<5000).map { "name-\($0)-" + String(repeating: "x", count: $0 % 23) }
        let first = names.map { table.intern($0) }
        let again = names.map { table.intern($0) }
        #expect(first == again)
        #expect(Set(first).count == names.count && table.count == names.count)
        #expect(zip(first, names).allSatisfy { String(cString: $0) == $1 })
    }

    @Test func utf8IsCheckedAsXMLAllows() {
        func length(_ bytes: [UInt8]) -> Int { (bytes + [0, 0, 0, 0]).withUnsafeBufferPointer { XMLScanner.characterLength($0.baseAddress!) } }
        #expect(length([0xC3, 0xA9]) == 2)
        #expect(length([0xE2, 0x80, 0x94]) == 3)
        #expect(length([0xF0, 0x9D, 0x84, 0x9E]) == 4)
        #expect(length([0xC0, 0x80]) == 0)              // overlong
        #expect(length([0xED, 0xA0, 0x80]) == 0)        // surrogate
        #expect(length([0xEF, 0xBF, 0xBE]) == 0)        // U+FFFE
        #expect(length([0xF4, 0x90, 0x80, 0x80]) == 0)  // past U+10FFFF
        #expect(length([0xE2, 0x80]) == 0)              // cut short
    }
}
