import RedistModel

/// What a source is to the organisation; it decides how its records are used.
public enum SourceRole: String, Sendable, CaseIterable {
    case ledger
    case grantsIn = "grants-in"
    case grantsOut = "grants-out"
    case bank
    case members
}

/// Everything a reader is told about its source by the pipeline file.
public struct ReaderConfiguration: Sendable {
    public var sourceName: String
    public var role: SourceRole
    /// `[source.columns]`: field name to column header.
    public var columns: [String: String]
    /// `[source.options]`, as text.
    public var options: [String: String]
    /// The organisation's own identifier, to tell its grants from others'.
    public var organisationId: String
    /// The currency of amounts whose file does not say.
    public var currency: Currency

    public init(sourceName: String, role: SourceRole, columns: [String: String] = [:], options: [String: String] = [:],
                organisationId: String = "", currency: Currency = .gbp) {
        self.sourceName = sourceName
        self.role = role
        self.columns = columns
        self.options = options
        self.organisationId = organisationId
        self.currency = currency
    }
}

/// A source format: reads one file and hands every record it understood to
/// the sink, reporting every row it could not use. Adding a format is one
/// type conforming to this protocol plus one line in `Readers.all`.
public protocol SourceReader {
    /// The `format` value in the pipeline file.
    static var format: String { get }
    /// The roles this format can serve.
    static var roles: [SourceRole] { get }
    /// Keys allowed in `[source.columns]`.
    static var columnKeys: [String] { get }
    /// Keys allowed in `[source.options]`.
    static var optionKeys: [String] { get }

    /// Checks the configuration; throws `ReaderConfigurationError` when it cannot work.
    init(_ configuration: ReaderConfiguration) throws

    /// True when the file's first kilobytes show it is in this format (its
    /// header row, root element or header lines), never from its name.
    static func claims(_ head: FileHead) -> Bool

    /// Reads the file at `path` (shown to people as `displayPath`).
    /// Throws `FileFailure` when the whole file cannot be read.
    func read(path: String, displayPath: String, into sink: RecordSink) throws
}

/// A pipeline-file mistake found by a reader (a column mapping that cannot work).
public struct ReaderConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A file that cannot be read at all: it is reported and counted, and the
/// run goes on with the other files.
public struct FileFailure: Error, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }
    public var description: String { "\(location): error: \(message)" }
}

/// The registry of every format, in one list.
public enum Readers {
    // Metatypes of stateless reader types, never mutated: safe to share.
    nonisolated(unsafe) public static let all: [any SourceReader.Type] = [
        MappedCSVReader.self,
        XeroReader.self,
        QuickBooksReader.self,
        ThreeSixtyGivingReader.self,
        OFXReader.self,
        QIFReader.self,
        SageReader.self,
        FreeAgentTransactionsReader.self,
    ] + xmlReaders + bankReaders

    public static func reader(for format: String) -> (any SourceReader.Type)? {
        all.first { $0.format == format }
    }

    public static var formats: [String] { all.map { $0.format } }
}
