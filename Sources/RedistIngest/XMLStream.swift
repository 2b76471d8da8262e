import CLibXML2
import RedistModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An element or attribute local name interned in the parser's dictionary.
/// libxml2 hands every name over as a pointer into that dictionary, so two
/// names are equal exactly when their pointers are: the readers compare
/// pointers, never strings, on the hot path.
typealias XMLName = UnsafePointer<xmlChar>

/// What a format reader implements to receive the events of an `XMLStream`.
///
/// The handler keeps its own state machine; the stream gives it the element
/// stack (names, depth, line, element path) and collects the text of the
/// elements it asks for. A handler interns the names it compares when it is
/// made (`stream.intern("transaction")`), before `run`, and keeps them in
/// `let` properties.
protocol XMLStreamHandler: AnyObject {
    /// An element starts; `stream.depth` already counts it.
    func startElement(_ stream: XMLStream, _ tag: XMLStartTag)
    /// An element ends; `stream.depth` still counts it and the text it asked
    /// for is available.
    func endElement(_ stream: XMLStream, _ name: XMLName)
}

/// A start tag as libxml2's SAX2 parser hands it over: interned names and
/// the attribute array (five pointers per attribute: local name, prefix,
/// URI, value start, value end). Valid only during `startElement`.
struct XMLStartTag {
    let name: XMLName
    let prefix: XMLName?
    fileprivate let attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    fileprivate let attributeCount: Int

    /// The value of the attribute with this interned local name, decoded.
    func attribute(_ name: XMLName) -> String? {
        guard let attributes else { return nil }
        var i = 0
        while i < attributeCount {
            if attributes[i * 5] == name, let start = attributes[i * 5 + 3], let end = attributes[i * 5 + 4] {
                return XMLText.attributeValue(UnsafeBufferPointer(start: start, count: end - start))
            }
            i += 1
        }
        return nil
    }
}

/// Drives libxml2's SAX2 push parser over one file, plain or gzip-compressed,
/// in fixed-size chunks: constant memory whatever the file's size, no
/// document tree.
///
/// The C callbacks capture nothing: they reach the stream through libxml2's
/// user-data pointer. The stream keeps the element stack (interned name
/// pointers and sibling ordinals, so it can name any element by a path such
/// as `/iati-activities/iati-activity[3]/transaction[2]/value`), collects text
/// only for the elements the handler asks for, and turns the first fatal
/// libxml2 error, or a failure the handler reports, into a `FileFailure`
/// naming the file, the line and the element path. The state touched for
/// every element lives behind one pointer, so the hot path pays no
/// exclusivity checks, retains or allocations.
///
/// Hostile input: the only parse option is `XML_PARSE_NONET` (never `NOENT`,
/// `DTDLOAD`, `DTDVALID`, `XINCLUDE` or `HUGE`), the process-wide external
/// entity loader refuses everything, and any DOCTYPE stops the parse with an
/// error before its internal subset is read, so no entity is ever declared,
/// loaded or expanded. libxml2's own limits bound names and attribute
/// values; the stream bounds nesting depth and the text it collects.
final class XMLStream {
    /// One piece of a large plain file parsed on its own (see `XMLPieces`):
    /// the file's bytes `start..<end` framed by the file's header (its
    /// declaration and root start tag) before and the root's end tag after,
    /// and where the piece sits in the whole file, so that lines and element
    /// paths name the file's own lines and elements.
    struct Piece: Sendable {
        var header: [UInt8] = []
        var start: Int
        var end: Int?
        var closing: [UInt8] = []
        /// Lines before the piece's first byte, less the header's lines.
        var lineOffset = 0
        /// Record elements (children of the root) before the piece.
        var recordOffset: Int32 = 0
        /// Called by `run` before the first event, to set the offsets
        /// (`setOffsets`) once they are known.
        var prepare: (@Sendable (XMLStream) -> Void)? = nil
    }

    /// Bytes handed to libxml2 per `xmlParseChunk` call.
    static let chunkSize = 64 * 1024
    /// The most text the stream collects for one element (a hostile file
    /// could otherwise stream gigabytes into one description).
    static let maxTextBytes = 4 * 1024 * 1024
    /// The deepest nesting accepted (libxml2's own limit, which its push
    /// parser does not apply). The formats read here nest about 15 deep.
    static let maxDepth = 256

    /// The state used for every element.
    fileprivate struct Hot {
        var depth = 0
        // The element stack, indexed 0..<depth.
        let names: UnsafeMutablePointer<XMLName?>
        let prefixes: UnsafeMutablePointer<XMLName?>
        let ordinals: UnsafeMutablePointer<Int32>
        // Per open element (and the document), where its children's sibling
        // counters start in the two arrays below: counting siblings by name
        // gives each element its ordinal among same-named siblings.
        let levelStart: UnsafeMutablePointer<Int>
        // Kept by hand, not as arrays: popping a level is then one store.
        var siblingNames: UnsafeMutablePointer<XMLName?>
        var siblingCounts: UnsafeMutablePointer<Int32>
        var siblingCount = 0
        var siblingCapacity = 256
        // Text collection.
        var captureDepth = Int.max
        var text: UnsafeMutablePointer<UInt8>
        var textCount = 0
        var textCapacity = 4096
        /// How many leading entries of `pathPrefixes` are still the current
        /// element's ancestors' paths.
        var validPrefixes = 0
        unowned(unsafe) var handler: (any XMLStreamHandler)?
        /// Set once the stream is made: the callbacks reach it from here.
        unowned(unsafe) var stream: XMLStream?
        /// For a piece: the root's children before it, added to their ordinals.
        var recordOffset: Int32 = 0
        /// The root's children started so far.
        var rootChildren: Int32 = 0
        /// Set when the parse is stopped (a failure).
        var stopped = false

        init() {
            names = .allocate(capacity: XMLStream.maxDepth + 1)
            prefixes = .allocate(capacity: XMLStream.maxDepth + 1)
            ordinals = .allocate(capacity: XMLStream.maxDepth + 1)
            levelStart = .allocate(capacity: XMLStream.maxDepth + 2)
            levelStart[0] = 0
            siblingNames = .allocate(capacity: siblingCapacity)
            siblingCounts = .allocate(capacity: siblingCapacity)
            text = .allocate(capacity: textCapacity)
        }

        mutating func pushSibling(_ name: XMLName, _ ordinal: Int32) {
            if siblingCount == siblingCapacity {
                var capacity = siblingCapacity
                siblingNames = movedToDoubled(siblingNames, count: siblingCount, capacity: &capacity)
                capacity = siblingCapacity
                siblingCounts = movedToDoubled(siblingCounts, count: siblingCount, capacity: &capacity)
                siblingCapacity = capacity
            }
            siblingNames[siblingCount] = name
            siblingCounts[siblingCount] = ordinal
            siblingCount += 1
        }

        mutating func appendText(_ bytes: UnsafePointer<UInt8>, _ length: Int) {
            if textCount + length > textCapacity {
                var capacity = textCapacity
                while textCount + length > capacity {
                    text = movedToDoubled(text, count: textCount, capacity: &capacity)
                }
                textCapacity = capacity
            }
            (text + textCount).update(from: bytes, count: length)
            textCount += length
        }

        var collectedText: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: text, count: textCount) }

        func deallocate() {
            names.deallocate()
            prefixes.deallocate()
            ordinals.deallocate()
            levelStart.deallocate()
            siblingNames.deallocate()
            siblingCounts.deallocate()
            text.deallocate()
        }
    }

    let path: String
    let displayPath: String
    private(set) var failure: FileFailure?
    /// libxml2 warnings and recoverable errors (a bad namespace URI, …).
    private(set) var warnings: [Diagnostic] = []
    private var warningCount = 0

    /// Which parser reads the input (see `XMLScanner`).
    enum Engine: Sendable { case libxml2, scanner }
    let engine: Engine

    fileprivate let hot: UnsafeMutablePointer<Hot>
    /// libxml2's parser (engine `.libxml2`).
    fileprivate let ctxt: xmlParserCtxtPtr?
    /// The scanner's names and position, and the whole input (engine `.scanner`).
    private let names: XMLNameTable?
    private let position: UnsafeMutablePointer<XMLScanPosition>
    /// The scanner's input: a piece whole, or a window on a whole file that
    /// moves along it (`nextWindow`), followed by `XMLScanner.padding` zero
    /// bytes (counted in `whole`).
    private var whole: UnsafeMutableBufferPointer<UInt8>?
    private var wholeCapacity = 0
    private var windowSize = 0
    /// True when the file's last byte is in `whole`.
    private var windowFinal = true

    /// The scanner reads a whole file through a window of this many bytes.
    static let windowBytes = 4 << 20
    /// A task's own window size (tests read files through tiny windows).
    @TaskLocal static var windowChosen: Int? = nil
    private let input: XMLInputFile
    private let buffer: UnsafeMutablePointer<CChar>
    /// Bytes read into `buffer` before parsing, and how many of them libxml2 has.
    private var buffered = 0
    private var handedOver = 0
    /// Set when all bytes are in and libxml2 is told so.
    private var terminating = false
    private var alwaysIndexed: [XMLName] = []
    /// The path of an open element, as bytes: `pathEnds[i]` is where the
    /// path of the open element at depth i + 1 ends in `pathBytes`, for the
    /// first `hot.validPrefixes` depths (records of one parent share them).
    private let pathBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: XMLStream.maxPathBytes)
    private let pathEnds = UnsafeMutablePointer<Int>.allocate(capacity: XMLStream.maxDepth + 1)
    /// The longest element path kept (deeper segments are cut off).
    static let maxPathBytes = 16 * 1024
    private var ran = false
    /// For a piece: added to libxml2's line numbers.
    private var lineOffset: Int
    /// For a piece: its header's and closing tag's bytes, and what to call before running.
    private let pieceFrame: (header: Int, closing: Int)?
    private let prepare: (@Sendable (XMLStream) -> Void)?
    /// For a piece: the line breaks of the header it starts with.
    private let headerLineBreaks: Int

    /// Opens the file and makes the parser (its first bytes tell libxml2 the
    /// encoding). Throws `FileFailure` when the file cannot be read or is empty.
    ///
    /// With `engine: .scanner` the whole input (the piece, or the file,
    /// which should then be small and plain) is read into memory here and
    /// scanned by `run`, which throws `XMLScanner.Declined` for XML outside
    /// the scanner's subset: read such input again with libxml2.
    init(path: String, displayPath: String, piece: Piece? = nil, engine: Engine = .libxml2) throws {
        _ = XMLStream.libraryReady
        self.path = path
        // A piece keeps its own copy of the name: every location it makes
        // retains it, and one string shared by the threads reading pieces
        // would have its count bounced between their caches.
        self.displayPath = piece == nil ? displayPath : String(decoding: Array(displayPath.utf8), as: UTF8.self)
        self.engine = engine
        lineOffset = piece?.lineOffset ?? 0
        pieceFrame = piece.map { ($0.header.count, $0.closing.count) }
        prepare = piece?.prepare
        headerLineBreaks = piece?.header.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } ?? 0
        input = try XMLInputFile(path: path, displayPath: displayPath, piece: piece)
        buffer = .allocate(capacity: Self.chunkSize)
        hot = .allocate(capacity: 1)
        hot.initialize(to: Hot())
        position = .allocate(capacity: 1)
        names = engine == .scanner ? XMLNameTable() : nil
        var made: xmlParserCtxtPtr? = nil
        do {
            buffered = try input.read(into: buffer, capacity: Self.chunkSize, line: 1, path: nil)
            if buffered == 0 {
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "the file is empty (expected an XML document)")
            }
            if engine == .scanner {
                // (Nothing here may call a method of the stream: it is not made yet.)
                if let piece {
                    (whole, wholeCapacity) = try input.readAll(first: buffer, count: buffered, piece: piece, padding: XMLScanner.padding)
                    input.close()
                } else {
                    windowSize = max(Self.windowChosen ?? Self.windowBytes, buffered, 4096)
                    let (base, capacity) = XMLInputFile.buffers.take(windowSize + XMLScanner.padding)
                    UnsafeMutableRawPointer(base).copyMemory(from: buffer, byteCount: buffered)
                    // A file that cannot be read to the window's end (a damaged gzip
                    // stream) is libxml2's to report, at the line and element it reaches.
                    guard let (count, final) = try? Self.fill(base, from: buffered, to: windowSize, input) else {
                        XMLInputFile.buffers.give(base, capacity)
                        throw XMLScanner.Declined(reason: "the file could not be read on", offset: buffered)
                    }
                    whole = UnsafeMutableBufferPointer(start: base, count: count + XMLScanner.padding)
                    wholeCapacity = capacity
                    windowFinal = final
                }
                ctxt = nil
                hot.pointee.stream = self
                hot.pointee.recordOffset = piece?.recordOffset ?? 0
                return
            }
            var sax = XMLStream.saxHandler
            handedOver = min(4, buffered)
            // libxml2 hands the user data to every callback: the hot state, which knows the stream.
            made = xmlCreatePushParserCtxt(&sax, UnsafeMutableRawPointer(hot), buffer, Int32(handedOver), nil)
            if made == nil {
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "libxml2 could not create a parser (out of memory?)")
            }
        } catch {
            input.close()
            buffer.deallocate()
            position.deallocate()
            hot.pointee.deallocate()
            hot.deinitialize(count: 1)
            hot.deallocate()
            throw error
        }
        ctxt = made!
        hot.pointee.stream = self
        hot.pointee.recordOffset = piece?.recordOffset ?? 0
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue))
    }

    deinit {
        if let ctxt { xmlFreeParserCtxt(ctxt) }
        if let whole { XMLInputFile.buffers.give(whole.baseAddress!, wholeCapacity) }
        pathBytes.deallocate()
        pathEnds.deallocate()
        input.close()
        buffer.deallocate()
        position.deallocate()
        hot.pointee.deallocate()
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    // MARK: For handlers

    /// The interned pointer for a name, to compare with the names libxml2 hands over.
    func intern(_ name: String) -> XMLName {
        if let names { return names.intern(name) }
        guard let p = xmlDictLookup(ctxt!.pointee.dict, name, -1) else { fatalError("xmlDictLookup failed: out of memory") }
        return p
    }

    /// Elements with these names always show their ordinal in paths
    /// (`transaction[1]`); others only from the second same-named sibling on.
    func alwaysIndex(_ names: XMLName...) { alwaysIndexed.append(contentsOf: names) }

    /// How many elements are open, the current one included (the root is 1).
    var depth: Int { hot.pointee.depth }

    /// The name of the open element at `depth` (1 is the root).
    @inline(__always)
    func name(atDepth d: Int) -> XMLName? {
        let h = hot
        return d >= 1 && d <= h.pointee.depth ? h.pointee.names[d - 1] : nil
    }

    /// The name of the current element's parent.
    var parentName: XMLName? { name(atDepth: hot.pointee.depth - 1) }

    /// The prefix of the open element at `depth`.
    func prefix(atDepth d: Int) -> XMLName? { d >= 1 && d <= hot.pointee.depth ? hot.pointee.prefixes[d - 1] : nil }

    /// The line libxml2 is at (for a start tag: the line where it ends).
    var line: Int {
        guard let ctxt else { return position.pointee.currentLine() + lineOffset }
        return Int(ctxt.pointee.input?.pointee.line ?? 0) + lineOffset
    }

    /// Reads into `base` from `used` bytes on until `size` are there or the
    /// file ends, and puts the padding after them: the bytes held, and
    /// whether the file ended.
    private static func fill(_ base: UnsafeMutablePointer<UInt8>, from used: Int, to size: Int, _ input: XMLInputFile) throws -> (Int, Bool) {
        var filled = used
        var final = false
        while filled < size {
            let n = try input.read(into: UnsafeMutableRawPointer(base + filled).assumingMemoryBound(to: CChar.self),
                                   capacity: size - filled, line: 1, path: nil)
            if n == 0 { final = true; break }
            filled += n
        }
        (base + filled).initialize(repeating: 0, count: XMLScanner.padding)
        return (filled, final)
    }

    /// Moves the window on: the bytes from `from` to its end go to its
    /// start, and more of the file after them. Returns its start, the bytes
    /// it holds and whether the file's end is among them; nil when the file
    /// cannot be read (libxml2, reading it again, will say why).
    func nextWindow(keeping from: UnsafePointer<UInt8>) -> (UnsafePointer<UInt8>, Int, Bool)? {
        guard let window = whole, pieceFrame == nil else { return nil }
        let base = window.baseAddress!
        let keep = UnsafePointer(base) + (window.count - XMLScanner.padding) - from
        UnsafeMutableRawPointer(base).copyMemory(from: from, byteCount: keep)
        guard let (count, final) = try? Self.fill(base, from: keep, to: windowSize, input) else { return nil }
        whole = UnsafeMutableBufferPointer(start: base, count: count + XMLScanner.padding)
        windowFinal = final
        return (UnsafePointer(base), count, final)
    }

    /// For a piece, before `run`: the lines and records (children of the
    /// root) in the file before it.
    func setOffsets(lines: Int, records: Int32) {
        lineOffset = lines
        hot.pointee.recordOffset = records
    }

    /// For a piece read whole (the scanner's), before `run`: the `<record`
    /// start tags in its own bytes of the file; nil when it is not held
    /// whole. It looks for the tag's last byte, far rarer than `<`.
    func countInPiece(record: String) -> Int32? {
        guard let whole, let frame = pieceFrame, !record.isEmpty else { return nil }
        let start = UnsafePointer(whole.baseAddress!) + frame.header
        let end = UnsafePointer(whole.baseAddress!) + (whole.count - XMLScanner.padding - frame.closing)
        guard start <= end else { return nil }
        let tag = Array(("<" + record).utf8)
        let last = tag[tag.count - 1]
        var records: Int32 = 0
        var p = UnsafeRawPointer(start) + (tag.count - 1)
        while p < UnsafeRawPointer(end), let hit = memchr(p, Int32(last), UnsafeRawPointer(end) - p) {
            let at = hit.assumingMemoryBound(to: UInt8.self) - (tag.count - 1)
            if memcmp(at, tag, tag.count - 1) == 0 {
                let after = at[tag.count]
                if after == 0x20 || after == 0x3E || after == 0x0A || after == 0x0D || after == 0x09 || after == 0x2F { records += 1 }
            }
            p = UnsafeRawPointer(hit) + 1
        }
        return records
    }

    /// True once the parse is stopped by a failure.
    var stopped: Bool { hot.pointee.stopped }

    /// The path of the current element, such as `/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]`.
    var elementPath: String { elementPath(depth: hot.pointee.depth) }

    /// The path of the open element at `depth`.
    func elementPath(depth: Int) -> String {
        let h = hot
        let d = min(depth, h.pointee.depth)
        if d == 0 { return "/" }
        var k = min(h.pointee.validPrefixes, d)
        if k < d {
            let bytes = pathBytes, limit = Self.maxPathBytes
            var end = k > 0 ? pathEnds[k - 1] : 0
            @inline(__always) func put(_ b: UInt8) { if end < limit { bytes[end] = b; end += 1 } }
            @inline(__always) func put(_ name: XMLName) {
                var p = name
                while p.pointee != 0 { put(p.pointee); p += 1 }
            }
            while k < d {
                put(0x2F)
                if let prefix = h.pointee.prefixes[k] { put(prefix); put(0x3A) }
                if let name = h.pointee.names[k] { put(name) }
                let n = h.pointee.ordinals[k]
                if n > 1 || alwaysIndexed.contains(where: { $0 == h.pointee.names[k] }) {
                    put(0x5B)
                    var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                    withUnsafeMutableBytes(of: &digits) { d in
                        var i = 10, v = Int(n)
                        repeat { i -= 1; d[i] = UInt8(0x30 + v % 10); v /= 10 } while v > 0
                        while i < 10 { put(d[i]); i += 1 }
                    }
                    put(0x5D)
                }
                pathEnds[k] = end
                k += 1
            }
            h.pointee.validPrefixes = d
        }
        return String(decoding: UnsafeBufferPointer(start: pathBytes, count: pathEnds[d - 1]), as: UTF8.self)
    }

    /// `prefix:name` of the open element at `depth`.
    func qualifiedName(depth d: Int) -> String {
        guard d >= 1 && d <= hot.pointee.depth, let name = hot.pointee.names[d - 1] else { return "" }
        let local = String(cString: name)
        return hot.pointee.prefixes[d - 1].map { String(cString: $0) + ":" + local } ?? local
    }

    /// The bytes the stream holds now: libxml2's unparsed input, the
    /// collected text and the sibling counters. It stays below a few chunks
    /// however long the file (tests check it).
    var bytesHeld: Int {
        var held = whole?.count ?? 0
        if let input = ctxt?.pointee.input, let base = input.pointee.base, let end = input.pointee.end { held += end - base }
        held += hot.pointee.textCapacity
        held += hot.pointee.siblingCapacity * (MemoryLayout<XMLName>.stride + MemoryLayout<Int32>.stride)
        return held
    }

    /// The root's children the parse has met.
    var rootChildren: Int32 { hot.pointee.rootChildren }

    /// After a piece's parse, the line breaks in its own bytes of the file
    /// (libxml2 counts every line it reads; the header's are taken off).
    var fileLineBreaks: Int {
        guard let ctxt else { return position.pointee.currentLine() - 1 - headerLineBreaks }
        return Int(ctxt.pointee.input?.pointee.line ?? 1) - 1 - headerLineBreaks
    }

    /// How many distinct names the parser's dictionary holds.
    var internedNames: Int { names?.count ?? Int(xmlDictSize(ctxt!.pointee.dict)) }

    /// Where the current element is: file, line and element path.
    func location() -> SourceLocation {
        SourceLocation(file: displayPath, line: line, path: elementPath)
    }

    /// Starts collecting the text inside the current element (its
    /// descendants' too) until it ends; replaces any collection under way.
    func beginText() {
        let h = hot
        h.pointee.textCount = 0
        h.pointee.captureDepth = h.pointee.depth
    }

    /// Stops collecting text.
    func endText() { hot.pointee.captureDepth = Int.max }

    /// The collected text, trimmed, with runs of white space made one space.
    var text: String { XMLText.collapsed(hot.pointee.collectedText) }

    /// The collected text's bytes without surrounding white space (for amounts and codes).
    func withTrimmedText<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        body(XMLText.trimmed(hot.pointee.collectedText))
    }

    /// Stops the parse: the file fails with this message at the current element.
    func fail(_ message: String) { fail(message, at: location()) }

    /// Stops the parse: the file fails with this message at `location`.
    func fail(_ message: String, at location: SourceLocation) {
        if failure == nil { failure = FileFailure(location, message) }
        hot.pointee.stopped = true
        if let ctxt { xmlStopParser(ctxt) }
    }

    // MARK: Running

    /// Parses the whole file, handing events to `handler`. Throws
    /// `FileFailure` when the file is not well-formed XML, contains a
    /// DOCTYPE, cannot be read to its end, or the handler gave up on it.
    /// A stream runs once.
    func run<Handler: XMLStreamHandler>(_ handler: Handler) throws {
        precondition(!ran, "an XMLStream runs once")
        ran = true
        prepare?(self)
        hot.pointee.handler = handler
        defer { hot.pointee.handler = nil }
        guard let ctxt else {
            let input = whole!
            let scanner = XMLScanner(stream: self, names: names!, position: position,
                                     input: UnsafePointer(input.baseAddress!), count: input.count - XMLScanner.padding,
                                     final: windowFinal, lookahead: max(windowSize / 16, 1024))
            try scanner.run(handler)
            if let failure { throw failure }
            return
        }

        var count = buffered
        var offset = handedOver
        while failure == nil {
            if count > offset {
                xmlParseChunk(ctxt, buffer + offset, Int32(count - offset), 0)
            }
            if failure != nil { break }
            offset = 0
            count = try input.read(into: buffer, capacity: Self.chunkSize, line: max(line, 1), path: elementPath)
            if count == 0 { break }
        }
        if failure == nil {
            terminating = true
            xmlParseChunk(ctxt, nil, 0, 1)
        }
        if let failure { throw failure }
        if ctxt.pointee.wellFormed == 0 {
            throw FileFailure(location(), "the file is not well-formed XML")
        }
    }

    // MARK: Callbacks (called from C through the user-data pointer)

    @inline(__always)
    func didStart(_ name: XMLName, _ prefix: XMLName?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, _ count: Int) {
        guard let handler = hot.pointee.handler else { return }
        didStart(name, prefix, attributes, count, to: handler)
    }

    /// An element starts: the stack is kept and `handler` told. The
    /// scanner calls this directly with its handler's own type, so that
    /// the call is direct and nothing is retained per element.
    @inline(__always)
    func didStart<Handler: XMLStreamHandler>(_ name: XMLName, _ prefix: XMLName?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
                                             _ count: Int, to handler: Handler) {
        let h = hot
        let depth = h.pointee.depth
        if depth >= Self.maxDepth {
            fail("elements are nested more than \(Self.maxDepth) deep (expected a shallow document; deep nesting is a denial-of-service pattern)")
            return
        }
        // This element's ordinal among its same-named siblings.
        let first = h.pointee.levelStart[depth]
        var ordinal: Int32 = 1
        var found = false
        let names = h.pointee.siblingNames
        var i = h.pointee.siblingCount - 1
        while i >= first {
            if names[i] == name { found = true; break }
            i -= 1
        }
        if found {
            h.pointee.siblingCounts[i] += 1
            ordinal = h.pointee.siblingCounts[i]
        } else {
            // In a piece, the root's children carry on the count of the pieces before.
            if depth == 1 { ordinal += h.pointee.recordOffset }
            h.pointee.pushSibling(name, ordinal)
        }
        if depth == 1 { h.pointee.rootChildren += 1 }
        if h.pointee.validPrefixes > depth { h.pointee.validPrefixes = depth }
        h.pointee.names[depth] = name
        h.pointee.prefixes[depth] = prefix
        h.pointee.ordinals[depth] = ordinal
        h.pointee.depth = depth + 1
        h.pointee.levelStart[depth + 1] = h.pointee.siblingCount
        handler.startElement(self, XMLStartTag(name: name, prefix: prefix, attributes: attributes, attributeCount: count))
    }

    @inline(__always)
    func didEnd(_ name: XMLName) {
        guard let handler = hot.pointee.handler else { return }
        didEnd(name, to: handler)
    }

    @inline(__always)
    func didEnd<Handler: XMLStreamHandler>(_ name: XMLName, to handler: Handler) {
        let h = hot
        guard h.pointee.depth > 0 else { return }
        handler.endElement(self, name)
        let depth = h.pointee.depth
        if h.pointee.captureDepth == depth { h.pointee.captureDepth = Int.max }
        h.pointee.depth = depth - 1
        h.pointee.siblingCount = h.pointee.levelStart[depth]
    }

    @inline(__always)
    func didReadText(_ bytes: UnsafePointer<xmlChar>, _ length: Int) {
        let h = hot
        guard h.pointee.depth >= h.pointee.captureDepth else { return }
        if h.pointee.textCount + length > Self.maxTextBytes {
            fail("the text of this element is longer than \(Self.maxTextBytes / (1024 * 1024)) MB (expected a short field)")
            return
        }
        h.pointee.appendText(bytes, length)
    }

    fileprivate func didSeeDoctype() {
        fail("the file has a DOCTYPE declaration, which is refused: none of the formats read here uses one, "
             + "and a DTD can declare entities that read other files or expand without bound (expected the root element)")
    }

    fileprivate func didRaise(_ error: xmlError) {
        var message = error.message.map { String(cString: $0) } ?? "unknown XML error"
        while let last = message.last, last.isWhitespace { message.removeLast() }
        if lineOffset != 0 { message = XMLText.shiftingLines(message, by: lineOffset) }
        let errorLine = error.line > 0 ? Int(error.line) + lineOffset : line
        if error.level == XML_ERR_FATAL {
            if failure == nil {
                let where_ = SourceLocation(file: displayPath, line: errorLine, path: elementPath)
                let open = hot.pointee.depth
                if terminating && open > 0 {
                    // libxml2 says "Extra content at the end of the document" when the input stops inside an element.
                    failure = FileFailure(where_, "the file is cut short: it ends inside <\(qualifiedName(depth: open))> with \(open) element\(open == 1 ? "" : "s") still open (expected the rest of the document and its closing tags)")
                } else {
                    failure = FileFailure(where_, "not well-formed XML: \(XMLText.explain(message, code: error.code))")
                }
            }
            return
        }
        warningCount += 1
        if warningCount <= 100 {
            warnings.append(Diagnostic(.warning, SourceLocation(file: displayPath, line: errorLine, path: elementPath),
                                       check: "xml.warning", "XML: \(message)"))
        }
    }

    // MARK: libxml2 set-up

    /// Initialises libxml2 once and installs the external entity loader
    /// that refuses everything, for every parser in the process.
    static let libraryReady: Bool = {
        xmlInitParser()
        xmlSetExternalEntityLoader { _, _, _ in nil }
        return true
    }()

    /// The SAX2 handler: only the callbacks the stream needs, all of them
    /// closures that capture nothing.
    private static var saxHandler: xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, prefix, _, _, _, nbAttributes, _, attributes in
            guard let localname, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream.didStart(localname, prefix, attributes, Int(nbAttributes))
        }
        sax.endElementNs = { ctx, localname, _, _ in
            guard let localname, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream.didEnd(localname)
        }
        let characters: charactersSAXFunc = { ctx, ch, len in
            guard let ch, len > 0, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream.didReadText(ch, Int(len))
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.cdataBlock = characters
        sax.internalSubset = { ctx, _, _, _ in
            XMLStream.callbackTarget(ctx)?.didSeeDoctype()
        }
        sax.serror = { ctx, error in
            guard let error, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream.didRaise(error.pointee)
        }
        return sax
    }

    /// The stream behind a callback's user-data pointer (the hot state), without a retain.
    @inline(__always)
    fileprivate static func callbackTarget(_ ctx: UnsafeMutableRawPointer?) -> XMLStream? {
        ctx?.assumingMemoryBound(to: Hot.self).pointee.stream
    }
}

/// The bytes of one input file, inflated when they start with the gzip
/// magic bytes `1f 8b` (whatever the file's name).
private final class XMLInputFile {
    /// Whole-input buffers for the scanner, kept for the next piece: a
    /// large file's pieces would otherwise each map and fault in fresh pages.
    static let buffers = BufferPool()
    private var fd: Int32
    private var gz: gzFile?
    private let displayPath: String
    let compressed: Bool
    /// For a piece: the header still to hand over, the bytes of the file
    /// left to read, and the closing tag after them.
    private var header: [UInt8] = []
    private var headerDone = 0
    private var remaining = Int.max
    private var closing: [UInt8] = []
    private var closingDone = 0

    init(path: String, displayPath: String, piece: XMLStream.Piece? = nil) throws {
        self.displayPath = displayPath
        let opened = open(path, O_RDONLY)
        fd = opened
        guard opened >= 0 else {
            throw FileFailure(SourceLocation(file: displayPath, line: 1), "cannot open the file: \(String(cString: strerror(errno)))")
        }
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(opened, $0.baseAddress, 2, 0) }
        compressed = n == 2 && magic.0 == 0x1f && magic.1 == 0x8b
        if compressed {
            gz = gzdopen(opened, "rb")
            guard gz != nil else {
                sysClose(opened)
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "cannot read the gzip-compressed file")
            }
            fd = -1  // owned by zlib now
            gzbuffer(gz, 128 * 1024)
        }
        if let piece {
            precondition(!compressed, "pieces are cut from plain files only")
            header = piece.header
            closing = piece.closing
            if lseek(opened, off_t(piece.start), SEEK_SET) < 0 {
                sysClose(opened)
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if let end = piece.end { remaining = end - piece.start }
        }
    }

    /// Fills `buffer` with up to `capacity` bytes; 0 at the end of the file.
    /// `line` and `path` say where the parser is, for the error.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int, line: Int, path: String?) throws -> Int {
        if headerDone < header.count {
            let n = min(capacity, header.count - headerDone)
            header.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress! + headerDone, byteCount: n) }
            headerDone += n
            return n
        }
        if remaining == 0 {
            let n = min(capacity, closing.count - closingDone)
            if n > 0 {
                closing.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress! + closingDone, byteCount: n) }
                closingDone += n
            }
            return n
        }
        if let gz {
            let n = gzread(gz, buffer, UInt32(capacity))
            var code: Int32 = 0
            var message = gzerror(gz, &code).map { String(cString: $0) } ?? "unknown error"
            // zlib names a descriptor it was given "<fd:N>": a number that means nothing to anyone, and differs run to run.
            if message.hasPrefix("<fd:"), let colon = message.range(of: ">: ") { message = String(message[colon.upperBound...]) }
            // At the end of a cut-short stream zlib returns what it has and
            // then 0, with Z_BUF_ERROR.
            if n < 0 || (n == 0 && code != Z_OK) {
                throw FileFailure(SourceLocation(file: displayPath, line: line, path: path),
                                  "the gzip-compressed data is damaged or cut short: \(message) (expected a complete gzip file)")
            }
            return Int(n)
        }
        while true {
            let n = sysRead(fd, buffer, min(capacity, remaining))
            if n >= 0 {
                if remaining != Int.max { remaining = n == 0 ? 0 : remaining - n }
                if n == 0 && remaining == 0 && closingDone < closing.count { return try read(into: buffer, capacity: capacity, line: line, path: path) }
                return n
            }
            if errno == EINTR { continue }
            throw FileFailure(SourceLocation(file: displayPath, line: line, path: path),
                              "cannot read the file: \(String(cString: strerror(errno)))")
        }
    }

    /// The rest of `piece`, after the `count` bytes already in `first`,
    /// in one buffer followed by `padding` zero bytes (the buffer's count
    /// includes them), sized for the piece (one that runs to the end of the
    /// file, by the file's size).
    func readAll(first: UnsafeMutablePointer<CChar>, count: Int, piece: XMLStream.Piece,
                 padding: Int) throws -> (bytes: UnsafeMutableBufferPointer<UInt8>, capacity: Int) {
        var end = piece.end ?? piece.start
        if piece.end == nil, fd >= 0 {
            var st = stat()
            if fstat(fd, &st) == 0 { end = Int(st.st_size) }
        }
        // Room to spare, so that the read that finds the end needs no more.
        var capacity = max(piece.header.count + (end - piece.start) + piece.closing.count, count) + padding + (1 << 16)
        var base: UnsafeMutablePointer<UInt8>
        (base, capacity) = XMLInputFile.buffers.take(capacity)
        UnsafeMutableRawPointer(base).copyMemory(from: first, byteCount: count)
        var used = count
        do {
            while true {
                if capacity - used - padding < 4096 {
                    let (bigger, more) = XMLInputFile.buffers.take(capacity * 2)
                    bigger.update(from: base, count: used)
                    XMLInputFile.buffers.give(base, capacity)
                    base = bigger
                    capacity = more
                }
                let n = try read(into: UnsafeMutableRawPointer(base + used).assumingMemoryBound(to: CChar.self),
                                 capacity: capacity - used - padding, line: 1, path: nil)
                if n == 0 { break }
                used += n
            }
        } catch {
            XMLInputFile.buffers.give(base, capacity)
            throw error
        }
        (base + used).initialize(repeating: 0, count: padding)
        return (UnsafeMutableBufferPointer(start: base, count: used + padding), capacity)
    }

    func close() {
        if let gz { gzclose(gz); self.gz = nil }
        if fd >= 0 { sysClose(fd); fd = -1 }
    }
}

/// Byte-level text helpers shared by the XML readers.
enum XMLText {
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }

    /// The bytes without leading and trailing XML white space.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0, end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }

    /// Trimmed text with each run of white space (new lines included) made one space.
    static func collapsed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let t = trimmed(bytes)
        guard let base = t.baseAddress, t.count > 0 else { return "" }
        var needsWork = false
        var i = 0
        let n = t.count
        while i < n {
            let b = base[i]
            // A space is fine unless another follows; any other white space needs work.
            if b <= 0x20 && (b != 0x20 || base[i + 1] == 0x20 || base[i + 1] < 0x20) && isSpace(b) { needsWork = true; break }
            i += 1
        }
        if !needsWork { return String(decoding: t, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        var previousSpace = false
        for b in t {
            if isSpace(b) {
                if !previousSpace { out.append(0x20) }
                previousSpace = true
            } else {
                out.append(b)
                previousSpace = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An attribute value as SAX2 hands it over without entity substitution:
    /// an `&` written as `&amp;` (or `&#38;`) arrives as the five characters
    /// `&#38;`; every other reference is already replaced.
    static func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return collapsed(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let amp: [UInt8] = Array("&#38;".utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&"), i + 5 <= bytes.count, bytes[i..<(i + 5)].elementsEqual(amp) {
                out.append(UInt8(ascii: "&"))
                i += 5
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out.withUnsafeBufferPointer { collapsed($0) }
    }

    /// libxml2's message with each "line N" it quotes moved by `offset`
    /// (a piece's lines are the file's lines less the offset).
    static func shiftingLines(_ message: String, by offset: Int) -> String {
        var out = ""
        var rest = Substring(message)
        while let r = rest.range(of: "line ") {
            out += rest[..<r.upperBound]
            rest = rest[r.upperBound...]
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            if let n = Int(digits) {
                out += String(n + offset)
                rest = rest.dropFirst(digits.count)
            }
        }
        return out + rest
    }

    /// libxml2's message, with what was expected for the common cases.
    static func explain(_ message: String, code: Int32) -> String {
        switch code {
        case Int32(XML_ERR_INVALID_CHAR.rawValue), Int32(XML_ERR_INVALID_ENCODING.rawValue):
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            return "\(firstLine) (expected UTF-8 text, or an encoding named in the XML declaration)"
        case Int32(XML_ERR_DOCUMENT_END.rawValue), Int32(XML_ERR_DOCUMENT_EMPTY.rawValue):
            return "\(message) (expected one root element and nothing after it)"
        default:
            if message.hasPrefix("Premature end of data") || message.hasPrefix("EndTag") || message.contains("not finished") {
                return "\(message) (the file is cut short: expected the closing tags)"
            }
            return message.replacingNewlines()
        }
    }
}

@inline(__always) private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

@inline(__always) private func sysClose(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}

private extension String {
    func replacingNewlines() -> String {
        String(self.map { $0 == "\n" ? " " : $0 })
    }
}

extension XMLStream {
    /// The engine tried first: the scanner, unless `REDIST_XML_PARSER=libxml2`
    /// asks for libxml2 alone (to compare the two, or to rule the scanner
    /// out), or a task chose one (`$engineChosen.withValue`, for tests that
    /// read the same file both ways at once).
    static var preferredEngine: Engine { engineChosen ?? environmentEngine }

    @TaskLocal static var engineChosen: Engine? = nil

    private static let environmentEngine: Engine = {
        if let v = getenv("REDIST_XML_PARSER"), String(cString: v) == "libxml2" { return .libxml2 }
        return .scanner
    }()

    /// Reads one whole file into `sink` with `body`, which makes its handler
    /// on the stream it is given, runs it, and reports what it has to. The
    /// scanner reads first, through a window, straight into `sink`; if it
    /// declines the file part-way, libxml2 reads the file again from the
    /// start, and `sink` ignores as many of its calls as the scanner made:
    /// for what the scanner read, the two parsers hand the same events to
    /// the same handler, so those calls are the same ones (tests compare
    /// every record and finding of both ways). Nothing is held back, so
    /// memory stays flat however large the file.
    static func read(path: String, displayPath: String, into sink: RecordSink,
                     _ body: (XMLStream, RecordSink) throws -> Void) throws {
        if preferredEngine == .scanner {
            let before = sink.calls
            do {
                try body(try XMLStream(path: path, displayPath: displayPath, engine: .scanner), sink)
                return
            } catch is XMLScanner.Declined {
                sink.ignoreNext(sink.calls - before)
            }
        }
        try body(try XMLStream(path: path, displayPath: displayPath), sink)
    }
}

/// A few large byte buffers, reused (thread-safe).
final class BufferPool: @unchecked Sendable {
    private var free: [(UnsafeMutablePointer<UInt8>, Int)] = []
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Buffers kept at most (three pieces are in flight at once, and one is handed on).
    static let kept = 4

    init() {
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    /// A buffer of at least `capacity` bytes, and its capacity.
    func take(_ capacity: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let i = free.firstIndex(where: { $0.1 >= capacity }) { return free.remove(at: i) }
        // Whole megabytes, so that the next piece (a little larger or smaller) fits too.
        let rounded = (capacity + (1 << 20) - 1) & ~((1 << 20) - 1)
        return (.allocate(capacity: rounded), rounded)
    }

    func give(_ buffer: UnsafeMutablePointer<UInt8>, _ capacity: Int) {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if free.count < Self.kept { free.append((buffer, capacity)) } else { buffer.deallocate() }
    }
}
