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

    /// True when the rule's description pattern finds a match in `text`.
    /// The only matcher evaluated outside SQL (`sql/classify.sql` has the
    /// rest, and the first-match order): regular expressions differ between
    /// engines, Foundation's is the one both warehouses use.
    public func matchesDescription(_ text: String) -> Bool {
        guard let description else { return true }
        return description.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}
