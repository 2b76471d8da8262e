import Foundation
@testable import RedistCore
import RedistIngest
import RedistModel

/// A pipeline in a fresh temporary folder: write its files, ingest them
/// into a warehouse there, and load the dataset back.
final class Workspace {
    let directory: String
    var pipelinePath: String { directory + "/pipeline.toml" }
    var warehousePath: String { directory + "/warehouse.sqlite" }

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redist-core-\(safe)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func write(_ relative: String, _ text: String) throws {
        let path = directory + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(atPath: directory + "/" + relative) }

    func pipeline() throws -> Pipeline { try Pipeline.load(path: pipelinePath) }

    /// Runs the ingest stage, returning its report and the lines it logged.
    @discardableResult
    func ingest() throws -> (report: IngestReport, log: [String]) {
        var log: [String] = []
        let report = try IngestStage(pipeline: try pipeline(), warehouse: try Warehouse(path: warehousePath)).run { log.append($0) }
        return (report, log)
    }

    func dataset() throws -> Dataset { try Dataset.load(pipeline: try pipeline(), warehouse: try Warehouse(path: warehousePath)) }

    func files() throws -> [Warehouse.LoadedFile] { try Warehouse(path: warehousePath).files() }

    func findings() throws -> [Diagnostic] {
        let warehouse = try Warehouse(path: warehousePath)
        return try warehouse.findings(files: try warehouse.files()).map(\.0)
    }

    /// A one-source cashbook pipeline reading `exports/*.csv` (Date, Details, Amount).
    static let cashbook = """
    [organisation]
    id = "GB-CHC-1"
    name = "Hub"
    [[source]]
    name = "cashbook"
    role = "ledger"
    format = "csv"
    path = "exports/*.csv"
    [source.columns]
    date = "Date"
    description = "Details"
    amount = "Amount"
    [[rule]]
    direction = "out"
    category = "retained.programme"
    """
}
