#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import RedistModel

/// The events of an OFX document, from either tokenizer: the SGML one
/// below (OFX 1.x) or libxml2's SAX parser (OFX 2.x, `OFXXMLHandler`).
protocol OFXEvents: AnyObject {
    /// An aggregate (an element holding elements) opens. The XML path also
    /// calls it for leaves, which a consumer ignores by name.
    func open(_ name: String, _ location: SourceLocation)
    /// A leaf element and its value, decoded and trimmed.
    func leaf(_ name: String, _ value: String, _ location: SourceLocation)
    /// An aggregate closes.
    func close(_ name: String, _ location: SourceLocation)
}

/// A streaming tokenizer for OFX 1.x, which is SGML, not XML: leaf elements
/// are not closed (`<TRNAMT>-12.50` and a line end), aggregates are
/// (`</STMTTRN>`), and some banks close leaves anyway, in any order (American
/// Express writes `</MEMO></NAME></REFNUM>` after the last of them).
///
/// The rule that reads them all: a start tag followed by text is a leaf
/// with that text as its value; a start tag followed by another tag is an
/// aggregate, kept on a stack; an end tag closes the innermost open
/// aggregate of its name (and any left open inside it), and an end tag
/// naming no open aggregate is a leaf's, and is dropped.
///
/// The header (`OFXHEADER:100`, `ENCODING:USASCII`, `CHARSET:1252`, one
/// `KEY:VALUE` a line or all on one line) comes before the first `<`; text
/// is Windows-1252 when `CHARSET` says 1252 or ISO-8859-1, or when it is not
/// UTF-8. `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;` and `&nbsp;` are
/// decoded. The file is read in 64 KiB chunks; names, values, nesting and
/// the header are bounded, and every failure names the file and line.
final class OFXTokenizer {
    static let maxNameBytes = 64
    static let maxValueBytes = 64 * 1024
    static let maxDepth = 64
    static let maxHeaderBytes = 8 * 1024
    static let chunkSize = 64 * 1024

    let displayPath: String
    /// The header's keys and values (`OFXHEADER` → `100`).
    private(set) var header: [String: String] = [:]
    private var windows1252 = false

    private var line = 1
    private var stack: [(name: String, line: Int, ordinals: [String: Int])] = []
    /// The path of each open aggregate, as `/OFX/BANKMSGSRSV1/…/STMTTRN[2]`.
    private var paths: [String] = []
    /// A start tag whose kind (leaf or aggregate) its next token decides.
    private var pending: (name: String, line: Int)? = nil
    private var text: [UInt8] = []
    private var sawRoot = false
    /// Set when `</OFX>` has closed the document.
    private var rootClosed = false

    init(displayPath: String) {
        self.displayPath = displayPath
    }

    private func failure(_ message: String, line: Int? = nil) -> FileFailure {
        FileFailure(SourceLocation(file: displayPath, line: line ?? self.line), message)
    }

    /// Reads the file at `path`, handing its events to `events`.
    func run(path: String, _ events: OFXEvents) throws {
        guard let file = fopen(path, "rb") else {
            throw failure("cannot open the file: \(String(cString: strerror(errno)))", line: 1)
        }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var state = State.header
        var headerBytes: [UInt8] = []
        var tag: [UInt8] = []
        var lastWasCR = false
        var any = false
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, Self.chunkSize, file) }
            if n == 0 {
                if ferror(file) != 0 { throw failure("the file could not be read to its end: \(String(cString: strerror(errno)))") }
                break
            }
            any = true
            for i in 0..<n {
                let b = buffer[i]
                if b == 0x0A {
                    if !lastWasCR { line += 1 }
                } else if b == 0x0D {
                    line += 1
                }
                lastWasCR = b == 0x0D
                switch state {
                case .header:
                    if b == UInt8(ascii: "<") {
                        try readHeader(headerBytes)
                        state = .tag
                        tag.removeAll(keepingCapacity: true)
                    } else {
                        headerBytes.append(b)
                        if headerBytes.count > Self.maxHeaderBytes {
                            throw failure("no OFX element in the first \(Self.maxHeaderBytes / 1024) KiB (expected the OFX header, then <OFX>)")
                        }
                    }
                case .text:
                    if b == UInt8(ascii: "<") {
                        state = .tag
                        tag.removeAll(keepingCapacity: true)
                    } else {
                        text.append(b)
                        if text.count > Self.maxValueBytes {
                            throw failure("a value longer than \(Self.maxValueBytes / 1024) KiB (expected the short values of a statement)")
                        }
                    }
                case .tag:
                    if b == UInt8(ascii: ">") {
                        try endTag(tag, events)
                        state = .text
                    } else if b == UInt8(ascii: "<") {
                        throw failure("a tag is not closed with > before the next < (expected <NAME>)")
                    } else {
                        tag.append(b)
                        if tag.count > Self.maxNameBytes + 1 {
                            throw failure("a tag longer than \(Self.maxNameBytes) characters (expected an OFX element name such as <STMTTRN>)")
                        }
                    }
                }
            }
        }
        if !any { throw failure("the file is empty (expected an OFX statement)", line: 1) }
        switch state {
        case .header:
            throw failure("no OFX element found (expected the OFX header, then <OFX>)")
        case .tag:
            throw failure("the file ends inside a tag (expected >)")
        case .text:
            try flushPending(events)
            try requireBlankText()
        }
        if let open = stack.last {
            throw failure("the file ends before <\(open.name)> (opened on line \(open.line)) is closed: it is cut short (expected </\(open.name)>)")
        }
        if !sawRoot { throw failure("no <OFX> element (expected an OFX statement)") }
    }

    private enum State { case header, text, tag }

    /// `OFXHEADER:100` lines (or one line of them); an XML prolog or nothing at all is also accepted.
    private func readHeader(_ bytes: [UInt8]) throws {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let text = String(decoding: body, as: UTF8.self)
        var headerLine = 1
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            defer { headerLine += 1 }
            for token in rawLine.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                guard let colon = token.firstIndex(of: ":"), colon != token.startIndex,
                      token[..<colon].allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
                    throw failure("\"\(token.prefix(40))\" is not an OFX header line (expected KEY:VALUE lines such as OFXHEADER:100 before <OFX>)",
                                  line: headerLine)
                }
                header[String(token[..<colon])] = String(token[token.index(after: colon)...])
            }
        }
        let charset = (header["CHARSET"] ?? "").uppercased()
        windows1252 = charset == "1252" || charset.contains("8859") || charset == "WINDOWS-1252"
    }

    private func requireBlankText() throws {
        if text.contains(where: { !Self.isSpace($0) }) {
            let shown = decode(text).prefix(40)
            throw failure("text \"\(shown)\" outside any element (expected a tag such as <STMTTRN>)")
        }
        text.removeAll(keepingCapacity: true)
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// The pending start tag becomes a leaf (it has text) or an aggregate (it has none).
    private func flushPending(_ events: OFXEvents) throws {
        guard let p = pending else { return }
        pending = nil
        if text.contains(where: { !Self.isSpace($0) }) {
            events.leaf(p.name, decode(text), location(p.line, leaf: p.name))
            text.removeAll(keepingCapacity: true)
        } else {
            text.removeAll(keepingCapacity: true)
            try push(p.name, p.line, events)
        }
    }

    private func push(_ name: String, _ at: Int, _ events: OFXEvents) throws {
        if stack.count >= Self.maxDepth {
            throw failure("elements are nested more than \(Self.maxDepth) deep (expected a statement's shallow nesting)", line: at)
        }
        var ordinal = 1
        if !stack.isEmpty {
            ordinal = (stack[stack.count - 1].ordinals[name] ?? 0) + 1
            stack[stack.count - 1].ordinals[name] = ordinal
        }
        let parent = paths.last ?? ""
        paths.append(parent + "/" + name + (ordinal > 1 || name == "STMTTRN" ? "[\(ordinal)]" : ""))
        stack.append((name, at, [:]))
        events.open(name, SourceLocation(file: displayPath, line: at, path: paths.last!))
    }

    private func location(_ at: Int, leaf: String) -> SourceLocation {
        SourceLocation(file: displayPath, line: at, path: (paths.last ?? "") + "/" + leaf)
    }

    private func endTag(_ raw: [UInt8], _ events: OFXEvents) throws {
        var bytes = raw[...]
        let closing = bytes.first == UInt8(ascii: "/")
        if closing { bytes = bytes.dropFirst() }
        if bytes.first == UInt8(ascii: "?") || bytes.first == UInt8(ascii: "!") {
            throw failure("<\(String(decoding: raw.prefix(20), as: UTF8.self))…> in an SGML OFX file (expected OFX 1.x elements only; an OFX 2 file starts with <?xml)")
        }
        while let last = bytes.last, Self.isSpace(last) { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count <= Self.maxNameBytes,
              bytes.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }) else {
            throw failure("<\(decode(Array(raw.prefix(40))))> is not an OFX tag (expected a name of letters, digits and dots such as <STMTTRN>)")
        }
        let name = String(decoding: bytes, as: UTF8.self).uppercased()
        if !sawRoot {
            guard !closing, name == "OFX" else {
                throw failure("the first element is <\(closing ? "/" : "")\(name)> (expected <OFX>)")
            }
            sawRoot = true
        }
        if closing {
            if let p = pending, p.name == name {
                // An explicitly closed leaf, or an empty element.
                pending = nil
                events.leaf(p.name, decode(text), location(p.line, leaf: p.name))
                text.removeAll(keepingCapacity: true)
                return
            }
            try flushPending(events)
            try requireBlankText()
            guard let k = stack.lastIndex(where: { $0.name == name }) else { return }  // a leaf's end tag
            while stack.count > k {
                let top = stack.removeLast()
                let path = paths.removeLast()
                events.close(top.name, SourceLocation(file: displayPath, line: line, path: path))
            }
            if stack.isEmpty { rootClosed = true }
            return
        }
        try flushPending(events)
        try requireBlankText()
        if rootClosed {
            throw failure("<\(name)> after </OFX> (expected nothing after the end of the document)")
        }
        pending = (name, line)
    }

    /// Text as UTF-8: entities decoded, Windows-1252 converted, spaces trimmed and runs of space made one.
    private func decode(_ bytes: [UInt8]) -> String {
        var raw: String
        if !windows1252, CSVScanner.isValidUTF8(bytes.withUnsafeBytes { $0 }, allowTruncatedEnd: false) {
            raw = String(decoding: bytes, as: UTF8.self)
        } else {
            var out = [UInt8](repeating: 0, count: bytes.count * 3)
            let n = bytes.withUnsafeBytes { src in out.withUnsafeMutableBytes { Windows1252.transcode(src, into: $0.baseAddress!) } }
            raw = String(decoding: out[..<n], as: UTF8.self)
        }
        if raw.contains("&") {
            for (entity, value) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
                raw = raw.replacingOccurrences(of: entity, with: value)
            }
        }
        return raw.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

