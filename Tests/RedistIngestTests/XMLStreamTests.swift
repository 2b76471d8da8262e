import CLibXML2
import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// Shared helpers of the XML reader tests.
enum XMLTestSupport {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// A hand-written fixture under `Fixtures/xml`.
    static func fixture(_ name: String) -> String {
        testsDirectory.appendingPathComponent("Fixtures/xml/\(name)").path
    }

    /// `<repo>/../shared/corpus`, when it is there.
    static let corpus: String? = {
        let path = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/corpus").standardizedFileURL.path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    static func iati(_ role: SourceRole = .ledger, organisation: String = "", options: [String: String] = [:]) -> IATIReader {
        try! IATIReader(ReaderConfiguration(sourceName: "funder", role: role, options: options, organisationId: organisation))
    }
    static func gnucash() -> GnuCashReader { try! GnuCashReader(ReaderConfiguration(sourceName: "books", role: .ledger)) }
    static func camt() -> Camt053Reader { try! Camt053Reader(ReaderConfiguration(sourceName: "bank", role: .bank)) }

    typealias Outcome = ReaderOutcome

    static func read(_ reader: some SourceReader, _ path: String, display: String? = nil) -> Outcome {
        ReaderOutcome.read(reader, path, display: display)
    }

    /// A new file in a fresh temporary directory.
    static func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        try ReaderOutcome.temporaryFile(prefix: "redist-xml", name, bytes)
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> String {
        try temporaryFile(name, Array(text.utf8))
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }

    /// How often `needle` occurs in `haystack` followed by one of `then`
    /// (any byte when `then` is empty): a plain byte search, independent of
    /// the XML parser.
    static func count(_ needle: String, in haystack: [UInt8], followedBy then: Set<UInt8> = []) -> Int {
        let n = Array(needle.utf8)
        guard !n.isEmpty, haystack.count >= n.count else { return 0 }
        var found = 0
        var i = 0
        let last = haystack.count - n.count
        while i <= last {
            if haystack[i] == n[0] {
                var j = 1
                while j < n.count && haystack[i + j] == n[j] { j += 1 }
                if j == n.count {
                    let k = i + n.count
                    if then.isEmpty || (k < haystack.count && then.contains(haystack[k])) { found += 1 }
                    i += n.count
                    continue
                }
            }
            i += 1
        }
        return found
    }

    /// The file's bytes, inflated when it is gzip-compressed.
    static func contents(_ path: String) throws -> [UInt8] {
        let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        guard data.count > 2, data[0] == 0x1f, data[1] == 0x8b else { return data }
        guard let gz = gzopen(path, "rb") else { throw CocoaError(.fileReadCorruptFile) }
        defer { gzclose(gz) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, 65536) }
            if n < 0 { throw CocoaError(.fileReadCorruptFile) }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<Int(n)])
        }
        return out
    }
}

/// Records the events of a stream, for tests of the driver itself.
/// Collects the text of `<b>` elements only, and stops at a `<stop/>` inside one.
final class TextOfBOnly: XMLStreamHandler {
    var texts: [String] = []
    private let nB: XMLName
    private let nStop: XMLName

    init(_ stream: XMLStream) {
        nB = stream.intern("b")
        nStop = stream.intern("stop")
    }

    override func startElement(_ stream: XMLStream, _ tag: XMLStartTag) {
        if tag.name == nB { stream.beginText() } else if tag.name == nStop { stream.endText() }
    }

    override func endElement(_ stream: XMLStream, _ name: XMLName) {
        if name == nB { texts.append(stream.text) }
    }
}

final class XMLEventRecorder: XMLStreamHandler {
    var starts: [(path: String, line: Int)] = []
    var texts: [String: String] = [:]
    var attributes: [String: String] = [:]
    var internedTwice = false
    var sawInternedName = false
    private let nItem: XMLName
    private let aNote: XMLName

    init(_ stream: XMLStream) {
        nItem = stream.intern("item")
        aNote = stream.intern("note")
        internedTwice = stream.intern("item") == nItem
        stream.alwaysIndex(nItem)
    }

    override func startElement(_ stream: XMLStream, _ tag: XMLStartTag) {
        starts.append((stream.elementPath, stream.line))
        if tag.name == nItem { sawInternedName = true }
        if let note = tag.attribute(aNote) { attributes[stream.elementPath] = note }
        stream.beginText()
    }

    override func endElement(_ stream: XMLStream, _ name: XMLName) {
        if stream.depth > 1 { texts[stream.elementPath] = stream.text }
    }
}

@Suite("XML stream driver")
struct XMLStreamTests {
    func run(_ text: String) throws -> (XMLEventRecorder, FileFailure?) {
        let path = try XMLTestSupport.temporaryFile("events.xml", text)
        defer { XMLTestSupport.remove(path) }
        let stream = try XMLStream(path: path, displayPath: "events.xml")
        let recorder = XMLEventRecorder(stream)
        do {
            try stream.run(recorder)
            return (recorder, nil)
        } catch let f as FileFailure {
            return (recorder, f)
        }
    }

    @Test func elementPathsOrdinalsAndLines() throws {
        let (r, failure) = try run("""
            <root>
              <item/>
              <other>x</other>
              <item>
                <value>1</value>
                <value>2</value>
              </item>
              <other/>
            </root>
            """)
        #expect(failure == nil)
        let paths = r.starts.map { $0.path }
        #expect(paths == ["/root", "/root/item[1]", "/root/other", "/root/item[2]", "/root/item[2]/value",
                          "/root/item[2]/value[2]", "/root/other[2]"])
        #expect(r.starts.map { $0.line } == [1, 2, 3, 4, 5, 6, 8])
        #expect(r.internedTwice)
        #expect(r.sawInternedName)
    }

    @Test func attributeReferencesAreDecoded() throws {
        let (r, failure) = try run(#"<root><a note="A&amp;B &#38; C &lt;D&gt; &quot;q&quot; &#233;t&#xE9;  two"/></root>"#)
        #expect(failure == nil)
        #expect(r.attributes["/root/a"] == #"A&B & C <D> "q" été two"#)
    }

    @Test func textKeepsCDATAAndEntities() throws {
        let (r, failure) = try run("<root><d>Fish &amp; chips <![CDATA[<b>& more</b>]]>\n   done</d></root>")
        #expect(failure == nil)
        #expect(r.texts["/root/d"] == "Fish & chips <b>& more</b> done")
    }

    /// libxml2 is handed the text callbacks only while a handler collects
    /// text: what is outside (text, references, CDATA, white space) is never
    /// collected, collection starts again at the next element that asks,
    /// and `endText` stops it part-way.
    @Test func textIsCollectedOnlyWhileTheHandlerAsks() throws {
        let path = try XMLTestSupport.temporaryFile("only-b.xml", """
            <root>before &amp; <![CDATA[cdata]]> <b>one &lt;1&gt; <![CDATA[two]]></b> between
              <c>skip <b>in c</b> tail</c><b>three<stop/>gone</b> after<b/> end</root>
            """)
        defer { XMLTestSupport.remove(path) }
        let stream = try XMLStream(path: path, displayPath: "only-b.xml")
        let handler = TextOfBOnly(stream)
        try stream.run(handler)
        #expect(handler.texts == ["one <1> two", "in c", "three", ""])
    }

    /// A NUL byte part-way is named as the character XML refuses, not taken
    /// for the end of the file; a file that does end inside an element is cut
    /// short, at its last line (as xmllint reports both).
    @Test func aNULByteIsNotTheEndOfTheFile() throws {
        let (_, nul) = try run("<root>\n<a>x\u{0}y</a>\n<a>z</a>\n</root>\n")
        #expect(nul?.description == "events.xml:2 (/root/a): error: not well-formed XML: Char 0x0 out of allowed range (expected UTF-8 text, or an encoding named in the XML declaration)")
        let (_, cut) = try run("<root>\n<a>x</a>\n<a>z")
        #expect(cut?.description == "events.xml:3 (/root/a[2]): error: the file is cut short: it ends inside <a> with 2 elements still open (expected the rest of the document and its closing tags)")
    }

    /// A comment, CDATA section or processing instruction that is never
    /// closed takes the rest of the file with it: libxml2 finds it only
    /// where the file ends, so the failure names the line it opens on (the
    /// file read again) and what was left open, rather than only that
    /// elements were.
    @Test func whatIsNeverClosedIsNamedWhereItOpens() throws {
        let (_, comment) = try run("<root>\n<a>x</a>\n<!-- note\n<a>y</a>\n</root>\n")
        #expect(comment?.description == "events.xml:3 (/root): error: a comment that opens on this line is never closed: the file ends inside it, and everything after its \"<!--\" was read as part of it (expected \"-->\" where it ends, or the rest of a file that is cut short)")
        let (_, cdata) = try run("<root>\n<a><![CDATA[x</a>\n</root>")
        #expect(cdata?.description == "events.xml:2 (/root/a): error: a CDATA section that opens on this line is never closed: the file ends inside it, and everything after its \"<![CDATA[\" was read as part of it (expected \"]]>\" where it ends, or the rest of a file that is cut short)")
        let (_, pi) = try run("<root>\n<?note x\n</root>\n")
        #expect(pi?.description == "events.xml:2 (/root): error: a processing instruction that opens on this line is never closed: the file ends inside it, and everything after its \"<?\" was read as part of it (expected \"?>\" where it ends, or the rest of a file that is cut short)")
        // A comment that is closed, however long, is no failure.
        let (_, closed) = try run("<root>\n<!-- " + String(repeating: "long ", count: 50_000) + "-->\n</root>\n")
        #expect(closed == nil)
    }

    /// The one never closed is the first opening after the last closing:
    /// comments and sections closed before it do not count, nor does one
    /// that ends "]]]>", and lines are counted across read chunks and with
    /// CR line ends.
    @Test func theOpeningNeverClosedIsFoundAfterClosedOnes() throws {
        let long = String(repeating: "<a>filler text to cross a read chunk</a>\n", count: 3_000)
        let (_, comment) = try run("<root>\n<!-- one -->\n" + long + "<!-- two -->\n<a>x</a>\n<!-- three\n<a>y</a>\n</root>\n")
        #expect(comment?.location.line == 3_005, "\(String(describing: comment))")
        #expect(comment?.description.contains("a comment that opens on this line is never closed") == true)
        let (_, cdata) = try run("<root>\n<a><![CDATA[x]]]></a>\n<a><![CDATA[y</a>\n</root>\n")
        #expect(cdata?.location.line == 3, "\(String(describing: cdata))")
        let (_, cr) = try run("<root>\r<a>x</a>\r<!-- note\r<a>y</a>\r</root>\r")
        #expect(cr?.location.line == 3, "\(String(describing: cr))")
    }

    @Test func gzipIsRecognisedByItsBytesNotItsName() throws {
        // compressed-book.xml is gzip data under an .xml name; book.gnucash is plain XML.
        let plainStream = try XMLStream(path: XMLTestSupport.fixture("book.gnucash"), displayPath: "book.gnucash")
        let plain = XMLEventRecorder(plainStream)
        try plainStream.run(plain)
        let packedStream = try XMLStream(path: XMLTestSupport.fixture("compressed-book.xml"), displayPath: "compressed-book.xml")
        let packed = XMLEventRecorder(packedStream)
        try packedStream.run(packed)
        #expect(plain.starts.count > 50)
        #expect(plain.starts.map { $0.path } == packed.starts.map { $0.path })
        #expect(plain.starts.map { $0.line } == packed.starts.map { $0.line })
    }

    @Test func externalEntityLoaderRefusesEverything() throws {
        _ = XMLStream.libraryReady
        let path = XMLTestSupport.fixture("book.gnucash")
        #expect(xmlLoadExternalEntity("file://" + path, nil, nil) == nil)
        #expect(xmlLoadExternalEntity(path, nil, nil) == nil)
        #expect(xmlLoadExternalEntity("http://192.0.2.1/x.dtd", nil, nil) == nil)
    }

    @Test func streamsAndHandlersAreReleasedAfterAFailure() throws {
        weak var weakStream: XMLStream?
        weak var weakHandler: XMLEventRecorder?
        do {
            let stream = try XMLStream(path: XMLTestSupport.fixture("xxe.xml"), displayPath: "xxe.xml")
            let handler = XMLEventRecorder(stream)
            weakStream = stream
            weakHandler = handler
            #expect(throws: FileFailure.self) { try stream.run(handler) }
        }
        #expect(weakStream == nil)
        #expect(weakHandler == nil)
    }

    // MARK: Hostile files: each ends with a FileFailure naming the file and line.

    @Test func externalEntityIsRefusedAtTheDoctype() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(),
                                      XMLTestSupport.fixture("xxe.xml"), display: "in/xxe.xml")
        let f = try! #require(out.failure)
        #expect(f.location.file == "in/xxe.xml")
        #expect(f.location.line == 2)
        #expect(f.message.contains("DOCTYPE"))
        #expect(out.records.isEmpty)
        #expect(!f.description.contains("root:"))  // nothing of /etc/passwd
    }

    @Test func billionLaughsIsRefusedAtTheDoctype() {
        let out = XMLTestSupport.read(XMLTestSupport.camt(),
                                      XMLTestSupport.fixture("billion-laughs.xml"))
        let f = try! #require(out.failure)
        #expect(f.location.file == "billion-laughs.xml")
        #expect(f.location.line == 2)
        #expect(f.message.contains("DOCTYPE"))
        #expect(out.records.isEmpty)
    }

    @Test func externalDTDIsNeverFetched() {
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(),
                                      XMLTestSupport.fixture("external-dtd.xml"))
        let f = try! #require(out.failure)
        #expect(f.location.line == 2)
        #expect(f.message.contains("DOCTYPE"))
    }

    @Test func undeclaredEntityWithoutDTDFails() throws {
        let path = try XMLTestSupport.temporaryFile("entity.xml", "<iati-activities>\n<iati-activity>&ghost;</iati-activity>\n</iati-activities>\n")
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.iati(), path, display: "entity.xml")
        let f = try #require(out.failure)
        #expect(f.location.line == 2)
        #expect(f.location.path == "/iati-activities/iati-activity[1]")
        #expect(f.message.contains("ghost"))
    }

    @Test func truncatedFileFailsAtItsEnd() {
        let out = XMLTestSupport.read(XMLTestSupport.camt(),
                                      XMLTestSupport.fixture("truncated-camt053.xml"))
        let f = try! #require(out.failure)
        #expect(f.location.file == "truncated-camt053.xml")
        #expect(f.location.line >= 57)
        #expect(f.location.path?.hasPrefix("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]") == true)
        #expect(f.message.contains("cut short") || f.message.contains("Premature end"), "\(f)")
    }

    @Test func undeclaredNonUTF8FileFailsAtTheBadByte() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(),
                                      XMLTestSupport.fixture("latin1-undeclared.xml"))
        let f = try! #require(out.failure)
        #expect(f.location.line == 5)
        #expect(f.message.contains("UTF-8"))
        #expect(f.location.path == "/iati-activities/iati-activity[1]/title")
    }

    @Test func declaredLatin1IsConverted() {
        let out = XMLTestSupport.read(XMLTestSupport.iati(),
                                      XMLTestSupport.fixture("latin1-declared.xml"))
        #expect(out.failure == nil)
        #expect(out.movements.first?.accountName == "Café de la Gare")
    }

    @Test func truncatedGzipFails() {
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(),
                                      XMLTestSupport.fixture("truncated-book.gnucash"))
        let f = try! #require(out.failure)
        #expect(f.location.file == "truncated-book.gnucash")
        #expect(f.location.line >= 1)
        #expect(f.message.contains("gzip") || f.message.contains("cut short") || f.message.contains("Premature"), "\(f)")
    }

    @Test func deepNestingIsBounded() throws {
        let depth = 100_000
        let text = "<gnc-v2>" + String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth) + "</gnc-v2>"
        let path = try XMLTestSupport.temporaryFile("deep.gnucash", text)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.gnucash(), path)
        let f = try #require(out.failure)
        #expect(f.location.line == 1)
        #expect(f.message.lowercased().contains("depth") || f.message.lowercased().contains("nest"))
    }

    @Test func hugeTextIsBounded() throws {
        var text = "<iati-activities><iati-activity><iati-identifier>"
        text += String(repeating: "x", count: XMLStream.maxTextBytes + 10)
        text += "</iati-identifier></iati-activity></iati-activities>"
        let path = try XMLTestSupport.temporaryFile("huge.xml", text)
        defer { XMLTestSupport.remove(path) }
        let out = XMLTestSupport.read(XMLTestSupport.iati(), path)
        let f = try #require(out.failure)
        #expect(f.location.path == "/iati-activities/iati-activity[1]/iati-identifier")
        #expect(f.message.contains("longer than"))
    }

    @Test func emptyMissingAndNonXMLFilesFail() throws {
        let empty = try XMLTestSupport.temporaryFile("empty.xml", "")
        defer { XMLTestSupport.remove(empty) }
        let reader = XMLTestSupport.camt()
        #expect(XMLTestSupport.read(reader, empty).failure?.message.contains("empty") == true)
        let missing = XMLTestSupport.read(reader, "/nonexistent/redist/statement.xml", display: "statement.xml")
        #expect(missing.failure?.location.file == "statement.xml")
        #expect(missing.failure?.message.contains("cannot open") == true)
        let csv = try XMLTestSupport.temporaryFile("ledger.csv", "Date,Amount\n2023-01-01,12.00\n")
        defer { XMLTestSupport.remove(csv) }
        let f = try #require(XMLTestSupport.read(reader, csv).failure)
        #expect(f.location.line == 1)
        #expect(f.message.contains("not well-formed"))
    }

    @Test func contentAfterTheRootFails() throws {
        let path = try XMLTestSupport.temporaryFile("two.xml", "<iati-activities/>\n<iati-activities/>\n")
        defer { XMLTestSupport.remove(path) }
        let f = try #require(XMLTestSupport.read(XMLTestSupport.iati(), path).failure)
        #expect(f.location.line == 2)
    }

    /// Memory stays flat while a 40 MB file streams through: the stream's
    /// buffers stay within a few chunks, and the process's resident memory
    /// grows far less than the file (a tree of it would take several times its size).
    @Test func memoryStaysFlatAsTheFileGrows() throws {
        let activities = 9_000, perActivity = 8
        var text = "<iati-activities version=\"2.03\">\n"
        text.reserveCapacity(41_000_000)
        for a in 0..<activities {
            text += "<iati-activity default-currency=\"GBP\"><iati-identifier>GB-TEST-\(a)</iati-identifier>"
            text += "<reporting-org ref=\"GB-TEST\"><narrative>Test funder</narrative></reporting-org>"
            text += "<title><narrative>Activity \(a)</narrative></title>\n"
            for t in 0..<perActivity {
                text += "<transaction><transaction-type code=\"3\"/><transaction-date iso-date=\"2023-01-0\(t + 1)\"/>"
                text += "<value value-date=\"2023-01-01\">\(a).\(t)5</value><description><narrative>Payment \(t) of activity \(a), "
                text += String(repeating: "padding ", count: 20)
                text += "</narrative></description><provider-org ref=\"GB-TEST\"><narrative>Test funder</narrative></provider-org>"
                text += "<receiver-org ref=\"GB-CHC-1\"><narrative>Us</narrative></receiver-org></transaction>\n"
            }
            text += "</iati-activity>\n"
        }
        text += "</iati-activities>\n"
        let path = try XMLTestSupport.temporaryFile("big.xml", text)
        let size = text.utf8.count
        text = ""
        defer { XMLTestSupport.remove(path) }

        var seen = 0
        var early = 0, held = 0, names = 0
        let stream = try XMLStream(path: path, displayPath: "big.xml")
        let sink = RecordSink { _ in
            seen += 1
            if seen % 100 == 0 {
                held = max(held, stream.bytesHeld)
                names = max(names, stream.internedNames)
            }
            if seen == 2_000 { early = residentBytes() }
        }
        let handler = IATIHandler(stream, reader: XMLTestSupport.iati(.ledger), sink: sink)
        try stream.run(handler)
        #expect(sink.rowsLoaded == activities * perActivity)
        #expect(size > 40_000_000)
        // What the stream holds is bounded by its chunk and one field's text, not by the file.
        #expect(held > 0 && held < 4 * XMLStream.chunkSize, "the stream held \(held) bytes")
        #expect(names < 100, "\(names) interned names")
        // The process's resident memory is not asserted here: other suites run alongside
        // in the same process and move it by tens of megabytes. bench/xml_scaling.sh
        // measures it alone (23 MB peak at 160 MB, 24 MB at 642 MB).
        #expect(early > 0)
    }

    /// `XMLText.isPlain` (sixteen or eight bytes at a time) says yes exactly when a byte-by-byte
    /// reading of its rule does, and a plain field is one collapsing leaves
    /// as it is: over random fields of every length up to 40 made of the
    /// bytes that matter (space, tab, line end, `&`, letters, a two-byte character).
    @Test func aPlainFieldIsOneCollapsingLeavesAsItIs() {
        let alphabet: [UInt8] = [0x20, 0x20, 0x20, 0x09, 0x0A, 0x0D, 0x26, 0x61, 0x62, 0x41, 0x31, 0xC3, 0xA9, 0x23, 0x3B, 0x7E, 0x21]
        var state: UInt64 = 0x5EED
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        var plainSeen = 0, notPlainSeen = 0
        for _ in 0..<40_000 {
            let length = next() % 41
            // Mostly letters, so that long plain fields are met too.
            let field = (0..<length).map { _ in next() % 3 == 0 ? alphabet[next() % alphabet.count] : UInt8(0x61 + next() % 26) }
            for attribute in [false, true] {
                let byRule = !field.contains(where: { $0 < 0x20 }) && field.first != 0x20 && field.last != 0x20
                    && !zip(field, field.dropFirst()).contains(where: { $0 == 0x20 && $1 == 0x20 })
                    && !(attribute && field.contains(0x26))
                let plain = field.withUnsafeBufferPointer { XMLText.isPlain($0, attribute: attribute) }
                #expect(plain == byRule, "\(field) attribute \(attribute)")
                if plain {
                    plainSeen += 1
                    var out: [UInt8] = []
                    field.withUnsafeBufferPointer {
                        if attribute { XMLText.appendAttributeValue($0, to: &out) } else { XMLText.appendCollapsed($0, to: &out) }
                    }
                    #expect(out == field)
                } else {
                    notPlainSeen += 1
                }
            }
        }
        #expect(plainSeen > 10_000 && notPlainSeen > 10_000)
    }
}

/// This process's resident memory in bytes (Linux), or 0.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
