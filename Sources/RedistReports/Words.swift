import RedistCore
import RedistModel

/// The facts a template needs to choose its words: the wording itself is in
/// `reports/templates/`, and these only say which words apply.
///
/// A count is `{n, zero, one, many, some}`, so a template writes
/// `{{#groups.zero}}no groups{{/groups.zero}}{{#groups.one}}1 group{{/groups.one}}{{#groups.many}}{{groups.n}} groups{{/groups.many}}`.
/// Every dictionary carries every key it can have, so a template never
/// picks up a value of the same name from further out by mistake.
enum Words {
    static func count(_ n: Int) -> [String: Any] {
        ["n": String(n), "zero": n == 0, "one": n == 1, "many": n > 1, "some": n > 0]
    }

    /// How many of the groups reached were reached for the first time, as
    /// exactly one of six cases (`reachedNone`, `oneNotNew`, `noneNew`,
    /// `oneNew`, `allNew`, `someNew`) for `phrase-newcomers.mustache`.
    static func newcomers(_ first: Int, of all: Int) -> [String: Any] {
        ["reachedNone": all == 0,
         "oneNotNew": all == 1 && first == 0,
         "noneNew": all > 1 && first == 0,
         "oneNew": all == 1 && first == 1,
         "allNew": all > 1 && first == all,
         "someNew": first > 0 && first < all,
         "first": String(first), "all": String(all)]
    }

    /// The headline share: in pence of the pound where the currency has
    /// them (`inPence`, `pence` "41p"), else as a percentage (`inPercent`),
    /// or `spentNothing`.
    static func headline(_ m: ScopeMeasures, _ say: Wording) -> [String: Any] {
        let pence = m.penceInThePound.flatMap(say.hundredths)
        return ["spentNothing": m.penceInThePound == nil, "inPence": pence != nil, "inPercent": m.penceInThePound != nil && pence == nil,
                "pence": pence ?? "", "rate": say.percent(m.rate)]
    }

    /// A share of a whole as the headline puts it.
    static func share(_ part: Int64, of whole: Int64, _ say: Wording) -> [String: Any] {
        guard whole > 0 else { return ["spentNothing": true, "inPence": false, "inPercent": false, "pence": "", "rate": "–"] }
        let hundredths = Rounding.scaledHalfUp(part, by: 100, whole)
        let pence = say.hundredths(hundredths)
        return ["spentNothing": false, "inPence": pence != nil, "inPercent": pence == nil, "pence": pence ?? "",
                "rate": say.percent(Rounding.ratio(part, whole, places: 4))]
    }

    /// A list for a sentence: each item knows whether it is the last, so a
    /// template can write `{{#items}}{{name}}{{^last}}, {{/last}}{{/items}}`.
    static func list(_ items: [[String: Any]]) -> [[String: Any]] {
        items.enumerated().map { i, item in
            var item = item
            item["first"] = i == 0
            item["last"] = i == items.count - 1
            return item
        }
    }
}
