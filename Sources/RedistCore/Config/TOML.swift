/// A small TOML reader that keeps the line of every key, so the pipeline
/// file's mistakes can be named by line. It reads the part of TOML that
/// pipeline files use: tables, arrays of tables, strings, integers,
/// booleans, arrays and inline tables, with comments anywhere.
public enum TOML {
    public indirect enum Value {
        case string(String)
        case integer(Int)
        case bool(Bool)
        case array([Node])
        case table(Table)

        public var typeName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .bool: return "true or false"
            case .array: return "an array"
            case .table: return "a table"
            }
        }
    }

    public struct Node {
        public var value: Value
        public var line: Int
    }

    /// A table keeps its keys in the order written.
    public final class Table {
        public private(set) var keys: [String] = []
        public private(set) var nodes: [String: Node] = [:]
        public let line: Int
        /// True for tables made implicitly by a dotted header (`[a.b]` makes `a`).
        var implicit = false

        init(line: Int) { self.line = line }

        public subscript(key: String) -> Node? { nodes[key] }

        func set(_ key: String, _ node: Node) {
            if nodes[key] == nil { keys.append(key) }
            nodes[key] = node
        }
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var column: Int
        public var message: String
        public var description: String { "\(line):\(column): \(message)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> Table {
        var parser = Parser(Array(text.utf8))
        return try parser.document()
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var lineStart = 0

        init(_ bytes: [UInt8]) {
            var b = bytes
            if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
            self.bytes = b
        }

        var column: Int { i - lineStart + 1 }

        func fail(_ message: String) -> ParseError { ParseError(line: line, column: column, message: message) }

        var atEnd: Bool { i >= bytes.count }
        var peek: UInt8 { i < bytes.count ? bytes[i] : 0 }

        mutating func skipSpaces() {
            while !atEnd, peek == 0x20 || peek == 0x09 { i += 1 }
        }

        mutating func skipComment() {
            if peek == UInt8(ascii: "#") { while !atEnd, peek != 0x0A { i += 1 } }
        }

        mutating func newline() {
            if peek == 0x0D { i += 1 }
            if peek == 0x0A { i += 1; line += 1; lineStart = i }
        }

        /// Spaces, comments and newlines, as inside arrays.
        mutating func skipBlank() {
            while !atEnd {
                skipSpaces()
                skipComment()
                if peek == 0x0A || peek == 0x0D { newline() } else { break }
            }
        }

        mutating func endOfLine() throws(ParseError) {
            skipSpaces()
            skipComment()
            if atEnd { return }
            guard peek == 0x0A || peek == 0x0D else { throw fail("expected the end of the line, found \"\(String(decoding: [peek], as: UTF8.self))\"") }
            newline()
        }

        mutating func document() throws(ParseError) -> Table {
            let root = Table(line: 1)
            var current = root
            while true {
                skipBlank()
                if atEnd { return root }
                if peek == UInt8(ascii: "[") {
                    let headerLine = line
                    i += 1
                    let isArray = peek == UInt8(ascii: "[")
                    if isArray { i += 1 }
                    skipSpaces()
                    let path = try keyPath()
                    skipSpaces()
                    guard peek == UInt8(ascii: "]") else { throw fail("expected ] to close the table header") }
                    i += 1
                    if isArray {
                        guard peek == UInt8(ascii: "]") else { throw fail("expected ]] to close the array-of-tables header") }
                        i += 1
                    }
                    try endOfLine()
                    current = try openTable(root, path, isArray: isArray, line: headerLine)
                } else {
                    let keyLine = line
                    let path = try keyPath()
                    skipSpaces()
                    guard peek == UInt8(ascii: "=") else { throw fail("expected = after the key \"\(path.joined(separator: "."))\"") }
                    i += 1
                    skipSpaces()
                    let value = try self.value()
                    var table = current
                    for part in path.dropLast() {
                        if let existing = table[part] {
                            guard case .table(let t) = existing.value else { throw ParseError(line: keyLine, column: 1, message: "\"\(part)\" is already a value, not a table") }
                            table = t
                        } else {
                            let t = Table(line: keyLine)
                            table.set(part, Node(value: .table(t), line: keyLine))
                            table = t
                        }
                    }
                    let key = path.last!
                    if table[key] != nil { throw ParseError(line: keyLine, column: 1, message: "the key \"\(key)\" is given twice") }
                    table.set(key, Node(value: value, line: keyLine))
                    try endOfLine()
                }
            }
        }

        mutating func openTable(_ root: Table, _ path: [String], isArray: Bool, line headerLine: Int) throws(ParseError) -> Table {
            var table = root
            for (n, part) in path.enumerated() {
                let last = n == path.count - 1
                if last && isArray {
                    let t = Table(line: headerLine)
                    if let existing = table[part] {
                        guard case .array(var items) = existing.value else {
                            throw ParseError(line: headerLine, column: 1, message: "\"\(part)\" is already defined as \(existing.value.typeName) on line \(existing.line)")
                        }
                        items.append(Node(value: .table(t), line: headerLine))
                        table.set(part, Node(value: .array(items), line: existing.line))
                    } else {
                        table.set(part, Node(value: .array([Node(value: .table(t), line: headerLine)]), line: headerLine))
                    }
                    return t
                }
                if let existing = table[part] {
                    switch existing.value {
                    case .table(let t):
                        if last && !t.implicit { throw ParseError(line: headerLine, column: 1, message: "the table [\(path.joined(separator: "."))] is given twice (first on line \(existing.line))") }
                        if last { t.implicit = false }
                        table = t
                    case .array(let items):
                        guard let lastItem = items.last, case .table(let t) = lastItem.value else {
                            throw ParseError(line: headerLine, column: 1, message: "\"\(part)\" is an array of values, not tables")
                        }
                        table = t
                    default:
                        throw ParseError(line: headerLine, column: 1, message: "\"\(part)\" is already \(existing.value.typeName), not a table")
                    }
                } else {
                    let t = Table(line: headerLine)
                    t.implicit = !last
                    table.set(part, Node(value: .table(t), line: headerLine))
                    table = t
                }
            }
            return table
        }

        mutating func keyPath() throws(ParseError) -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                if peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "'") {
                    guard case .string(let s) = try value() else { throw fail("expected a key") }
                    parts.append(s)
                } else {
                    let start = i
                    while !atEnd, Self.isBareKey(peek) { i += 1 }
                    guard i > start else { throw fail("expected a key (letters, digits, _ or -)") }
                    parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                }
                skipSpaces()
                if peek == UInt8(ascii: ".") { i += 1; continue }
                return parts
            }
        }

        static func isBareKey(_ b: UInt8) -> Bool {
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
        }

        mutating func value() throws(ParseError) -> Value {
            let b = peek
            switch b {
            case UInt8(ascii: "\""):
                if bytes[i...].starts(with: Array("\"\"\"".utf8)) { return .string(try multilineBasic()) }
                i += 1
                var out: [UInt8] = []
                while true {
                    guard !atEnd, peek != 0x0A else { throw fail("a string is not closed (expected \")") }
                    let c = peek
                    i += 1
                    if c == UInt8(ascii: "\"") { break }
                    if c == UInt8(ascii: "\\") { try escape(into: &out) } else { out.append(c) }
                }
                return .string(String(decoding: out, as: UTF8.self))
            case UInt8(ascii: "'"):
                i += 1
                let start = i
                while !atEnd, peek != UInt8(ascii: "'") {
                    guard peek != 0x0A else { throw fail("a string is not closed (expected ')") }
                    i += 1
                }
                guard !atEnd else { throw fail("a string is not closed (expected ')") }
                let s = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 1
                return .string(s)
            case UInt8(ascii: "["):
                i += 1
                var items: [Node] = []
                while true {
                    skipBlank()
                    if peek == UInt8(ascii: "]") { i += 1; break }
                    let itemLine = line
                    items.append(Node(value: try value(), line: itemLine))
                    skipBlank()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    skipBlank()
                    guard peek == UInt8(ascii: "]") else { throw fail("expected , or ] in an array") }
                    i += 1
                    break
                }
                return .array(items)
            case UInt8(ascii: "{"):
                i += 1
                let t = Table(line: line)
                skipSpaces()
                if peek == UInt8(ascii: "}") { i += 1; return .table(t) }
                while true {
                    skipSpaces()
                    let keyLine = line
                    let path = try keyPath()
                    guard path.count == 1 else { throw fail("dotted keys are not supported inside { }") }
                    skipSpaces()
                    guard peek == UInt8(ascii: "=") else { throw fail("expected = in an inline table") }
                    i += 1
                    skipSpaces()
                    if t[path[0]] != nil { throw fail("the key \"\(path[0])\" is given twice") }
                    t.set(path[0], Node(value: try value(), line: keyLine))
                    skipSpaces()
                    if peek == UInt8(ascii: ",") { i += 1; continue }
                    guard peek == UInt8(ascii: "}") else { throw fail("expected , or } in an inline table") }
                    i += 1
                    return .table(t)
                }
            default:
                let start = i
                while !atEnd, peek != 0x0A, peek != 0x0D, peek != UInt8(ascii: ","), peek != UInt8(ascii: "]"),
                      peek != UInt8(ascii: "}"), peek != UInt8(ascii: "#"), peek != 0x20, peek != 0x09 { i += 1 }
                let word = String(decoding: bytes[start..<i], as: UTF8.self)
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                if let n = Int(word.replacingUnderscores) { return .integer(n) }
                i = start
                throw fail(word.isEmpty ? "expected a value" : "\"\(word)\" is not a value (strings need quotes: \"\(word)\")")
            }
        }

        mutating func multilineBasic() throws(ParseError) -> String {
            i += 3
            if peek == 0x0D { i += 1 }
            if peek == 0x0A { i += 1; line += 1; lineStart = i }
            var out: [UInt8] = []
            while true {
                guard !atEnd else { throw fail("a \"\"\" string is not closed") }
                if bytes[i...].starts(with: Array("\"\"\"".utf8)) { i += 3; break }
                let c = peek
                i += 1
                if c == 0x0A { line += 1; lineStart = i }
                if c == UInt8(ascii: "\\") { try escape(into: &out) } else { out.append(c) }
            }
            return String(decoding: out, as: UTF8.self)
        }

        mutating func escape(into out: inout [UInt8]) throws(ParseError) {
            let e = peek
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "u") ? 4 : 8
                guard i + n <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + n)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(v) else { throw fail("a \\u escape needs \(n) hex digits") }
                i += n
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("\\\(String(decoding: [e], as: UTF8.self)) is not an escape TOML knows (use \\\\ for a backslash, or a 'literal string')")
            }
        }
    }
}

extension String {
    var replacingUnderscores: String { String(self.filter { $0 != "_" }) }
}
