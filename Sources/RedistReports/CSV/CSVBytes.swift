import Foundation
import RedistCore
import RedistModel

/// `CSVWriter`'s output, written field by field from bytes: for the large
/// files (a quarter's `transactions.csv` is tens of megabytes), where a
/// `String` per field and an array per row were most of the cost. Fields
/// are neutralised and quoted exactly as `CSVWriter` does.
struct CSVBytes {
    var bytes: [UInt8]
    private var fields = 0

    init(header: [String], reserve: Int = 0) {
        bytes = CSVWriter(header: header).bytes
        bytes.reserveCapacity(bytes.count + reserve)
    }

    private mutating func separator() {
        if fields > 0 { bytes.append(UInt8(ascii: ",")) }
        fields += 1
    }

    mutating func endRow() {
        bytes.append(0x0D)
        bytes.append(0x0A)
        fields = 0
    }

    /// Hands what is laid out so far to `sink` once it reaches `chunk`
    /// bytes, so a large file is written a piece at a time.
    mutating func spill(atLeast chunk: Int, to sink: ([UInt8]) throws -> Void) rethrows {
        guard bytes.count >= chunk else { return }
        try sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// A field, neutralised and quoted as needed.
    mutating func field(_ f: UnsafeBufferPointer<UInt8>) {
        separator()
        var needsQuotes = false
        for b in f where b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == 0x0A || b == 0x0D {
            needsQuotes = true
            break
        }
        let prefix = Self.needsApostrophe(f)
        if !needsQuotes {
            if prefix { bytes.append(UInt8(ascii: "'")) }
            bytes.append(contentsOf: f)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        if prefix { bytes.append(UInt8(ascii: "'")) }
        for b in f {
            if b == UInt8(ascii: "\"") { bytes.append(b) }
            bytes.append(b)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func field(_ s: String) {
        var s = s
        s.withUTF8 { field($0) }
    }

    mutating func field(_ f: [UInt8]) {
        f.withUnsafeBufferPointer { field($0) }
    }

    /// A field known to need neither quotes nor an apostrophe (dates, amounts, fixed words).
    mutating func plain(_ f: UnsafeBufferPointer<UInt8>) {
        separator()
        bytes.append(contentsOf: f)
    }

    mutating func plain(_ s: StaticString) {
        separator()
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `yyyy-mm-dd`, as `Day.description` (years 1 to 9999).
    mutating func date(_ d: Day) {
        separator()
        let y = d.year, m = d.month, day = d.day
        bytes.append(UInt8(48 + y / 1000 % 10))
        bytes.append(UInt8(48 + y / 100 % 10))
        bytes.append(UInt8(48 + y / 10 % 10))
        bytes.append(UInt8(48 + y % 10))
        bytes.append(UInt8(ascii: "-"))
        bytes.append(UInt8(48 + m / 10))
        bytes.append(UInt8(48 + m % 10))
        bytes.append(UInt8(ascii: "-"))
        bytes.append(UInt8(48 + day / 10))
        bytes.append(UInt8(48 + day % 10))
    }

    /// A non-negative amount as `MoneyFormat.decimal` writes it.
    mutating func amount(_ minorUnits: Int64, digits: Int) {
        if minorUnits < 0 {
            // Not expected here; keep `CSVWriter`'s treatment of a leading minus.
            field(MoneyFormat.decimal(minorUnits, digits: digits))
            return
        }
        separator()
        let magnitude = minorUnits.magnitude
        guard digits > 0 else { DecimalText.append(Int64(magnitude), to: &bytes); return }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        DecimalText.append(Int64(magnitude / scale), to: &bytes)
        bytes.append(UInt8(ascii: "."))
        let fraction = magnitude % scale
        var probe: UInt64 = 10, width = 1
        while probe <= fraction { probe *= 10; width += 1 }
        for _ in 0..<max(0, digits - width) { bytes.append(UInt8(ascii: "0")) }
        DecimalText.append(Int64(fraction), to: &bytes)
    }

    /// `file:line`.
    mutating func location(_ c: LedgerRowView, scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        c.withUTF8(.file) { scratch.append(contentsOf: $0) }
        appendLine(c, scratch: &scratch)
    }

    /// `file:line`, with the file as a funder's pack shows it (`PackPath`).
    mutating func packLocation(_ c: LedgerRowView, scratch: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        c.withUTF8(.file) { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: $0[PackPath.dropped($0)...])) }
        appendLine(c, scratch: &scratch)
    }

    private mutating func appendLine(_ c: LedgerRowView, scratch: inout [UInt8]) {
        scratch.append(UInt8(ascii: ":"))
        DecimalText.append(Int64(c.line), to: &scratch)
        field(scratch)
    }

    /// True when `CSVWriter.neutralised` would put `'` in front.
    static func needsApostrophe(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = f.first else { return false }
        let risky = first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D || first == 0x0A
        guard risky else { return false }
        var sawDigit = false, sawDot = false
        for (i, b) in f.enumerated() {
            if i == 0 && (b == UInt8(ascii: "-") || b == UInt8(ascii: "+")) { continue }
            if b >= 48 && b <= 57 { sawDigit = true; continue }
            if b == UInt8(ascii: ".") && !sawDot { sawDot = true; continue }
            return true
        }
        return !sawDigit
    }
}

/// A file written a piece at a time under a temporary name and renamed into
/// place at the end, as `OutputFile.write` does with a whole array: a failed
/// run never leaves half a file, and memory holds one piece, not the file.
final class ChunkedOutputFile {
    let path: String
    private let temporary: String
    private var fd: Int32

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        try OutputFile.makeDirectory(url.deletingLastPathComponent().path)
        temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Self.error(path) }
    }

    deinit {
        if fd >= 0 {
            close(fd)
            unlink(temporary)
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try OutputFile.writeAll(bytes, fd: fd, path: path)
    }

    /// Closes the file and renames it into place.
    func commit() throws {
        let status = close(fd)
        fd = -1
        guard status == 0, rename(temporary, path) == 0 else {
            let e = Self.error(path)
            unlink(temporary)
            throw e
        }
    }

    static func error(_ path: String) -> Error { OutputFile.error(path) }
}
