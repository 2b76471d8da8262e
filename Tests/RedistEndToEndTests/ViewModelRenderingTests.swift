import Foundation
@testable import RedistReports
import Testing

/// The templates read typed view models (structs) through `Mirror` exactly
/// as they read dictionaries: sections over arrays, booleans, nested
/// structs, dotted names, and names looked up further out.
@Suite struct ViewModelRenderingTests {
    struct Item: ListItem { let name: String; var first = false, last = false }
    struct Inner { let label: String; let on: Bool }
    struct Model {
        let title: String
        let items: [Item]
        let none: [Item]
        let yes: Bool, no: Bool
        let inner: Inner
        let count: Words.Count
    }

    static let template = """
        {{title}}: {{#items}}{{name}}{{^last}}, {{/last}}{{/items}}{{^none}} (none){{/none}}\
        {{#yes}} yes{{/yes}}{{^no}} not no{{/no}}{{#no}} no{{/no}}\
        {{#inner}} {{label}}{{#on}} on{{/on}} in {{title}}{{/inner}} {{inner.label}}\
        {{#count.many}} {{count.n}} items{{/count.many}}{{#count.one}} 1 item{{/count.one}}
        """

    func render(_ model: Any) throws -> String {
        let dir = temporaryDirectory()
        try Self.template.write(toFile: dir + "/phrase-span.mustache", atomically: true, encoding: .utf8)
        return try Templates.load(directory: dir).render(model, template: "phrase-span")
    }

    @Test func aStructRendersAsItsDictionaryDoes() throws {
        let typed = Model(title: "T&C", items: Words.list([Item(name: "a"), Item(name: "b")]), none: [], yes: true, no: false,
                          inner: Inner(label: "in", on: true), count: Words.count(2))
        let dictionary: [String: Any] = [
            "title": "T&C", "items": [["name": "a", "first": true, "last": false], ["name": "b", "first": false, "last": true]], "none": [[String: Any]](), "yes": true, "no": false,
            "inner": ["label": "in", "on": true], "count": ["n": "2", "zero": false, "one": false, "many": true, "some": true],
        ]
        let expected = "T&amp;C: a, b (none) yes not no in on in T&amp;C in 2 items"
        #expect(try render(typed) == expected)
        #expect(try render(dictionary) == expected)
    }

    @Test func listItemsKnowTheirPlace() {
        let items = Words.list([Item(name: "a"), Item(name: "b"), Item(name: "c")])
        #expect(items.map(\.first) == [true, false, false])
        #expect(items.map(\.last) == [false, false, true])
    }
}
