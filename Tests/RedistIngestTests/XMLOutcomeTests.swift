import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// Hand-made XML inputs shared by the XML tests: small IATI files changed
/// in one way each, and a larger file with record tags in awkward places.
enum XMLCases {
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

    /// Variations the formats allow (and a few libxml2 reads with a warning or refuses late).
    static let wellFormed: [(String, [UInt8])] = [
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
        ("Latin-1", Array(file().replacingOccurrences(of: "UTF-8", with: "ISO-8859-1").utf8).map { $0 == 0x7E ? 0xE9 : $0 } + Array("<!-- \u{7E} -->".utf8).map { $0 == 0x7E ? 0xE9 : $0 }),
        ("relative namespace URI", Array(file(root: "xmlns:r=\"relative\"").utf8)),
        ("non-ASCII name", Array(file(text: "<ñame/>").utf8)),
    ]

    /// Inputs that are not well-formed, or refused: each fails the file.
    static let refused: [(String, [UInt8])] = [
        ("undefined entity", Array(file(text: "a&nbsp;b").utf8)),
        ("DOCTYPE", Array(file().replacingOccurrences(of: "<iati-activities ", with: "<!DOCTYPE iati-activities>\n<iati-activities ").utf8)),
        ("mismatched end tag", Array(file(text: "<b>x</i>").utf8)),
        ("]]> in text", Array(file(text: "a]]>b").utf8)),
        ("-- in a comment", Array(file(text: "<!-- a -- b -->").utf8)),
        ("repeated attribute", Array(file(attr: "ref=\"again\"").utf8)),
        ("undeclared prefix", Array(file(attr: "y:kind=\"q\"").utf8)),
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

    /// Record tags in a comment and in CDATA, a root with namespaces and
    /// attributes, `<iati-activity-extra>` that is not a record, and (when
    /// `broken` is given) a bad amount in that activity.
    static func awkwardFile(activities: Int, broken: Int? = nil) -> [UInt8] {
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- published by a test -->\n"
        s += "<iati-activities version=\"2.03\" xmlns:x=\"http://example.org/x\" generated-datetime=\"2024-01-01T00:00:00\">\n"
        for a in 1...activities {
            if a % 7 == 0 { s += "  <!-- an old copy:\n  <iati-activity default-currency=\"EUR\"><iati-identifier>OLD</iati-identifier></iati-activity>\n  -->\n" }
            s += "  <iati-activity default-currency=\"GBP\" x:flag=\"1\">\n    <iati-identifier>GB-TEST-\(a)</iati-identifier>\n"
            s += "    <title><narrative>Activity \(a) &amp; friends</narrative></title>\n"
            if a % 5 == 0 { s += "    <description><narrative><![CDATA[ <iati-activity> in CDATA ]]></narrative></description>\n" }
            for t in 1...3 {
                let value = (broken == a && t == 2) ? "12.3.4" : "\(a * 100 + t).50"
                s += "    <transaction ref=\"T\(a)-\(t)\">\n      <transaction-type code=\"3\"/>\n      <transaction-date iso-date=\"2024-01-\(10 + t)\"/>\n"
                s += "      <value value-date=\"2024-01-\(10 + t)\">\(value)</value>\n      <provider-org ref=\"GB-P\"><narrative>Payer</narrative></provider-org>\n    </transaction>\n"
            }
            s += "    <iati-activity-extra/>\n  </iati-activity>\n"
        }
        s += "</iati-activities>\n"
        return Array(s.utf8)
    }

    /// The awkward file with an undefined entity in activity 150 (a fatal error part-way).
    static func awkwardFileBrokenAt150() -> [UInt8] {
        var bytes = awkwardFile(activities: 200, broken: 120)
        if let at = bytes.indices.first(where: { bytes[$0...].starts(with: Array("Activity 150 &amp;".utf8)) }) {
            bytes.replaceSubrange(at..<(at + 18), with: Array("Activity 150 &nbsp".utf8))
        }
        return bytes
    }

    /// The awkward file with an unclosed element two thirds of the way in.
    static func awkwardFileUnclosed() -> [UInt8] {
        var bytes = awkwardFile(activities: 300)
        let cut = bytes.count * 2 / 3
        let at = bytes[cut...].firstIndex(of: UInt8(ascii: "<"))!
        bytes.insert(contentsOf: Array("<broken>".utf8), at: at)
        return bytes
    }

    static var readers: [(String, any SourceReader)] { [
        ("iati ledger", XMLTestSupport.iati()),
        ("iati grants-in", XMLTestSupport.iati(.grantsIn, organisation: "GB-CHC-9990012")),
        ("gnucash", XMLTestSupport.gnucash()),
        ("camt053", XMLTestSupport.camt()),
    ] }
}

/// What libxml2 makes of every corpus file, every fixture (with every XML
/// reader, the wrong ones too) and every hand-made case, kept in
/// `Fixtures/xml-outcomes.txt`: the records (every field, line and element
/// path), findings, failure and control totals of each, so that a change
/// to the XML path that changes any of them shows. The file was made
/// while two parsers read XML and tests held them equal; a line that
/// changes on purpose is changed by hand, and the commit says why.
/// `REDIST_RECORD_XML_OUTCOMES=1` writes it afresh.
@Suite struct XMLOutcomeTests {
    static let goldenPath = XMLTestSupport.testsDirectory.appendingPathComponent("Fixtures/xml-outcomes.txt").path

    /// One line per read: counts in clear, the failure and first error in
    /// clear, and a digest (FNV-1a) of everything else.
    static func summary(_ label: String, _ o: ReaderOutcome) -> String {
        var all = ""
        // A movement in the reporting currency has no original (a field added
        // after the outcomes were recorded): left out, so they still compare.
        for r in o.records { all += "\(r)".replacingOccurrences(of: ", original: nil", with: "") + "\n" }
        for d in o.sink.diagnostics { all += "\(d.severity) \(d.check) \(d.rendered)\n" }
        all += o.failure?.description ?? "-"
        var hash: UInt64 = 0xcbf29ce484222325
        for b in all.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        let s = o.sink
        let firstError = o.sink.diagnostics.first { $0.severity == .error }?.rendered ?? "-"
        let fields = [label, "records=\(o.records.count)", "read=\(s.rowsRead)", "loaded=\(s.rowsLoaded)",
                      "rejected=\(s.rowsRejected)", "skipped=\(s.rowsSkipped)", "amount=\(s.amountRead)",
                      "findings=\(s.diagnostics.count)", "digest=\(String(hash, radix: 16))",
                      "failure=\(o.failure?.description ?? "-")", "error=\(firstError)"]
        return fields.map { $0.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: " ") }
            .joined(separator: "\t")
    }

    /// Every input, labelled, with its reader: corpus files are read with their own reader.
    static func outcomes() throws -> [String] {
        var lines: [String] = []
        if let corpus = XMLTestSupport.corpus {
            for (folder, reader) in [("iati-xml", XMLTestSupport.iati() as any SourceReader), ("gnucash-xml", XMLTestSupport.gnucash()),
                                     ("camt053-xml", XMLTestSupport.camt())] {
                for name in try FileManager.default.contentsOfDirectory(atPath: corpus + "/" + folder).sorted() {
                    lines.append(summary("corpus \(folder)/\(name)", ReaderOutcome.read(reader, corpus + "/" + folder + "/" + name, display: name)))
                }
            }
        }
        let fixtures = XMLTestSupport.testsDirectory.appendingPathComponent("Fixtures/xml").path
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures).sorted() {
            for (label, reader) in XMLCases.readers {
                lines.append(summary("fixture \(name) as \(label)", ReaderOutcome.read(reader, fixtures + "/" + name, display: "f.xml")))
            }
        }
        var cases = XMLCases.wellFormed + XMLCases.refused
        cases.append(("awkward", XMLCases.awkwardFile(activities: 400, broken: 250)))
        cases.append(("awkward, undefined entity in activity 150", XMLCases.awkwardFileBrokenAt150()))
        cases.append(("awkward, unclosed element", XMLCases.awkwardFileUnclosed()))
        for (name, bytes) in cases {
            let path = try XMLTestSupport.temporaryFile("case.xml", bytes)
            defer { XMLTestSupport.remove(path) }
            for (label, reader) in XMLCases.readers {
                lines.append(summary("case \(name) as \(label)", ReaderOutcome.read(reader, path, display: "f.xml")))
            }
        }
        return lines
    }

    @Test func everyInputReadsAsRecorded() throws {
        let lines = try Self.outcomes()
        if ProcessInfo.processInfo.environment["REDIST_RECORD_XML_OUTCOMES"] == "1" {
            try (lines.joined(separator: "\n") + "\n").write(toFile: Self.goldenPath, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOfFile: Self.goldenPath, encoding: .utf8).split(separator: "\n").map(String.init)
        // Without the corpus its lines are not compared (and say so).
        let expected = XMLTestSupport.corpus == nil ? recorded.filter { !$0.hasPrefix("corpus ") } : recorded
        if XMLTestSupport.corpus == nil { print("../shared/corpus is absent: corpus outcomes not compared") }
        #expect(lines.count == expected.count, "\(lines.count) reads, \(expected.count) recorded")
        for (got, want) in zip(lines, expected) where got != want {
            Issue.record("read differently:\n  now: \(got)\n  was: \(want)")
        }
    }
}
