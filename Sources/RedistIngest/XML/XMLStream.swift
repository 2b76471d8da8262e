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

/// What a format reader subclasses to receive the events of an `XMLStream`.
///
/// The handler keeps its own state machine; the stream gives it the element
/// stack (names, depth, line, element path) and collects the text of the
/// elements it asks for. A handler interns the names it compares when it is
/// made (`stream.intern("transaction")`), before `run`, and keeps them in
/// `let` properties.
///
/// A class rather than a protocol: libxml2's callbacks reach the handler
/// through an unmanaged reference and call it through the class's table,
/// with no retain and release per event (through a protocol existential
/// they were a third of an IATI read).
class XMLStreamHandler {
    /// An element starts; `stream.depth` already counts it.
    func startElement(_ stream: XMLStream, _ tag: XMLStartTag) {}
    /// An element ends; `stream.depth` still counts it and the text it asked
    /// for is available.
    func endElement(_ stream: XMLStream, _ name: XMLName) {}
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

    /// The raw bytes of the attribute with this interned local name, as
    /// libxml2 hands them over (not yet decoded: see
    /// `XMLText.appendAttributeValue`). Valid only during `startElement`.
    func attributeBytes(_ name: XMLName) -> UnsafeBufferPointer<UInt8>? {
        guard let attributes else { return nil }
        var i = 0
        while i < attributeCount {
            if attributes[i * 5] == name, let start = attributes[i * 5 + 3], let end = attributes[i * 5 + 4] {
                return UnsafeBufferPointer(start: start, count: end - start)
            }
            i += 1
        }
        return nil
    }
}

/// Drives libxml2's SAX2 parser over one file, plain or gzip-compressed,
/// in fixed-size chunks that libxml2 pulls through its read callback:
/// constant memory whatever the file's size, no document tree. It is the
/// only XML parser: a large file is read in one pass (parallelism comes
/// from reading different files at once). libxml2 is driven as `xmllint`
/// drives it (`xmlParseDocument` reading through a callback), not through
/// its push interface (`xmlParseChunk`), which looks ahead for the end of
/// every tag and text before parsing it: about a sixth more of libxml2's
/// work for the same events (bench/README.md).
///
/// The C callbacks capture nothing: they reach the stream through libxml2's
/// user-data pointer. The stream keeps the element stack (interned name
/// pointers and sibling ordinals, so it can name any element by a path such
/// as `/iati-activities/iati-activity[3]/transaction[2]/value`), collects text
/// only for the elements the handler asks for (handlers keep byte ranges and
/// make `String`s only of the fields a record keeps), and turns the first
/// fatal libxml2 error, or a failure the handler reports, into a
/// `FileFailure` naming the file, the line and the element path. The state
/// touched for every element lives behind one pointer, so the hot path pays
/// no exclusivity checks, retains or allocations.
///
/// Hostile input: the only parse option is `XML_PARSE_NONET` (never `NOENT`,
/// `DTDLOAD`, `DTDVALID`, `XINCLUDE` or `HUGE`), the process-wide external
/// entity loader refuses everything, and any DOCTYPE stops the parse with an
/// error before its internal subset is read, so no entity is ever declared,
/// loaded or expanded. libxml2's own limits bound names and attribute
/// values; the stream bounds nesting depth and the text it collects.
final class XMLStream {
    /// Bytes read from the file at a time (libxml2 takes them from this
    /// buffer a few thousand at a time through its read callback).
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
        /// Each open element's counts of its children by name.
        var siblings = XMLSiblings(maxDepth: XMLStream.maxDepth)
        // Text collection.
        var captureDepth = Int.max
        var text: UnsafeMutablePointer<UInt8>
        var textCount = 0
        var textCapacity = 4096
        /// How many leading entries of `pathPrefixes` are still the current
        /// element's ancestors' paths.
        var validPrefixes = 0
        /// The handler while `run` runs (it holds it).
        var handler: Unmanaged<XMLStreamHandler>?
        /// Set once the stream is made: the callbacks reach it from here.
        var stream: Unmanaged<XMLStream>?
        /// Set when the parse is stopped (a failure).
        var stopped = false

        init() {
            names = .allocate(capacity: XMLStream.maxDepth + 1)
            prefixes = .allocate(capacity: XMLStream.maxDepth + 1)
            ordinals = .allocate(capacity: XMLStream.maxDepth + 1)
            text = .allocate(capacity: textCapacity)
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
            siblings.deallocate()
            text.deallocate()
        }
    }

    let path: String
    let displayPath: String
    private(set) var failure: FileFailure?
    /// libxml2 warnings and recoverable errors (a bad namespace URI, …).
    private(set) var warnings: [Diagnostic] = []
    private var warningCount = 0

    fileprivate let hot: UnsafeMutablePointer<Hot>
    fileprivate let ctxt: xmlParserCtxtPtr
    private let input: XMLInputFile
    private let buffer: UnsafeMutablePointer<CChar>
    /// Bytes read into `buffer` before parsing, and how many of them libxml2 has.
    private var buffered = 0
    private var handedOver = 0
    /// Set when all bytes are in and libxml2 is told so.
    private var terminating = false
    /// Why the file could not be read to its end: libxml2 is told the file
    /// ended there, and the file fails with this once it has parsed the
    /// bytes it was given (so the line and path are where the bytes stop).
    private var readFailure: String?
    private var alwaysIndexed: [XMLName] = []
    /// The path of an open element, as bytes: `pathEnds[i]` is where the
    /// path of the open element at depth i + 1 ends in `pathBytes`, for the
    /// first `hot.validPrefixes` depths (records of one parent share them).
    private let pathBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: XMLStream.maxPathBytes)
    private let pathEnds = UnsafeMutablePointer<Int>.allocate(capacity: XMLStream.maxDepth + 1)
    /// The longest element path kept (deeper segments are cut off).
    static let maxPathBytes = 16 * 1024
    private var ran = false

    /// Opens the file and makes the parser (its first bytes tell libxml2 the
    /// encoding). Throws `FileFailure` when the file cannot be read, is
    /// empty, or is plainly not XML (a zip archive such as an .xlsx).
    init(path: String, displayPath: String) throws {
        _ = XMLStream.libraryReady
        self.path = path
        self.displayPath = displayPath
        input = try XMLInputFile(path: path, displayPath: displayPath)
        buffer = .allocate(capacity: Self.chunkSize)
        hot = .allocate(capacity: 1)
        hot.initialize(to: Hot())
        var made: xmlParserCtxtPtr? = nil
        do {
            buffered = try input.read(into: buffer, capacity: Self.chunkSize, line: 1, path: nil)
            if buffered == 0 {
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "the file is empty (expected an XML document)")
            }
            var sax = XMLStream.saxHandler
            // libxml2 hands the user data to every callback, and the I/O
            // context to every read: both are the hot state, which knows the stream.
            made = xmlCreateIOParserCtxt(&sax, UnsafeMutableRawPointer(hot), XMLStream.readBytes, nil,
                                         UnsafeMutableRawPointer(hot), XML_CHAR_ENCODING_NONE)
            if made == nil {
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "libxml2 could not create a parser (out of memory?)")
            }
        } catch {
            input.close()
            buffer.deallocate()
            hot.pointee.deallocate()
            hot.deinitialize(count: 1)
            hot.deallocate()
            pathBytes.deallocate()
            pathEnds.deallocate()
            throw error
        }
        ctxt = made!
        hot.pointee.stream = Unmanaged.passUnretained(self)
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue))
    }

    deinit {
        xmlFreeParserCtxt(ctxt)
        pathBytes.deallocate()
        pathEnds.deallocate()
        input.close()
        buffer.deallocate()
        hot.pointee.deallocate()
        hot.deinitialize(count: 1)
        hot.deallocate()
    }

    // MARK: For handlers

    /// The interned pointer for a name, to compare with the names libxml2 hands over.
    func intern(_ name: String) -> XMLName {
        guard let p = xmlDictLookup(ctxt.pointee.dict, name, -1) else { fatalError("xmlDictLookup failed: out of memory") }
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
    var line: Int { Int(ctxt.pointee.input?.pointee.line ?? 0) }

    /// True once the parse is stopped by a failure.
    var stopped: Bool { hot.pointee.stopped }

    /// The path of the current element, such as `/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]`.
    var elementPath: String { elementPath(depth: hot.pointee.depth) }

    /// The path of the open element at `depth`.
    func elementPath(depth: Int) -> String {
        let d = min(depth, hot.pointee.depth)
        if d == 0 { return "/" }
        return String(decoding: UnsafeBufferPointer(start: pathBytes, count: pathEnd(depth: d)), as: UTF8.self)
    }

    /// The current element's path as bytes (valid until the next path is
    /// asked for), for a handler that keeps byte ranges and makes the
    /// `String` only for a record. Empty at the root's level.
    func elementPathBytes() -> UnsafeBufferPointer<UInt8> {
        let d = hot.pointee.depth
        return UnsafeBufferPointer(start: pathBytes, count: d == 0 ? 0 : pathEnd(depth: d))
    }

    /// Lays out the path of the open element at depth `d` (1 or more) in
    /// `pathBytes`, reusing the ancestors' paths laid out before, and
    /// returns where it ends.
    private func pathEnd(depth d: Int) -> Int {
        let h = hot
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
        return pathEnds[d - 1]
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
        var held = 0
        if let input = ctxt.pointee.input, let base = input.pointee.base, let end = input.pointee.end { held += end - base }
        held += hot.pointee.textCapacity
        held += hot.pointee.siblings.bytesHeld
        return held
    }

    /// Comparisons and index probes made to count siblings so far (see `XMLSiblings`).
    var siblingProbes: Int { hot.pointee.siblings.probes }

    /// How many distinct names the parser's dictionary holds.
    var internedNames: Int { Int(xmlDictSize(ctxt.pointee.dict)) }

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
        handsOverText(true)
    }

    /// Stops collecting text.
    func endText() {
        hot.pointee.captureDepth = Int.max
        handsOverText(false)
    }

    /// Puts the text callbacks in libxml2's copy of the handler table, or
    /// takes them out: libxml2 hands text over only while the handler
    /// collects it (most text in these files is the indentation between
    /// elements, which libxml2 then skips without a call).
    private func handsOverText(_ on: Bool) {
        guard let sax = ctxt.pointee.sax else { return }
        let callback: charactersSAXFunc? = on ? Self.textCallback : nil
        sax.pointee.characters = callback
        sax.pointee.ignorableWhitespace = callback
        sax.pointee.cdataBlock = callback
    }

    /// The collected text, trimmed, with runs of white space made one space.
    var text: String { XMLText.collapsed(hot.pointee.collectedText) }

    /// The collected text's bytes as they are (see `XMLText.appendCollapsed`).
    var textBytes: UnsafeBufferPointer<UInt8> { hot.pointee.collectedText }

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
        xmlStopParser(ctxt)
    }

    // MARK: Running

    /// Parses the whole file, handing events to `handler`. Throws
    /// `FileFailure` when the file is not well-formed XML, contains a
    /// DOCTYPE, cannot be read to its end, or the handler gave up on it.
    /// A stream runs once.
    func run(_ handler: XMLStreamHandler) throws {
        precondition(!ran, "an XMLStream runs once")
        ran = true
        hot.pointee.handler = Unmanaged.passUnretained(handler)
        defer {
            hot.pointee.handler = nil
            withExtendedLifetime(handler) {}
        }
        xmlParseDocument(ctxt)
        if failure == nil, let readFailure { failure = FileFailure(location(), readFailure) }
        if let failure { throw failure }
        if ctxt.pointee.wellFormed == 0 {
            throw FileFailure(location(), "the file is not well-formed XML")
        }
    }

    /// Gives libxml2 up to `capacity` more bytes of the file (0 at its
    /// end). A read that fails fails the file here, and libxml2 is told the
    /// file ended (it must not be stopped from inside its own read): see
    /// `readFailure`.
    fileprivate func supply(_ out: UnsafeMutablePointer<CChar>, _ capacity: Int) -> Int {
        if failure != nil || terminating { return 0 }
        if handedOver == buffered {
            do {
                buffered = try input.read(into: buffer, capacity: Self.chunkSize, line: max(line, 1), path: elementPath)
            } catch let error as FileFailure {
                readFailure = error.message
                buffered = 0
            } catch {
                readFailure = "cannot read the file: \(error)"
                buffered = 0
            }
            handedOver = 0
            if buffered == 0 {
                terminating = true
                return 0
            }
        }
        let n = min(capacity, buffered - handedOver)
        out.update(from: buffer + handedOver, count: n)
        handedOver += n
        return n
    }

    // MARK: Callbacks (called from C through the user-data pointer)

    /// An element starts: the stack is kept and the handler told.
    @inline(__always)
    func didStart(_ name: XMLName, _ prefix: XMLName?, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, _ count: Int) {
        let h = hot
        guard let handler = h.pointee.handler else { return }
        // A start tag the failed read cut off (libxml2 reports it before
        // finding its `>` missing) is not an element: the file fails where
        // its bytes stop, in the element that holds it.
        if terminating && readFailure != nil && parsedEverything { return }
        let depth = h.pointee.depth
        if depth >= Self.maxDepth {
            fail("elements are nested more than \(Self.maxDepth) deep (expected a shallow document; deep nesting is a denial-of-service pattern)")
            return
        }
        // This element's ordinal among its same-named siblings.
        let ordinal = h.pointee.siblings.push(name, depth: depth)
        if h.pointee.validPrefixes > depth { h.pointee.validPrefixes = depth }
        h.pointee.names[depth] = name
        h.pointee.prefixes[depth] = prefix
        h.pointee.ordinals[depth] = ordinal
        h.pointee.depth = depth + 1
        let tag = XMLStartTag(name: name, prefix: prefix, attributes: attributes, attributeCount: count)
        handler._withUnsafeGuaranteedRef { $0.startElement(self, tag) }
    }

    @inline(__always)
    func didEnd(_ name: XMLName) {
        let h = hot
        guard let handler = h.pointee.handler, h.pointee.depth > 0 else { return }
        handler._withUnsafeGuaranteedRef { $0.endElement(self, name) }
        let depth = h.pointee.depth
        if h.pointee.captureDepth == depth {
            h.pointee.captureDepth = Int.max
            handsOverText(false)
        }
        h.pointee.depth = depth - 1
        h.pointee.siblings.pop(depth: depth)
    }

    /// Text: kept when the handler asked for it. Only the hot state is
    /// touched (the stream itself only for a failure).
    @inline(__always)
    fileprivate static func didReadText(_ h: UnsafeMutablePointer<Hot>, _ bytes: UnsafePointer<xmlChar>, _ length: Int) {
        guard h.pointee.depth >= h.pointee.captureDepth else { return }
        if h.pointee.textCount + length > Self.maxTextBytes {
            h.pointee.stream?._withUnsafeGuaranteedRef {
                $0.fail("the text of this element is longer than \(Self.maxTextBytes / (1024 * 1024)) MB (expected a short field)")
            }
            return
        }
        h.pointee.appendText(bytes, length)
    }

    fileprivate func didSeeDoctype() {
        fail("the file has a DOCTYPE declaration, which is refused: none of the formats read here uses one, "
             + "and a DTD can declare entities that read other files or expand without bound (expected the root element)")
    }

    /// The bytes libxml2 was given and has not parsed yet (nil when it has no input).
    private var unparsed: (cur: UnsafePointer<xmlChar>, end: UnsafePointer<xmlChar>)? {
        guard let input = ctxt.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end else { return nil }
        return (cur, end)
    }

    /// True when libxml2 has parsed every byte it was given.
    private var parsedEverything: Bool { unparsed.map { $0.cur >= $0.end } ?? true }

    /// True when libxml2 stopped at a NUL byte before the end of the bytes it was given.
    private var stoppedAtNUL: Bool { unparsed.map { $0.cur < $0.end && $0.cur.pointee == 0 } ?? false }

    fileprivate func didRaise(_ error: xmlError) {
        var message = error.message.map { String(cString: $0) } ?? "unknown XML error"
        while let last = message.last, last.isWhitespace { message.removeLast() }
        let errorLine = error.line > 0 ? Int(error.line) : line
        if error.level == XML_ERR_FATAL {
            if failure == nil, let readFailure {
                failure = FileFailure(location(), readFailure)
            } else if failure == nil {
                let where_ = SourceLocation(file: displayPath, line: errorLine, path: elementPath)
                let open = hot.pointee.depth
                if terminating && parsedEverything, let unclosed = XMLText.neverClosed(error.code) {
                    // libxml2 finds a comment, CDATA section or processing
                    // instruction never closed only where the file ends: the
                    // line it opens on is found by reading the file again.
                    let expected = "(expected \"\(unclosed.closing)\" where it ends, or the rest of a file that is cut short)"
                    if let opens = XMLInputFile.lineOfUnclosedOpening(unclosed.opening, closedBy: unclosed.closing, path: path, displayPath: displayPath) {
                        failure = FileFailure(SourceLocation(file: displayPath, line: opens, path: elementPath),
                                              "\(unclosed.what) that opens on this line is never closed: the file ends inside it, and everything after its \"\(unclosed.opening)\" was read as part of it \(expected)")
                    } else {
                        failure = FileFailure(where_, "the file ends inside \(unclosed.what) that is never closed: everything after its \"\(unclosed.opening)\" was read as part of it \(expected)")
                    }
                } else if terminating && open > 0 && parsedEverything {
                    // libxml2 says "Premature end of data" or "Extra content at the end of the document" when the input stops inside an element.
                    failure = FileFailure(where_, "the file is cut short: it ends inside <\(qualifiedName(depth: open))> with \(open) element\(open == 1 ? "" : "s") still open (expected the rest of the document and its closing tags)")
                } else if stoppedAtNUL {
                    // libxml2 reading through a callback takes a NUL byte for the end of its input: name the byte.
                    failure = FileFailure(where_, "not well-formed XML: \(XMLText.explain("Char 0x0 out of allowed range", code: Int32(XML_ERR_INVALID_CHAR.rawValue)))")
                } else {
                    failure = FileFailure(where_, "not well-formed XML: \(XMLText.explain(message, code: error.code))")
                }
            }
            return
        }
        warningCount += 1
        if warningCount <= 100 {
            warnings.append(Diagnostic(.warning, SourceLocation(file: displayPath, line: errorLine, path: elementPath),
                                       check: .xmlWarning, "XML: \(message)"))
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

    /// libxml2's read callback: the file's next bytes, from the stream behind the I/O context.
    private static let readBytes: xmlInputReadCallback = { context, out, length in
        guard let out, length > 0, let stream = XMLStream.callbackTarget(context) else { return 0 }
        return Int32(stream._withUnsafeGuaranteedRef { $0.supply(out, Int(length)) })
    }

    /// Text, CDATA and white space, while the handler collects text.
    private static let textCallback: charactersSAXFunc = { ctx, ch, len in
        guard let ch, len > 0, let ctx else { return }
        XMLStream.didReadText(ctx.assumingMemoryBound(to: Hot.self), ch, Int(len))
    }

    /// The SAX2 handler: only the callbacks the stream needs, all of them
    /// closures that capture nothing.
    private static var saxHandler: xmlSAXHandler {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, localname, prefix, _, _, _, nbAttributes, _, attributes in
            guard let localname, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream._withUnsafeGuaranteedRef { $0.didStart(localname, prefix, attributes, Int(nbAttributes)) }
        }
        sax.endElementNs = { ctx, localname, _, _ in
            guard let localname, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream._withUnsafeGuaranteedRef { $0.didEnd(localname) }
        }
        // The text callbacks are put in while the handler collects text (`handsOverText`).
        sax.internalSubset = { ctx, _, _, _ in
            XMLStream.callbackTarget(ctx)?._withUnsafeGuaranteedRef { $0.didSeeDoctype() }
        }
        sax.serror = { ctx, error in
            guard let error, let stream = XMLStream.callbackTarget(ctx) else { return }
            stream._withUnsafeGuaranteedRef { $0.didRaise(error.pointee) }
        }
        return sax
    }

    /// The stream behind a callback's user-data pointer (the hot state), unretained.
    @inline(__always)
    fileprivate static func callbackTarget(_ ctx: UnsafeMutableRawPointer?) -> Unmanaged<XMLStream>? {
        ctx?.assumingMemoryBound(to: Hot.self).pointee.stream
    }
}

/// The bytes of one input file, inflated when they start with the gzip
/// magic bytes `1f 8b` (whatever the file's name), with each lone CR made
/// an LF.
///
/// XML 1.0 (§2.11) reads CR LF and a lone CR each as one LF; libxml2 turns
/// both into LF but counts only LF in its line numbers, so a file with
/// lone-CR line ends (old Mac style) would be reported as one long line.
/// Making each lone CR an LF before libxml2 sees it changes nothing the
/// XML means and makes its line numbers right. CR LF is left alone (libxml2
/// counts it once). Not done for input whose first bytes are UTF-16,
/// UTF-32 or EBCDIC, where a 0x0D byte need not be a CR.
private final class XMLInputFile {
    private var fd: Int32
    private var gz: gzFile?
    private let displayPath: String
    let compressed: Bool
    /// nil until the first bytes are seen.
    private var translatesCR: Bool? = nil
    /// A CR that ended the last read, held back to see what follows it.
    private var heldCR = false

    init(path: String, displayPath: String) throws {
        self.displayPath = displayPath
        let opened = open(path, O_RDONLY)
        fd = opened
        guard opened >= 0 else {
            throw FileFailure(SourceLocation(file: displayPath, line: 1), "cannot open the file: \(String(cString: strerror(errno)))")
        }
        var magic: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(opened, $0.baseAddress, 4, 0) }
        // A zip's local file header or (empty archive) end record: what an .xlsx saved as .xml starts with.
        let isZip = n == 4 && magic.0 == 0x50 && magic.1 == 0x4B && ((magic.2 == 3 && magic.3 == 4) || (magic.2 == 5 && magic.3 == 6))
        if isZip {
            sysClose(opened)
            throw FileFailure(SourceLocation(file: displayPath, line: 1),
                              "the file is a zip archive, not XML: probably a spreadsheet (.xlsx or .ods) saved with an .xml name "
                              + "(expected an XML document: export the data as XML or CSV from the program that made it, and read that file)")
        }
        compressed = n >= 2 && magic.0 == 0x1f && magic.1 == 0x8b
        if compressed {
            gz = gzdopen(opened, "rb")
            guard gz != nil else {
                sysClose(opened)
                throw FileFailure(SourceLocation(file: displayPath, line: 1), "cannot read the gzip-compressed file")
            }
            fd = -1  // owned by zlib now
            gzbuffer(gz, 128 * 1024)
        }
    }

    /// Fills `buffer` with up to `capacity` (at least 2) bytes, lone CRs
    /// made LF; 0 at the end of the file. `line` and `path` say where the
    /// parser is, for the error.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int, line: Int, path: String?) throws -> Int {
        while true {
            var n = 0
            if heldCR {
                buffer[0] = 0x0D
                n = 1
                heldCR = false
            }
            let got = try readRaw(into: buffer + n, capacity: capacity - n, line: line, path: path)
            n += got
            if translatesCR == nil, n > 0 { translatesCR = Self.isByteOriented(buffer, n) }
            guard translatesCR == true, n > 0 else { return n }
            let bytes = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
            var from = 0
            while from < n, let hit = memchr(bytes + from, 0x0D, n - from) {
                let i = hit.assumingMemoryBound(to: UInt8.self) - bytes
                if i == n - 1 {
                    if got > 0 { heldCR = true; n -= 1 } else { bytes[i] = 0x0A }
                    break
                }
                if bytes[i + 1] != 0x0A { bytes[i] = 0x0A }
                from = i + 1
            }
            // A read of one CR alone is held back whole: read on rather than say the file ended.
            if n > 0 || got == 0 { return n }
        }
    }

    /// False for input that starts as UTF-16 or UTF-32 (a BOM or a zero
    /// byte among the first four) or EBCDIC (`<?xm` in code page 37).
    private static func isByteOriented(_ buffer: UnsafeMutablePointer<CChar>, _ n: Int) -> Bool {
        let b = UnsafeMutableRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
        if n >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE)) { return false }
        for i in 0..<min(n, 4) where b[i] == 0 { return false }
        if n >= 4 && b[0] == 0x4C && b[1] == 0x6F && b[2] == 0xA7 && b[3] == 0x94 { return false }
        return true
    }

    private func readRaw(into buffer: UnsafeMutablePointer<CChar>, capacity: Int, line: Int, path: String?) throws -> Int {
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
            let n = sysRead(fd, buffer, capacity)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FileFailure(SourceLocation(file: displayPath, line: line, path: path),
                              "cannot read the file: \(String(cString: strerror(errno)))")
        }
    }

    func close() {
        if let gz { gzclose(gz); self.gz = nil }
        if fd >= 0 { sysClose(fd); fd = -1 }
    }

    /// The line of the first `opening` after the last `closing` in the file
    /// (an opening's own bytes are never part of a closing): where a
    /// comment, CDATA section or processing instruction that is never closed
    /// opens. Only asked when libxml2 has reported one, so the file is read
    /// a second time only then; nil when none is found (text that is not
    /// ASCII-compatible, such as UTF-16) or the file cannot be read again.
    static func lineOfUnclosedOpening(_ opening: String, closedBy closing: String, path: String, displayPath: String) -> Int? {
        guard let file = try? XMLInputFile(path: path, displayPath: displayPath) else { return nil }
        defer { file.close() }
        let open = Array(opening.utf8), close = Array(closing.utf8)
        let capacity = 64 * 1024
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        // The last bytes read (as many as the longer pattern), to match both against.
        var window: [UInt8] = []
        let width = max(open.count, close.count)
        func windowEnds(with pattern: [UInt8]) -> Bool {
            window.count >= pattern.count && window.suffix(pattern.count).elementsEqual(pattern)
        }
        var line = 1
        var found: Int? = nil
        while let n = try? file.read(into: buffer, capacity: capacity, line: 0, path: nil), n > 0 {
            let bytes = UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self)
            for i in 0..<n {
                let b = bytes[i]
                if b == 0x0A { line += 1 }
                if window.count == width { window.removeFirst() }
                window.append(b)
                if windowEnds(with: open) {
                    if found == nil { found = line }
                    window.removeAll(keepingCapacity: true)
                } else if windowEnds(with: close) {
                    found = nil
                    window.removeAll(keepingCapacity: true)
                }
            }
        }
        return found
    }
}

/// A field's text, or an element path, as a run of bytes in the buffer of
/// the record being read: the readers that keep byte ranges (IATI,
/// GnuCash, camt.053) make a `String` of one only if a record keeps it.
struct XMLByteRange: Sendable, Equatable {
    var start = 0
    var end = 0
    var isEmpty: Bool { start == end }
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

    /// True when collapsing would leave the bytes as they are: no byte
    /// below 0x20 (tab, line end), no space at either end or beside
    /// another, and in an attribute no `&`.
    ///
    /// Each look takes a run of bytes and the same run one byte on (two
    /// spaces in a row are a space in both at the same place): sixteen at
    /// a time for a long field, eight for a short one, the last run
    /// overlapping the one before so that no byte is read past the end.
    static func isPlain(_ raw: UnsafeBufferPointer<UInt8>, attribute: Bool) -> Bool {
        guard let base = raw.baseAddress, raw.count > 0 else { return true }
        let n = raw.count
        if base[0] == 0x20 || base[n - 1] == 0x20 { return false }
        if n >= 17 {
            let space = SIMD16<UInt8>(repeating: 0x20), ampersand = SIMD16<UInt8>(repeating: 0x26)
            var i = 0
            while true {
                let at = min(i, n - 17)
                let here = UnsafeRawPointer(base + at).loadUnaligned(as: SIMD16<UInt8>.self)
                let next = UnsafeRawPointer(base + at + 1).loadUnaligned(as: SIMD16<UInt8>.self)
                var bad = (here .< space) .| (next .< space) .| ((here .== space) .& (next .== space))
                if attribute { bad = bad .| (here .== ampersand) .| (next .== ampersand) }
                if any(bad) { return false }
                if at == n - 17 { return true }
                i += 16
            }
        }
        if n >= 9 {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            /// Bit 7 of each byte of `w` that is zero, exactly.
            @inline(__always) func zeros(_ w: UInt64) -> UInt64 { ~(((w & lows) &+ lows) | w | lows) }
            @inline(__always) func bad(_ at: Int) -> Bool {
                let here = UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)
                let next = UnsafeRawPointer(base + at + 1).loadUnaligned(as: UInt64.self)
                // A byte below 0x20 (`hasless`: exact for whether there is one).
                if ((here &- 0x20 &* ones) & ~here | (next &- 0x20 &* ones) & ~next) & highs != 0 { return true }
                if zeros(here ^ (0x20 &* ones)) & zeros(next ^ (0x20 &* ones)) != 0 { return true }
                return attribute && (zeros(here ^ (0x26 &* ones)) | zeros(next ^ (0x26 &* ones))) != 0
            }
            return !bad(0) && !bad(n - 9)
        }
        var previousSpace = false
        for i in 0..<n {
            let b = base[i]
            let isSpace = b == 0x20
            if b < 0x20 || (isSpace && previousSpace) || (attribute && b == 0x26) { return false }
            previousSpace = isSpace
        }
        return true
    }

    /// Trimmed text with each run of white space (new lines included) made one space.
    static func collapsed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let t = trimmed(bytes)
        if isPlain(t, attribute: false) { return String(decoding: t, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(t.count)
        appendCollapsing(t, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends what `collapsed` would make a `String` of, as bytes.
    static func appendCollapsed(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let t = trimmed(bytes)
        if isPlain(t, attribute: false) { out.append(contentsOf: t); return }
        appendCollapsing(t, to: &out)
    }

    /// Appends trimmed text with each run of white space made one space.
    private static func appendCollapsing(_ t: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
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
    }

    /// Appends what `attributeValue` would make a `String` of, as bytes.
    static func appendAttributeValue(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        withAmpersandsDecoded(bytes) { appendCollapsed($0, to: &out) }
    }

    /// `body` on the bytes with each `&#38;` (an `&` as SAX2 hands it over in an attribute) made `&` again.
    static func withAmpersandsDecoded<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard bytes.contains(UInt8(ascii: "&")) else { return body(bytes) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        let amp: [UInt8] = Array("&#38;".utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&"), i + 5 <= bytes.count, bytes[i..<(i + 5)].elementsEqual(amp) {
                decoded.append(UInt8(ascii: "&"))
                i += 5
            } else {
                decoded.append(bytes[i])
                i += 1
            }
        }
        return decoded.withUnsafeBufferPointer(body)
    }

    /// `Currency(code:)` read from bytes, with GBP (nearly every file's) made no `String` of.
    static func currency(_ b: UnsafeBufferPointer<UInt8>) -> Currency? {
        if b.count == 3 && b[0] == 0x47 && b[1] == 0x42 && b[2] == 0x50 { return .gbp }
        return Currency(code: String(decoding: b, as: UTF8.self))
    }

    /// An attribute value as SAX2 hands it over without entity substitution:
    /// an `&` written as `&amp;` (or `&#38;`) arrives as the five characters
    /// `&#38;`; every other reference is already replaced.
    static func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        withAmpersandsDecoded(bytes) { collapsed($0) }
    }

    /// The construct libxml2 reports as never closed, by its error code.
    static func neverClosed(_ code: Int32) -> (what: String, opening: String, closing: String)? {
        switch code {
        case Int32(XML_ERR_COMMENT_NOT_FINISHED.rawValue): return ("a comment", "<!--", "-->")
        case Int32(XML_ERR_CDATA_NOT_FINISHED.rawValue): return ("a CDATA section", "<![CDATA[", "]]>")
        case Int32(XML_ERR_PI_NOT_FINISHED.rawValue): return ("a processing instruction", "<?", "?>")
        default: return nil
        }
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
            // (A CDATA section never closed is named by `neverClosed`.)
            if message.hasPrefix("Premature end of data") || message.hasPrefix("EndTag") {
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
