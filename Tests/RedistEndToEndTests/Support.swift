import Foundation
import RedistModel
import RedistPipeline
import RedistReports
import Testing

/// Paths inside the repository, found from this file.
enum Repo {
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static var examplePipeline: String { root + "/pipelines/example.toml" }
    static var templates: String { root + "/reports/templates" }
    static var golden: String { root + "/Tests/RedistEndToEndTests/Golden" }
    static var expected: String { root + "/sample-data/expected.csv" }
}

/// A fresh folder under the system's temporary folder.
func temporaryDirectory(_ name: String = #function) -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let path = NSTemporaryDirectory() + "redist-tests/\(safe)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs the whole pipeline and returns the exit status and what it logged.
func runPipeline(_ pipeline: String = Repo.examplePipeline, period: String, out: String, warehouse: String,
                 strict: Bool = false, key: String? = "golden-test-key", templates: String = Repo.templates) -> (status: Int32, log: [String]) {
    var env: [String: String] = [:]
    if let key { env["REDIST_PSEUDONYM_KEY"] = key }
    var lines: [String] = []
    let status = PipelineRun.run(RunOptions(pipelinePath: pipeline, period: Period(period)!, outDirectory: out,
                                            warehousePath: warehouse, strict: strict, templatesDirectory: templates,
                                            environment: env)) { lines.append($0) }
    return (status, lines)
}

func read(_ path: String) -> [UInt8] {
    (try? Array(Data(contentsOf: URL(fileURLWithPath: path)))) ?? []
}

func text(_ path: String) -> String {
    String(decoding: read(path), as: UTF8.self)
}

/// Parses a CSV we wrote (BOM, CRLF, simple quoting) into rows of fields.
func parseCSV(_ path: String) -> [[String]] {
    var bytes = read(path)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    var rows: [[String]] = []
    var row: [String] = []
    var field: [UInt8] = []
    var quoted = false
    var i = 0
    while i < bytes.count {
        let b = bytes[i]
        if quoted {
            if b == 0x22 {
                if i + 1 < bytes.count && bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                quoted = false
            } else { field.append(b) }
        } else if b == 0x22 { quoted = true }
        else if b == 0x2C { row.append(String(decoding: field, as: UTF8.self)); field = [] }
        else if b == 0x0A {
            row.append(String(decoding: field, as: UTF8.self)); field = []
            rows.append(row); row = []
        } else if b != 0x0D { field.append(b) }
        i += 1
    }
    if !field.isEmpty || !row.isEmpty { row.append(String(decoding: field, as: UTF8.self)); rows.append(row) }
    return rows
}

/// The PostgreSQL server the tests may use: `REDIST_TEST_PG_URL`
/// (`scripts/pg-test-server.sh start` prints one). Tests that need it are
/// skipped, saying so, when it is not set.
enum PostgresTestServer {
    static let url: String? = ProcessInfo.processInfo.environment["REDIST_TEST_PG_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let skipReason: Comment = "REDIST_TEST_PG_URL is not set: no PostgreSQL server to test against (scripts/pg-test-server.sh start)"

    /// A warehouse of its own on the server: a new schema in the database.
    static func freshWarehouse() -> String {
        let base = url ?? "postgresql://unset@127.0.0.1/unset"
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return base + (base.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}

/// The engines a warehouse can be on; the end-to-end tests run on each
/// available one and must give the same bytes.
enum TestEngine: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql

    /// SQLite always; PostgreSQL when a test server is named.
    static var available: [TestEngine] { PostgresTestServer.url == nil ? [.sqlite] : [.sqlite, .postgresql] }

    /// A fresh warehouse on this engine (a file in `dir`, or a schema of its own on the server).
    func warehouse(in dir: String) -> String {
        switch self {
        case .sqlite: return dir + "/w.sqlite"
        case .postgresql: return PostgresTestServer.freshWarehouse()
        }
    }

    var testDescription: String { rawValue }
}
