#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RedistModel

/// How a CSV file's bytes are to be read as text.
public enum TextEncoding: String, Sendable {
    /// UTF-8 when the opening megabyte is valid UTF-8, else Windows-1252.
    case auto
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
}

/// One field of the record being scanned: byte offsets into the scanner's buffer.
public struct CSVField: Sendable {
    public var start: Int
    public var end: Int
    var escapedQuotes: Bool
}

/// A byte-level RFC 4180 reader that streams a file through one reused
/// buffer: quoted fields with delimiters, doubled quotes and line breaks,
/// CRLF or LF, a UTF-8 byte-order mark, Windows-1252 converted to UTF-8.
/// Fields are byte ranges; nothing is turned into a `String` unless asked.
public final class CSVScanner {
    public let delimiter: UInt8
    public private(set) var encoding: TextEncoding
    /// Set when `auto` found bytes that are not UTF-8 and read the file as Windows-1252.
    public private(set) var detectedWindows1252 = false
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
        try scan(reading: { dest in
            let n = read(fd, dest.baseAddress, dest.count)
            return n < 0 ? 0 : n
        }, body)
    }

    /// Scans bytes held in memory, for tests and `inspect` of small inputs.
    public func scan(bytes: [UInt8], _ body: (borrowing CSVRecord) throws -> Bool) throws {
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
            bufferIsUTF8 = encoding == .windows1252
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
            if buffer.count - filled < staging.count * 3 + 4 {
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
            var start = 0
            if first {
                first = false
                if n >= 3 && staging[0] == 0xEF && staging[1] == 0xBB && staging[2] == 0xBF { start = 3 }
                if encoding == .auto {
                    let valid = Self.isValidUTF8(UnsafeRawBufferPointer(rebasing: staging[start..<n]), allowTruncatedEnd: n == staging.count)
                    encoding = valid ? .utf8 : .windows1252
                    detectedWindows1252 = !valid
                }
            }
            if encoding == .windows1252 {
                filled += Windows1252.transcode(UnsafeRawBufferPointer(rebasing: staging[start..<n]),
                                                into: buffer.baseAddress! + filled)
            } else {
                (buffer.baseAddress! + filled).copyMemory(from: staging.baseAddress! + start, byteCount: n - start)
                filled += n - start
            }
        }

        refill()
        // Locals, not properties: the loop below runs per field, and a class
        // property's every use is checked for exclusive access.
        var fields = FieldList()
        defer { fields.free() }
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
            scanning: while true {
                escaped = false
                if i < filled && base[i] == quote {
                    // A quoted field: find the closing quote, counting line breaks inside.
                    quoted = true
                    i += 1
                    while true {
                        i = SWAR.find(base, from: i, to: filled, quote, lf)
                        if i >= filled { break scanning }
                        if base[i] == lf { newlines += 1; i += 1; continue }
                        // Need to see the next byte, unless the file ends here and this quote closes the field.
                        if i + 1 >= filled && !eof { break scanning }
                        if i + 1 < filled && base[i + 1] == quote { escaped = true; i += 2; continue }
                        i += 1
                        break
                    }
                    quoted = false
                }
                i = SWAR.find(base, from: i, to: filled, delimiter, lf, cr)
                if i >= filled { break scanning }
                let b = base[i]
                if b == delimiter {
                    fields.append(Self.field(base, fieldStart, i, escaped))
                    i += 1
                    fieldStart = i
                    continue
                }
                // A line break ends the record.
                if b == cr {
                    if i + 1 >= filled && !eof { break scanning }
                    fields.append(Self.field(base, fieldStart, i, escaped))
                    recordEnd = i
                    i += (i + 1 < filled && base[i + 1] == lf) ? 2 : 1
                } else {
                    fields.append(Self.field(base, fieldStart, i, escaped))
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
                fields.append(Self.field(base, fieldStart, filled, escaped))
                recordEnd = filled
                i = filled
            }
            // Unescape doubled quotes in place, now that the record is whole.
            for k in 0..<fields.count where fields[k].escapedQuotes {
                var w = fields[k].start
                var r = fields[k].start
                while r < fields[k].end {
                    base[w] = base[r]
                    r += (base[r] == quote && r + 1 < fields[k].end && base[r + 1] == quote) ? 2 : 1
                    w += 1
                }
                fields[k].end = w
            }
            let blank = fields.count == 1 && fields[0].start == fields[0].end
            if !blank {
                let keepGoing = try fields.withBuffer { f in
                    try body(CSVRecord(base: UnsafeRawPointer(base), fields: f, line: line,
                                       recordStart: position, recordEnd: recordEnd, isUTF8: bufferIsUTF8))
                }
                if !keepGoing { return }
            }
            line += newlines
            position = i
        }
    }

    @inline(__always)
    private static func field(_ base: UnsafeMutablePointer<UInt8>, _ start: Int, _ end: Int, _ escaped: Bool) -> CSVField {
        // Strip the surrounding quotes of a quoted field.
        if end - start >= 2 && base[start] == UInt8(ascii: "\"") {
            var close = end - 1
            while close > start && base[close] != UInt8(ascii: "\"") { close -= 1 }
            if close > start { return CSVField(start: start + 1, end: close, escapedQuotes: escaped) }
        }
        return CSVField(start: start, end: end, escapedQuotes: false)
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
            let length: Int
            if b & 0xE0 == 0xC0 && b >= 0xC2 { length = 2 }
            else if b & 0xF0 == 0xE0 { length = 3 }
            else if b & 0xF8 == 0xF0 && b <= 0xF4 { length = 4 }
            else { return false }
            if i + length > n { return allowTruncatedEnd }
            for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
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
        let target = index < fields.count ? fields[index].start : recordEnd
        var line = self.line
        var lineStart = recordStart
        var i = recordStart
        let p = base.assumingMemoryBound(to: UInt8.self)
        while i < target {
            if p[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
            i += 1
        }
        var column = target - lineStart + 1
        if index < fields.count && target > recordStart && p[target - 1] == UInt8(ascii: "\"") { column -= 1 }
        return (line, column)
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
