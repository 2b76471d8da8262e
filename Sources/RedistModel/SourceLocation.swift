/// Where a record or a problem is in a source file: a line and column for
/// CSV (the line where the record starts, counting newlines inside quotes),
/// a line and element path for XML.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?
    public var path: String?

    public init(file: String, line: Int, column: Int? = nil, path: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
    }

    /// `file:line:column` or `file:line` (with ` (path)` for XML).
    public var description: String {
        var text = "\(file):\(line)"
        if let column { text += ":\(column)" }
        if let path { text += " (\(path))" }
        return text
    }

    /// The location without the file, as the `location` column shows it.
    public var shortDescription: String {
        var text = "line \(line)"
        if let column { text += ", column \(column)" }
        if let path { text += ", \(path)" }
        return text
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column ?? 0) < (rhs.file, rhs.line, rhs.column ?? 0)
    }
}
