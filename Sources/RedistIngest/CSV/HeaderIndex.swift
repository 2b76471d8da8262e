import RedistModel

/// Finds columns in a header row by their titles: exact first, then ignoring
/// case and surrounding spaces (exports add a leading space to ` ID`).
public struct HeaderIndex {
    public let titles: [String]
    private let exact: [String: Int]
    private let folded: [String: Int]

    public init(_ record: borrowing CSVRecord) {
        var titles: [String] = []
        for i in 0..<record.count { titles.append(record.string(i)) }
        self.init(titles: titles)
    }

    public init(titles: [String]) {
        self.titles = titles
        var exact: [String: Int] = [:]
        var folded: [String: Int] = [:]
        for (i, t) in titles.enumerated() {
            if exact[t] == nil { exact[t] = i }
            let f = Self.fold(t)
            if folded[f] == nil { folded[f] = i }
        }
        self.exact = exact
        self.folded = folded
    }

    static func fold(_ s: String) -> String { String(s.trimmingSpaces).lowercased() }

    public func index(of title: String) -> Int? {
        exact[title] ?? folded[Self.fold(title)]
    }

    /// Indexes for required titles, or a failure that lists what is missing
    /// and what was found. For a missing column whose key the pipeline file
    /// maps (`mapped`), the failure says which `[source.columns]` key to change.
    public func require(_ wanted: [(key: String, title: String)], location: SourceLocation, mapped: Set<String> = []) throws -> [String: Int] {
        var result: [String: Int] = [:]
        var missing: [String] = []
        var keys: [String] = []
        for (key, title) in wanted {
            if let i = index(of: title) { result[key] = i } else {
                missing.append("\"\(title)\"")
                if mapped.contains(key) { keys.append("\(key) = \"\(title)\"") }
            }
        }
        if !missing.isEmpty {
            let found = titles.filter { !$0.isEmpty }.map { "\"\($0)\"" }.joined(separator: ", ")
            var advice = keys.isEmpty ? "" : "; change \(keys.joined(separator: ", ")) in [source.columns] to the header the file uses"
            // Not one column found: the first row is probably data, not a header.
            if !keys.isEmpty && result.isEmpty { advice += ", or, if the file has no header row, set header = \"none\" in [source.options] and map the columns by number" }
            throw FileFailure(location, "the header has no column \(missing.joined(separator: ", ")) (found: \(found))\(advice)")
        }
        return result
    }
}
