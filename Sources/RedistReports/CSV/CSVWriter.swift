import RedistModel

/// Writes RFC 4180 CSV for spreadsheet users: UTF-8 with a byte-order mark
/// (so Excel reads it as UTF-8), CRLF line ends, fields quoted when needed,
/// and text that a spreadsheet would run as a formula (starting with `=`,
/// `+`, `-`, `@`, tab, CR or LF) prefixed with `'` unless it is a number.
public struct CSVWriter {
    public private(set) var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
    private var lineEnd: [UInt8] = [0x0D, 0x0A]

    public init(header: [String]) {
        row(header)
    }

    /// For a pipe rather than a spreadsheet file (`redist inspect`): no
    /// byte-order mark and LF line ends; quoting and formula neutralising as
    /// for files, since the output may well be saved and opened in one.
    public init(streamingHeader header: [String]) {
        bytes = []
        lineEnd = [0x0A]
        row(header)
    }

    /// The bytes written so far, handed over and forgotten (for writing a
    /// long output as it goes).
    public mutating func take() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    /// Room for `count` more bytes, so a large file is not copied as it grows
    /// (room never written to costs no memory).
    public mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    public mutating func row(_ fields: [String]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            append(Self.neutralised(field))
        }
        bytes.append(contentsOf: lineEnd)
    }

    private mutating func append(_ field: String) {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes { bytes.append(contentsOf: field.utf8); return }
        bytes.append(UInt8(ascii: "\""))
        for b in field.utf8 {
            if b == UInt8(ascii: "\"") { bytes.append(b) }
            bytes.append(b)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The cell as it is safe to hand to a spreadsheet.
    public static func neutralised(_ field: String) -> String {
        guard let first = field.utf8.first else { return field }
        let risky = first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == 0x09 || first == 0x0D || first == 0x0A
        guard risky else { return field }
        if isPlainNumber(field) { return field }
        return "'" + field
    }

    /// `-12.50`, `+3`, `1234`: a number a spreadsheet reads as a number, not a formula.
    static func isPlainNumber(_ s: String) -> Bool {
        var sawDigit = false, sawDot = false
        for (i, b) in s.utf8.enumerated() {
            if i == 0 && (b == UInt8(ascii: "-") || b == UInt8(ascii: "+")) { continue }
            if b >= 48 && b <= 57 { sawDigit = true; continue }
            if b == UInt8(ascii: ".") && !sawDot { sawDot = true; continue }
            return false
        }
        return sawDigit
    }
}
