import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names an `XMLScanner` has met, each stored once as a NUL-terminated
/// copy that lives as long as the table: handlers compare names by
/// pointer, as they do with libxml2's dictionary.
final class XMLNameTable {
    private struct Slot {
        var hash: UInt64 = 0
        var length = 0
        var name: UnsafeMutablePointer<UInt8>? = nil
    }
    private var slots: UnsafeMutablePointer<Slot>
    private var mask: Int
    private(set) var count = 0
    /// A hostile file could name every element differently; past this many
    /// names the scanner hands the file to libxml2.
    static let maxNames = 1 << 16

    init() {
        mask = 1023
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: Slot(), count: mask + 1)
    }

    deinit {
        for i in 0...mask { slots[i].name?.deallocate() }
        slots.deinitialize(count: mask + 1)
        slots.deallocate()
    }

    /// A hash of `length` bytes at `p`: its first and last eight bytes and
    /// its length (names that share all three differ in the comparison).
    /// The bytes after the name are read but masked off: the caller's
    /// buffer has at least eight readable bytes after any name
    /// (`XMLScanner.padding`).
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        let raw = UnsafeRawPointer(p)
        var h: UInt64
        if length <= 8 {
            let mask = length == 8 ? ~UInt64(0) : (UInt64(1) << UInt64(8 * length)) &- 1
            h = (raw.loadUnaligned(as: UInt64.self) & mask) &* 0x9E37_79B9_7F4A_7C15
        } else {
            h = raw.loadUnaligned(as: UInt64.self) &* 0x9E37_79B9_7F4A_7C15
            h ^= raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self) &* 0xFF51_AFD7_ED55_8CCD
        }
        h ^= UInt64(truncatingIfNeeded: length)
        return h ^ (h >> 31)
    }

    /// True when the stored (zero-padded) name and the `length` bytes at
    /// `p` (followed by at least eight readable bytes) are the same.
    @inline(__always)
    static func same(_ stored: UnsafePointer<UInt8>, _ p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        XMLScanner.sameBytes(stored, p, length)
    }

    /// The stored name for these bytes; nil when the table is full.
    @inline(__always)
    final func intern(_ p: UnsafePointer<UInt8>, _ length: Int) -> XMLName? {
        let h = Self.hash(p, length)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[i]
            guard let name = slot.name else { break }
            if slot.hash == h && slot.length == length && Self.same(name, p, length) { return XMLName(name) }
            i = (i + 1) & mask
        }
        guard count < Self.maxNames else { return nil }
        // Zero-padded to whole words, for `same`.
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: (length + 8) & ~7)
        copy.initialize(repeating: 0, count: (length + 8) & ~7)
        copy.update(from: p, count: length)
        slots[i] = Slot(hash: h, length: length, name: copy)
        count += 1
        if count * 2 > mask { grow() }
        return XMLName(copy)
    }

    /// The stored name for a name written in the code.
    func intern(_ name: String) -> XMLName {
        var bytes = Array(name.utf8)
        let length = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 8))
        return bytes.withUnsafeBufferPointer { intern($0.baseAddress!, length)! }
    }

    private func grow() {
        let old = slots, oldMask = mask
        mask = mask * 2 + 1
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: Slot(), count: mask + 1)
        for j in 0...oldMask where old[j].name != nil {
            var i = Int(truncatingIfNeeded: old[j].hash) & mask
            while slots[i].name != nil { i = (i + 1) & mask }
            slots[i] = old[j]
        }
        old.deinitialize(count: oldMask + 1)
        old.deallocate()
    }
}

/// Where the scanner is, for the stream's `line`: read through a pointer
/// by the stream while the scanner runs, so the scanner writes it before
/// every event and never keeps it in a register across one.
struct XMLScanPosition {
    /// Just after the markup of the event being handed over.
    var event: UnsafePointer<UInt8>
    /// Line breaks are counted up to here, lazily ...
    var countedTo: UnsafePointer<UInt8>
    /// ... and this is the line there (1-based).
    var line = 1

    /// The line of the current event: line breaks are counted only when
    /// asked for, each byte once.
    @inline(__always)
    mutating func currentLine() -> Int {
        if countedTo < event {
            line += XMLScanner.lineBreaks(from: countedTo, to: event)
            countedTo = event
        }
        return line
    }
}

/// A reader of its own for the XML these formats use, about three times
/// faster than libxml2's SAX2 parser: one pass over the whole input in
/// memory (a small file, or one piece of a large one), handing the same
/// events to the same handlers through `XMLStream`.
///
/// It reads a subset and is strict about it: UTF-8 only, no DOCTYPE,
/// ASCII names, the five predefined entities and character references,
/// namespaces declared with absolute URIs. It checks what makes a document
/// well-formed (tags balanced and named alike, attributes quoted, unique
/// and separated, references complete, UTF-8 valid and every character
/// one XML allows, nothing after the root, no `]]>` in text, no `--` in a
/// comment). **Anything else, well-formed or not, it declines** without a
/// word (`XMLScanner.Declined`), and the caller reads the input again with
/// libxml2, whose result, error messages included, is then the file's.
/// So the scanner never has to say why a file is bad, and the result is
/// never different from libxml2's: tests read every corpus file and a set
/// of awkward ones both ways and compare.
final class XMLScanner {
    /// The scanner met something outside its subset.
    struct Declined: Error, CustomStringConvertible {
        let reason: String
        let offset: Int
        var description: String { "declined at byte \(offset): \(reason)" }
    }

    /// Readable zero bytes after the input (word-at-a-time loads, looking
    /// ahead for `]]>` and `-->` without bounds checks).
    static let padding = 16
    /// Attributes on one element, at most.
    static let maxAttributes = 256
    /// Longest name read (libxml2 allows more; longer ones are declined).
    static let maxNameLength = 1000

    // Byte classes.
    private static let cPlain: UInt8 = 0, cLess: UInt8 = 1, cAmp: UInt8 = 2, cBracket: UInt8 = 3, cCR: UInt8 = 4
    private static let cHigh: UInt8 = 5, cBad: UInt8 = 6, cQuote: UInt8 = 7, cApos: UInt8 = 8
    /// Name bytes: 1 may start a name, 2 may continue one, 3 is `:`.
    private static let nStart: UInt8 = 3, nChar: UInt8 = 2, nColon: UInt8 = 4  // start bytes are name bytes too (bit 2)

    /// Classes of bytes in text (1), in attribute values (2) and in names (3).
    nonisolated(unsafe) private static let tables: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 768)
        for b in 0..<256 {
            var c: UInt8
            switch b {
            case 0x3C: c = cLess
            case 0x26: c = cAmp
            case 0x5D: c = cBracket
            case 0x0D: c = cCR
            case 0x09, 0x0A: c = cPlain
            case 0..<0x20: c = cBad
            case 0x80...: c = cHigh
            default: c = cPlain
            }
            t[b] = c
            var a = c
            if b == 0x5D || b == 0x0D { a = cPlain }
            if b == 0x22 { a = cQuote }
            if b == 0x27 { a = cApos }
            t[256 + b] = a
            var n: UInt8 = 0
            if (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F { n = nStart }
            else if (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x2D { n = nChar }
            else if b == 0x3A { n = nColon }
            t[512 + b] = n
        }
        return UnsafePointer(t)
    }()

    /// `\n` bytes in `from..<to` (with libc's `memchr`, which reads a
    /// vector at a time).
    static func lineBreaks(from: UnsafePointer<UInt8>, to: UnsafePointer<UInt8>) -> Int {
        var p = UnsafeRawPointer(from)
        let end = UnsafeRawPointer(to)
        var n = 0
        while p < end, let hit = memchr(p, 0x0A, end - p) {
            n += 1
            p = UnsafeRawPointer(hit) + 1
        }
        return n
    }

    /// The length of the UTF-8 sequence at `p` when it is valid and encodes
    /// a character XML allows; 0 otherwise. Reads at most four bytes (the
    /// padding makes that safe at the end).
    @inline(__always)
    static func characterLength(_ p: UnsafePointer<UInt8>) -> Int {
        let b0 = p[0], b1 = p[1]
        @inline(__always) func cont(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF:
            return cont(b1) ? 2 : 0
        case 0xE0...0xEF:
            let b2 = p[2]
            guard cont(b1), cont(b2) else { return 0 }
            if b0 == 0xE0 && b1 < 0xA0 { return 0 }       // overlong
            if b0 == 0xED && b1 >= 0xA0 { return 0 }      // surrogates
            if b0 == 0xEF && b1 == 0xBF && b2 >= 0xBE { return 0 }  // U+FFFE, U+FFFF
            return 3
        case 0xF0...0xF4:
            guard cont(b1), cont(p[2]), cont(p[3]) else { return 0 }
            if b0 == 0xF0 && b1 < 0x90 { return 0 }       // overlong
            if b0 == 0xF4 && b1 >= 0x90 { return 0 }      // beyond U+10FFFF
            return 4
        default:
            return 0
        }
    }

    /// True when the `n` bytes at `a` and `b` are the same (both inside the
    /// padded input, so whole words may be read past them).
    @inline(__always)
    static func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= n {
            if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        if i < n {
            let mask = ~UInt64(0) >> UInt64(64 - 8 * (n - i))
            return (x.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ y.loadUnaligned(fromByteOffset: i, as: UInt64.self)) & mask == 0
        }
        return true
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Past the bytes of an attribute value that need no look, eight at a
    /// time: stops at the first byte that is the quote, `<`, `&`, below
    /// 0x20 or above 0x7F (the zero padding after the input stops it too).
    @inline(__always)
    static func skipPlain(_ from: UnsafePointer<UInt8>, _ quoteWord: UInt64) -> UnsafePointer<UInt8> {
        var p = from
        @inline(__always) func zeroByte(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        while true {
            let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
            // The lowest flagged byte is exact (borrows only reach higher ones).
            let special = (w & highs) | ((w &- (0x20 &* ones)) & ~w & highs)
                | zeroByte(w ^ quoteWord) | zeroByte(w ^ (0x3C &* ones)) | zeroByte(w ^ (0x26 &* ones))
            if special != 0 { return p + (special.trailingZeroBitCount >> 3) }
            p += 8
        }
    }

    /// A character XML allows, by code point.
    @inline(__always)
    static func isXMLChar(_ v: UInt32) -> Bool {
        v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) || (v >= 0x10000 && v <= 0x10FFFF)
    }

    /// Writes `v` as UTF-8 at `out`; returns the byte count.
    @inline(__always)
    static func encode(_ v: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
        if v < 0x80 { out[0] = UInt8(v); return 1 }
        if v < 0x800 { out[0] = UInt8(0xC0 | (v >> 6)); out[1] = UInt8(0x80 | (v & 0x3F)); return 2 }
        if v < 0x10000 {
            out[0] = UInt8(0xE0 | (v >> 12)); out[1] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[2] = UInt8(0x80 | (v & 0x3F))
            return 3
        }
        out[0] = UInt8(0xF0 | (v >> 18)); out[1] = UInt8(0x80 | ((v >> 12) & 0x3F))
        out[2] = UInt8(0x80 | ((v >> 6) & 0x3F)); out[3] = UInt8(0x80 | (v & 0x3F))
        return 4
    }

    /// The reference at `p` (just after `&`): the character it stands for
    /// and the bytes it takes up to and including `;`; nil when it is not
    /// one of the five predefined entities or a character reference to a
    /// character XML allows.
    @inline(__always)
    static func reference(_ p: UnsafePointer<UInt8>) -> (value: UInt32, length: Int)? {
        switch p[0] {
        case 0x6C where p[1] == 0x74 && p[2] == 0x3B: return (0x3C, 3)                       // lt;
        case 0x67 where p[1] == 0x74 && p[2] == 0x3B: return (0x3E, 3)                       // gt;
        case 0x61 where p[1] == 0x6D && p[2] == 0x70 && p[3] == 0x3B: return (0x26, 4)       // amp;
        case 0x61 where p[1] == 0x70 && p[2] == 0x6F && p[3] == 0x73 && p[4] == 0x3B: return (0x27, 5)  // apos;
        case 0x71 where p[1] == 0x75 && p[2] == 0x6F && p[3] == 0x74 && p[4] == 0x3B: return (0x22, 5)  // quot;
        case 0x23:
            var i = 1
            var v: UInt32 = 0
            let hex = p[1] == 0x78
            if hex { i = 2 }
            let first = i
            while i < first + 8 {
                let b = p[i]
                if b >= 0x30 && b <= 0x39 { v = v * (hex ? 16 : 10) + UInt32(b - 0x30) }
                else if hex && b >= 0x61 && b <= 0x66 { v = v * 16 + UInt32(b - 0x61 + 10) }
                else if hex && b >= 0x41 && b <= 0x46 { v = v * 16 + UInt32(b - 0x41 + 10) }
                else { break }
                i += 1
            }
            guard i > first, p[i] == 0x3B, isXMLChar(v) else { return nil }
            return (v, i + 1)
        default:
            return nil
        }
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    // MARK: The scan

    private let stream: XMLStream
    private let names: XMLNameTable
    private let position: UnsafeMutablePointer<XMLScanPosition>
    private let start: UnsafePointer<UInt8>
    /// The end of the input in hand, and whether it is the file's end; when
    /// it is not, the window moves on whenever fewer than `lookahead` bytes
    /// are left before a token (a longer token is declined).
    private var end: UnsafePointer<UInt8>
    private var final: Bool
    private let lookahead: Int
    /// Copies of the open elements' names, once the window has moved on from them.
    private var nameArena: UnsafeMutablePointer<UInt8>? = nil
    /// Per open element: where its qualified name is in the input, and its length.
    private let qnames: UnsafeMutablePointer<UnsafePointer<UInt8>>
    private let qlengths: UnsafeMutablePointer<Int>
    /// libxml2's attribute layout: local name, prefix, URI, value start, value end.
    private let attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>
    /// Names met lately, by a hash of their bytes (256 entries).
    private let recent: UnsafeMutablePointer<Recent>
    /// Declared namespace prefixes (interned) and the depth that declared them.
    private var prefixes: [(name: XMLName?, depth: Int)] = []
    /// Decoded attribute values (those with references), as offsets while a
    /// tag is read, made pointers once it is.
    private var scratch: [UInt8] = []
    private var decoded: [(attribute: Int, from: Int, to: Int)] = []
    private let xmlName: XMLName, xmlnsName: XMLName

    init(stream: XMLStream, names: XMLNameTable, position: UnsafeMutablePointer<XMLScanPosition>,
         input: UnsafePointer<UInt8>, count: Int, final: Bool = true, lookahead: Int = 1 << 16) {
        self.stream = stream
        self.names = names
        self.position = position
        start = input
        end = input + count
        self.final = final
        self.lookahead = lookahead
        qnames = .allocate(capacity: XMLStream.maxDepth + 1)
        qlengths = .allocate(capacity: XMLStream.maxDepth + 1)
        attributes = .allocate(capacity: 5 * Self.maxAttributes)
        recent = .allocate(capacity: 256)
        recent.initialize(repeating: Recent(), count: 256)
        xmlName = names.intern("xml")
        xmlnsName = names.intern("xmlns")
        position.initialize(to: XMLScanPosition(event: input, countedTo: input))
    }

    deinit {
        qnames.deallocate()
        qlengths.deallocate()
        attributes.deallocate()
        recent.deallocate()
        nameArena?.deallocate()
    }

    /// Moves the window on, keeping the bytes from `p`: lines are counted
    /// up to `p` first, and the open elements' names copied out of it.
    private func refill(_ p: UnsafePointer<UInt8>, depth: Int) throws(Declined) -> UnsafePointer<UInt8> {
        position.pointee.event = p
        _ = position.pointee.currentLine()
        var total = 0
        for i in 0..<depth { total += qlengths[i] }
        // Zero-padded: end tags compare a word at a time.
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: total + Self.padding)
        arena.initialize(repeating: 0, count: total + Self.padding)
        var offset = 0
        for i in 0..<depth {
            (arena + offset).update(from: qnames[i], count: qlengths[i])
            qnames[i] = UnsafePointer(arena + offset)
            offset += qlengths[i]
        }
        nameArena?.deallocate()
        nameArena = arena
        guard let (base, count, isFinal) = stream.nextWindow(keeping: p) else { throw declined("the file could not be read on", p) }
        end = base + count
        final = isFinal
        position.pointee.countedTo = base
        position.pointee.event = base
        return base
    }

    private func declined(_ reason: String, _ at: UnsafePointer<UInt8>) -> Declined {
        Declined(reason: reason, offset: at - start)
    }

    /// Scans the whole input, handing events to the stream; stops early
    /// when the stream stops (a handler failed). Throws `Declined`.
    func run<Handler: XMLStreamHandler>(_ handler: Handler) throws(Declined) {
        var p = start
        let text = Self.tables, attr = Self.tables + 256, nameClass = Self.tables + 512
        var depth = 0
        var rootSeen = false

        // Byte-order mark and declaration.
        if end - p >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF { p += 3 }
        if end - p >= 6 && p[0] == 0x3C && p[1] == 0x3F && p[2] == 0x78 && p[3] == 0x6D && p[4] == 0x6C && Self.isSpace(p[5]) {
            p = try declaration(p + 6)
        }

        while true {
            if !final && end - p < lookahead { p = try refill(p, depth: depth) }
            guard p < end else { break }
            if p[0] != 0x3C {
                // Text: outside the root only white space.
                if depth == 0 {
                    while p < end && Self.isSpace(p[0]) { p += 1 }
                    if p < end && p[0] != 0x3C { throw declined("text outside the root element", p) }
                    continue
                }
                p = try content(p, text)
                if stream.stopped { return }
                continue
            }
            let b1 = p[1]
            if b1 == 0x2F {
                // End tag.
                guard depth > 0 else { throw declined("an end tag with no element open", p) }
                let n = qlengths[depth - 1]
                guard end - p >= n + 3, Self.sameBytes(p + 2, qnames[depth - 1], n) else { throw declined("an end tag that does not match", p) }
                var q = p + 2 + n
                while Self.isSpace(q[0]) { q += 1 }
                guard q[0] == 0x3E, q < end else { throw declined("an end tag not closed by >", q) }
                p = q + 1
                position.pointee.event = p
                stream.didEnd(stream.name(atDepth: depth)!, to: handler)
                depth -= 1
                while let last = prefixes.last, last.depth > depth { prefixes.removeLast() }
                if stream.stopped { return }
            } else if b1 == 0x21 {
                if p[2] == 0x2D && p[3] == 0x2D {
                    p = try comment(p + 4)
                } else if depth > 0 && p[2] == 0x5B && p[3] == 0x43 && p[4] == 0x44 && p[5] == 0x41 && p[6] == 0x54 && p[7] == 0x41 && p[8] == 0x5B {
                    p = try cdata(p + 9)
                    if stream.stopped { return }
                } else {
                    throw declined("<! that is not a comment or CDATA section (a DOCTYPE?)", p)
                }
            } else if b1 == 0x3F {
                p = try processingInstruction(p + 2, nameClass)
            } else {
                // Start tag.
                if depth == 0 && rootSeen { throw declined("a second root element", p) }
                if depth >= XMLStream.maxDepth {
                    // The stream fails with its own message, as with libxml2.
                    position.pointee.event = p
                    stream.didStart(stream.name(atDepth: depth)!, nil, nil, 0, to: handler)
                    return
                }
                let (next, empty) = try startTag(p, depth: depth, attr, nameClass, handler)
                p = next
                rootSeen = true
                depth += 1
                if stream.stopped { return }
                if empty {
                    stream.didEnd(stream.name(atDepth: depth)!, to: handler)
                    depth -= 1
                    while let last = prefixes.last, last.depth > depth { prefixes.removeLast() }
                    if stream.stopped { return }
                }
            }
        }
        guard rootSeen, depth == 0 else { throw declined("the input ends with elements open, or has no root", end) }
        position.pointee.event = end
    }

    /// `<?xml ` was read: version 1.0, optionally encoding UTF-8 and
    /// standalone, then `?>`.
    private func declaration(_ from: UnsafePointer<UInt8>) throws(Declined) -> UnsafePointer<UInt8> {
        var p = from
        var stage = 0  // 1: version read, 2: encoding, 3: standalone
        while true {
            while Self.isSpace(p[0]) { p += 1 }
            if p[0] == 0x3F && p[1] == 0x3E { break }
            var n = p
            while (n[0] >= 0x61 && n[0] <= 0x7A) { n += 1 }
            let key = String(decoding: UnsafeBufferPointer(start: p, count: n - p), as: UTF8.self)
            while Self.isSpace(n[0]) { n += 1 }
            guard n[0] == 0x3D else { throw declined("a declaration this scanner does not read", p) }
            n += 1
            while Self.isSpace(n[0]) { n += 1 }
            let quote = n[0]
            guard quote == 0x22 || quote == 0x27 else { throw declined("an unquoted declaration value", n) }
            var v = n + 1
            while v < end && v[0] != quote && v[0] >= 0x20 && v[0] < 0x80 { v += 1 }
            guard v < end, v[0] == quote else { throw declined("a declaration value", n) }
            let value = String(decoding: UnsafeBufferPointer(start: n + 1, count: v - n - 1), as: UTF8.self)
            switch key {
            case "version" where stage == 0 && value == "1.0": stage = 1
            case "encoding" where stage == 1 && value.lowercased() == "utf-8": stage = 2
            case "standalone" where (stage == 1 || stage == 2) && (value == "yes" || value == "no"): stage = 3
            default: throw declined("declaration \(key)=\"\(value)\"", p)
            }
            p = v + 1
            guard Self.isSpace(p[0]) || (p[0] == 0x3F && p[1] == 0x3E) else { throw declined("declaration attributes not separated", p) }
        }
        guard stage > 0 else { throw declined("a declaration without a version", from) }
        return p + 2
    }

    /// Text up to the next `<`, handed to the stream decoded.
    @inline(__always)
    private func content(_ from: UnsafePointer<UInt8>, _ table: UnsafePointer<UInt8>) throws(Declined) -> UnsafePointer<UInt8> {
        var p = from
        var run = p
        while true {
            while table[Int(p[0])] == Self.cPlain { p += 1 }
            switch table[Int(p[0])] {
            case Self.cLess:
                if p > run { stream.didReadText(run, p - run) }
                return p
            case Self.cAmp:
                guard let (v, n) = Self.reference(p + 1) else { throw declined("an entity reference this scanner does not read", p) }
                if p > run { stream.didReadText(run, p - run) }
                var bytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                withUnsafeMutableBytes(of: &bytes) { b in
                    let out = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    stream.didReadText(out, Self.encode(v, out))
                }
                p += 1 + n
                run = p
            case Self.cBracket:
                if p[1] == 0x5D && p[2] == 0x3E { throw declined("]]> in text", p) }
                p += 1
            case Self.cCR:
                // Line ends are read as \n, as libxml2 does.
                if p > run { stream.didReadText(run, p - run) }
                if p[1] == 0x0A {
                    run = p + 1
                } else {
                    var lf: UInt8 = 0x0A
                    stream.didReadText(&lf, 1)
                    run = p + 1
                }
                p += 1
            case Self.cHigh:
                let n = Self.characterLength(p)
                guard n > 0 else { throw declined("bytes that are not UTF-8 or not an XML character", p) }
                p += n
            default:
                // NUL is also what lies past the end.
                if p >= end {
                    if p > run { stream.didReadText(run, end - run) }
                    return end
                }
                throw declined("a control character", p)
            }
        }
    }

    /// A start tag at `p`; hands it to the stream. Returns the position
    /// after it and whether it was empty (`/>`).
    @inline(__always)
    private func startTag<Handler: XMLStreamHandler>(_ from: UnsafePointer<UInt8>, depth: Int, _ attr: UnsafePointer<UInt8>,
                                   _ nameClass: UnsafePointer<UInt8>, _ handler: Handler) throws(Declined) -> (UnsafePointer<UInt8>, Bool) {
        let nameStart = from + 1
        let (local, prefix, afterName) = try qualifiedName(nameStart, nameClass)
        qnames[depth] = nameStart
        qlengths[depth] = afterName - nameStart
        var p = afterName
        var count = 0
        var defaultDeclared = false
        if !decoded.isEmpty {
            decoded.removeAll(keepingCapacity: true)
            scratch.removeAll(keepingCapacity: true)
        }
        while true {
            let spaced = Self.isSpace(p[0])
            while Self.isSpace(p[0]) { p += 1 }
            if p[0] == 0x3E { p += 1; break }
            if p[0] == 0x2F {
                guard p[1] == 0x3E else { throw declined("/ not followed by > in a tag", p) }
                p += 2
                return (try finishStart(local, prefix, p, count, handler), true)
            }
            guard spaced else { throw declined("attributes not separated by white space", p) }
            let (aLocal, aPrefix, afterAttributeName) = try qualifiedName(p, nameClass)
            var q = afterAttributeName
            while Self.isSpace(q[0]) { q += 1 }
            guard q[0] == 0x3D else { throw declined("an attribute without =", q) }
            q += 1
            while Self.isSpace(q[0]) { q += 1 }
            let quote = q[0]
            guard quote == 0x22 || quote == 0x27 else { throw declined("an unquoted attribute value", q) }
            let closing = quote == 0x22 ? Self.cQuote : Self.cApos
            let valueStart = q + 1
            var v = valueStart
            var hasReference = false
            let quoteWord = UInt64(quote) &* Self.ones
            while true {
                v = Self.skipPlain(v, quoteWord)
                let c = attr[Int(v[0])]
                if c == Self.cPlain || (c == Self.cQuote || c == Self.cApos) && c != closing { v += 1; continue }
                if c == closing { break }
                if c == Self.cAmp {
                    guard let (_, n) = Self.reference(v + 1) else { throw declined("an entity reference this scanner does not read", v) }
                    hasReference = true
                    v += 1 + n
                } else if c == Self.cHigh {
                    let n = Self.characterLength(v)
                    guard n > 0 else { throw declined("bytes that are not UTF-8 or not an XML character", v) }
                    v += n
                } else {
                    throw declined("< or a control character in an attribute value", v)
                }
            }
            p = v + 1
            // Namespace declarations are not attributes.
            if aPrefix == nil && aLocal == xmlnsName {
                guard !hasReference, !defaultDeclared, Self.isAbsoluteURI(valueStart, v) else {
                    throw declined("a default namespace declaration this scanner does not read", q)
                }
                defaultDeclared = true
                continue
            }
            if aPrefix == xmlnsName {
                guard !hasReference, aLocal != xmlName, aLocal != xmlnsName, Self.isAbsoluteURI(valueStart, v) else {
                    throw declined("a namespace declaration this scanner does not read", q)
                }
                for d in prefixes.reversed() where d.depth == depth + 1 && d.name == aLocal { throw declined("a prefix declared twice", q) }
                prefixes.append((aLocal, depth + 1))
                continue
            }
            guard count < Self.maxAttributes else { throw declined("too many attributes", q) }
            // Duplicates, by local name (stricter than XML's rule, never looser).
            var k = 0
            while k < count {
                if attributes[k * 5] == aLocal { throw declined("an attribute repeated", afterAttributeName) }
                k += 1
            }
            let slot = attributes + count * 5
            slot[0] = aLocal
            slot[1] = aPrefix
            slot[2] = nil
            if hasReference {
                let from = scratch.count
                Self.decodeAttribute(valueStart, v, into: &scratch)
                decoded.append((count, from, scratch.count))
            } else {
                slot[3] = valueStart
                slot[4] = UnsafePointer(v)
            }
            count += 1
        }
        return (try finishStart(local, prefix, p, count, handler), false)
    }

    /// Checks the tag's prefixes are declared, fixes decoded values'
    /// pointers and hands the start tag to the stream.
    @inline(__always)
    private func finishStart<Handler: XMLStreamHandler>(_ local: XMLName, _ prefix: XMLName?, _ after: UnsafePointer<UInt8>, _ count: Int,
                                                      _ handler: Handler) throws(Declined) -> UnsafePointer<UInt8> {
        if let prefix { guard isDeclared(prefix) else { throw declined("an undeclared or reserved element prefix", after) } }
        var k = 0
        while k < count {
            if let p = attributes[k * 5 + 1], p != xmlName, !isDeclared(p) { throw declined("an undeclared attribute prefix", after) }
            k += 1
        }
        if !decoded.isEmpty {
            scratch.withUnsafeBufferPointer { s in
                for d in decoded {
                    attributes[d.attribute * 5 + 3] = s.baseAddress! + d.from
                    attributes[d.attribute * 5 + 4] = s.baseAddress! + d.to
                }
            }
        }
        position.pointee.event = after
        // The scratch array is not touched until the next tag: its storage stays put during the call.
        stream.didStart(local, prefix, count > 0 ? attributes : nil, count, to: handler)
        return after
    }

    @inline(__always)
    private func isDeclared(_ prefix: XMLName) -> Bool {
        if prefix == xmlnsName { return false }
        var i = prefixes.count - 1
        while i >= 0 {
            if prefixes[i].name == prefix { return true }
            i -= 1
        }
        return false
    }

    /// A value with references, as libxml2's SAX2 hands it over: each
    /// reference replaced, except that an `&` arrives as `&#38;`.
    private static func decodeAttribute(_ from: UnsafePointer<UInt8>, _ to: UnsafePointer<UInt8>, into out: inout [UInt8]) {
        var p = from
        while p < to {
            if p[0] == 0x26, let (v, n) = reference(p + 1) {
                if v == 0x26 {
                    out.append(contentsOf: [0x26, 0x23, 0x33, 0x38, 0x3B])
                } else {
                    var bytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                    let k = withUnsafeMutableBytes(of: &bytes) { encode(v, $0.baseAddress!.assumingMemoryBound(to: UInt8.self)) }
                    withUnsafeBytes(of: &bytes) { out.append(contentsOf: $0.prefix(k)) }
                }
                p += 1 + n
            } else {
                out.append(p[0])
                p += 1
            }
        }
    }

    /// A namespace URI libxml2 takes without a word: a scheme, `:`, and
    /// characters that need no escaping.
    private static func isAbsoluteURI(_ from: UnsafePointer<UInt8>, _ to: UnsafePointer<UInt8>) -> Bool {
        var p = from
        guard p < to, (p[0] | 0x20) >= 0x61 && (p[0] | 0x20) <= 0x7A else { return false }
        p += 1
        while p < to, p[0] != 0x3A {
            let b = p[0], l = b | 0x20
            guard (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2D || b == 0x2E else { return false }
            p += 1
        }
        guard p < to else { return false }
        p += 1
        while p < to {
            let b = p[0], l = b | 0x20
            let ok = (l >= 0x61 && l <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
                || b == 0x3A || b == 0x2F || b == 0x3F || b == 0x23 || b == 0x40 || b == 0x21 || b == 0x24 || b == 0x28
                || b == 0x29 || b == 0x2A || b == 0x2B || b == 0x2C || b == 0x3B || b == 0x3D
            guard ok else { return false }
            p += 1
        }
        return true
    }

    /// One entry of the names met lately: a name of at most 16 bytes is
    /// its first and last eight bytes and its length.
    struct Recent {
        var first: UInt64 = 0, last: UInt64 = 0, length = 0
        var name: XMLName? = nil
    }

    /// The stored name for `length` bytes at `p`: from `recent` when it is
    /// there (names of 16 bytes or fewer), else from the table.
    @inline(__always)
    private func name(_ p: UnsafePointer<UInt8>, _ length: Int) -> XMLName? {
        guard length <= 16, length > 0 else { return names.intern(p, length) }
        let raw = UnsafeRawPointer(p)
        let first: UInt64, last: UInt64
        if length >= 8 {
            first = raw.loadUnaligned(as: UInt64.self)
            last = raw.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self)
        } else {
            first = raw.loadUnaligned(as: UInt64.self) & ((UInt64(1) << UInt64(8 * length)) &- 1)
            last = 0
        }
        let slot = recent + Int(truncatingIfNeeded: ((first &+ last) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if slot.pointee.first == first && slot.pointee.last == last && slot.pointee.length == length, let name = slot.pointee.name {
            return name
        }
        guard let name = names.intern(p, length) else { return nil }
        slot.pointee = Recent(first: first, last: last, length: length, name: name)
        return name
    }

    /// A name, `local` or `prefix:local`, ASCII only; interned.
    @inline(__always)
    private func qualifiedName(_ from: UnsafePointer<UInt8>, _ nameClass: UnsafePointer<UInt8>) throws(Declined) -> (XMLName, XMLName?, UnsafePointer<UInt8>) {
        guard nameClass[Int(from[0])] == Self.nStart else { throw declined("a name this scanner does not read", from) }
        var p = from + 1
        while nameClass[Int(p[0])] & Self.nChar != 0 { p += 1 }
        var prefix: XMLName? = nil
        var localStart = from
        if p[0] == 0x3A {
            guard let interned = name(from, p - from) else { throw declined("too many names", from) }
            prefix = interned
            localStart = p + 1
            guard nameClass[Int(localStart[0])] == Self.nStart else { throw declined("a name this scanner does not read", from) }
            p = localStart + 1
            while nameClass[Int(p[0])] & Self.nChar != 0 { p += 1 }
            if p[0] == 0x3A { throw declined("a name with two colons", from) }
        }
        guard p - from <= Self.maxNameLength, p[0] < 0x80 else { throw declined("a name this scanner does not read", from) }
        guard let local = name(localStart, p - localStart) else { throw declined("too many names", from) }
        return (local, prefix, p)
    }

    /// Past one character of a comment, CDATA section or processing
    /// instruction, checked as UTF-8 and as a character XML allows; false
    /// at a control character (the padding past the end is one), where the
    /// caller stops.
    @inline(__always)
    private func skipCharacter(_ p: inout UnsafePointer<UInt8>) throws(Declined) -> Bool {
        let c = Self.tables[Int(p[0])]
        if c == Self.cHigh {
            let n = Self.characterLength(p)
            guard n > 0 else { throw declined("bytes that are not UTF-8 or not an XML character", p) }
            p += n
        } else if c == Self.cBad {
            return false
        } else {
            p += 1
        }
        return true
    }

    /// `<!--` was read: to after `-->`, with no `--` inside.
    private func comment(_ from: UnsafePointer<UInt8>) throws(Declined) -> UnsafePointer<UInt8> {
        var p = from
        while p < end {
            if p[0] == 0x2D && p[1] == 0x2D {
                guard p[2] == 0x3E else { throw declined("-- in a comment", p) }
                return p + 3
            }
            guard try skipCharacter(&p) else { break }
        }
        throw declined("a comment not closed, or a control character in it", p)
    }

    /// `<![CDATA[` was read: the section's text, as it is, to the stream.
    private func cdata(_ from: UnsafePointer<UInt8>) throws(Declined) -> UnsafePointer<UInt8> {
        var p = from
        var run = p
        while p < end {
            if p[0] == 0x5D && p[1] == 0x5D && p[2] == 0x3E {
                if p > run { stream.didReadText(run, p - run) }
                return p + 3
            }
            if p[0] == 0x0D {
                // Line ends are read as \n, as libxml2 does.
                if p > run { stream.didReadText(run, p - run) }
                if p[1] != 0x0A {
                    var lf: UInt8 = 0x0A
                    stream.didReadText(&lf, 1)
                }
                p += 1
                run = p
            } else {
                guard try skipCharacter(&p) else { break }
            }
        }
        throw declined("a CDATA section not closed, or a control character in it", p)
    }

    /// `<?` was read: a processing instruction other than `xml`, to after `?>`.
    private func processingInstruction(_ from: UnsafePointer<UInt8>, _ nameClass: UnsafePointer<UInt8>) throws(Declined) -> UnsafePointer<UInt8> {
        var p = from
        guard nameClass[Int(p[0])] == Self.nStart else { throw declined("a processing instruction this scanner does not read", p) }
        while nameClass[Int(p[0])] & Self.nChar != 0 { p += 1 }
        if p - from == 3 && (from[0] | 0x20) == 0x78 && (from[1] | 0x20) == 0x6D && (from[2] | 0x20) == 0x6C {
            throw declined("an xml declaration not at the start", from)
        }
        if p[0] == 0x3F && p[1] == 0x3E { return p + 2 }
        guard Self.isSpace(p[0]) else { throw declined("a processing instruction this scanner does not read", p) }
        while p < end {
            if p[0] == 0x3F && p[1] == 0x3E { return p + 2 }
            guard try skipCharacter(&p) else { break }
        }
        throw declined("a processing instruction not closed", p)
    }
}
