import Foundation

/// Where a PostgreSQL warehouse is: `postgresql://user@host:port/database`,
/// optionally with `?schema=name` (the tables' schema, made if missing, so
/// several organisations can share one database) and `?sslmode=disable`,
/// `prefer` (the default) or `require`.
///
/// The password is never part of it: it comes from an environment variable
/// (`PGPASSWORD` unless the pipeline file's `[warehouse] password_env` names
/// another), so it is in no file, no process list and no message.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var schema: String?
    public var tls: TLSMode
    /// The environment variable the password is read from.
    public var passwordVariable: String

    public static let defaultPasswordVariable = "PGPASSWORD"

    /// True for a `postgresql://` (or `postgres://`) URL; anything else names a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Reads the URL; a mistake is an error saying what was expected.
    public init(url text: String, passwordVariable: String? = nil) throws(WarehouseLocationError) {
        func fail(_ why: String) -> WarehouseLocationError {
            WarehouseLocationError("\(why) (expected postgresql://user@host:port/database)")
        }
        guard Self.isURL(text), let c = URLComponents(string: text) else { throw fail("\"\(text)\" is not a PostgreSQL URL") }
        if c.password != nil {
            throw WarehouseLocationError("the warehouse URL holds a password: give it in the environment variable \(passwordVariable ?? Self.defaultPasswordVariable) instead, never in a file or on the command line")
        }
        guard let user = c.user, !user.isEmpty else { throw fail("the warehouse URL names no user") }
        guard let host = c.host, !host.isEmpty else { throw fail("the warehouse URL names no host") }
        let database = String(c.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw fail("the warehouse URL names no database") }
        self.user = user
        self.host = host
        self.port = c.port ?? 5432
        self.database = database
        self.schema = nil
        self.tls = .prefer
        self.passwordVariable = passwordVariable ?? Self.defaultPasswordVariable
        for item in c.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "schema":
                // Quoted into SQL, so only a plain identifier is taken.
                guard let first = value.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
                      value.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" }),
                      value.count <= 63 else {
                    throw WarehouseLocationError("schema \"\(value)\" in the warehouse URL is not a plain name (expected letters, digits and _)")
                }
                schema = value
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw WarehouseLocationError("sslmode \"\(value)\" in the warehouse URL is not known (expected disable, prefer or require)")
                }
                tls = mode
            default:
                throw WarehouseLocationError("\"\(item.name)\" in the warehouse URL is not known (expected schema or sslmode)")
            }
        }
    }

    /// The URL as given (it never holds a password).
    public var description: String {
        var query: [String] = []
        if let schema { query.append("schema=\(schema)") }
        if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
        return "postgresql://\(user)@\(host):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
}

/// A warehouse URL that cannot be used, said in words.
public struct WarehouseLocationError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
