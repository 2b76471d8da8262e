import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// A large IATI file read in pieces on both cores gives exactly what one
/// pass gives: the same records with the same lines and element paths,
/// the same findings, the same failure.
@Suite(.serialized) struct XMLPiecesTests {
    /// Reads `path` once in one pass and once cut into pieces of `bytes`.
    func bothWays(_ path: String, pieceBytes: Int, reader: IATIReader = XMLTestSupport.iati())
        -> (onePass: ReaderOutcome, pieces: ReaderOutcome, planned: Int) {
        let saved = (XMLPieces.pieceBytes, XMLPieces.minimumFileBytes)
        defer { (XMLPieces.pieceBytes, XMLPieces.minimumFileBytes) = saved }
        XMLPieces.minimumFileBytes = .max
        let one = ReaderOutcome.read(reader, path, display: "f.xml")
        XMLPieces.minimumFileBytes = 0
        XMLPieces.pieceBytes = pieceBytes
        let planned = XMLPieces.plan(path: path, record: "iati-activity")?.starts.count ?? 0
        let cut = ReaderOutcome.read(reader, path, display: "f.xml")
        return (one, cut, planned)
    }

    func expectSame(_ a: ReaderOutcome, _ b: ReaderOutcome, _ name: String) {
        ReaderOutcome.expectSame(a, b, name, ways: ("in one pass", "in pieces"))
    }

    @Test func corpusFilesReadTheSameInPieces() throws {
        let corpus = try #require(XMLTestSupport.corpus, "../shared/corpus is absent")
        let folder = corpus + "/iati-xml"
        var cut = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let (one, pieces, planned) = bothWays(folder + "/" + name, pieceBytes: 16 * 1024)
            if planned >= 2 { cut += 1 }
            expectSame(one, pieces, name)
        }
        #expect(cut >= 3, "pieces were planned for \(cut) corpus files")
    }

    /// Record tags where no cut may go (in a comment, in CDATA), a root with
    /// namespaces and attributes, and `<iati-activity-extra>` that is not a record.
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

    @Test func cutsInCommentsAndCDATAReadTheSame() throws {
        let path = try ReaderOutcome.temporaryFile(prefix: "pieces", "awkward.xml", Self.awkwardFile(activities: 400, broken: 250))
        for size in [700, 1500, 4000, 9000] {
            let (one, pieces, planned) = bothWays(path, pieceBytes: size)
            #expect(planned > 10)
            expectSame(one, pieces, "pieces of \(size) bytes")
            #expect(one.movements.count == 1199)
            #expect(one.errors.count == 1 && one.errors[0].contains("f.xml:"), "\(one.errors)")
        }
    }

    @Test func aFileThatBreaksPartWayFailsTheSameWay() throws {
        var bytes = Self.awkwardFile(activities: 300)
        // An unclosed element two thirds of the way in.
        let cut = bytes.count * 2 / 3
        let at = bytes[cut...].firstIndex(of: UInt8(ascii: "<"))!
        bytes.insert(contentsOf: Array("<broken>".utf8), at: at)
        let path = try ReaderOutcome.temporaryFile(prefix: "pieces", "broken.xml", bytes)
        let (one, pieces, planned) = bothWays(path, pieceBytes: 2000)
        #expect(planned > 10)
        #expect(one.failure != nil)
        expectSame(one, pieces, "broken file")
    }
}
