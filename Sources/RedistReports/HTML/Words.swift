import RedistCore
import RedistModel

/// The facts a template needs to choose its words: the wording itself is in
/// `reports/templates/`, and these only say which words apply.
///
/// View models are structs of stored properties: the templates read them
/// by name through `Mirror` (computed properties are not seen), sections
/// over arrays repeat, a `Bool` opens or skips a section, and a nested
/// struct opens a section on itself. An optional that is nil counts as no
/// property of that name: the template looks the name up further out, so
/// an optional is only for a name no view further out has; elsewhere a
/// property is always there (`false`, or an empty array).
enum Words {
    /// A count and its plural form: `{n, zero, one, many, some}`, so a template writes
    /// `{{#groups.zero}}no groups{{/groups.zero}}{{#groups.one}}1 group{{/groups.one}}{{#groups.many}}{{groups.n}} groups{{/groups.many}}`.
    struct Count {
        let n: String
        let zero: Bool, one: Bool, many: Bool, some: Bool
    }

    static func count(_ n: Int) -> Count {
        Count(n: String(n), zero: n == 0, one: n == 1, many: n > 1, some: n > 0)
    }

    /// How many of the groups reached were reached for the first time, as
    /// exactly one of six cases for `phrase-newcomers.mustache`.
    struct Newcomers {
        let reachedNone: Bool, oneNotNew: Bool, noneNew: Bool, oneNew: Bool, allNew: Bool, someNew: Bool
        let first: String, all: String

        /// The six cases' flags, in the order above.
        var cases: [Bool] { [reachedNone, oneNotNew, noneNew, oneNew, allNew, someNew] }
    }

    static func newcomers(_ first: Int, of all: Int) -> Newcomers {
        Newcomers(reachedNone: all == 0, oneNotNew: all == 1 && first == 0, noneNew: all > 1 && first == 0,
                  oneNew: all == 1 && first == 1, allNew: all > 1 && first == all, someNew: first > 0 && first < all,
                  first: String(first), all: String(all))
    }

    /// A share as the headline puts it: in pence of the pound where the
    /// currency has them (`inPence`, `pence` "41p"), else as a percentage
    /// (`inPercent`), or `spentNothing`.
    struct Share {
        let spentNothing: Bool, inPence: Bool, inPercent: Bool
        let pence: String, rate: String
    }

    /// The headline share of the measures' spending.
    static func headline(_ m: ScopeMeasures, _ say: Wording) -> Share {
        let pence = m.penceInThePound.flatMap(say.hundredths)
        return Share(spentNothing: m.penceInThePound == nil, inPence: pence != nil, inPercent: m.penceInThePound != nil && pence == nil,
                     pence: pence ?? "", rate: say.percent(m.rate))
    }

    /// A share of a whole as the headline puts it.
    static func share(_ part: Int64, of whole: Int64, _ say: Wording) -> Share {
        guard whole > 0 else { return Share(spentNothing: true, inPence: false, inPercent: false, pence: "", rate: "–") }
        let hundredths = Rounding.scaledHalfUp(part, by: 100, whole)
        let pence = say.hundredths(hundredths)
        return Share(spentNothing: false, inPence: pence != nil, inPercent: pence == nil, pence: pence ?? "",
                     rate: say.percent(Rounding.ratio(part, whole, places: 4)))
    }

    /// A list for a sentence: each item knows whether it is the first and
    /// the last, so a template can write `{{#items}}{{name}}{{^last}}, {{/last}}{{/items}}`.
    static func list<Item: ListItem>(_ items: [Item]) -> [Item] {
        items.enumerated().map { i, item in
            var item = item
            item.first = i == 0
            item.last = i == items.count - 1
            return item
        }
    }
}

/// An item of a list a sentence runs through (`Words.list`).
protocol ListItem {
    var first: Bool { get set }
    var last: Bool { get set }
}
