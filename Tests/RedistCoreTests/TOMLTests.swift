@testable import RedistCore
import Testing

@Suite("TOML")
struct TOMLTests {
    func parse(_ text: String) throws -> TOML.Table { try TOML.parse(text) }

    func string(_ node: TOML.Node?) -> String? { if case .string(let s) = node?.value { s } else { nil } }
    func integer(_ node: TOML.Node?) -> Int? { if case .integer(let n) = node?.value { n } else { nil } }
    func bool(_ node: TOML.Node?) -> Bool? { if case .bool(let b) = node?.value { b } else { nil } }
    func table(_ node: TOML.Node?) -> TOML.Table? { if case .table(let t) = node?.value { t } else { nil } }
    func array(_ node: TOML.Node?) -> [TOML.Node]? { if case .array(let a) = node?.value { a } else { nil } }

    /// The parse error's `line:column: message`, or nil when the text parses.
    func error(_ text: String) -> String? {
        do {
            _ = try TOML.parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func valuesOfEveryKindWithTheirLines() throws {
        let root = try parse("""
        # a comment
        name = "Northfield"   # trailing comment
        literal = 'C:\\path\\no escapes'
        count = 1_000
        negative = -5
        on = true
        off = false
        list = ["a", 'b',
                "c",   # a comment inside
        ]
        inline = { code = "GEN", ringfenced = false }
        """)
        #expect(string(root["name"]) == "Northfield")
        #expect(root["name"]?.line == 2)
        #expect(string(root["literal"]) == "C:\\path\\no escapes")
        #expect(integer(root["count"]) == 1_000)
        #expect(integer(root["negative"]) == -5)
        #expect(bool(root["on"]) == true && bool(root["off"]) == false)
        #expect(array(root["list"])?.compactMap { string($0) } == ["a", "b", "c"])
        #expect(array(root["list"])?.map(\.line) == [8, 8, 9])
        #expect(root["inline"]?.line == 11)
        #expect(string(table(root["inline"])?["code"]) == "GEN")
        #expect(root.keys == ["name", "literal", "count", "negative", "on", "off", "list", "inline"])
    }

    @Test func stringEscapes() throws {
        let root = try parse(#"""
        a = "tab\there \"quoted\" back\\slash \u00e9 \U0001F600"
        b = """
        first
        second"""
        """#)
        #expect(string(root["a"]) == "tab\there \"quoted\" back\\slash é 😀")
        #expect(string(root["b"]) == "first\nsecond")
    }

    @Test func tablesAndArraysOfTables() throws {
        let root = try parse("""
        [organisation]
        id = "GB-CHC-1"

        [[source]]
        name = "one"
        [source.columns]
        date = "Date"

        [[source]]
        name = "two"
        [source.options]
        encoding = "auto"
        """)
        #expect(string(table(root["organisation"])?["id"]) == "GB-CHC-1")
        let sources = try #require(array(root["source"]))
        #expect(sources.count == 2)
        #expect(sources.map(\.line) == [4, 9])
        let first = try #require(table(sources[0]))
        #expect(string(first["name"]) == "one")
        #expect(string(table(first["columns"])?["date"]) == "Date")
        #expect(table(first["options"]) == nil)
        let second = try #require(table(sources[1]))
        #expect(string(table(second["options"])?["encoding"]) == "auto")
        #expect(table(second["options"])?.line == 11)
    }

    @Test func dottedKeysAndHeaders() throws {
        let root = try parse("""
        a.b.c = 1
        [x.y]
        z = 2
        [x]
        w = 3
        """)
        #expect(integer(table(table(root["a"])?["b"])?["c"]) == 1)
        #expect(integer(table(table(root["x"])?["y"])?["z"]) == 2)
        #expect(integer(table(root["x"])?["w"]) == 3)
    }

    @Test func crlfLinesAndAByteOrderMark() throws {
        let root = try parse("\u{FEFF}a = 1\r\nb = \"two\"\r\n\r\nc = true\r\n")
        #expect(integer(root["a"]) == 1)
        #expect(root["c"]?.line == 4)
    }

    @Test(arguments: [
        ("a = \"open\n", "1:10: a string is not closed (expected \")"),
        ("a = 'open\n", "1:10: a string is not closed (expected ')"),
        ("ok = 1\na = \"\"\"never closed\n", "3:1: a \"\"\" string is not closed"),
        ("a = 1\na = 2\n", "2:1: the key \"a\" is given twice"),
        ("[t]\n[t]\n", "2:1: the table [t] is given twice (first on line 1)"),
        ("a = 1\n[a]\n", "2:1: \"a\" is already an integer, not a table"),
        ("[a]\n[[a]]\n", "2:1: \"a\" is already defined as a table on line 1"),
        ("a = GBP\n", "1:5: \"GBP\" is not a value (strings need quotes: \"GBP\")"),
        ("a = 1.5\n", "1:5: \"1.5\" is not a value (strings need quotes: \"1.5\")"),
        ("a =\n", "1:4: expected a value"),
        ("a 1\n", "1:3: expected = after the key \"a\""),
        ("a = 1 b = 2\n", "1:7: expected the end of the line, found \"b\""),
        ("a = \"bad \\q escape\"\n", "1:12: \\q is not an escape TOML knows (use \\\\ for a backslash, or a 'literal string')"),
        ("a = \"\\u12\"\n", "1:8: a \\u escape needs 4 hex digits"),
        ("[t\n", "1:3: expected ] to close the table header"),
        ("[[t]\n", "1:5: expected ]] to close the array-of-tables header"),
        ("= 1\n", "1:1: expected a key (letters, digits, _ or -)"),
        ("a = [1, 2\nb = 3\n", "2:1: expected , or ] in an array"),
        ("a = { b = 1 c = 2 }\n", "1:13: expected , or } in an inline table"),
        ("a = { b = 1, b = 2 }\n", "1:18: the key \"b\" is given twice"),
        ("a = 1\n\n  b c = 2\n", "3:5: expected = after the key \"b\""),
    ])
    func mistakesNameTheirLineAndColumn(text: String, message: String) {
        #expect(error(text) == message)
    }
}
