import Foundation
import RedistModel

/// One classification rule from the pipeline file. Rules are tried in
/// order and the first whose every matcher agrees gives the category.
public struct Rule: @unchecked Sendable {
    public enum Direction: String, Sendable { case `in`, out }

    public var number: Int
    public var line: Int
    public var account: AccountMatcher?
    public var funds: [String]?
    /// Lower-cased counterparty names or identifiers.
    public var counterparties: [String]?
    public var description: NSRegularExpression?
    public var direction: Direction?
    public var sources: [String]?
    public var category: Category
    /// `individual` marks the counterparties it matches as people: never named.
    public var counterpartyKind: OrganisationRole?

    var matcherCount: Int {
        [account != nil, funds != nil, counterparties != nil, description != nil, direction != nil, sources != nil].filter { $0 }.count
    }

    /// True when every matcher the rule has agrees with the movement.
    public func matches(_ m: Movement, source: String) -> Bool {
        if let direction {
            if direction == .in && m.amount.minorUnits < 0 { return false }
            if direction == .out && m.amount.minorUnits >= 0 { return false }
        }
        if let account, !account.matches(m.account) { return false }
        if let funds, !funds.contains(m.fund) { return false }
        if let sources, !sources.contains(source) { return false }
        if let counterparties {
            let name = m.counterparty.lowercased(), id = m.counterpartyId.lowercased()
            if !counterparties.contains(where: { $0 == name || (!id.isEmpty && $0 == id) }) { return false }
        }
        if let description {
            let text = m.description
            if description.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil { return false }
        }
        return true
    }
}

/// Gives every movement exactly one category: the first matching rule's,
/// or `unclassified`. Which rule matched is kept for the audit trail.
public struct Classifier: Sendable {
    public let rules: [Rule]
    public init(rules: [Rule]) { self.rules = rules }

    public func classify(_ m: Movement, source: String) -> (category: Category, rule: Rule?) {
        for rule in rules where rule.matches(m, source: source) { return (rule.category, rule) }
        return (.unclassified, nil)
    }
}
