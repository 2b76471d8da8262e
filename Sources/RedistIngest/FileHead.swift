import CLibXML2
import RedistModel

/// The first kilobytes of a file (inflated when it is gzip-compressed), as
/// every reader sees them to answer "is this mine?" (`SourceReader.claims`):
/// a file is identified by its content, never by its name.
public struct FileHead: Sendable {
    /// How much of a file is looked at.
    public static let size = 8 * 1024

    public let bytes: [UInt8]
    /// The bytes as text: UTF-8, or Windows-1252 when they are not UTF-8; a byte-order mark dropped.
    public let text: String
    /// The first records when the bytes are read as CSV (comma-separated; the
    /// last one may be cut short), at most 40.
    public let csvRows: [[String]]
    /// The name of the first element (`<OFX>`, `<Document …>`), without any
    /// prefix; nil when the text does not start with markup.
    public let firstTag: String?

    public init(path: String, limit: Int = FileHead.size) {
        var bytes = [UInt8](repeating: 0, count: limit)
        var n = 0
        if let gz = gzopen(path, "rb") {
            // gzread passes a file that is not compressed through as it is.
            n = max(0, Int(bytes.withUnsafeMutableBytes { gzread(gz, $0.baseAddress, UInt32(limit)) }))
            gzclose(gz)
        }
        self.init(bytes: Array(bytes[..<n]))
    }

    public init(bytes: [UInt8]) {
        self.bytes = bytes
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let valid = body.withContiguousStorageIfAvailable { CSVScanner.isValidUTF8(UnsafeRawBufferPointer($0), allowTruncatedEnd: true) } ?? true
        if valid {
            text = String(decoding: body, as: UTF8.self)
        } else {
            var out = [UInt8](repeating: 0, count: body.count * 3)
            let k = Array(body).withUnsafeBytes { src in out.withUnsafeMutableBytes { Windows1252.transcode(src, into: $0.baseAddress!) } }
            text = String(decoding: out[..<k], as: UTF8.self)
        }
        var rows: [[String]] = []
        if !bytes.contains(0) {
            try? CSVScanner().scan(bytes: bytes) { record in
                var fields: [String] = []
                for i in 0..<record.count { fields.append(record.string(i)) }
                rows.append(fields)
                return rows.count < 40
            }
        }
        csvRows = rows
        firstTag = Self.firstElement(text)
    }

    /// The first element's name: after any prolog, comments and processing instructions.
    static func firstElement(_ text: String) -> String? {
        var rest = Substring(text)
        while true {
            rest = rest.drop(while: { $0.isWhitespace })
            guard rest.first == "<" else { return nil }
            if rest.hasPrefix("<?") || rest.hasPrefix("<!") {
                guard let close = rest.firstIndex(of: ">") else { return nil }
                rest = rest[rest.index(after: close)...]
                continue
            }
            let name = rest.dropFirst().prefix(while: { !$0.isWhitespace && $0 != ">" && $0 != "/" })
            guard !name.isEmpty else { return nil }
            return String(name.split(separator: ":").last ?? name)
        }
    }

    /// The first row that has `title` among its fields (compared loosely), and its fields.
    public func row(containing titles: String...) -> [String]? {
        csvRows.first { row in
            let folded = Set(row.map { HeaderIndex.fold($0) })
            return titles.allSatisfy { folded.contains(HeaderIndex.fold($0)) }
        }
    }

    /// The text up to its first line end.
    public var firstLine: Substring {
        Substring(text).prefix(while: { $0 != "\n" && $0 != "\r" && $0 != "\r\n" })
    }
}

extension SourceReader {
    /// By default a reader claims nothing (the mapped CSV reader reads what
    /// the pipeline maps, so it never claims a file by itself).
    public static func claims(_ head: FileHead) -> Bool { false }
}

extension Readers {
    /// The formats that claim a file. One is an identification; none means
    /// no reader knows it (a plain CSV, read through a column mapping, or
    /// something else); two or more is an error for the caller to report.
    public static func identify(_ head: FileHead) -> [any SourceReader.Type] {
        all.filter { $0.claims(head) }
    }
}
