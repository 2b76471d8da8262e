import Foundation
import RedistModel
import Testing
@testable import RedistIngest

/// Every real file in `../shared/corpus/{iati-xml,gnucash-xml,camt053-xml}`
/// is read (or refused with a clear reason), and its record counts agree
/// with a plain byte count of the elements, made here without the parser.
/// Skipped, with a message, when `../shared` is not there.
@Suite("XML corpus", .enabled(if: XMLTestSupport.corpus != nil, "../shared/corpus is absent: corpus tests skipped"))
struct CorpusXMLTests {
    static func files(_ folder: String) -> [String] {
        guard let corpus = XMLTestSupport.corpus,
              let names = try? FileManager.default.contentsOfDirectory(atPath: corpus + "/" + folder) else { return [] }
        return names.sorted().map { corpus + "/" + folder + "/" + $0 }
    }

    static let tagEnd: Set<UInt8> = [0x20, 0x3E, 0x2F, 0x0A, 0x0D, 0x09]  // space > / newline return tab

    @Test func everyIATIFileIsReadAndEveryTransactionCounted() throws {
        let files = Self.files("iati-xml")
        #expect(files.count == 10)
        for path in files {
            let name = (path as NSString).lastPathComponent
            let bytes = try XMLTestSupport.contents(path)
            let expected = XMLTestSupport.count("<transaction", in: bytes, followedBy: Self.tagEnd)
            let out = XMLTestSupport.read(XMLTestSupport.iati(.ledger), path, display: name)
            #expect(out.failure == nil, "\(name): \(String(describing: out.failure))")
            #expect(out.sink.rowsRead == expected, "\(name): \(out.sink.rowsRead) transactions read, \(expected) in the file")
            #expect(out.sink.rowsRead == out.sink.rowsLoaded + out.sink.rowsRejected + out.sink.rowsSkipped)
            #expect(out.sink.amountRead == out.sink.amountLoaded + out.sink.amountRejected + out.sink.amountSkipped)
            for m in out.movements {
                #expect(m.location.file == name)
                #expect(m.location.line >= 1)
                #expect(m.location.path?.contains("/transaction[") == true)
                #expect(!m.account.isEmpty)
                #expect(!m.kind.isEmpty)
            }
            for d in out.sink.diagnostics where d.severity == .error {
                #expect(d.location.line >= 1 && d.location.path != nil, "\(d.rendered)")
                // The corpus's only faulty transactions are d-portal's 21 empty <value/>.
                #expect(d.check == .rejectAmount && d.message.contains("the value is empty"), "\(d.rendered)")
            }
        }
    }

    @Test func everyGnuCashBookIsReadOrRefusedWithAReason() throws {
        let files = Self.files("gnucash-xml")
        #expect(files.count == 6)
        for path in files {
            let name = (path as NSString).lastPathComponent
            let bytes = try XMLTestSupport.contents(path)
            if XMLTestSupport.count("<gnc-v2", in: bytes) == 0 {
                // The GnuCash 1.x file (taxreport.xac).
                let out = XMLTestSupport.read(XMLTestSupport.gnucash(), path, display: name)
                let f = try #require(out.failure, "\(name) should be refused")
                #expect(f.message.contains("GnuCash 1.x XML format is not supported"))
                #expect(f.location.file == name && f.location.line >= 1)
                continue
            }
            // Independent counts: splits outside the template section, and the templates.
            let (templates, rest) = Self.splitTemplates(bytes)
            let splits = XMLTestSupport.count("<trn:split>", in: rest)
            let transactions = XMLTestSupport.count("<gnc:transaction", in: rest, followedBy: Self.tagEnd)
            let templateTransactions = XMLTestSupport.count("<gnc:transaction", in: templates, followedBy: Self.tagEnd)
            let declared = Self.declaredTransactionCount(bytes)
            #expect(declared != nil, "\(name): GnuCash writes a transaction count-data")

            let out = XMLTestSupport.read(XMLTestSupport.gnucash(), path, display: name)
            #expect(out.failure == nil, "\(name): \(String(describing: out.failure))")
            #expect(out.sink.rowsRead == splits + templateTransactions, "\(name)")
            #expect(out.diagnostics(.skipTemplate).count == templateTransactions)
            #expect(out.sink.rowsRead == out.sink.rowsLoaded + out.sink.rowsRejected + out.sink.rowsSkipped)
            for m in out.movements {
                #expect(m.kind == "INCOME" || m.kind == "EXPENSE")
                #expect(!m.account.isEmpty && !m.accountName.isEmpty)
                #expect(m.location.path?.contains("trn:split[") == true)
            }

            let stream = try XMLStream(path: path, displayPath: name)
            let handler = GnuCashHandler(stream, sink: RecordSink { _ in })
            try stream.run(handler)
            #expect(handler.transactionCount == transactions, "\(name)")
            // GnuCash's own <gnc:count-data cd:type="transaction"> agrees, except in the
            // ruby-gnucash sample, which declares 474 and holds 473 (a byte count agrees with 473).
            #expect(handler.transactionCount == declared || name.hasPrefix("holtrop__"), "\(name): count-data says \(declared ?? -1)")
        }
    }

    @Test func everyCamt053StatementIsReadAndEveryEntryCounted() throws {
        let files = Self.files("camt053-xml")
        #expect(files.count == 8)
        for path in files {
            let name = (path as NSString).lastPathComponent
            let bytes = try XMLTestSupport.contents(path)
            let entries = XMLTestSupport.count("<Ntry>", in: bytes)
            let statements = XMLTestSupport.count("<Stmt>", in: bytes)
            let balances = XMLTestSupport.count(">OPBD<", in: bytes) + XMLTestSupport.count(">PRCD<", in: bytes)
                + XMLTestSupport.count(">CLBD<", in: bytes)
            let out = XMLTestSupport.read(XMLTestSupport.camt(), path, display: name)
            #expect(out.failure == nil, "\(name): \(String(describing: out.failure))")
            #expect(out.sink.rowsRead == entries + balances, "\(name)")
            #expect(out.sink.rowsRejected == 0, "\(name): \(out.sink.diagnostics.filter { $0.severity == .error && $0.check != .bankBalance }.map { $0.rendered })")
            #expect(out.balances.count == balances)
            #expect(out.diagnostics(.bankBalance).count == statements, "\(name): one balance check per statement")
            #expect(out.sink.rowsRead == out.sink.rowsLoaded + out.sink.rowsRejected + out.sink.rowsSkipped)
            for m in out.movements {
                #expect(!m.account.isEmpty)
                #expect(m.location.path?.contains("/Ntry[") == true)
            }
        }
    }

    /// The bytes inside `<gnc:template-transactions>…</gnc:template-transactions>`, and the rest.
    static func splitTemplates(_ bytes: [UInt8]) -> (templates: [UInt8], rest: [UInt8]) {
        let open = Array("<gnc:template-transactions>".utf8), close = Array("</gnc:template-transactions>".utf8)
        var templates: [UInt8] = [], rest: [UInt8] = []
        var i = 0
        var inside = false
        func at(_ needle: [UInt8]) -> Bool {
            i + needle.count <= bytes.count && bytes[i..<(i + needle.count)].elementsEqual(needle)
        }
        while i < bytes.count {
            if !inside && at(open) { inside = true; i += open.count; continue }
            if inside && at(close) { inside = false; i += close.count; continue }
            if inside { templates.append(bytes[i]) } else { rest.append(bytes[i]) }
            i += 1
        }
        return (templates, rest)
    }

    /// `<gnc:count-data cd:type="transaction">75</gnc:count-data>`, GnuCash's own count.
    static func declaredTransactionCount(_ bytes: [UInt8]) -> Int? {
        let marker = Array("cd:type=\"transaction\">".utf8)
        var i = 0
        while i + marker.count <= bytes.count {
            if bytes[i..<(i + marker.count)].elementsEqual(marker) {
                var j = i + marker.count, value = 0
                while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 { value = value * 10 + Int(bytes[j] - 48); j += 1 }
                return value
            }
            i += 1
        }
        return nil
    }
}
