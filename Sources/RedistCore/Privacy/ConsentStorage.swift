import RedistModel

extension ConsentScope {
    /// As the warehouse keeps it; an empty scope (a register read before
    /// scopes could be given) is `public`, as consent meant then, and text
    /// that does not parse names no one but the trustees.
    init(stored text: String) {
        self = text.isEmpty ? .public : ConsentScope(text: text) ?? .trustees
    }
}
