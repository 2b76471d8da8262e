#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedistModel

/// How a CSV file's bytes are to be read as text.
public enum TextEncoding: String, Sendable {
    /// Decided on the whole file before it is read: UTF-8 when it holds any
    /// valid UTF-8 multi-byte sequence (or no byte above 0x7F at all), its
    /// invalid bytes then being errors in their rows; Windows-1252 only when
    /// it has bytes above 0x7F and not one valid multi-byte sequence.
    case auto
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
}

/// One field of the record being scanned: byte offsets into the scanner's buffer.
public struct CSVField: Sendable {
    public var start: Int
    public var end: Int
    var escapedQuotes: Bool
    /// For a quoted field with text between its closing quote and the
    /// delimiter (`"210"000.00`): where that text ends; 0 when there is none.
    /// The text is kept, as Python's csv module keeps it (`210000.00`).
    var tailEnd: Int = 0
}

/// A byte-level RFC 4180 reader that streams a file through one reused
/// buffer: quoted fields with delimiters, doubled quotes and line breaks,
/// CRLF or LF, a UTF-8 byte-order mark, Windows-1252 converted to UTF-8.
/// Fields are byte ranges; nothing is turned into a `String` unless asked.
///
/// Valid RFC 4180 input gives the fields Python's `csv.reader` gives
/// (default dialect, file opened with `newline=""`), except that a line with
/// no bytes at all is no record (Python gives `[]`). Malformed quoting is
/// read as Python reads it, never dropping a byte, and is flagged:
/// - text after a closing quote is kept after the quoted text
///   (`"210"000.00` is `210000.00`, `"a" ,b` is `a `); the record then says
///   where (`CSVRecord.strayText`) so readers refuse the row rather than
///   trust a value the file did not clearly hold;
/// - a quote inside an unquoted field is an ordinary character (`ab"c`);
/// - a quoted field still open at the end of the file is an error
///   (`Failure.unterminatedQuote`), where Python would take the rest of the
///   file as the field.
public final class CSVScanner {
    public let delimiter: UInt8
    public private(set) var encoding: TextEncoding
    /// Set when `auto` found bytes that are not UTF-8 and read the file as Windows-1252.
    public private(set) var detectedWindows1252 = false
    /// True when the whole file was found to be valid UTF-8 before the scan,
    /// so no chunk needs checking again.
    private var knownValid = false
    /// Bytes read from the file (before any conversion).
    public private(set) var bytesRead = 0

    private var buffer: UnsafeMutableRawBufferPointer
    private var staging: UnsafeMutableRawBufferPointer
    private var filled = 0
    /// True when the buffer's bytes are known to be valid UTF-8 (checked
    /// once per chunk), so records need no check of their own.
    private var bufferIsUTF8 = false

    public init(delimiter: UInt8 = UInt8(ascii: ","), encoding: TextEncoding = .auto, chunkSize: Int = 1 << 20) {
        self.delimiter = delimiter
        self.encoding = encoding
        buffer = .allocate(byteCount: chunkSize * 4 + 16, alignment: 16)
        staging = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        staging.deallocate()
    }

    /// Why a file could not be scanned.
    public enum Failure: Error, CustomStringConvertible {
        case cannotOpen(String, String)
        case unterminatedQuote(line: Int)
        public var description: String {
            switch self {
            case .cannotOpen(let path, let why): return "cannot open \(path): \(why)"
            case .unterminatedQuote(let line): return "a quoted field that starts on line \(line) is never closed (expected a closing \")"
            }
        }
    }

    /// Reads the file at `path`, calling `body` for every record that is
    /// not a blank line. Returning false from `body` stops the scan.
    public func scan(path: String, _ body: (borrowing CSVRecord) throws -> Bool) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure.cannotOpen(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        knownValid = false
        if encoding == .auto {
            // The whole file first (a read from the page cache at memory speed), so that
            // a byte far into it decides the encoding as surely as one in its first line.
            var census = EncodingCensus()
            var carried = 0
            while !census.settled {
                let n = read(fd, staging.baseAddress! + carried, staging.count - carried)
                if n < 0 { throw Failure.cannotOpen(path, String(cString: strerror(errno))) }
                let p = UnsafePointer(staging.baseAddress!.assumingMemoryBound(to: UInt8.self))
                let used = census.add(p, carried + n, final: n == 0)
                if n == 0 { break }
                carried = carried + n - used
                if carried > 0 { staging.baseAddress!.copyMemory(from: staging.baseAddress! + used, byteCount: carried) }
            }
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw Failure.cannotOpen(path, String(cString: strerror(errno))) }
            decide(census)
        }
        try scan(reading: { dest in
            let n = read(fd, dest.baseAddress, dest.count)
            return n < 0 ? 0 : n
        }, body)
    }

    /// Scans bytes held in memory, for tests and `inspect` of small inputs.
    public func scan(bytes: [UInt8], _ body: (borrowing CSVRecord) throws -> Bool) throws {
        knownValid = false
        if encoding == .auto {
            var census = EncodingCensus()
            bytes.withUnsafeBufferPointer { b in
                if let p = b.baseAddress { _ = census.add(p, b.count, final: true) }
            }
            decide(census)
        }
        var offset = 0
        try scan(reading: { dest in
            let n = min(dest.count, bytes.count - offset)
            bytes.withUnsafeBytes { src in
                if n > 0 { dest.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n) }
            }
            offset += n
            return n
        }, body)
    }

    /// Sets the encoding from what the whole file holds (see `TextEncoding.auto`).
    private func decide(_ census: EncodingCensus) {
        if !census.sawMultibyte && census.sawInvalid {
            encoding = .windows1252
            detectedWindows1252 = true
        } else {
            encoding = .utf8
            knownValid = !census.sawInvalid
        }
    }

    private func scan(reading: (UnsafeMutableRawBufferPointer) -> Int, _ body: (borrowing CSVRecord) throws -> Bool) throws {
        filled = 0
        bytesRead = 0
        var position = 0
        var line = 1
        var eof = false
        var first = true

        func refill() {
            fill()
            // Valid UTF-8 up to the end of what is in the buffer (a sequence cut
            // off at the end is allowed while more of the file follows: the
            // record holding it is scanned again after the next read).
            bufferIsUTF8 = encoding == .windows1252 || knownValid
                || Self.isValidUTF8(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]), allowTruncatedEnd: !eof)
        }

        func fill() {
            // Keep the unfinished record, then append the next chunk.
            if position > 0 {
                let remaining = filled - position
                if remaining > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + position, byteCount: remaining) }
                filled = remaining
                position = 0
            }
            if buffer.count - filled < staging.count * 3 + 16 {  // room for a chunk transcoded, or a gathered byte-order mark
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
                buffer.deallocate()
                buffer = bigger
            }
            if encoding == .utf8 && !first {
                let n = reading(UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + staging.count)]))
                bytesRead += n
                filled += n
                if n == 0 { eof = true }
                return
            }
            let n = reading(staging)
            bytesRead += n
            if n == 0 { eof = true; return }
            var chunk = UnsafeRawBufferPointer(rebasing: staging[0..<n])
            // A byte-order mark is recognised however its bytes arrive (a pipe may hand over one at a time):
            // the first bytes are gathered, three at most, while they could still be one.
            var head: [UInt8] = []
            if first && n < 3 && Self.couldBeByteOrderMark(chunk) {
                head = Array(chunk)
                var more: [UInt8] = [0, 0, 0]
                while head.count < 3 && Self.couldBeByteOrderMark(head) {
                    let wanted = min(3 - head.count, staging.count)
                    let m = more.withUnsafeMutableBytes { reading(UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted])) }
                    if m == 0 { break }
                    bytesRead += m
                    head += more[0..<m]
                }
            }
            head.withUnsafeBytes { gathered in
                if !head.isEmpty { chunk = gathered }
                var start = 0
                if first {
                    first = false
                    if chunk.count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF { start = 3 }
                    if encoding == .auto {
                        let valid = Self.isValidUTF8(UnsafeRawBufferPointer(rebasing: chunk[start...]), allowTruncatedEnd: n == staging.count)
                        encoding = valid ? .utf8 : .windows1252
                        detectedWindows1252 = !valid
                    }
                }
                let body = UnsafeRawBufferPointer(rebasing: chunk[start...])
                if encoding == .windows1252 {
                    filled += Windows1252.transcode(body, into: buffer.baseAddress! + filled)
                } else if !body.isEmpty {
                    (buffer.baseAddress! + filled).copyMemory(from: body.baseAddress!, byteCount: body.count)
                    filled += body.count
                }
            }
        }

        refill()
        // Locals, not properties: the loop below runs per field, and a class
        // property's every use is checked for exclusive access.
        var fields = FieldList()
        defer { fields.free() }
        var positions = PositionList()
        defer { positions.free() }
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let delimiter = self.delimiter
        while true {
            if position >= filled {
                if eof { return }
                refill()
                continue
            }
            // Scan one record starting at `position`, a field at a time: the
            // bytes between structural ones (delimiter, line break, and inside
            // quotes the quote) are skipped eight at a time.
            fields.count = 0
            let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let filled = self.filled
            var i = position
            var newlines = 0
            var complete = false
            var quoted = false
            var recordEnd = i
            var fieldStart = i
            var escaped = false
            var closeAt = -1
            var needsFix = false
            scanning: while true {
                escaped = false
                closeAt = -1
                if i < filled && base[i] == quote {
                    // A quoted field: find the closing quote, counting line breaks inside.
                    quoted = true
                    i += 1
                    while true {
                        i = SWAR.find(base, from: i, to: filled, quote, lf, cr)
                        if i >= filled { break scanning }
                        if base[i] == lf { newlines += 1; i += 1; continue }
                        if base[i] == cr {
                            // CR LF is one line end (counted at its LF); a lone CR is one too.
                            if i + 1 >= filled && !eof { break scanning }
                            if i + 1 >= filled || base[i + 1] != lf { newlines += 1 }
                            i += 1
                            continue
                        }
                        // Need to see the next byte, unless the file ends here and this quote closes the field.
                        if i + 1 >= filled && !eof { break scanning }
                        if i + 1 < filled && base[i + 1] == quote { escaped = true; i += 2; continue }
                        closeAt = i
                        i += 1
                        break
                    }
                    quoted = false
                    // Nearly always the delimiter follows the closing quote.
                    if i < filled && base[i] == delimiter {
                        fields.append(Self.field(fieldStart, i, closeAt, escaped, &needsFix))
                        i += 1
                        fieldStart = i
                        continue
                    }
                }
                i = SWAR.find(base, from: i, to: filled, delimiter, lf, cr)
                if i >= filled { break scanning }
                let b = base[i]
                if b == delimiter {
                    fields.append(Self.field(fieldStart, i, closeAt, escaped, &needsFix))
                    i += 1
                    fieldStart = i
                    continue
                }
                // A line break ends the record.
                if b == cr {
                    if i + 1 >= filled && !eof { break scanning }
                    fields.append(Self.field(fieldStart, i, closeAt, escaped, &needsFix))
                    recordEnd = i
                    i += (i + 1 < filled && base[i + 1] == lf) ? 2 : 1
                } else {
                    fields.append(Self.field(fieldStart, i, closeAt, escaped, &needsFix))
                    recordEnd = i
                    i += 1
                }
                newlines += 1
                complete = true
                break scanning
            }
            if !complete {
                if !eof {
                    refill()
                    continue
                }
                if quoted { throw Failure.unterminatedQuote(line: line) }
                // The last record has no line break: everything left is its last field.
                fields.append(Self.field(fieldStart, filled, closeAt, escaped, &needsFix))
                recordEnd = filled
                i = filled
            }
            // The record's positions, worked out before its bytes are moved below.
            var stray: (field: Int, line: Int, column: Int)? = nil
            var positionsOf: UnsafePointer<Int>? = nil
            if needsFix {
                positions.reserve(fields.count * 2 + 2)
                let end = Self.position(base, recordStart: position, line: line, of: recordEnd, quoted: false)
                positions[2 * fields.count] = end.line
                positions[2 * fields.count + 1] = end.column
                for k in 0..<fields.count {
                    let p = Self.position(base, recordStart: position, line: line, of: fields[k].start, quoted: fields[k].start > position && base[fields[k].start - 1] == quote)
                    positions[2 * k] = p.line
                    positions[2 * k + 1] = p.column
                    if stray == nil && fields[k].tailEnd > 0 {
                        // Only text that is not spaces makes the value doubtful.
                        var t = fields[k].end + 1
                        while t < fields[k].tailEnd && (base[t] == 0x20 || base[t] == 0x09) { t += 1 }
                        if t < fields[k].tailEnd {
                            let q = Self.position(base, recordStart: position, line: line, of: t, quoted: false)
                            stray = (k, q.line, q.column)
                        }
                    }
                }
                positionsOf = UnsafePointer(positions.storage)
                // Unescape doubled quotes in place, now that the record is whole,
                // and join text after a closing quote to the quoted text.
                for k in 0..<fields.count where fields[k].escapedQuotes || fields[k].tailEnd > 0 {
                    var w = fields[k].start
                    var r = fields[k].start
                    while r < fields[k].end {
                        base[w] = base[r]
                        r += (fields[k].escapedQuotes && base[r] == quote && r + 1 < fields[k].end && base[r + 1] == quote) ? 2 : 1
                        w += 1
                    }
                    let last = max(fields[k].tailEnd, fields[k].end)
                    if fields[k].tailEnd > 0 {
                        r = fields[k].end + 1
                        while r < fields[k].tailEnd { base[w] = base[r]; r += 1; w += 1 }
                    }
                    fields[k].end = w
                    fields[k].tailEnd = 0
                    // What is left over is no field's: blanked, so no byte is read twice.
                    while w < last { base[w] = 0x20; w += 1 }
                }
            }
            if recordEnd > position {
                let keepGoing = try fields.withBuffer { f in
                    try body(CSVRecord(base: UnsafeRawPointer(base), fields: f, line: line,
                                       recordStart: position, recordEnd: recordEnd, isUTF8: bufferIsUTF8,
                                       positions: positionsOf, strayText: stray))
                }
                if !keepGoing { return }
            }
            line += newlines
            position = i
        }
    }

    /// A field from its bytes: a quoted one (`closeAt` is its closing quote)
    /// loses its quotes, keeping any text after the closing quote.
    @inline(__always)
    private static func field(_ start: Int, _ end: Int, _ closeAt: Int, _ escaped: Bool, _ needsFix: inout Bool) -> CSVField {
        guard closeAt >= 0 else { return CSVField(start: start, end: end, escapedQuotes: false) }
        if closeAt + 1 == end {
            if escaped { needsFix = true }
            return CSVField(start: start + 1, end: closeAt, escapedQuotes: escaped)
        }
        needsFix = true
        return CSVField(start: start + 1, end: closeAt, escapedQuotes: escaped, tailEnd: end)
    }

    /// The line and 1-based column (in bytes) of `target` in the record
    /// starting at `recordStart` on `line`; a quoted field's is its quote's.
    static func position(_ p: UnsafePointer<UInt8>, recordStart: Int, line: Int, of target: Int, quoted: Bool) -> (line: Int, column: Int) {
        var line = line
        var lineStart = recordStart
        var i = recordStart
        while i < target {
            // LF, CR LF and a lone CR each end one line.
            if p[i] == UInt8(ascii: "\n") || p[i] == UInt8(ascii: "\r") && (i + 1 >= target || p[i + 1] != UInt8(ascii: "\n")) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        return (line, target - lineStart + 1 - (quoted ? 1 : 0))
    }

    /// True when `bytes` are the start of a UTF-8 byte-order mark (EF BB BF).
    static func couldBeByteOrderMark<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        zip(bytes, [0xEF, 0xBB, 0xBF] as [UInt8]).allSatisfy { $0 == $1 } && bytes.count <= 3
    }

    /// True when the bytes are well-formed UTF-8. A sequence cut off at the
    /// very end is allowed when more of the file follows.
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer, allowTruncatedEnd: Bool) -> Bool {
        var i = 0
        let n = bytes.count
        guard let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
        while i < n {
            // Runs of ASCII eight bytes at a time.
            while i + 8 <= n && SWAR.load(p + i) & SWAR.highs == 0 { i += 8 }
            if i >= n { break }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            guard let length = UTF8Rules.sequenceLength(b) else { return false }
            if i + length > n { return allowTruncatedEnd }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            if !UTF8Rules.secondByteFits(b, p[i + 1]) { return false }
            i += length
        }
        return true
    }
}

/// The limits on a multi-byte sequence's second byte that rule out overlong
/// forms and UTF-16 surrogates (as `String(decoding:as:)` would repair them).
enum UTF8Rules {
    /// How many bytes the sequence led by `lead` (a byte of 0x80 or more) has; nil for a byte that leads none.
    @inline(__always)
    static func sequenceLength(_ lead: UInt8) -> Int? {
        if lead & 0xE0 == 0xC0 && lead >= 0xC2 { return 2 }
        if lead & 0xF0 == 0xE0 { return 3 }
        if lead & 0xF8 == 0xF0 && lead <= 0xF4 { return 4 }
        return nil
    }

    @inline(__always)
    static func secondByteFits(_ lead: UInt8, _ second: UInt8) -> Bool {
        switch lead {
        case 0xE0: return second >= 0xA0
        case 0xED: return second <= 0x9F
        case 0xF0: return second >= 0x90
        case 0xF4: return second <= 0x8F
        default: return true
        }
    }
}

/// What a file's bytes say about its encoding, gathered a chunk at a time:
/// whether it holds a valid UTF-8 multi-byte sequence, and whether it holds
/// a byte that is not part of valid UTF-8.
struct EncodingCensus {
    var sawMultibyte = false
    var sawInvalid = false

    /// Nothing more can change the decision (or what is known of the file).
    var settled: Bool { sawMultibyte && sawInvalid }

    /// Looks at `n` bytes; returns how many were looked at, which is fewer
    /// only when a sequence is cut off at the end and more is to come.
    mutating func add(_ p: UnsafePointer<UInt8>, _ n: Int, final: Bool) -> Int {
        var i = 0
        while i < n {
            while i + 8 <= n && SWAR.load(p + i) & SWAR.highs == 0 { i += 8 }
            if i >= n { break }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            guard let length = UTF8Rules.sequenceLength(b) else { sawInvalid = true; i += 1; continue }
            if i + length > n {
                if !final { return i }
                sawInvalid = true
                i += 1
                continue
            }
            var valid = UTF8Rules.secondByteFits(b, p[i + 1])
            for k in 1..<length where p[i + k] & 0xC0 != 0x80 { valid = false; break }
            if valid {
                sawMultibyte = true
                i += length
            } else {
                sawInvalid = true
                i += 1
            }
        }
        return n
    }
}

/// Word-at-a-time search: eight bytes compared with one to three wanted
/// bytes in a handful of integer operations, instead of a branch per byte.
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `w` that is zero; the lowest one is exact.
    @inline(__always) static func zeros(_ w: UInt64) -> UInt64 { (w &- ones) & ~w & highs }

    @inline(__always) static func load(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The first index in `from..<to` holding `a` or `b`, or `to`.
    @inline(__always)
    static func find(_ p: UnsafePointer<UInt8>, from: Int, to: Int, _ a: UInt8, _ b: UInt8) -> Int {
        let ma = ones &* UInt64(a), mb = ones &* UInt64(b)
        var i = from
        while i + 8 <= to {
            let w = load(p + i)
            let m = zeros(w ^ ma) | zeros(w ^ mb)
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < to && p[i] != a && p[i] != b { i += 1 }
        return i
    }

    /// The first index in `from..<to` holding `a`, `b` or `c`, or `to`.
    @inline(__always)
    static func find(_ p: UnsafePointer<UInt8>, from: Int, to: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        let ma = ones &* UInt64(a), mb = ones &* UInt64(b), mc = ones &* UInt64(c)
        var i = from
        while i + 8 <= to {
            let w = load(p + i)
            let m = zeros(w ^ ma) | zeros(w ^ mb) | zeros(w ^ mc)
            if m != 0 { return i + m.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < to && p[i] != a && p[i] != b && p[i] != c { i += 1 }
        return i
    }

    /// True when no byte in the range has its high bit set (plain ASCII).
    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        var acc: UInt64 = 0
        while i + 8 <= count { acc |= load(p + i); i += 8 }
        while i < count { acc |= UInt64(p[i]); i += 1 }
        return acc & highs == 0
    }
}

/// The fields of the record being scanned: a plain growable buffer, so
/// adding one is a store and an increment.
struct FieldList {
    private var storage = UnsafeMutablePointer<CSVField>.allocate(capacity: 64)
    private var capacity = 64
    var count = 0

    @inline(__always)
    mutating func append(_ field: CSVField) {
        if count == capacity { storage = movedToDoubled(storage, count: count, capacity: &capacity) }
        (storage + count).initialize(to: field)
        count += 1
    }

    subscript(i: Int) -> CSVField {
        get { storage[i] }
        nonmutating set { storage[i] = newValue }
    }

    func withBuffer<R>(_ body: (UnsafeBufferPointer<CSVField>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }

    func free() { storage.deallocate() }
}

/// Lines and columns of a record's fields, kept when its bytes are moved.
struct PositionList {
    private(set) var storage = UnsafeMutablePointer<Int>.allocate(capacity: 128)
    private var capacity = 128

    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        storage.deallocate()
        capacity = max(n, capacity * 2)
        storage = .allocate(capacity: capacity)
    }

    subscript(i: Int) -> Int {
        get { storage[i] }
        nonmutating set { storage[i] = newValue }
    }

    func free() { storage.deallocate() }
}

/// A record handed to the caller of `CSVScanner.scan`; valid only inside the call.
public struct CSVRecord: ~Copyable {
    let base: UnsafeRawPointer
    public let fields: UnsafeBufferPointer<CSVField>
    /// The line where the record starts (1-based).
    public let line: Int
    let recordStart: Int
    let recordEnd: Int
    /// True when the record's bytes are known to be valid UTF-8.
    let isUTF8: Bool
    /// Each field's line and column, as pairs, then the record end's, when
    /// the record's bytes were moved (doubled quotes, text after a closing
    /// quote); else nil and they are worked out from the bytes.
    let positions: UnsafePointer<Int>?
    /// The first field with text after its closing quote (`"210"000.00`),
    /// and where that text starts: such a value is not to be trusted.
    public let strayText: (field: Int, line: Int, column: Int)?

    public var count: Int { fields.count }

    /// The field's bytes, or an empty buffer when the record is shorter.
    @inline(__always)
    public func bytes(_ index: Int) -> UnsafeRawBufferPointer {
        guard index >= 0 && index < fields.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let f = fields[index]
        return UnsafeRawBufferPointer(start: base + f.start, count: f.end - f.start)
    }

    /// The field as text with surrounding spaces removed.
    public func string(_ index: Int) -> String {
        let b = bytes(index)
        var start = 0, end = b.count
        while start < end && (b[start] == 0x20 || b[start] == 0x09) { start += 1 }
        while end > start && (b[end - 1] == 0x20 || b[end - 1] == 0x09) { end -= 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }

    /// True when the field is absent or only spaces.
    public func isBlank(_ index: Int) -> Bool {
        let b = bytes(index)
        for byte in b where byte != 0x20 && byte != 0x09 { return false }
        return true
    }

    /// True when every field is blank (a row of empty cells, `,,,,`).
    public var allBlank: Bool {
        for i in 0..<fields.count where !isBlank(i) { return false }
        return true
    }

    /// The 1-based column (in bytes) where a field starts, and its line.
    public func position(of index: Int) -> (line: Int, column: Int) {
        if let positions { let k = min(index, fields.count); return (positions[2 * k], positions[2 * k + 1]) }
        let target = index < fields.count ? fields[index].start : recordEnd
        let p = base.assumingMemoryBound(to: UInt8.self)
        let quoted = index < fields.count && target > recordStart && p[target - 1] == UInt8(ascii: "\"")
        return CSVScanner.position(p, recordStart: recordStart, line: line, of: target, quoted: quoted)
    }
}

/// Windows-1252 to UTF-8.
enum Windows1252 {
    static let high: [UInt16] = [
        0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
        0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
    ]

    /// Writes the UTF-8 form of `source` at `dest` (room for 3× its length) and returns the byte count.
    static func transcode(_ source: UnsafeRawBufferPointer, into dest: UnsafeMutableRawPointer) -> Int {
        let out = dest.assumingMemoryBound(to: UInt8.self)
        var w = 0
        for b in source {
            if b < 0x80 { out[w] = b; w += 1; continue }
            let scalar: UInt32 = b < 0xA0 ? UInt32(high[Int(b) - 0x80]) : UInt32(b)
            if scalar < 0x800 {
                out[w] = UInt8(0xC0 | (scalar >> 6)); out[w + 1] = UInt8(0x80 | (scalar & 0x3F)); w += 2
            } else {
                out[w] = UInt8(0xE0 | (scalar >> 12)); out[w + 1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
                out[w + 2] = UInt8(0x80 | (scalar & 0x3F)); w += 3
            }
        }
        return w
    }
}

/// A manually managed buffer's elements moved into one of twice the
/// capacity, the old one freed: how `FieldList` and the XML pieces' record
/// buffer grow.
@inline(never)
func movedToDoubled<T>(_ base: UnsafeMutablePointer<T>, count: Int, capacity: inout Int) -> UnsafeMutablePointer<T> {
    let grown = UnsafeMutablePointer<T>.allocate(capacity: capacity * 2)
    grown.moveInitialize(from: base, count: count)
    base.deallocate()
    capacity *= 2
    return grown
}
